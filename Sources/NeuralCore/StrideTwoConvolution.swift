import CKernels

/// The direct kernels for stride-2 4×4 convolutions with padding 1 (`Sources/CKernels/ConvStrideTwo.c`): the
/// strided model's enc.0 and enc.2 and their transposed twins dec.2 and dec.4, in all three passes, with output
/// channels in the vector lanes. Three kernels serve both layer kinds: the convolution, its adjoint (the
/// transposed convolution) and the convolution's weight gradient.
///
///   Conv2D            forward = conv(x; W)     dInput = adjoint(dy; W)    dWeight = wgrad(x, dy)
///   TransposedConv2D  forward = adjoint(x; W)  dInput = conv(dy; W)       dWeight = wgrad(dy, x)
///
/// where W is read as given in both layouts ([out, in, 4, 4] for the convolution is [in, out, 4, 4] of the
/// transposed one seen from the other side). Elsewhere (other kernels, strides, paddings; CPUs without
/// AVX2/FMA) the layers keep their im2col + sgemm path.
public enum StrideTwoConvolution {
    /// Off: the stride-2 layers take their im2col + BLAS path again. Only for measuring both paths in one
    /// process (tests, `inpaint bench --no-stride-two-kernels` and `--compare-stride-two`); set it before any pass runs, never while one does.
    /// `DirectConvolution.isEnabled` off turns these kernels off too.
    public nonisolated(unsafe) static var isEnabled = true

    /// Whether a convolution of this shape can use the kernels on this CPU.
    static func applies(kernelH: Int, kernelW: Int, stride: Int, padding: Int) -> Bool {
        isEnabled && DirectConvolution.isEnabled && kernelH == 4 && kernelW == 4 && stride == 2 && padding == 1
            && ck_conv_s2_supported() != 0
    }

    /// Floats of scratch for every pass of a layer whose large map is [largeChannels, height, width] and whose
    /// small map has `smallChannels` channels, for batches of up to `maxBatch` images: the packed weights and a
    /// bordered group of either map, or the weight gradient's bordered group and transposed dy.
    static func scratchCount(largeChannels: Int, smallChannels: Int, height: Int, width: Int, maxBatch: Int) -> Int {
        let batch = Int32(clamping: max(1, maxBatch))
        // The convolution packs [small/16][large][16][16], the adjoint [large/16][small][16][16]: the larger of the two.
        let packed = max(ck_conv_s2_packed_count(Int32(largeChannels), Int32(smallChannels)),
                         ck_conv_s2_packed_count(Int32(smallChannels), Int32(largeChannels)))
        let smallH = (height - 2) / 2 + 1, smallW = (width - 2) / 2 + 1
        let pads = max(ck_conv_s2_pad_count(Int32(largeChannels), Int32(height), Int32(width), batch),
                       ck_conv_s2_pad_count(Int32(smallChannels), Int32(smallH), Int32(smallW), batch))
        let weightGradient = ck_conv_s2_weight_grad_count(Int32(largeChannels), Int32(height), Int32(width),
                                                          Int32(smallChannels), batch)
        return max(packed + pads, weightGradient)
    }

    /// A batch's convolution: x [N, C, H, W] → y [N, O, (H − 2)/2 + 1, (W − 2)/2 + 1] (overwritten), no bias,
    ///   y[n, o, oy, ox] = Σ_{c,i,j} w[o, c, i, j] · x[n, c, 2·oy − 1 + i, 2·ox − 1 + j],
    /// with w [O, C, 4, 4]. scratch ≥ scratchCount.
    static func convolve(_ x: UnsafePointer<Float>, batch: Int, channels: Int, height: Int, width: Int,
                         weight: UnsafePointer<Float>, outChannels: Int, output: UnsafeMutablePointer<Float>,
                         scratch: UnsafeMutablePointer<Float>) {
        let packed = scratch, pad = scratch + ck_conv_s2_packed_count(Int32(channels), Int32(outChannels))
        ck_conv_s2_pack(weight, Int32(outChannels), Int32(channels), 0, packed)
        ck_conv_s2(x, Int32(batch), Int32(channels), Int32(height), Int32(width), packed, Int32(outChannels), output, pad)
    }

    /// Its adjoint, the transposed convolution: x [N, C, h, w] → y [N, O, H, W] (overwritten; (H − 2)/2 + 1 = h,
    /// likewise W), no bias, y[n, o, 2·iy − 1 + i, 2·ix − 1 + j] += w[c, o, i, j] · x[n, c, iy, ix], with
    /// w [C, O, 4, 4]. scratch ≥ scratchCount.
    static func adjoint(_ x: UnsafePointer<Float>, batch: Int, channels: Int, height: Int, width: Int,
                        weight: UnsafePointer<Float>, outChannels: Int, outHeight: Int, outWidth: Int,
                        output: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>) {
        precondition((outHeight - 2) / 2 + 1 == height && (outWidth - 2) / 2 + 1 == width,
                     "StrideTwoConvolution.adjoint: \(height)×\(width) is not the convolution of \(outHeight)×\(outWidth)")
        let packed = scratch, pad = scratch + ck_conv_s2_packed_count(Int32(channels), Int32(outChannels))
        ck_conv_s2_pack(weight, Int32(outChannels), Int32(channels), 1, packed)
        ck_conv_s2_adjoint(x, Int32(batch), Int32(channels), Int32(height), Int32(width), packed, Int32(outChannels),
                           Int32(outHeight), Int32(outWidth), output, pad)
    }

    /// The convolution's weight gradient, ACCUMULATED: x [N, C, H, W], dy [N, O, (H − 2)/2 + 1, (W − 2)/2 + 1] →
    /// dw [O, C, 4, 4] += Σ dy[n, o, oy, ox] · x[n, c, 2·oy − 1 + i, 2·ox − 1 + j]. scratch ≥ scratchCount.
    static func accumulateWeightGradient(_ x: UnsafePointer<Float>, batch: Int, channels: Int, height: Int, width: Int,
                                         dOutput: UnsafePointer<Float>, outChannels: Int,
                                         dWeight: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>) {
        ck_conv_s2_weight_grad(x, Int32(batch), Int32(channels), Int32(height), Int32(width), dOutput,
                               Int32(outChannels), dWeight, scratch)
    }
}
