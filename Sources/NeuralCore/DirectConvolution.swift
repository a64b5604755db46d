import CKernels

/// The direct "same" convolution (stride 1, padding k/2; `Sources/CKernels/ConvSame.c`), which replaces
/// im2col + sgemm where it applies: the paper model's 5×5 layers forward, the transposed layers forward
/// and the convolutions' input gradients (both are convolutions with the transposed, 180°-rotated kernel).
/// Where it does not apply (stride > 1, even kernels, wide images, CPUs without AVX2/FMA) the layers keep
/// their BLAS path; where `WinogradConvolution` applies (5×5, input channels a multiple of 8) that takes its place.
enum DirectConvolution {
    /// Off: every layer takes its BLAS path. Only for measuring both paths in one process (tests, harnesses);
    /// set it before any pass runs, never while one does.
    nonisolated(unsafe) static var isEnabled = true

    /// Whether a k×k convolution with this stride and padding over images `width` wide can use the kernel.
    static func applies(kernelH: Int, kernelW: Int, stride: Int, padding: Int, width: Int) -> Bool {
        isEnabled && kernelH == kernelW && kernelH % 2 == 1 && stride == 1 && padding == kernelH / 2
            && ck_conv2d_same_supported(Int32(width), Int32(kernelH)) != 0
    }

    /// Narrower images take the BLAS path even where the kernel applies: with one or two 8-float vectors per
    /// row the kernel keeps only 2–4 accumulators in flight and waits on FMA latency, while `ColumnBatch`
    /// hands OpenBLAS a chunk of images at once (measured on the strided model's 7×7 layers; see the commit).
    /// Tests set it to 1 to cover the kernel's narrow rows; set it before any pass runs, never while one does.
    nonisolated(unsafe) static var minimumWidth = 17

    /// Whether a layer should take the direct path: the kernel applies and the image is wide enough to gain.
    static func prefers(kernelH: Int, kernelW: Int, stride: Int, padding: Int, width: Int) -> Bool {
        width >= minimumWidth && applies(kernelH: kernelH, kernelW: kernelW, stride: stride, padding: padding, width: width)
    }

    /// Floats of scratch for the zero-bordered copy of one image [channels, height, width].
    static func padCount(channels: Int, height: Int, width: Int, kernel: Int) -> Int {
        ck_conv2d_same_pad_count(Int32(channels), Int32(height), Int32(width), Int32(kernel))
    }

    /// One image: x [C, H, W], w [O, C, k, k] → y [O, H, W] (overwritten). pad ≥ padCount(C, H, W, k).
    static func convolve(_ x: UnsafePointer<Float>, channels: Int, height: Int, width: Int,
                         weight: UnsafePointer<Float>, outChannels: Int, kernel: Int,
                         output: UnsafeMutablePointer<Float>, pad: UnsafeMutablePointer<Float>) {
        ck_conv2d_same(x, Int32(channels), Int32(height), Int32(width), weight, Int32(outChannels), Int32(kernel),
                       output, pad)
    }

    /// One image's weight gradient, ACCUMULATED: x [C, H, W], dy [O, H, W] → dw [O, C, k, k] +=
    /// Σ dy[o, oy, ox] · x[c, oy + i − k/2, ox + j − k/2]. pad ≥ padCount(C, H, W, k).
    static func accumulateWeightGradient(_ x: UnsafePointer<Float>, channels: Int, height: Int, width: Int,
                                         dOutput: UnsafePointer<Float>, outChannels: Int, kernel: Int,
                                         dWeight: UnsafeMutablePointer<Float>, pad: UnsafeMutablePointer<Float>) {
        ck_conv2d_same_weight_grad(x, Int32(channels), Int32(height), Int32(width), dOutput, Int32(outChannels),
                                   Int32(kernel), dWeight, pad)
    }

    // MARK: Output channels in the lanes (small maps)

    /// Off: maps narrower than `minimumWidth` take the BLAS path again. Only for measuring both paths in one
    /// process (tests, harnesses); set it before any pass runs, never while one does.
    nonisolated(unsafe) static var channelLanesEnabled = true

    /// Whether a layer should take the channels-in-lanes kernels (`Sources/CKernels/ConvChannelLanes.c`): a same
    /// convolution (stride 1, padding k/2, odd square k ≤ 7) on maps too narrow for `prefers`, such as the
    /// strided model's 7×7 enc.4 and dec.0, in all three passes.
    static func prefersChannelLanes(kernelH: Int, kernelW: Int, stride: Int, padding: Int, width: Int) -> Bool {
        isEnabled && channelLanesEnabled && kernelH == kernelW && kernelH % 2 == 1 && stride == 1 && padding == kernelH / 2
            && !prefers(kernelH: kernelH, kernelW: kernelW, stride: stride, padding: padding, width: width)
            && ck_conv_lanes_supported(Int32(kernelH)) != 0
    }

