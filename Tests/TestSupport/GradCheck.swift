import NeuralCore
import XCTest

/// Central-difference gradient check: for each index i (all, or the given ones),
///   numeric_i = (L(v + ε·e_i) − L(v − ε·e_i)) / 2ε
/// must agree with analytic[i] within atol + rtol·max(|numeric|, |analytic|).
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
    var failures = 0
    var first = ""
    for i in indices ?? Array(values.indices) {
        let original = v[i]
        v[i] = original + epsilon
        let plus = loss(v)
        v[i] = original - epsilon
        let minus = loss(v)
        v[i] = original
        // Divide by the perturbation actually applied (Float rounding of original ± ε).
        let h = Double(original + epsilon) - Double(original - epsilon)
        let numeric = (plus - minus) / h
        let a = Double(analytic[i])
        if !(abs(numeric - a) <= atol + rtol * max(abs(numeric), abs(a))) {
            failures += 1
            if first.isEmpty { first = "index \(i): numeric \(numeric) vs analytic \(a)" }
        }
    }
    return failures == 0 ? nil : "\(label): \(failures) gradient entries disagree; first \(first)"
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
