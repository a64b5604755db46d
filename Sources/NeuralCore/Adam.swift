#if canImport(Glibc)
import Glibc
#else
import Foundation
#endif

/// Adam's hyperparameters, in Double like PyTorch's Python floats (the scalars are formed in Double and
/// rounded once, as `torch.optim.Adam` does).
public struct AdamHyperparameters: Sendable, Equatable, Codable {
    public var learningRate: Double
    public var beta1: Double
    public var beta2: Double
    public var epsilon: Double
    /// L2 penalty added to the gradient (PyTorch's `weight_decay`, not AdamW's decoupled decay).
    public var weightDecay: Double

    public init(learningRate: Double = 1e-3, beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-8,
                weightDecay: Double = 0) {
        self.learningRate = learningRate; self.beta1 = beta1; self.beta2 = beta2
        self.epsilon = epsilon; self.weightDecay = weightDecay
    }

    /// `torch.optim.Adam` defaults: lr 1e-3, betas (0.9, 0.999), eps 1e-8.
    public static let pytorchDefault = AdamHyperparameters()
    /// Pathak et al. 2016 §5 (context encoder training): lr 2e-4, β1 0.5.
    public static let pathak = AdamHyperparameters(learningRate: 2e-4, beta1: 0.5, beta2: 0.999)
}

/// Adam's state: the step count and the two moment estimates, one float per parameter (checkpointed).
public struct AdamState: Sendable, Equatable, Codable {
    public var step: Int
    public var m: [Float]
    public var v: [Float]

    public init(parameterCount: Int) {
        step = 0
        m = [Float](repeating: 0, count: parameterCount)
        v = [Float](repeating: 0, count: parameterCount)
    }
}

/// Adam exactly as `torch.optim.Adam` (single-tensor path, amsgrad off, maximize off):
///
///   t += 1;  g ← g + wd·p (when wd ≠ 0);  m ← lerp(m, g, 1 − β1);  v ← β2·v + (1 − β2)·g²
///   p ← p − (lr / (1 − β1ᵗ)) · m / (√v / √(1 − β2ᵗ) + ε)
///
/// in ONE pass that reads g, m, v, p once (9.86 M weights make this memory-bound; PyTorch's unfused
/// version costs 30 ms a step on this machine, issue 4 §3).
public struct Adam: Sendable, Equatable, Codable {
    public var hyperparameters: AdamHyperparameters
    public var state: AdamState

    public init(parameterCount: Int, hyperparameters: AdamHyperparameters = .pytorchDefault) {
        self.hyperparameters = hyperparameters
        self.state = AdamState(parameterCount: parameterCount)
    }

    public var parameterCount: Int { state.m.count }

    /// One update of parameters[count] from gradients[count] (count must equal parameterCount).
    public mutating func step(parameters: UnsafeMutablePointer<Float>, gradients: UnsafePointer<Float>, count: Int) {
        precondition(count == state.m.count, "Adam: \(count) parameters, state holds \(state.m.count)")
        state.step += 1
        let h = hyperparameters, t = Double(state.step)
        let stepSize = h.learningRate / (1 - pow(h.beta1, t))
        let bc2Sqrt = (1 - pow(h.beta2, t)).squareRoot()
        // torch's lerp(m, g, w) = m + w·(g − m) for |w| < 0.5, else g − (g − m)·(1 − w)
        let w = Float(1 - h.beta1), oneMinusW = Float(h.beta1)
        let lerpFromStart = abs(1 - h.beta1) < 0.5
        let beta2 = Float(h.beta2), oneMinusBeta2 = Float(1 - h.beta2)
        let negStep = Float(-stepSize), bc2 = Float(bc2Sqrt), eps = Float(h.epsilon), wd = Float(h.weightDecay)
        state.m.withUnsafeMutableBufferPointer { mb in state.v.withUnsafeMutableBufferPointer { vb in
            let m = mb.baseAddress!, v = vb.baseAddress!
            for i in 0..<count {
                var g = gradients[i]
                let p = parameters[i]
                if wd != 0 { g += wd * p }
                let mi = lerpFromStart ? m[i] + w * (g - m[i]) : g - (g - m[i]) * oneMinusW
                let vi = v[i] * beta2 + oneMinusBeta2 * g * g
                m[i] = mi
                v[i] = vi
                parameters[i] = p + (negStep * mi) / (vi.squareRoot() / bc2 + eps)
            }
        } }
    }

    public mutating func step(parameters: inout [Float], gradients: [Float]) {
        precondition(parameters.count == gradients.count, "Adam: \(parameters.count) parameters, \(gradients.count) gradients")
        parameters.withUnsafeMutableBufferPointer { p in gradients.withUnsafeBufferPointer { g in
            step(parameters: p.baseAddress!, gradients: g.baseAddress!, count: p.count)
        } }
    }

    public mutating func step(parameters: inout ParameterStore, gradients: ParameterStore) {
        precondition(parameters.entries == gradients.entries, "Adam: gradient layout differs from the parameters'")
        step(parameters: &parameters.values, gradients: gradients.values)
    }
}
