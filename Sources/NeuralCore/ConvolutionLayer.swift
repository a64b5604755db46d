/// How `Conv2D` and `TransposedConv2D` choose between their paths (Winograd, the direct kernel, the
/// channels-in-lanes kernel, the stride-2 kernels, im2col + chunked sgemm) and the scratch that covers them all:
/// the same rules for both, which differ only in the geometry they convolve over and the BLAS chunk each image
/// needs.
protocol ConvolutionPaths: Layer {
    /// Settable, so that a range of output channels can be run as a narrower convolution.
    var outChannels: Int { get set }
    var kernelH: Int { get }
    var kernelW: Int { get }
    var stride: Int { get }
    var padding: Int { get }
    /// The geometry the BLAS path's im2col walks.
    func geometry(height: Int, width: Int) -> ConvGeometry
    /// Scratch of the BLAS path per image of a chunk.
    func chunkFloatsPerImage(_ g: ConvGeometry) -> Int
    /// The forward through `WinogradConvolution`, bias added (scratch ≥ scratchCount).
    func forwardByWinograd(input: UnsafePointer<Float>, batch: Int, height: Int, width: Int, weight: UnsafePointer<Float>,
                           bias: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>,
                           scratch: UnsafeMutablePointer<Float>)
}

extension ConvolutionPaths {
    /// Stride 1, padding k/2, odd square kernel, AVX2, a map wide enough: through `DirectConvolution`.
    func usesDirectPath(width: Int) -> Bool {
        DirectConvolution.prefers(kernelH: kernelH, kernelW: kernelW, stride: stride, padding: padding, width: width)
    }

    /// A 5×5 same convolution of `channels` → `outChannels` (the layer's own, or swapped for an input
    /// gradient) where the direct path would run: through `WinogradConvolution` instead.
    func usesWinograd(channels: Int, outChannels: Int, width: Int) -> Bool {
        WinogradConvolution.prefers(kernelH: kernelH, kernelW: kernelW, stride: stride, padding: padding,
                                    channels: channels, outChannels: outChannels, width: width)
    }

    /// The weight gradient of a same convolution of `channels` → `outChannels` (x's channels → dy's) through
    /// `WinogradConvolution`, under the same rule plus its own switch.
    func usesWinogradWeightGradient(channels: Int, outChannels: Int, width: Int) -> Bool {
        WinogradConvolution.weightGradientEnabled && usesWinograd(channels: channels, outChannels: outChannels, width: width)
    }

    /// Same convolution on maps too narrow for the direct path: all three passes through the
    /// channels-in-lanes kernels.
    func usesChannelLanes(width: Int) -> Bool {
        DirectConvolution.prefersChannelLanes(kernelH: kernelH, kernelW: kernelW, stride: stride, padding: padding, width: width)
    }

    /// Stride 2, 4×4, padding 1, AVX2: every pass through `StrideTwoConvolution`.
    var usesStrideTwoKernels: Bool {
        StrideTwoConvolution.applies(kernelH: kernelH, kernelW: kernelW, stride: stride, padding: padding)
    }

    /// Floats of scratch for batches of up to `maxBatch` images, with room for every path, so that the choice
    /// between them may change after a workspace is sized: a BLAS chunk's column matrix plus its gathered
    /// side (`ColumnBatch`); the direct path's flipped weights and zero-bordered image, or beside the flipped
    /// weights the Winograd path's transformed weights and working memory (either direction); the lanes
    /// kernels' packed weights and padded image group; the stride-2 kernels' (`StrideTwoConvolution.scratchCount`).
    func scratchCountForEveryPath(height: Int, width: Int, maxBatch: Int) -> Int {
        let winograd = max(
            WinogradConvolution.weightCount(channels: inChannels, outChannels: outChannels)
                + max(WinogradConvolution.scratchCount(channels: inChannels, outChannels: outChannels, height: height, width: width),
                      WinogradConvolution.scratchCount(channels: outChannels, outChannels: inChannels, height: height, width: width)),
            WinogradConvolution.weightGradientScratchCount(channels: inChannels, outChannels: outChannels, height: height, width: width),
            WinogradConvolution.weightGradientScratchCount(channels: outChannels, outChannels: inChannels, height: height, width: width))
        let direct = weightShape.reduce(1, *)
            + max(DirectConvolution.padCount(channels: max(inChannels, outChannels), height: height, width: width, kernel: kernelH),
                  winograd)
        let lanes = DirectConvolution.channelLanesScratchCount(channels: inChannels, outChannels: outChannels, height: height,
                                                               width: width, kernel: kernelH, maxBatch: maxBatch)
        let g = geometry(height: height, width: width), perImage = chunkFloatsPerImage(g)
        // g is the large map's side: the input of a Conv2D, the output of a TransposedConv2D.
        let strideTwo = StrideTwoConvolution.scratchCount(largeChannels: g.channels,
                                                          smallChannels: inChannels + outChannels - g.channels,
                                                          height: g.height, width: g.width, maxBatch: maxBatch)
        return max(perImage * ColumnBatch.imagesPerChunk(floatsPerImage: perImage, maxBatch: maxBatch), direct, lanes,
                   strideTwo)
    }

    /// "5×5 1→16", "4×4 s2 32→16": the part of `summary` both kinds share.
    var kernelSummary: String {
        "\(kernelH)×\(kernelW)\(stride > 1 ? " s\(stride)" : "") \(inChannels)→\(outChannels)"
    }
}
