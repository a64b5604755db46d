import NeuralCore
import TestSupport
import XCTest

/// Finite-difference checks of MaxPool2D, Linear (through `checkLayer`) and SoftmaxCrossEntropy: for a random
/// linear functional L = Σ r·y of each output, the analytic gradient must match (L(θ+h) − L(θ−h)) / 2h.
final class ClassifierLayersTests: XCTestCase {
    func random(_ n: Int, _ g: inout SeededGenerator, scale: Float = 1) -> [Float] {
        (0..<n).map { _ in g.normal() * scale }
    }

    /// Central differences in Double-accumulated Float; h = 1e-2 suits values of order 1.
    func numericGradient(_ x: [Float], h: Float = 1e-2, _ f: ([Float]) -> Double) -> [Float] {
        var x = x
        return (0..<x.count).map { i in
            let keep = x[i]
            x[i] = keep + h; let up = f(x)
            x[i] = keep - h; let down = f(x)
            x[i] = keep
            return Float((up - down) / Double(2 * h))
        }
    }

    /// y = x·Wᵀ + b by hand, then the channel-range forward and every gradient (`checkLayer`).
    func testLinear() {
        let definition: LayerReference = { x, w, b in
            let (n, inputs, outputs) = (x.shape[0], x.shape[1], w.shape[0])
            var y = Tensor(shape: [n, outputs])
            for row in 0..<n { for o in 0..<outputs {
                y[row, o] = (b?[o] ?? 0) + (0..<inputs).map { x[row, $0] * w[o, $0] }.reduce(0, +)
            } }
            return y
        }
        checkLayer(Linear(inputs: 7, outputs: 5), input: [3, 7], seed: 11, reference: definition)
        checkLayer(Linear(inputs: 4, outputs: 3, hasBias: false), input: [2, 4], seed: 12, reference: definition)
        // The discriminator's flattened maps: [N, 3136, 1, 1].
        checkLayer(Linear(inputs: 12, outputs: 2), input: [2, 12, 1, 1], seed: 13)
    }

    func testMaxPoolForwardAndGradient() {
        var g = SeededGenerator(seed: 12)
        let (n, c, h, w) = (2, 3, 5, 4)  // odd height: the last row is dropped, as in PyTorch
        let x = random(n * c * h * w, &g)
        let outCount = n * c * (h / 2) * (w / 2)
        let r = random(outCount, &g)
        func run(_ x: [Float]) -> ([Float], [Int32]) {
            var y = [Float](repeating: 0, count: outCount), arg = [Int32](repeating: 0, count: outCount)
            MaxPool2D.forward(&y, argmax: &arg, x, batch: n, channels: c, height: h, width: w, window: 2)
            return (y, arg)
        }
        let (y, arg) = run(x)
        // Output (n 1, c 2, row 1, col 0) is the max of rows 2–3, columns 0–1 of that plane.
        let base = (1 * c + 2) * h * w
        let window = [x[base + 2 * w], x[base + 2 * w + 1], x[base + 3 * w], x[base + 3 * w + 1]]
        XCTAssertEqual(y[((1 * c + 2) * 2 + 1) * 2 + 0], window.max()!)
        var dx = [Float](repeating: 0, count: x.count)
        MaxPool2D.backward(dx: &dx, dy: r, argmax: arg, outputCount: outCount)
        // Random normals have no ties, so a small step keeps every argmax and the check is exact.
        let numeric = numericGradient(x, h: 1e-3) { x in zip(run(x).0, r).reduce(0) { $0 + Double($1.0 * $1.1) } }
        assertClose(dx, numeric, rtol: 1e-2, atol: 1e-3)
        XCTAssertEqual(dx.filter { $0 != 0 }.count, outCount)
    }

    func testSoftmaxCrossEntropyValueAndGradient() {
        var g = SeededGenerator(seed: 13)
        let (n, k) = (4, 10)
        let logits = random(n * k, &g, scale: 3)
        let labels: [Int32] = [3, 0, 9, 3]
        func loss(_ z: [Float]) -> Double {
            var p = [Float](repeating: 0, count: n * k)
            return Double(SoftmaxCrossEntropy.forward(probabilities: &p, logits: z, labels: labels, batch: n, classes: k))
        }
        // By hand: −mean log softmax.
        var expected = 0.0
        for row in 0..<n {
            let z = logits[(row * k)..<((row + 1) * k)].map(Double.init)
            expected -= z[Int(labels[row])] - log(z.map { exp($0) }.reduce(0, +))
        }
        XCTAssertEqual(loss(logits), expected / Double(n), accuracy: 1e-5)
        var p = [Float](repeating: 0, count: n * k)
        SoftmaxCrossEntropy.forward(probabilities: &p, logits: logits, labels: labels, batch: n, classes: k)
        for row in 0..<n { XCTAssertEqual(p[(row * k)..<((row + 1) * k)].reduce(0, +), 1, accuracy: 1e-5) }
        var d = [Float](repeating: 0, count: n * k)
        SoftmaxCrossEntropy.backward(dlogits: &d, probabilities: p, labels: labels, batch: n, classes: k)
        assertClose(d, numericGradient(logits, h: 1e-2, loss), rtol: 1e-2, atol: 2e-4)
    }

    func testSoftmaxIsStableForHugeLogits() {
        var p = [Float](repeating: 0, count: 3)
        let loss = SoftmaxCrossEntropy.forward(probabilities: &p, logits: [1000, 0, -1000], labels: [Int32(1)],
                                               batch: 1, classes: 3)
        XCTAssertEqual(loss, 1000, accuracy: 1e-3)
        XCTAssertEqual(p, [1, 0, 0])
    }
}
