import NeuralCore
import XCTest

/// The definition a layer's forward is checked against: (x, W, b?) → y, written as plain loops by the test.
public typealias LayerReference = (_ x: Tensor, _ weight: Tensor, _ bias: Tensor?) -> Tensor

/// One line per layer, as tinygrad's `helper_test_op`: draws x of `input` shape, W and b (when the layer has one)
/// from U(−1, 1) with a seeded generator, then checks
///   1. the forward against `reference` (when given),
///   2. the channel-range forward (the inference path's split by output channel) against the whole forward,
///      and, for a layer split by channel (`WorkSplit.channels`), the channel-range backward against the whole,
///   3. dInput, dWeight and dBias of backward(dOutput = r) against central differences of L = Σ r·y.
/// Every layer is linear in each of x, W and b, so central differences are exact up to Float32 rounding and the
/// default ε = 1e-2 keeps that rounding small. Forwards are compared (1, 2) within forwardAtol + forwardRtol·|y|;
/// a path that rounds more than a direct sum (Winograd's) states its own.
public func checkLayer(
    _ layer: some Layer, input: [Int], seed: UInt64 = 1, reference: LayerReference? = nil,
    epsilon: Float = 1e-2, rtol: Double = 1e-2, atol: Double = 1e-3,
    forwardRtol: Float = 1e-4, forwardAtol: Float = 1e-5,
    file: StaticString = #filePath, line: UInt = #line
) {
    for failure in layerCheckFailures(layer, input: input, seed: seed, reference: reference, epsilon: epsilon,
                                      rtol: rtol, atol: atol, forwardRtol: forwardRtol, forwardAtol: forwardAtol) {
        XCTFail(failure, file: file, line: line)
    }
}

/// `checkLayer`'s findings without the assertion: empty when the layer passes (so that a test can show
/// that a wrong gradient is caught).
public func layerCheckFailures(
    _ layer: some Layer, input: [Int], seed: UInt64 = 1, reference: LayerReference? = nil,
    epsilon: Float = 1e-2, rtol: Double = 1e-2, atol: Double = 1e-3,
    forwardRtol: Float = 1e-4, forwardAtol: Float = 1e-5
) -> [String] {
    let name = "\(type(of: layer)) \(layer.summary) on \(input)"
    var g = SeededGenerator(seed: seed)
    let x = randomTensor(input, &g), w = randomTensor(layer.weightShape, &g)
    let b = layer.hasBias ? randomTensor(layer.biasShape, &g) : nil
    let y = layer.forward(x, weight: w, bias: b)
    let r = randomTensor(y.shape, &g)
    var failures: [String] = []
    func record(_ failure: String?) { if let failure { failures.append(failure) } }

    if let reference {
        let expected = reference(x, w, b)
        record(expected.shape == y.shape ? nil : "\(name) forward: shape \(y.shape), reference \(expected.shape)")
        record(closeMismatch(y.data, expected.data, "\(name) forward vs reference", rtol: forwardRtol, atol: forwardAtol))
    }

    // Output channels in two or three ranges, computed one after the other into the same output.
    let c = layer.outChannels
    let ranges = c < 3 ? [0..<c] : [0..<(c / 3), (c / 3)..<(c - 1), (c - 1)..<c]
    var parts = Tensor(shape: y.shape)
    for range in ranges {
        let part = layer.forward(x, weight: w, bias: b, channels: range)
        parts.data = zip(parts.data, part.data).map { $0 + $1 }  // each range's output is zero elsewhere
    }
    record(closeMismatch(parts.data, y.data, "\(name) channel-range forward vs whole", rtol: forwardRtol,
                         atol: forwardAtol))

    let grads = layer.backward(x, weight: w, dOutput: r)
    if layer.workSplit == .channels {
        var split: [Float] = []
        for range in ranges {
            let part = layer.backward(x, weight: w, dOutput: r, channels: range)
            let flat = part.dInput.data + part.dWeight.data + (part.dBias?.data ?? [])
            split = split.isEmpty ? flat : zip(split, flat).map { $0 + $1 }
        }
        record(closeMismatch(split, grads.dInput.data + grads.dWeight.data + (grads.dBias?.data ?? []),
                             "\(name) channel-range backward vs whole"))
    }

    record(gradientMismatch("\(name) dInput", at: x.data, analytic: grads.dInput.data, epsilon: epsilon, rtol: rtol,
                            atol: atol) {
        projection(layer.forward(Tensor(shape: x.shape, data: $0), weight: w, bias: b).data, r.data)
    })
    record(gradientMismatch("\(name) dWeight", at: w.data, analytic: grads.dWeight.data, epsilon: epsilon, rtol: rtol,
                            atol: atol) {
        projection(layer.forward(x, weight: Tensor(shape: w.shape, data: $0), bias: b).data, r.data)
    })
    if let b {
        if let dBias = grads.dBias {
            record(gradientMismatch("\(name) dBias", at: b.data, analytic: dBias.data, epsilon: epsilon, rtol: rtol,
                                    atol: atol) {
                projection(layer.forward(x, weight: w, bias: Tensor(shape: b.shape, data: $0)).data, r.data)
            })
        } else {
            failures.append("\(name): has a bias but backward gave no dBias")
        }
    } else if grads.dBias != nil {
        failures.append("\(name): has no bias but backward gave a dBias")
    }
    return failures
}

/// nil when `actual` and `expected` agree elementwise within atol + rtol·|expected|, else the first difference.
func closeMismatch(_ actual: [Float], _ expected: [Float], _ label: String, rtol: Float = 1e-4, atol: Float = 1e-5) -> String? {
    guard actual.count == expected.count else { return "\(label): \(actual.count) values, expected \(expected.count)" }
    let bad = zip(actual, expected).enumerated().filter { !(abs($0.element.0 - $0.element.1) <= atol + rtol * abs($0.element.1)) }
    guard let first = bad.first else { return nil }
    return "\(label): \(bad.count) of \(actual.count) values differ; first at \(first.offset): \(first.element.0) vs \(first.element.1)"
}
