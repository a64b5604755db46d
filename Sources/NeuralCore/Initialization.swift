/// PyTorch's default initialisation, drawn from a seeded generator (the distributions match; the
/// streams cannot, PyTorch uses its own generator).
///
/// nn.Conv2d / nn.ConvTranspose2d / nn.Linear: weight kaiming_uniform_(a = √5), i.e. gain √(2/(1+5)) and
/// bound = gain·√3/√fan_in = 1/√fan_in; bias U(−1/√fan_in, 1/√fan_in). fan_in = weight.size(1)·kh·kw, which
/// for ConvTranspose2d's [in, out, kh, kw] layout is out·kh·kw (each `Layer`'s `initBound` encodes this).
public enum Initialization {
    /// Fills buffer with independent draws from U(−bound, bound).
    public static func uniform(_ buffer: UnsafeMutableBufferPointer<Float>, bound: Float, generator: inout SeededGenerator) {
        precondition(bound >= 0, "uniform init: negative bound \(bound)")
        for i in buffer.indices { buffer[i] = generator.uniform(-bound, bound) }
    }
}

extension ParameterStore {
    /// Fills the named tensor with draws from U(−bound, bound).
    public mutating func initializeUniform(_ name: String, bound: Float, generator: inout SeededGenerator) {
        guard let e = entry(named: name) else { preconditionFailure("no parameter named \(name)") }
        values.withUnsafeMutableBufferPointer { all in
            let slice = UnsafeMutableBufferPointer(rebasing: all[e.offset..<(e.offset + e.count)])
            Initialization.uniform(slice, bound: bound, generator: &generator)
        }
    }
}

extension ParameterStore {
    /// PyTorch's default initialisation of one layer whose tensors are named `<prefix>.weight` and, with a
    /// bias, `<prefix>.bias`: weight then bias from U(−initBound, initBound), drawn in that order.
    public mutating func initialize(_ layer: some Layer, prefix: String, generator: inout SeededGenerator) {
        initializeUniform("\(prefix).weight", bound: layer.initBound, generator: &generator)
        if layer.hasBias { initializeUniform("\(prefix).bias", bound: layer.initBound, generator: &generator) }
    }
}
