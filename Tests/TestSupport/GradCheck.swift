import NeuralCore
import XCTest

/// Central-difference gradient check: for each index i (all, or the given ones),
///   numeric_i = (L(v + ε·e_i) − L(v − ε·e_i)) / 2ε
/// must agree with analytic[i] within atol + rtol·max(|numeric|, |analytic|), at ε or at ε/2; an entry whose
/// two differences disagree with each other sits on a kink and is skipped, up to a quarter of the entries.
///
/// `loss` evaluates the Float32 layer and should accumulate in Double. Layers linear in the checked
/// variable (convolutions in x or W) are exact under central differences up to rounding, so a large ε
/// (1e-2) keeps Float32 rounding small; nonlinear ones need a smaller ε and inputs away from kinks.
public func checkGradient(
    _ label: String, at values: [Float], analytic: [Float], indices: [Int]? = nil,
    epsilon: Float = 1e-2, rtol: Double = 1e-2, atol: Double = 1e-3,
    file: StaticString = #filePath, line: UInt = #line,
    loss: ([Float]) -> Double
) {
    if let failure = gradientMismatch(label, at: values, analytic: analytic, indices: indices, epsilon: epsilon,
                                      rtol: rtol, atol: atol, loss: loss) {
        XCTFail(failure, file: file, line: line)
    }
}

/// `checkGradient`'s comparison without the assertion: nil when every entry agrees, else what disagreed.
public func gradientMismatch(
    _ label: String, at values: [Float], analytic: [Float], indices: [Int]? = nil,
    epsilon: Float = 1e-2, rtol: Double = 1e-2, atol: Double = 1e-3,
    loss: ([Float]) -> Double
) -> String? {
    guard values.count == analytic.count else {
        return "\(label): analytic gradient has \(analytic.count) entries, expected \(values.count)"
    }
    var v = values
    func numeric(_ i: Int, _ step: Float) -> Double {
        let original = v[i]
        v[i] = original + step
        let plus = loss(v)
        v[i] = original - step
        let minus = loss(v)
        v[i] = original
        // Divide by the perturbation actually applied (Float rounding of original ± ε).
        return (plus - minus) / (Double(original + step) - Double(original - step))
    }
    func agree(_ x: Double, _ y: Double) -> Bool { abs(x - y) <= atol + rtol * max(abs(x), abs(y)) }
    let checked = indices ?? Array(values.indices)
    var failures = 0, kinks = 0
    var first = ""
    for i in checked {
        let a = Double(analytic[i])
        let wide = numeric(i, epsilon)
        if agree(wide, a) { continue }
        // A difference that straddles a kink (ReLU, max pool, L1) is a secant, not a derivative: it then
        // changes with ε. Such an entry says nothing about the gradient and is counted apart; a wrong
        // gradient gives the same difference at ε and ε/2 and fails.
        let narrow = numeric(i, epsilon / 2)
        if agree(narrow, a) { continue }
        if !agree(wide, narrow) { kinks += 1; continue }
        failures += 1
        if first.isEmpty { first = "index \(i): numeric \(wide) (ε/2: \(narrow)) vs analytic \(a)" }
    }
    if failures > 0 { return "\(label): \(failures) gradient entries disagree; first \(first)" }
    if kinks * 4 > checked.count {
        return "\(label): \(kinks) of \(checked.count) entries sit on a kink; move the inputs away from them"
    }
    return nil
}

/// Σ_i r_i·y_i in Double: a scalar "loss" whose gradient with respect to y is r, so that a layer's backward
/// can be fed dOutput = r and checked against finite differences of this function.
public func projection(_ y: [Float], _ r: [Float]) -> Double {
    precondition(y.count == r.count, "projection: \(y.count) vs \(r.count)")
    var s = 0.0
    for i in y.indices { s += Double(y[i]) * Double(r[i]) }
    return s
}

/// count draws from U(low, high).
public func randomFloats(_ count: Int, _ generator: inout SeededGenerator, _ low: Float = -1, _ high: Float = 1) -> [Float] {
    (0..<count).map { _ in generator.uniform(low, high) }
}

/// A tensor of the given shape with entries from U(low, high).
public func randomTensor(_ shape: [Int], _ generator: inout SeededGenerator, _ low: Float = -1, _ high: Float = 1) -> Tensor {
    Tensor(shape: shape, data: randomFloats(shape.reduce(1, *), &generator, low, high))
}

/// `count` distinct indices in 0..<range picked by the generator (all of them when count ≥ range).
public func sampleIndices(_ count: Int, in range: Int, _ generator: inout SeededGenerator) -> [Int] {
    if count >= range { return Array(0..<range) }
    var picked = Set<Int>()
    while picked.count < count { picked.insert(Int(generator.next() % UInt64(range))) }
    return picked.sorted()
}
