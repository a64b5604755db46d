/// The context encoder's channel-wise fully connected layer (Pathak et al. 2016 §3.1): every channel has
/// its own dense map over the spatial positions and channels do not mix.
///
///   y[b, c, :] = x[b, c, :] · W[c] + bias[c]
///
/// Shapes: x [B, C, inF] → y [B, C, outF]; W [C, inF, outF]; bias [C, outF].
/// One sgemm per channel over the whole batch: x viewed as [B, C·inF] with lda = C·inF picks channel c's
/// rows without a transpose (a gemv per channel when B = 1, where the 39 MB of weights stream from memory).
public struct ChannelWiseLinear: Sendable, Equatable {
    public var channels: Int, inFeatures: Int, outFeatures: Int
    public var hasBias: Bool

    public init(channels: Int, inFeatures: Int, outFeatures: Int, hasBias: Bool = false) {
        precondition(channels > 0 && inFeatures > 0 && outFeatures > 0, "ChannelWiseLinear: sizes must be positive")
        self.channels = channels; self.inFeatures = inFeatures; self.outFeatures = outFeatures; self.hasBias = hasBias
    }

    public var weightShape: [Int] { [channels, inFeatures, outFeatures] }
    public var biasShape: [Int] { [channels, outFeatures] }
    /// Each W[c] is initialised like nn.Linear(inF, outF): U(−1/√inF, 1/√inF), bias likewise.
    public var initBound: Float { 1 / Float(inFeatures).squareRoot() }

    // MARK: Forward

    /// input [B, C, inF] → output [B, C, outF] (overwritten). With `channelRange`, only those channels are
    /// computed (channels are independent, so workers can split them).
    public func forward(input: UnsafePointer<Float>, batch: Int, weight: UnsafePointer<Float>,
                        bias: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>, channelRange: Range<Int>? = nil) {
        precondition(hasBias == (bias != nil), "ChannelWiseLinear: hasBias is \(hasBias) but bias pointer \(bias == nil ? "absent" : "given")")
        let inRow = channels * inFeatures, outRow = channels * outFeatures, matrix = inFeatures * outFeatures
        for c in channelRange ?? 0..<channels {
            let x = input + c * inFeatures, w = weight + c * matrix, y = output + c * outFeatures
            if batch == 1 {
                // y[outF] = W[c]ᵀ · x[inF]
                sgemv(trans: true, m: inFeatures, n: outFeatures, alpha: 1, a: w, lda: outFeatures, x: x, beta: 0, y: y)
            } else {
                // y_c[B, outF] = x_c[B, inF] · W[c][inF, outF]
                sgemm(transA: false, transB: false, m: batch, n: outFeatures, k: inFeatures, alpha: 1,
                      a: x, lda: inRow, b: w, ldb: outFeatures, beta: 0, c: y, ldc: outRow)
            }
            if let bias {
                let bc = bias + c * outFeatures
                for b in 0..<batch {
                    let yb = y + b * outRow
                    for j in 0..<outFeatures { yb[j] += bc[j] }
                }
            }
        }
    }

    // MARK: Backward

    /// Given dOutput [B, C, outF]: dWeight [C, inF, outF] += ∂L/∂W, dBias [C, outF] += ∂L/∂b,
    /// dInput [B, C, inF] = ∂L/∂x (overwritten; nil when not needed). With `channelRange`, only those
    /// channels' gradients are touched (disjoint ranges may run concurrently).
    public func backward(input: UnsafePointer<Float>, batch: Int, weight: UnsafePointer<Float>,
                         dOutput: UnsafePointer<Float>, dInput: UnsafeMutablePointer<Float>?,
                         dWeight: UnsafeMutablePointer<Float>, dBias: UnsafeMutablePointer<Float>?,
                         channelRange: Range<Int>? = nil) {
        precondition(hasBias == (dBias != nil), "ChannelWiseLinear: hasBias is \(hasBias) but dBias pointer \(dBias == nil ? "absent" : "given")")
        let inRow = channels * inFeatures, outRow = channels * outFeatures, matrix = inFeatures * outFeatures
        for c in channelRange ?? 0..<channels {
            let x = input + c * inFeatures, w = weight + c * matrix, dy = dOutput + c * outFeatures
            // dW[c][inF, outF] += x_cᵀ[inF, B] · dy_c[B, outF]
            sgemm(transA: true, transB: false, m: inFeatures, n: outFeatures, k: batch, alpha: 1,
                  a: x, lda: inRow, b: dy, ldb: outRow, beta: 1, c: dWeight + c * matrix, ldc: outFeatures)
            if let dBias {
                let dbc = dBias + c * outFeatures
                for b in 0..<batch {
                    let dyb = dy + b * outRow
                    for j in 0..<outFeatures { dbc[j] += dyb[j] }
                }
            }
            if let dInput {
                // dx_c[B, inF] = dy_c[B, outF] · W[c]ᵀ
                sgemm(transA: false, transB: true, m: batch, n: inFeatures, k: outFeatures, alpha: 1,
                      a: dy, lda: outRow, b: w, ldb: outFeatures, beta: 0, c: dInput + c * inFeatures, ldc: inRow)
            }
        }
    }
}

// MARK: Tensor-level wrappers (allocating; for tests and small code)

extension ChannelWiseLinear {
    /// x [B, C, inF], W [C, inF, outF], bias [C, outF]? → y [B, C, outF]
    public func forward(_ x: Tensor, weight: Tensor, bias: Tensor? = nil) -> Tensor {
        precondition(x.rank == 3 && x.shape[1] == channels && x.shape[2] == inFeatures,
                     "ChannelWiseLinear: input shape \(x.shape), expected [B, \(channels), \(inFeatures)]")
        precondition(weight.shape == weightShape, "ChannelWiseLinear: weight shape \(weight.shape), expected \(weightShape)")
        let b = x.shape[0]
        var y = Tensor(shape: [b, channels, outFeatures])
        x.data.withUnsafeBufferPointer { xp in weight.data.withUnsafeBufferPointer { wp in
            withOptionalPointer(bias?.data) { bp in
                y.data.withUnsafeMutableBufferPointer { yp in
                    forward(input: xp.baseAddress!, batch: b, weight: wp.baseAddress!, bias: bp, output: yp.baseAddress!)
                }
            }
        } }
        return y
    }

    /// Gradients for one call (not accumulated): dInput [B, C, inF], dWeight, dBias (nil without bias).
    public func backward(_ x: Tensor, weight: Tensor, dOutput: Tensor) -> (dInput: Tensor, dWeight: Tensor, dBias: Tensor?) {
        let b = x.shape[0]
        var dx = Tensor(shape: x.shape), dw = Tensor(shape: weightShape)
        var db: [Float]? = hasBias ? [Float](repeating: 0, count: channels * outFeatures) : nil
        x.data.withUnsafeBufferPointer { xp in weight.data.withUnsafeBufferPointer { wp in dOutput.data.withUnsafeBufferPointer { gp in
            dx.data.withUnsafeMutableBufferPointer { dxp in dw.data.withUnsafeMutableBufferPointer { dwp in
                withOptionalMutablePointer(&db) { dbp in
                    backward(input: xp.baseAddress!, batch: b, weight: wp.baseAddress!, dOutput: gp.baseAddress!,
                             dInput: dxp.baseAddress!, dWeight: dwp.baseAddress!, dBias: dbp)
                }
            } }
        } } }
        return (dx, dw, db.map { Tensor(shape: biasShape, data: $0) })
    }
}
