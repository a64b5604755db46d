/// Fully connected layer, PyTorch's `nn.Linear` layout: y = x·Wᵀ + b.
///
/// Shapes: x [N, In], weight [Out, In] (row o holds output o's weights), bias [Out], y [N, Out].
/// llm.c style: raw pointers, the caller owns every buffer; backward accumulates (+=) into the gradient
/// buffers so that the caller zeroes them once per step.
public enum Linear {
    /// y[n, o] = bias[o] + Σ_i x[n, i]·weight[o, i]. bias may be nil (no bias).
    public static func forward(
        _ y: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, _ weight: UnsafePointer<Float>,
        _ bias: UnsafePointer<Float>?, batch n: Int, inputs: Int, outputs: Int
    ) {
        for row in 0..<n {
            let xr = x + row * inputs
            for o in 0..<outputs {
                y[row * outputs + o] = (bias?[o] ?? 0) + dot(xr, weight + o * inputs, inputs)
            }
        }
    }

    /// Given dy [N, Out]: dx [N, In] += dy·W, dweight [Out, In] += dyᵀ·x, dbias [Out] += Σ_n dy.
    /// dx may be nil when the input needs no gradient (the first layer).
    public static func backward(
        dx: UnsafeMutablePointer<Float>?, dweight: UnsafeMutablePointer<Float>,
        dbias: UnsafeMutablePointer<Float>?, dy: UnsafePointer<Float>, x: UnsafePointer<Float>,
        weight: UnsafePointer<Float>, batch n: Int, inputs: Int, outputs: Int
    ) {
        for row in 0..<n {
            let xr = x + row * inputs
            for o in 0..<outputs {
                let g = dy[row * outputs + o]
                if g == 0 { continue }  // ReLU upstream makes many gradients exactly zero
                axpy(g, xr, dweight + o * inputs, inputs)
                if let dx { axpy(g, weight + o * inputs, dx + row * inputs, inputs) }
                dbias?[o] += g
            }
        }
    }
}

/// Σ a[i]·b[i] with eight independent partial sums, so that the compiler can use vector registers (a
/// single running Float sum must stay sequential).
@inline(__always)
func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ count: Int) -> Float {
    var acc = SIMD8<Float>(repeating: 0)
    var i = 0
    while i + 8 <= count {
        let va = UnsafeRawPointer(a + i).loadUnaligned(as: SIMD8<Float>.self)
        let vb = UnsafeRawPointer(b + i).loadUnaligned(as: SIMD8<Float>.self)
        acc += va * vb
        i += 8
    }
    var s = acc.sum()
    while i < count { s += a[i] * b[i]; i += 1 }
    return s
}

/// y[i] += alpha·x[i].
@inline(__always)
func axpy(_ alpha: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, _ count: Int) {
    for i in 0..<count { y[i] += alpha * x[i] }
}
