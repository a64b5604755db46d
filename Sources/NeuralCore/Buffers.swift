// Small pointer helpers shared by the layers.

/// y[c, :] += b[c] for every channel of one image: y [C, planeSize], b [C].
@inline(__always)
func addChannelBias(_ bias: UnsafePointer<Float>, to y: UnsafeMutablePointer<Float>, channels: Int, planeSize: Int) {
    for c in 0..<channels {
        let b = bias[c], plane = y + c * planeSize
        for i in 0..<planeSize { plane[i] += b }
    }
}

/// sums[c] += Σ_i g[c, i] for one image: g [C, planeSize], sums [C].
@inline(__always)
func accumulateChannelSums(of g: UnsafePointer<Float>, into sums: UnsafeMutablePointer<Float>, channels: Int, planeSize: Int) {
    for c in 0..<channels {
        let plane = g + c * planeSize
        var s: Float = 0
        for i in 0..<planeSize { s += plane[i] }
        sums[c] += s
    }
}

/// Calls `body` with a pointer to the array's storage, or with nil when there is no array.
func withOptionalPointer<R>(_ array: [Float]?, _ body: (UnsafePointer<Float>?) -> R) -> R {
    guard let array else { return body(nil) }
    return array.withUnsafeBufferPointer { body($0.baseAddress!) }
}

/// Calls `body` with a mutable pointer to the array's storage, or with nil when there is no array.
func withOptionalMutablePointer<R>(_ array: inout [Float]?, _ body: (UnsafeMutablePointer<Float>?) -> R) -> R {
    guard array != nil else { return body(nil) }
    return array!.withUnsafeMutableBufferPointer { body($0.baseAddress!) }
}