    /// Floats of scratch for `channelLanesConvolve`: the repacked weights (in either direction between
    /// `channels` and `outChannels`) and zero-bordered copies of a group of images.
    static func channelLanesScratchCount(channels: Int, outChannels: Int, height: Int, width: Int, kernel: Int,
                                         maxBatch: Int) -> Int {
        let packed = max(ck_conv_lanes_packed_count(Int32(channels), Int32(outChannels), Int32(kernel)),
                         ck_conv_lanes_packed_count(Int32(outChannels), Int32(channels), Int32(kernel)))
        let batch = Int32(clamping: max(1, maxBatch))
        // Either channel count may be the convolved input's (forward or input gradient); the padded group is not
        // monotonic in it (more channels, fewer images per group), so take the larger of the two.
        let convolve = packed + max(
            ck_conv_lanes_pad_count(Int32(channels), Int32(height), Int32(width), Int32(kernel), batch),
            ck_conv_lanes_pad_count(Int32(outChannels), Int32(height), Int32(width), Int32(kernel), batch))
        let weightGradient = max(
            ck_conv_lanes_weight_grad_count(Int32(channels), Int32(height), Int32(width), Int32(outChannels), Int32(kernel), batch),
            ck_conv_lanes_weight_grad_count(Int32(outChannels), Int32(height), Int32(width), Int32(channels), Int32(kernel), batch))
        return max(convolve, weightGradient)
    }

    /// A batch's weight gradient, ACCUMULATED: x [N, C, H, W], dy [N, O, H, W] → dw [O, C, k, k] +=
    /// Σ dy[n, o, oy, ox] · x[n, c, oy + i − k/2, ox + j − k/2]. scratch ≥ channelLanesScratchCount.
    static func channelLanesAccumulateWeightGradient(_ x: UnsafePointer<Float>, batch: Int, channels: Int, height: Int,
                                                     width: Int, dOutput: UnsafePointer<Float>, outChannels: Int,
                                                     kernel: Int, dWeight: UnsafeMutablePointer<Float>,
                                                     scratch: UnsafeMutablePointer<Float>) {
        ck_conv_lanes_weight_grad(x, Int32(batch), Int32(channels), Int32(height), Int32(width), dOutput,
                                  Int32(outChannels), Int32(kernel), dWeight, scratch)
    }

    /// A batch's same convolution: x [N, C, H, W] → y [N, O, H, W] (overwritten), no bias. The weights are
    /// w [O, C, k, k], or with `adjoint` w [C, O, k, k] read as rot180(wᵀ) (the transposed convolution of w,
    /// or the input gradient of a convolution with w). scratch ≥ channelLanesScratchCount.
    static func channelLanesConvolve(_ x: UnsafePointer<Float>, batch: Int, channels: Int, height: Int, width: Int,
                                     weight: UnsafePointer<Float>, adjoint: Bool, outChannels: Int, kernel: Int,
                                     output: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>) {
        let packed = scratch, pad = scratch + ck_conv_lanes_packed_count(Int32(channels), Int32(outChannels), Int32(kernel))
        ck_conv_lanes_pack(weight, Int32(outChannels), Int32(channels), Int32(kernel), adjoint ? 1 : 0, packed)
        ck_conv_lanes(x, Int32(batch), Int32(channels), Int32(height), Int32(width), packed, Int32(outChannels),
                      Int32(kernel), output, pad)
    }

    /// w [A, B, k, k] → out [B, A, k, k] with every k×k kernel rotated by 180°: the weights of the adjoint
    /// (transposed) convolution written as an ordinary one, since for stride 1 and padding k/2
    /// convᵀ(y; W) = conv(y; rot180(Wᵀ)).
    static func transposeAndFlip(_ w: UnsafePointer<Float>, a: Int, b: Int, kernel k: Int,
                                 into out: UnsafeMutablePointer<Float>) {
        let taps = k * k
        for i in 0..<a {
            for j in 0..<b {
                let src = w + (i * b + j) * taps, dst = out + (j * a + i) * taps
                for t in 0..<taps { dst[t] = src[taps - 1 - t] }
            }
        }
    }
}
