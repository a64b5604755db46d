import CKernels

/// The direct "same" convolution (stride 1, padding k/2; `Sources/CKernels/ConvSame.c`), which replaces
/// im2col + sgemm where it applies: the paper model's 5×5 layers forward, the transposed layers forward
/// and the convolutions' input gradients (both are convolutions with the transposed, 180°-rotated kernel).
/// Where it does not apply (stride > 1, even kernels, wide images, CPUs without AVX2/FMA) the layers keep
/// their BLAS path.
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
