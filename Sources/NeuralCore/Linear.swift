/// Fully connected layer, PyTorch's `nn.Linear` layout: y = x·Wᵀ + b.
///
/// Shapes: x [N, In], weight [Out, In] (row o holds output o's weights), bias [Out], y [N, Out]. As a `Layer`,
/// x is [N, In, 1, 1] (the caller flattens its maps, e.g. the discriminator's [N, 64, 7, 7] as [N, 3136, 1, 1]).
/// llm.c style: raw pointers, the caller owns every buffer; the static `backward` accumulates (+=) into every
/// gradient buffer, dx included, so that the caller zeroes them once per step.
public struct Linear: Layer, Equatable {
    public var inputs: Int, outputs: Int
    public var hasBias: Bool

    public init(inputs: Int, outputs: Int, hasBias: Bool = true) {
        precondition(inputs > 0 && outputs > 0, "Linear: sizes must be positive")
        self.inputs = inputs; self.outputs = outputs; self.hasBias = hasBias
    }

    public var inChannels: Int { inputs }
    public var outChannels: Int { outputs }
    public var weightShape: [Int] { [outputs, inputs] }
    public var biasShape: [Int] { [outputs] }
    /// PyTorch's default init bound 1/√fan_in with fan_in = weight.size(1) = In.
    public var initBound: Float { 1 / Float(inputs).squareRoot() }
    public var workSplit: WorkSplit { .images }
    public var summary: String { "linear \(inputs)→\(outputs)" }

    public func outputSize(height: Int, width: Int) -> (height: Int, width: Int) {
        checkFlat(height: height, width: width)
        return (1, 1)
    }

    private func checkFlat(height: Int, width: Int) {
        precondition(height == 1 && width == 1, "Linear: expects [N, \(inputs), 1, 1], got a \(height)×\(width) map")
    }

    public func multiplyAdds(height: Int, width: Int) -> Double { Double(weightCount) }
    public func scratchCount(height: Int, width: Int, maxBatch: Int) -> Int { 0 }
    public func channelSplitScratchCount(height: Int, width: Int) -> Int { 0 }

    /// Outputs `channels` of every row only (the whole forward is `Layer`'s, over every output).
    public func forward(input: UnsafePointer<Float>, batch: Int, height: Int, width: Int,
                        weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                        output: UnsafeMutablePointer<Float>, channels: Range<Int>, scratch: UnsafeMutablePointer<Float>) {
        checkBias(bias)
        checkFlat(height: height, width: width)
        Self.forward(output, input, weight, bias, batch: batch, inputs: inputs, outputs: outputs, range: channels)
    }

    /// dInput is overwritten (the static `backward` accumulates into it).
    public func backward(input: UnsafePointer<Float>, batch: Int, height: Int, width: Int,
                         weight: UnsafePointer<Float>, dOutput: UnsafePointer<Float>,
                         dInput: UnsafeMutablePointer<Float>?, dWeight: UnsafeMutablePointer<Float>,
                         dBias: UnsafeMutablePointer<Float>?, scratch: UnsafeMutablePointer<Float>) {
        checkBias(dBias)
        checkFlat(height: height, width: width)
        dInput?.update(repeating: 0, count: batch * inputs)
        Self.backward(dx: dInput, dweight: dWeight, dbias: dBias, dy: dOutput, x: input, weight: weight,
                      batch: batch, inputs: inputs, outputs: outputs)
    }

    /// y[n, o] = bias[o] + Σ_i x[n, i]·weight[o, i]. bias may be nil (no bias).
    public static func forward(
        _ y: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, _ weight: UnsafePointer<Float>,
        _ bias: UnsafePointer<Float>?, batch n: Int, inputs: Int, outputs: Int
    ) {
        forward(y, x, weight, bias, batch: n, inputs: inputs, outputs: outputs, range: 0..<outputs)
    }

    /// The same for outputs o in `range` only.
    static func forward(
        _ y: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, _ weight: UnsafePointer<Float>,
        _ bias: UnsafePointer<Float>?, batch n: Int, inputs: Int, outputs: Int, range: Range<Int>
    ) {
        for row in 0..<n {
            let xr = x + row * inputs
            for o in range {
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
