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

/// How `Conv2D` and `TransposedConv2D` choose between their three paths (the direct kernel, the
/// channels-in-lanes kernel, im2col + chunked sgemm) and the scratch that covers all three: the same rules for
/// both, which differ only in the geometry they convolve over and the BLAS chunk each image needs.
protocol ConvolutionPaths: ConvolutionLayer {
    var kernelH: Int { get }
    var kernelW: Int { get }
    var stride: Int { get }
    var padding: Int { get }
    /// The geometry the BLAS path's im2col walks.
    func geometry(height: Int, width: Int) -> ConvGeometry
    /// Scratch of the BLAS path per image of a chunk.
    func chunkFloatsPerImage(_ g: ConvGeometry) -> Int
}

extension ConvolutionPaths {
    /// Stride 1, padding k/2, odd square kernel, AVX2, a map wide enough: through `DirectConvolution`.
    func usesDirectPath(width: Int) -> Bool {
        DirectConvolution.prefers(kernelH: kernelH, kernelW: kernelW, stride: stride, padding: padding, width: width)
    }

    /// Same convolution on maps too narrow for the direct path: all three passes through the
    /// channels-in-lanes kernels.
    func usesChannelLanes(width: Int) -> Bool {
        DirectConvolution.prefersChannelLanes(kernelH: kernelH, kernelW: kernelW, stride: stride, padding: padding, width: width)
    }

    /// Floats of scratch for batches of up to `maxBatch` images, with room for every path, so that the choice
    /// between them may change after a workspace is sized: a BLAS chunk's column matrix plus its gathered
    /// side (`ColumnBatch`); the direct path's flipped weights and zero-bordered image; the lanes kernels'
    /// packed weights and padded image group.
    func scratchCountForEveryPath(height: Int, width: Int, maxBatch: Int) -> Int {
        let direct = weightShape.reduce(1, *)
            + DirectConvolution.padCount(channels: max(inChannels, outChannels), height: height, width: width, kernel: kernelH)
        let lanes = DirectConvolution.channelLanesScratchCount(channels: inChannels, outChannels: outChannels, height: height,
                                                               width: width, kernel: kernelH, maxBatch: maxBatch)
        let g = geometry(height: height, width: width), perImage = chunkFloatsPerImage(g)
        return max(perImage * ColumnBatch.imagesPerChunk(floatsPerImage: perImage, maxBatch: maxBatch), direct, lanes)
    }
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
