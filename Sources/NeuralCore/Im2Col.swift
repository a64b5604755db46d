import CKernels

/// The geometry of one convolution seen from its (larger or equal) "image" side: `channels` planes of
/// `height`×`width`, a `kernelH`×`kernelW` window moved by `stride` over the image padded by `padding`.
///
/// outH = (height + 2·padding − kernelH) / stride + 1 (floor), likewise outW — PyTorch's Conv2d formula.
public struct ConvGeometry: Sendable, Equatable {
    public var channels: Int, height: Int, width: Int
    public var kernelH: Int, kernelW: Int, stride: Int, padding: Int

    public init(channels: Int, height: Int, width: Int, kernelH: Int, kernelW: Int, stride: Int, padding: Int) {
        precondition(channels > 0 && height > 0 && width > 0 && kernelH > 0 && kernelW > 0 && stride > 0 && padding >= 0,
                     "bad convolution geometry c=\(channels) \(height)×\(width) k=\(kernelH)×\(kernelW) s=\(stride) p=\(padding)")
        self.channels = channels; self.height = height; self.width = width
        self.kernelH = kernelH; self.kernelW = kernelW; self.stride = stride; self.padding = padding
        precondition(outHeight > 0 && outWidth > 0, "kernel \(kernelH)×\(kernelW) larger than padded image \(height)×\(width)")
    }

    public var outHeight: Int { (height + 2 * padding - kernelH) / stride + 1 }
    public var outWidth: Int { (width + 2 * padding - kernelW) / stride + 1 }
    /// Rows of the column matrix: channels·kernelH·kernelW.
    public var patchSize: Int { channels * kernelH * kernelW }
    /// Columns of the column matrix: outHeight·outWidth.
    public var positions: Int { outHeight * outWidth }
    public var imageSize: Int { channels * height * width }
    /// Floats in one image's column matrix.
    public var columnsSize: Int { patchSize * positions }

    /// The output positions o in 0..<outCount whose input coordinate o·stride − padding + offset lies in
    /// 0..<inCount (an empty range when none does).
    @inline(__always)
    func validRange(offset: Int, inCount: Int, outCount: Int) -> Range<Int> {
        // o·s ≥ p − offset  and  o·s ≤ inCount − 1 + p − offset
        let lowNumerator = padding - offset
        let low = lowNumerator <= 0 ? 0 : (lowNumerator + stride - 1) / stride
        let highNumerator = inCount - 1 + padding - offset
        if highNumerator < 0 { return 0..<0 }
        let high = min(outCount - 1, highNumerator / stride)
        return low <= high ? low..<(high + 1) : 0..<0
    }
}

/// image [C, H, W] → columns [C·kh·kw, outH·outW]:
/// columns[(c·kh + i)·kw + j, oy·outW + ox] = image[c, oy·s − p + i, ox·s − p + j], zero where that is padding.
///
/// `rowStride` (≥ outH·outW, default equal) lets several images' columns sit side by side in one wider matrix
/// [C·kh·kw, rowStride], so that one sgemm covers a chunk of small images. Runs `ck_im2col`
/// (Sources/CKernels/Im2Col.c); `referenceIm2col` is its plain-Swift twin.
public func im2col(_ g: ConvGeometry, image: UnsafePointer<Float>, columns: UnsafeMutablePointer<Float>,
                   rowStride: Int? = nil) {
    let ld = rowStride ?? g.positions
    precondition(ld >= g.positions, "im2col: row stride \(ld) shorter than \(g.positions) positions")
    ck_im2col(image, Int32(g.channels), Int32(g.height), Int32(g.width), Int32(g.kernelH), Int32(g.kernelW),
              Int32(g.stride), Int32(g.padding), columns, ld)
}

