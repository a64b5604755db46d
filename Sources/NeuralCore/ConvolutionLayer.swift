/// What `Conv2D` and `TransposedConv2D` share: the same pointer-level forward/backward signature, so
/// that their allocating `Tensor` wrappers (for tests and small code) are written once, here.
public protocol ConvolutionLayer {
    var inChannels: Int { get }
    var outChannels: Int { get }
    var hasBias: Bool { get }
    var weightShape: [Int] { get }
    func outputSize(height: Int, width: Int) -> (height: Int, width: Int)
    /// Floats of scratch that forward and backward need for batches of up to `maxBatch` images.
    func scratchCount(height: Int, width: Int, maxBatch: Int) -> Int
    func forward(input: UnsafePointer<Float>, batch: Int, height: Int, width: Int,
                 weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                 output: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>)
    func backward(input: UnsafePointer<Float>, batch: Int, height: Int, width: Int,
                  weight: UnsafePointer<Float>, dOutput: UnsafePointer<Float>,
                  dInput: UnsafeMutablePointer<Float>?, dWeight: UnsafeMutablePointer<Float>,
                  dBias: UnsafeMutablePointer<Float>?, scratch: UnsafeMutablePointer<Float>)
}

extension ConvolutionLayer {
    /// Floats of scratch enough for any batch size.
    public func scratchCount(height: Int, width: Int) -> Int { scratchCount(height: height, width: width, maxBatch: .max) }
}

// MARK: Tensor-level wrappers (allocating; for tests and small code)

extension ConvolutionLayer {
    /// x [N, inC, H, W], W (`weightShape`), b [outC]? → y [N, outC, outH, outW]
    public func forward(_ x: Tensor, weight: Tensor, bias: Tensor? = nil) -> Tensor {
        precondition(x.rank == 4 && x.shape[1] == inChannels, "\(Self.self): input shape \(x.shape), expected [N, \(inChannels), H, W]")
        precondition(weight.shape == weightShape, "\(Self.self): weight shape \(weight.shape), expected \(weightShape)")
        let (n, h, w) = (x.shape[0], x.shape[2], x.shape[3])
        let (oh, ow) = outputSize(height: h, width: w)
        var y = Tensor(shape: [n, outChannels, oh, ow])
        var scratch = [Float](repeating: 0, count: scratchCount(height: h, width: w, maxBatch: n))
        x.data.withUnsafeBufferPointer { xp in weight.data.withUnsafeBufferPointer { wp in
            withOptionalPointer(bias?.data) { bp in
                y.data.withUnsafeMutableBufferPointer { yp in scratch.withUnsafeMutableBufferPointer { sp in
                    forward(input: xp.baseAddress!, batch: n, height: h, width: w, weight: wp.baseAddress!, bias: bp,
                            output: yp.baseAddress!, scratch: sp.baseAddress!)
                } }
            }
        } }
        return y
    }

    /// Gradients for one call (not accumulated): dInput [N, inC, H, W], dWeight, dBias (nil without bias).
    public func backward(_ x: Tensor, weight: Tensor, dOutput: Tensor) -> (dInput: Tensor, dWeight: Tensor, dBias: Tensor?) {
        let (n, h, w) = (x.shape[0], x.shape[2], x.shape[3])
        var dx = Tensor(shape: x.shape), dw = Tensor(shape: weightShape)
        var db: [Float]? = hasBias ? [Float](repeating: 0, count: outChannels) : nil
        var scratch = [Float](repeating: 0, count: scratchCount(height: h, width: w, maxBatch: n))
        x.data.withUnsafeBufferPointer { xp in weight.data.withUnsafeBufferPointer { wp in dOutput.data.withUnsafeBufferPointer { gp in
            dx.data.withUnsafeMutableBufferPointer { dxp in dw.data.withUnsafeMutableBufferPointer { dwp in
                withOptionalMutablePointer(&db) { dbp in scratch.withUnsafeMutableBufferPointer { sp in
                    backward(input: xp.baseAddress!, batch: n, height: h, width: w, weight: wp.baseAddress!,
                             dOutput: gp.baseAddress!, dInput: dxp.baseAddress!, dWeight: dwp.baseAddress!,
                             dBias: dbp, scratch: sp.baseAddress!)
                } }
            } }
        } } }
        return (dx, dw, db.map { Tensor(shape: [outChannels], data: $0) })
    }
}
