import NeuralCore
import TestSupport
import XCTest

final class ChannelWiseLinearTests: XCTestCase {
    /// y[b,c,:] = x[b,c,:] · W[c] + bias[c], written out as loops.
    func testForwardMatchesDefinition() {
        var g = SeededGenerator(seed: 20)
        for batch in [1, 3] {  // batch 1 takes the gemv path
            let layer = ChannelWiseLinear(channels: 3, inFeatures: 5, outFeatures: 4, hasBias: true)
            let x = randomTensor([batch, 3, 5], &g), w = randomTensor(layer.weightShape, &g), b = randomTensor(layer.biasShape, &g)
            let y = layer.forward(x, weight: w, bias: b)
            var expected = Tensor(shape: [batch, 3, 4])
            for n in 0..<batch { for c in 0..<3 { for j in 0..<4 {
                var s = b[c, j]
                for i in 0..<5 { s += x[n, c, i] * w[c, i, j] }
                expected[n, c, j] = s
            } } }
            assertClose(y.data, expected.data, rtol: 1e-5, atol: 1e-6, "batch \(batch)")
        }
    }

    func testGradients() {
        var g = SeededGenerator(seed: 21)
        for batch in [1, 4] {
            let layer = ChannelWiseLinear(channels: 3, inFeatures: 6, outFeatures: 5, hasBias: true)
            let x = randomTensor([batch, 3, 6], &g), w = randomTensor(layer.weightShape, &g), b = randomTensor(layer.biasShape, &g)
            let r = randomTensor([batch, 3, 5], &g)
            let grads = layer.backward(x, weight: w, dOutput: r)
            checkGradient("fc dInput b=\(batch)", at: x.data, analytic: grads.dInput.data) {
                projection(layer.forward(Tensor(shape: x.shape, data: $0), weight: w, bias: b).data, r.data)
            }
            checkGradient("fc dWeight b=\(batch)", at: w.data, analytic: grads.dWeight.data) {
                projection(layer.forward(x, weight: Tensor(shape: w.shape, data: $0), bias: b).data, r.data)
            }
            checkGradient("fc dBias b=\(batch)", at: b.data, analytic: grads.dBias!.data) {
                projection(layer.forward(x, weight: w, bias: Tensor(shape: b.shape, data: $0)).data, r.data)
            }
        }
    }

    func testWithoutBiasHasNoBiasGradient() {
        var g = SeededGenerator(seed: 22)
        let layer = ChannelWiseLinear(channels: 2, inFeatures: 3, outFeatures: 3)
        let x = randomTensor([2, 2, 3], &g), w = randomTensor(layer.weightShape, &g)
        XCTAssertNil(layer.backward(x, weight: w, dOutput: randomTensor([2, 2, 3], &g)).dBias)
        XCTAssertEqual(layer.initBound, 1 / Float(3).squareRoot())
    }
}