/// The adjoint of `im2col`: columns [C·kh·kw, outH·outW] are scattered back onto image [C, H, W], overlapping
/// windows summing; `accumulate` false overwrites the image (no need to zero it first), true adds to it.
/// `rowStride` as for `im2col`. Runs `ck_col2im`; `referenceCol2im` is its plain-Swift twin.
public func col2im(_ g: ConvGeometry, columns: UnsafePointer<Float>, image: UnsafeMutablePointer<Float>,
                   rowStride: Int? = nil, accumulate: Bool = true) {
    let ld = rowStride ?? g.positions
    precondition(ld >= g.positions, "col2im: row stride \(ld) shorter than \(g.positions) positions")
    ck_col2im(columns, ld, Int32(g.channels), Int32(g.height), Int32(g.width), Int32(g.kernelH), Int32(g.kernelW),
              Int32(g.stride), Int32(g.padding), image, accumulate ? 1 : 0)
}

// MARK: Plain-Swift twins (the reference the tests hold the C kernels to)

/// The plain-Swift twin of `im2col`, image [C, H, W] → columns [C·kh·kw, outH·outW]:
/// columns[(c·kh + i)·kw + j, oy·outW + ox] = image[c, oy·s − p + i, ox·s − p + j], zero where that is padding.
///
/// One image at a time so that the column matrix stays cache-sized (a 16-channel 5×5 layer: 1.25 MB per image,
/// 80 MB for a batch of 64). `rowStride` (≥ outH·outW, default equal) lets several images' columns sit side
/// by side in one wider matrix [C·kh·kw, rowStride], so that one sgemm covers a chunk of small images.
public func referenceIm2col(_ g: ConvGeometry, image: UnsafePointer<Float>, columns: UnsafeMutablePointer<Float>,
                            rowStride: Int? = nil) {
    let outH = g.outHeight, outW = g.outWidth, positions = g.positions, ld = rowStride ?? positions
    precondition(ld >= positions, "im2col: row stride \(ld) shorter than \(positions) positions")
    var row = 0
    for c in 0..<g.channels {
        let plane = image + c * g.height * g.width
        for i in 0..<g.kernelH {
            let ys = g.validRange(offset: i, inCount: g.height, outCount: outH)
            for j in 0..<g.kernelW {
                let xs = g.validRange(offset: j, inCount: g.width, outCount: outW)
                let dst = columns + row * ld
                dst.update(repeating: 0, count: positions)
                if !xs.isEmpty {
                    for oy in ys {
                        let src = plane + (oy * g.stride - g.padding + i) * g.width - g.padding + j
                        let d = dst + oy * outW
                        if g.stride == 1 {
                            (d + xs.lowerBound).update(from: src + xs.lowerBound, count: xs.count)
                        } else {
                            for ox in xs { d[ox] = src[ox * g.stride] }
                        }
                    }
                }
                row += 1
            }
        }
    }
}

/// The plain-Swift twin of `col2im` with `accumulate` true: columns [C·kh·kw, outH·outW] are scattered back
/// and ADDED into image [C, H, W] (overlapping windows sum).
public func referenceCol2im(_ g: ConvGeometry, columns: UnsafePointer<Float>, image: UnsafeMutablePointer<Float>,
                            rowStride: Int? = nil) {
    let outH = g.outHeight, outW = g.outWidth, positions = g.positions, ld = rowStride ?? positions
    precondition(ld >= positions, "col2im: row stride \(ld) shorter than \(positions) positions")
    var row = 0
    for c in 0..<g.channels {
        let plane = image + c * g.height * g.width
        for i in 0..<g.kernelH {
            let ys = g.validRange(offset: i, inCount: g.height, outCount: outH)
            for j in 0..<g.kernelW {
                let xs = g.validRange(offset: j, inCount: g.width, outCount: outW)
                let srcRow = columns + row * ld
                if !xs.isEmpty {
                    for oy in ys {
                        let dst = plane + (oy * g.stride - g.padding + i) * g.width - g.padding + j
                        let s = srcRow + oy * outW
                        if g.stride == 1 {
                            for ox in xs { dst[ox] += s[ox] }
                        } else {
                            for ox in xs { dst[ox * g.stride] += s[ox] }
                        }
                    }
                }
                row += 1
            }
        }
    }
}
