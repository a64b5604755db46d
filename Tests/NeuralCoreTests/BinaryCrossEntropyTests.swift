import NeuralCore
import TestSupport
import XCTest

final class BinaryCrossEntropyTests: XCTestCase {
    func testValuesByHand() {
        // ℓ(0, y) = ln 2 for any y; ℓ(z, 1) = −ln σ(z); ℓ(z, 0) = −ln(1 − σ(z)) = ln(1 + e^z).
        XCTAssertEqual(BinaryCrossEntropy.forward(logits: [0, 0], targets: [1, 0]), Float(log(2.0)), accuracy: 1e-7)
        XCTAssertEqual(BinaryCrossEntropy.forward(logits: [2], targets: [1]), Float(log(1 + exp(-2.0))), accuracy: 1e-7)
        XCTAssertEqual(BinaryCrossEntropy.forward(logits: [2], targets: [0]), Float(log(1 + exp(2.0))), accuracy: 1e-6)
        // The mean over the batch: (ln(1 + e^−2) + ln(1 + e^2)) / 2.
        XCTAssertEqual(BinaryCrossEntropy.forward(logits: [2, 2], targets: [1, 0]),
                       Float((log(1 + exp(-2.0)) + log(1 + exp(2.0))) / 2), accuracy: 1e-6)
        assertClose(BinaryCrossEntropy.backward(logits: [0, 2, -3], targets: [1, 0, 0.25]),
                    [(0.5 - 1) / 3, Float(1 / (1 + exp(-2.0))) / 3, (Float(1 / (1 + exp(3.0))) - 0.25) / 3], rtol: 1e-6)
    }

    /// Logits far outside Float's exp range: the naive −y·log σ(z) gives log(0) = −∞ or NaN here.
    func testLargeLogitsStayFiniteAndExact() {
        XCTAssertEqual(BinaryCrossEntropy.forward(logits: [200], targets: [0]), 200, accuracy: 1e-4)
        XCTAssertEqual(BinaryCrossEntropy.forward(logits: [-200], targets: [1]), 200, accuracy: 1e-4)
        XCTAssertEqual(BinaryCrossEntropy.forward(logits: [200], targets: [1]), 0, accuracy: 1e-7)
        XCTAssertEqual(BinaryCrossEntropy.forward(logits: [-200], targets: [0]), 0, accuracy: 1e-7)
        let d = BinaryCrossEntropy.backward(logits: [200, -200, 200, -200], targets: [0, 1, 1, 0])
        XCTAssertEqual(d, [0.25, -0.25, 0, 0])
    }

    func testGradientMatchesFiniteDifferences() {
        var g = SeededGenerator(seed: 61)
        let logits = randomFloats(40, &g, -4, 4)
        let targets = (0..<40).map { i in i % 3 == 0 ? g.nextUnitFloat() : Float(i % 2) }
        let analytic = BinaryCrossEntropy.backward(logits: logits, targets: targets)
        checkGradient("BCE with logits", at: logits, analytic: analytic, epsilon: 1e-2, rtol: 1e-2, atol: 1e-4) {
            Double(BinaryCrossEntropy.forward(logits: $0, targets: targets))
        }
    }
}
