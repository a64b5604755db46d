/// Stride-1 convolution with "same" zero padding (odd kernel K, pad (K−1)/2), PyTorch `nn.Conv2d`
/// weight layout, for the small digit classifier.
///
/// Why here and not in NeuralCore: the context encoder's Conv2D (im2col + BLAS, strided, chunked) is
/// being written on the `core` branch; the classifier only needs this small direct form, which keeps its
/// training independent of that work. Swap it for NeuralCore's Conv2D once both exist and agree.
///
/// Shapes: x [N, Cin, H, W], weight [Cout, Cin, K, K], bias [Cout], y [N, Cout, H, W].
enum SameConv2D {
    static func forward(
        _ y: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, _ weight: UnsafePointer<Float>,
        _ bias: UnsafePointer<Float>, batch: Int, inChannels cin: Int, outChannels cout: Int,
        height h: Int, width w: Int, kernel k: Int
    ) {
        precondition(k % 2 == 1, "same padding needs an odd kernel")
        let plane = h * w
        for n in 0..<batch {
            for co in 0..<cout {
                let yp = y + (n * cout + co) * plane
                yp.update(repeating: bias[co], count: plane)
                for ci in 0..<cin {
                    let xp = x + (n * cin + ci) * plane
                    forEachTap(h: h, w: w, k: k) { tap, rows, dr, cols, dc in
                        let wv = weight[(co * cin + ci) * k * k + tap]
                        for oh in rows {
                            let yRow = yp + oh * w, xRow = xp + (oh + dr) * w + dc
                            for ow in cols { yRow[ow] += wv * xRow[ow] }
                        }
                    }
                }
            }
        }
    }

    /// dx [N, Cin, H, W] += (if non-nil), dweight [Cout, Cin, K, K] +=, dbias [Cout] +=, given dy [N, Cout, H, W].
    static func backward(
        dx: UnsafeMutablePointer<Float>?, dweight: UnsafeMutablePointer<Float>, dbias: UnsafeMutablePointer<Float>,
        dy: UnsafePointer<Float>, x: UnsafePointer<Float>, weight: UnsafePointer<Float>,
        batch: Int, inChannels cin: Int, outChannels cout: Int, height h: Int, width w: Int, kernel k: Int
    ) {
        let plane = h * w
        for n in 0..<batch {
            for co in 0..<cout {
                let dyp = dy + (n * cout + co) * plane
                var g: Float = 0
                for i in 0..<plane { g += dyp[i] }
                dbias[co] += g
                for ci in 0..<cin {
                    let xp = x + (n * cin + ci) * plane
                    let dxp = dx.map { $0 + (n * cin + ci) * plane }
                    forEachTap(h: h, w: w, k: k) { tap, rows, dr, cols, dc in
                        let wi = (co * cin + ci) * k * k + tap
                        let wv = weight[wi]
                        var acc: Float = 0
                        for oh in rows {
                            let dyRow = dyp + oh * w, xRow = xp + (oh + dr) * w + dc
                            acc += rowDot(dyRow + cols.lowerBound, xRow + cols.lowerBound, cols.count)
                            if let dxp {
                                let dxRow = dxp + (oh + dr) * w + dc
                                for ow in cols { dxRow[ow] += wv * dyRow[ow] }
                            }
                        }
                        dweight[wi] += acc
                    }
                }
            }
        }
    }

    /// Calls body for every kernel tap with the output rows/columns whose input (row + dr, column + dc)
    /// lies inside the image; outside it the zero padding contributes nothing.
    @inline(__always)
    private static func forEachTap(
        h: Int, w: Int, k: Int, _ body: (Int, Range<Int>, Int, Range<Int>, Int) -> Void
    ) {
        let pad = k / 2
        for kh in 0..<k {
            let dr = kh - pad
            let rows = max(0, -dr)..<min(h, h - dr)
            for kw in 0..<k {
                let dc = kw - pad
                body(kh * k + kw, rows, dr, max(0, -dc)..<min(w, w - dc), dc)
            }
        }
    }

    @inline(__always)
    private static func rowDot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ count: Int) -> Float {
        var acc = SIMD4<Float>(repeating: 0)
        var i = 0
        while i + 4 <= count {
            acc += UnsafeRawPointer(a + i).loadUnaligned(as: SIMD4<Float>.self)
                * UnsafeRawPointer(b + i).loadUnaligned(as: SIMD4<Float>.self)
            i += 4
        }
        var s = acc.sum()
        while i < count { s += a[i] * b[i]; i += 1 }
        return s
    }
}
