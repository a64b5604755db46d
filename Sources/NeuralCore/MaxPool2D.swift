/// 2-D max pooling with a square window equal to its stride (PyTorch `nn.MaxPool2d(k)`), no padding;
/// a trailing row or column that does not fill a window is dropped, as PyTorch does.
///
/// Shapes: x [N, C, H, W] → y [N, C, H/k, W/k]; `argmax` [N, C, H/k, W/k] holds, for each output, the
/// flat index into x of the input that won, which is all the backward pass needs.
public enum MaxPool2D {
    public static func forward(
        _ y: UnsafeMutablePointer<Float>, argmax: UnsafeMutablePointer<Int32>, _ x: UnsafePointer<Float>,
        batch n: Int, channels c: Int, height h: Int, width w: Int, window k: Int
    ) {
        precondition(k >= 1 && h >= k && w >= k, "pool window \(k) does not fit \(h)×\(w)")
        let oh = h / k, ow = w / k
        for plane in 0..<(n * c) {
            let xBase = plane * h * w
            for r in 0..<oh {
                for col in 0..<ow {
                    var best = -Float.infinity
                    var bestIndex = xBase + (r * k) * w + col * k
                    for dr in 0..<k {
                        for dc in 0..<k {
                            let i = xBase + (r * k + dr) * w + (col * k + dc)
                            // `>` keeps the first maximum on ties, as PyTorch's CPU kernel does; NaN wins
                            // so that it propagates instead of vanishing.
                            if x[i] > best || x[i].isNaN { best = x[i]; bestIndex = i }
                        }
                    }
                    let o = (plane * oh + r) * ow + col
                    y[o] = best
                    argmax[o] = Int32(bestIndex)
                }
            }
        }
    }

    /// dx [N, C, H, W] += scatter of dy [N, C, H/k, W/k] to the winning inputs.
    public static func backward(
        dx: UnsafeMutablePointer<Float>, dy: UnsafePointer<Float>, argmax: UnsafePointer<Int32>, outputCount: Int
    ) {
        for o in 0..<outputCount { dx[Int(argmax[o])] += dy[o] }
    }
}
