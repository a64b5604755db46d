@testable import NeuralCore
import TestSupport
import XCTest

/// One image's convolution computed in output-channel ranges equals the whole forward (both layer kinds,
/// direct and BLAS paths, with bias).
final class OutputChannelSplitTests: XCTestCase {
    func testRangesTogetherEqualTheWholeForward() {
        var g = SeededGenerator(seed: 70)
        let ranges = [0..<2, 2..<3, 3..<5]
        for (k, s, p, side) in [(5, 1, 2, 28), (4, 2, 1, 14), (3, 1, 1, 7)] {
            let conv = Conv2D(inChannels: 3, outChannels: 5, kernelSize: k, stride: s, padding: p, hasBias: true)
            let x = randomTensor([1, 3, side, side], &g), w = randomTensor(conv.weightShape, &g), b = randomTensor([5], &g)
            let expected = conv.forward(x, weight: w, bias: b)
            var y = [Float](repeating: .nan, count: expected.count)
            var scratch = [Float](repeating: 0, count: conv.channelSplitScratchCount(height: side, width: side))
            for r in ranges {
                conv.forward(input: x.data, batch: 1, height: side, width: side, weight: w.data, bias: b.data, output: &y,
                             channels: r, scratch: &scratch)
            }
            assertClose(y, expected.data, rtol: 1e-5, atol: 1e-5, "conv k\(k) s\(s) \(side)")

            let convT = TransposedConv2D(inChannels: 3, outChannels: 5, kernelSize: k, stride: s, padding: p, hasBias: true)
            let (h, wd) = conv.outputSize(height: side, width: side)
            let xt = randomTensor([1, 3, h, wd], &g), wt = randomTensor(convT.weightShape, &g)
            let expectedT = convT.forward(xt, weight: wt, bias: b)
            var yt = [Float](repeating: .nan, count: expectedT.count)
            var scratchT = [Float](repeating: 0, count: convT.channelSplitScratchCount(height: h, width: wd))
            for r in ranges {
                convT.forward(input: xt.data, batch: 1, height: h, width: wd, weight: wt.data, bias: b.data, output: &yt,
                              channels: r, scratch: &scratchT)
            }
            assertClose(yt, expectedT.data, rtol: 1e-5, atol: 1e-5, "convT k\(k) s\(s) \(h)")
        }
    }
}
