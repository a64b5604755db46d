import CKernels

/// Winograd F(4×4, 5×5) for the 5×5 same convolutions (stride 1, padding 2; `Sources/CKernels/Winograd5x5.c`):
/// 64 multiplies per 4×4 output tile and channel pair instead of 400, at the cost of a transform of the input
/// and output tiles and a little rounding (max error ~5e-6 of the output's magnitude, against ~1e-6 for
/// the direct kernel; see WinogradTests). It takes the place of `DirectConvolution.convolve` where both apply
/// and the channel counts suit it: the paper model's 16→16 layers forward, the transposed layers forward and
/// both kinds' input gradients; and of the direct weight gradient of the same layers (through the Winograd
/// domain: dU = Σ_tiles V ⊗ A dY Aᵀ, dw = Gᵀ dU G; ~5e-6 of the gradient's magnitude at 32 images).
public enum WinogradConvolution {
    /// Off: every layer takes the path it took before this kernel existed. For measuring both paths in one
    /// process (tests, `inpaint bench --no-winograd`); set it before any pass runs, never while one does.
    nonisolated(unsafe) public static var isEnabled = true

    /// Whether a same convolution of `channels` → `outChannels` over maps `width` wide should take this path:
    /// a 5×5 kernel with stride 1 and padding 2 where the direct path would be taken (maps ≥
    /// `DirectConvolution.minimumWidth` wide; narrower ones keep the channels-in-lanes kernels, not measured
    /// against this one), input channels a multiple of 8, at least 8 output channels, and an AVX2/FMA CPU. The
    /// kernel takes any output count, but 16→1 (the paper model's last layer) measured slower than the direct
    /// kernel (22 against 14 µs per 28×28 image): 7 of the 8 lanes compute zeros. A range of output channels of a
    /// layer that takes this path takes it too (OutputChannelSplit.swift).
    static func prefers(kernelH: Int, kernelW: Int, stride: Int, padding: Int, channels: Int, outChannels: Int,
                        width: Int) -> Bool {
        isEnabled && kernelH == 5 && kernelW == 5 && stride == 1 && padding == 2 && outChannels >= 8
            && DirectConvolution.prefers(kernelH: kernelH, kernelW: kernelW, stride: stride, padding: padding, width: width)
            && ck_winograd5_supported(Int32(channels), Int32(outChannels)) != 0
    }

    /// Off (with `isEnabled` on): weight gradients take the direct kernel again, the other passes stay with
    /// Winograd. For measuring the two parts apart; set it before any pass runs, never while one does.
    nonisolated(unsafe) public static var weightGradientEnabled = true

    /// Floats of the transformed weights U [64, C, O rounded up to 8].
    static func weightCount(channels: Int, outChannels: Int) -> Int {
        ck_winograd5_weight_count(Int32(channels), Int32(outChannels))
    }

    /// Floats of working scratch for `convolve` (one image's, whatever the batch), beside the transformed weights.
    static func scratchCount(channels: Int, outChannels: Int, height: Int, width: Int) -> Int {
        ck_winograd5_scratch_count(Int32(channels), Int32(height), Int32(width), Int32(outChannels))
    }

    /// w [O, C, 5, 5] → transformed [64, C, O′] (U = G w Gᵀ per channel pair, once per pass).
    static func transformWeights(_ w: UnsafePointer<Float>, outChannels: Int, channels: Int,
                                 into transformed: UnsafeMutablePointer<Float>) {
        ck_winograd5_transform_weights(w, Int32(outChannels), Int32(channels), transformed)
    }

    /// x [N, C, H, W] → y [N, O, H, W] (overwritten), no bias: the same convolution with the weights that
    /// `transformWeights` transformed. scratch ≥ scratchCount(C, O, H, W).
    static func convolve(_ x: UnsafePointer<Float>, batch: Int, channels: Int, height: Int, width: Int,
                         transformed: UnsafePointer<Float>, outChannels: Int, output: UnsafeMutablePointer<Float>,
                         scratch: UnsafeMutablePointer<Float>) {
        ck_winograd5_conv(x, Int32(batch), Int32(channels), Int32(height), Int32(width), transformed, Int32(outChannels),
                          output, scratch)
    }

    /// Floats of scratch for `accumulateWeightGradient` (whatever the batch).
    static func weightGradientScratchCount(channels: Int, outChannels: Int, height: Int, width: Int) -> Int {
        ck_winograd5_weight_grad_scratch_count(Int32(channels), Int32(height), Int32(width), Int32(outChannels))
    }

    /// A batch's weight gradient, ACCUMULATED: x [N, C, H, W], dy [N, O, H, W] → dw [O, C, 5, 5] +=
    /// Σ dy[n, o, oy, ox] · x[n, c, oy + i − 2, ox + j − 2]. scratch ≥ weightGradientScratchCount.
    static func accumulateWeightGradient(_ x: UnsafePointer<Float>, batch: Int, channels: Int, height: Int, width: Int,
                                         dOutput: UnsafePointer<Float>, outChannels: Int,
                                         dWeight: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>) {
        ck_winograd5_weight_grad(x, Int32(batch), Int32(channels), Int32(height), Int32(width), dOutput,
                                 Int32(outChannels), dWeight, scratch)
    }

    /// Both steps: w [O, C, 5, 5], x [N, C, H, W] → y [N, O, H, W]. scratch ≥ weightCount + scratchCount.
    static func convolve(_ x: UnsafePointer<Float>, batch: Int, channels: Int, height: Int, width: Int,
                         weight: UnsafePointer<Float>, outChannels: Int, output: UnsafeMutablePointer<Float>,
                         scratch: UnsafeMutablePointer<Float>) {
        transformWeights(weight, outChannels: outChannels, channels: channels, into: scratch)
        convolve(x, batch: batch, channels: channels, height: height, width: width, transformed: scratch,
                 outChannels: outChannels, output: output,
                 scratch: scratch + weightCount(channels: channels, outChannels: outChannels))
    }
}
