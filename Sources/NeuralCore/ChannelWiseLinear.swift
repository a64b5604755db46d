/// The context encoder's channel-wise fully connected layer (Pathak et al. 2016 §3.1): every channel has
/// its own dense map over the spatial positions and channels do not mix.
///
///   y[b, c, :] = x[b, c, :] · W[c] + bias[c]
///
/// Shapes: x [B, C, inF] → y [B, C, outF]; W [C, inF, outF]; bias [C, outF]. As a `Layer`, x is [B, C, H, W]
/// with H·W = inF (the context encoder's 16×28×28), and y keeps H × W when outF = inF, else is [B, C, 1, outF].
/// One sgemm per channel over the whole batch: x viewed as [B, C·inF] with lda = C·inF picks channel c's
/// rows without a transpose (a gemv per channel when B = 1, where the 39 MB of weights stream from memory).
public struct ChannelWiseLinear: Layer, Equatable {
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

    public var inChannels: Int { channels }
    public var outChannels: Int { channels }
    /// Channels never mix: workers split a batch by channel, each streaming only its channels' weights.
    public var workSplit: WorkSplit { .channels }
    public var summary: String { "channel-wise \(channels)×\(inFeatures)²" }

    public func outputSize(height: Int, width: Int) -> (height: Int, width: Int) {
        precondition(height * width == inFeatures, "ChannelWiseLinear: a \(height)×\(width) map is not \(inFeatures) features")
        return outFeatures == inFeatures ? (height, width) : (1, outFeatures)
    }

    /// Every weight once per image.
    public func multiplyAdds(height: Int, width: Int) -> Double { Double(weightCount) }
    /// No scratch: the products land in place.
    public func scratchCount(height: Int, width: Int, maxBatch: Int) -> Int { 0 }
    public func channelSplitScratchCount(height: Int, width: Int) -> Int { 0 }

    // MARK: Forward

    /// input [B, C, inF] → output [B, C, outF] (overwritten), only channels `channels` of every image (channels
    /// are independent, so workers can split them; the whole forward is `Layer`'s, over every channel).
    public func forward(input: UnsafePointer<Float>, batch: Int, height: Int, width: Int,
                        weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                        output: UnsafeMutablePointer<Float>, channels range: Range<Int>, scratch: UnsafeMutablePointer<Float>) {
        checkBias(bias)
        precondition(height * width == inFeatures, "ChannelWiseLinear: a \(height)×\(width) map is not \(inFeatures) features")
        let inRow = channels * inFeatures, outRow = channels * outFeatures, matrix = inFeatures * outFeatures
        for c in range {
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
    /// dInput [B, C, inF] = ∂L/∂x (overwritten; nil when not needed).
    public func backward(input: UnsafePointer<Float>, batch: Int, height: Int, width: Int,
                         weight: UnsafePointer<Float>, dOutput: UnsafePointer<Float>,
                         dInput: UnsafeMutablePointer<Float>?, dWeight: UnsafeMutablePointer<Float>,
                         dBias: UnsafeMutablePointer<Float>?, scratch: UnsafeMutablePointer<Float>) {
        backward(input: input, batch: batch, height: height, width: width, weight: weight, dOutput: dOutput,
                 dInput: dInput, dWeight: dWeight, dBias: dBias, channels: 0..<channels, scratch: scratch)
    }

    /// Only channels `channels`' gradients are touched (disjoint ranges may run concurrently).
    public func backward(input: UnsafePointer<Float>, batch: Int, height: Int, width: Int,
                         weight: UnsafePointer<Float>, dOutput: UnsafePointer<Float>,
                         dInput: UnsafeMutablePointer<Float>?, dWeight: UnsafeMutablePointer<Float>,
                         dBias: UnsafeMutablePointer<Float>?, channels range: Range<Int>, scratch: UnsafeMutablePointer<Float>) {
        checkBias(dBias)
        let inRow = channels * inFeatures, outRow = channels * outFeatures, matrix = inFeatures * outFeatures
        for c in range {
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
