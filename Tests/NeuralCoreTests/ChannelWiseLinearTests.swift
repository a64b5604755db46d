import NeuralCore
import TestSupport
import XCTest

final class ChannelWiseLinearTests: XCTestCase {
    /// y[b,c,:] = x[b,c,:] · W[c] + bias[c], written out as loops.
    func definition(_ x: Tensor, _ w: Tensor, _ b: Tensor?) -> Tensor {
        let (batch, channels, inF, outF) = (x.shape[0], x.shape[1], x.shape[2], w.shape[2])
        var y = Tensor(shape: [batch, channels, outF])
        for n in 0..<batch { for c in 0..<channels { for j in 0..<outF {
            var s = b?[c, j] ?? 0
            for i in 0..<inF { s += x[n, c, i] * w[c, i, j] }
            y[n, c, j] = s
        } } }
        return y
    }

    /// Forward, the channel-range passes, dInput, dWeight and dBias (`checkLayer`); batch 1 takes the gemv path.
    func testForwardAndGradients() {
        for batch in [1, 4] {
            checkLayer(ChannelWiseLinear(channels: 3, inFeatures: 6, outFeatures: 5, hasBias: true), input: [batch, 3, 6],
                       seed: 20 + UInt64(batch), reference: definition)
            checkLayer(ChannelWiseLinear(channels: 3, inFeatures: 5, outFeatures: 5), input: [batch, 3, 5],
                       seed: 30 + UInt64(batch), reference: definition)
        }
        // As the context encoder sees it: [B, C, H, W] maps of H·W features.
        checkLayer(ChannelWiseLinear(channels: 2, inFeatures: 9, outFeatures: 9, hasBias: true), input: [2, 2, 3, 3], seed: 40)
    }

    func testWithoutBiasHasNoBiasGradient() {
        var g = SeededGenerator(seed: 22)
        let layer = ChannelWiseLinear(channels: 2, inFeatures: 3, outFeatures: 3)
        let x = randomTensor([2, 2, 3], &g), w = randomTensor(layer.weightShape, &g)
        XCTAssertNil(layer.backward(x, weight: w, dOutput: randomTensor([2, 2, 3], &g)).dBias)
        XCTAssertEqual(layer.initBound, 1 / Float(3).squareRoot())
    }
}
