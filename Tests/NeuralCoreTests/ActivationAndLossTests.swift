import NeuralCore
import TestSupport
import XCTest

final class ActivationAndLossTests: XCTestCase {
    /// Inputs kept away from 0 so that the finite differences do not straddle ReLU's kink.
    func awayFromZero(_ count: Int, _ g: inout SeededGenerator) -> [Float] {
        randomFloats(count, &g, 0.05, 2).map { g.nextUnitFloat() < 0.5 ? -$0 : $0 }
    }

    func testActivationValues() {
        let x = Tensor(shape: [4], data: [-2, -0.5, 0, 3])
        XCTAssertEqual(Activation.relu.forward(x).data, [0, 0, 0, 3])
        assertClose(Activation.leakyReLU(slope: 0.2).forward(x).data, [-0.4, -0.1, 0, 3])
        assertClose(Activation.sigmoid.forward(x).data, [0.11920292, 0.37754067, 0.5, 0.95257413])
        XCTAssertEqual(Activation.identity.forward(x).data, x.data)
    }

    func testActivationGradients() {
        var g = SeededGenerator(seed: 30)
        for activation in [Activation.relu, .leakyReLU(slope: 0.2), .sigmoid, .identity] {
            let x = awayFromZero(50, &g), r = randomFloats(50, &g)
            let y = activation.forward(Tensor(shape: [50], data: x))
            let analytic = activation.backward(output: y, dOutput: Tensor(shape: [50], data: r)).data
            checkGradient("\(activation)", at: x, analytic: analytic, epsilon: 1e-3, rtol: 1e-2, atol: 1e-3) {
                projection(activation.forward(Tensor(shape: [50], data: $0)).data, r)
            }
        }
    }

    /// Forward and backward may run in place on one buffer, as the context encoder does.
    func testActivationsRunInPlace() {
        var g = SeededGenerator(seed: 31)
        for activation in [Activation.relu, .leakyReLU(slope: 0.2), .sigmoid] {
            let x = awayFromZero(20, &g), r = randomFloats(20, &g)
            let y = activation.forward(Tensor(shape: [20], data: x))
            let dx = activation.backward(output: y, dOutput: Tensor(shape: [20], data: r))
            var buffer = x
            buffer.withUnsafeMutableBufferPointer { activation.forward(input: $0.baseAddress!, output: $0.baseAddress!, count: 20) }
            XCTAssertEqual(buffer, y.data)
            var grad = r
            grad.withUnsafeMutableBufferPointer { activation.backward(output: y.data, dOutput: $0.baseAddress!, dInput: $0.baseAddress!, count: 20) }
            XCTAssertEqual(grad, dx.data)
        }
    }

    func testMaskedL2ValueByHand() {
        // 4 pixels, hole = pixels 1 and 2 (mask 0): L = ((0.5)² + (−0.25)²) / 2
        let prediction: [Float] = [0.9, 0.5, 0.25, 0.0], target: [Float] = [0.1, 0.0, 0.5, 1.0], mask: [Float] = [1, 0, 0, 1]
        XCTAssertEqual(MaskedLoss.l2.forward(prediction: prediction, target: target, mask: mask), (0.25 + 0.0625) / 2, accuracy: 1e-7)
        XCTAssertEqual(MaskedLoss.l1.forward(prediction: prediction, target: target, mask: mask), (0.5 + 0.25) / 2, accuracy: 1e-7)
        // known pixels weighted by λ = 0.5: + 0.5 · (0.64 + 1) / 2
        XCTAssertEqual(MaskedLoss.l2.forward(prediction: prediction, target: target, mask: mask, knownWeight: 0.5),
                       (0.25 + 0.0625 + 0.5 * (0.64 + 1)) / 2, accuracy: 1e-6)
        // No hole: divides by 1, not by 0.
        XCTAssertEqual(MaskedLoss.l2.forward(prediction: prediction, target: target, mask: [1, 1, 1, 1]), 0)
    }

    func testMaskedLossGradients() {
        var g = SeededGenerator(seed: 32)
        let count = 60
        let target = randomFloats(count, &g, 0, 1)
        let mask = (0..<count).map { _ in Float(g.nextUnitFloat() < 0.3 ? 0 : 1) }
        // Keep |ŷ − x| ≥ 0.05 so L1's kink at 0 is not crossed by the finite difference.
        let prediction = zip(target, awayFromZero(count, &g)).map { $0 + 0.2 * $1 }
        for loss in MaskedLoss.allCases {
            for knownWeight: Float in [0, 0.3] {
                let analytic = loss.backward(prediction: prediction, target: target, mask: mask, knownWeight: knownWeight)
                checkGradient("\(loss) λ=\(knownWeight)", at: prediction, analytic: analytic, epsilon: 1e-3, rtol: 1e-2, atol: 1e-4) {
                    Double(loss.forward(prediction: $0, target: target, mask: mask, knownWeight: knownWeight))
                }
                if knownWeight == 0 {
                    for i in 0..<count where mask[i] == 1 { XCTAssertEqual(analytic[i], 0, "known pixel \(i) pulls without λ") }
                }
            }
        }
    }
}
