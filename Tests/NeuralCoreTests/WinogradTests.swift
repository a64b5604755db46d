@testable import NeuralCore
import TestSupport
import XCTest

/// The Winograd F(4×4, 5×5) path (`WinogradConvolution`) against the direct kernel it replaces and a float64
/// definition, in all four passes it takes (conv and transposed conv forward, both input gradients), and the
/// layer checks with it on.
final class WinogradTests: XCTestCase {
    /// y[n, o, oy, ox] = Σ w[o, c, i, j] · x[n, c, oy + i − 2, ox + j − 2] in float64 (no bias).
    private func definition(_ x: Tensor, _ w: Tensor) -> [Double] {
        let (n, c, h, wd, o) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3], w.shape[0])
        var y = [Double](repeating: 0, count: n * o * h * wd)
        for b in 0..<n { for oc in 0..<o { for ic in 0..<c { for i in 0..<5 { for j in 0..<5 {
            let weight = Double(w.data[((oc * c + ic) * 5 + i) * 5 + j])
            for oy in max(0, 2 - i)..<min(h, h + 2 - i) {
                let iy = oy + i - 2, row = ((b * c + ic) * h + iy) * wd, out = ((b * o + oc) * h + oy) * wd
                for ox in max(0, 2 - j)..<min(wd, wd + 2 - j) { y[out + ox] += weight * Double(x.data[row + ox + j - 2]) }
            }
        } } } } }
        return y
    }

    /// dw[o, c, i, j] = Σ dy[n, o, oy, ox] · x[n, c, oy + i − 2, ox + j − 2] in float64, as [O, C, 5, 5].
    private func weightGradientDefinition(_ x: Tensor, _ dy: Tensor) -> [Double] {
        let (n, c, h, wd, o) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3], dy.shape[1])
        var dw = [Double](repeating: 0, count: o * c * 25)
        for b in 0..<n { for oc in 0..<o { for ic in 0..<c { for i in 0..<5 { for j in 0..<5 {
            var sum = 0.0
            for oy in max(0, 2 - i)..<min(h, h + 2 - i) {
                let row = ((b * c + ic) * h + oy + i - 2) * wd, out = ((b * o + oc) * h + oy) * wd
                for ox in max(0, 2 - j)..<min(wd, wd + 2 - j) { sum += Double(dy.data[out + ox]) * Double(x.data[row + ox + j - 2]) }
            }
            dw[((oc * c + ic) * 5 + i) * 5 + j] += sum
        } } } } }
        return dw
    }

    /// max |a − b| over max |b|.
    private func relativeError(_ a: [Float], _ b: [Double]) -> Double {
        precondition(a.count == b.count)
        let scale = b.reduce(0) { max($0, abs($1)) }
        return zip(a, b).reduce(0) { max($0, abs(Double($1.0) - $1.1)) } / scale
    }

    private func relativeError(_ a: [Float], _ b: [Float]) -> Double { relativeError(a, b.map(Double.init)) }

    /// Observed on this machine's 16→16 28×28 layers: max error 3–5e-6 of the output's largest magnitude, against
    /// ~5e-7 for the direct kernel (the ±1/2 and ±2 points scale some transformed values by up to 8, and their
    /// rounding with them). 3e-5 leaves a margin of six and still catches any wrong coefficient (≥ 1e-2).
    static let tolerance = 3e-5

    /// Shapes: the paper's 16→16 on 28×28 maps (batch 3 and batch 1), maps that are not a multiple of the 4×4 tile
    /// (ragged last row and column of tiles), 8 and 24 channels either way (one vector of output channels in the
    /// GEMM), an output count that is not a multiple of 8 (lanes that compute zeros), and a map narrower than the
    /// direct path's minimum width.
    func testWinogradMatchesDirectPathAndDefinition() {
        var g = SeededGenerator(seed: 161)
        let savedMinimum = DirectConvolution.minimumWidth
        DirectConvolution.minimumWidth = 1
        defer { WinogradConvolution.isEnabled = true; DirectConvolution.minimumWidth = savedMinimum }
        let shapes: [(c: Int, o: Int, h: Int, w: Int, n: Int)] = [
            (16, 16, 28, 28, 3), (16, 16, 28, 28, 1), (8, 24, 21, 19, 2), (24, 8, 17, 30, 2), (16, 13, 18, 20, 2),
            (8, 8, 5, 6, 2),
        ]
        var worst = (winograd: 0.0, direct: 0.0, weights: 0.0, directWeights: 0.0)
        for s in shapes {
            let conv = Conv2D(inChannels: s.c, outChannels: s.o, kernelSize: 5, padding: 2, hasBias: true)
            let convT = TransposedConv2D(inChannels: s.c, outChannels: s.o, kernelSize: 5, padding: 2, hasBias: true)
            let x = randomTensor([s.n, s.c, s.h, s.w], &g), dy = randomTensor([s.n, s.o, s.h, s.w], &g)
            let w = randomTensor(conv.weightShape, &g), wT = randomTensor(convT.weightShape, &g)
            let b = randomTensor([s.o], &g), bT = randomTensor([s.o], &g)
            // The transposed layer's forward is conv(x; rot180(Wᵀ)); its flipped weights as a Conv2D's.
            var flipped = Tensor(shape: [s.o, s.c, 5, 5])
            DirectConvolution.transposeAndFlip(wT.data, a: s.c, b: s.o, kernel: 5, into: &flipped.data)
            let exact = definition(x, w), exactT = definition(x, flipped)
            let biased = { (y: [Double], bias: Tensor) in y.enumerated().map { $0.element + Double(bias.data[($0.offset / (s.h * s.w)) % s.o]) } }

            var runs: [(y: Tensor, back: (dInput: Tensor, dWeight: Tensor, dBias: Tensor?),
                        yT: Tensor, backT: (dInput: Tensor, dWeight: Tensor, dBias: Tensor?))] = []
            for enabled in [true, false] {
                WinogradConvolution.isEnabled = enabled
                XCTAssertEqual(conv.usesWinograd(channels: s.c, outChannels: s.o, width: s.w), enabled, "\(s)")
                // The input gradients convolve O → C channels: Winograd only with O a multiple of 8.
                XCTAssertEqual(conv.usesWinograd(channels: s.o, outChannels: s.c, width: s.w), enabled && s.o % 8 == 0, "\(s)")
                runs.append((conv.forward(x, weight: w, bias: b), conv.backward(x, weight: w, dOutput: dy),
                             convT.forward(x, weight: wT, bias: bT), convT.backward(x, weight: wT, dOutput: dy)))
            }
            let (on, off) = (runs[0], runs[1])
            let errors = [relativeError(on.y.data, biased(exact, b)), relativeError(on.yT.data, biased(exactT, bT))]
            worst.winograd = max(worst.winograd, errors.max()!)
            worst.direct = max(worst.direct, relativeError(off.y.data, biased(exact, b)), relativeError(off.yT.data, biased(exactT, bT)))
            XCTAssertLessThan(errors.max()!, Self.tolerance, "forwards against float64 \(s)")
            // The input gradients, against the direct path's (itself within ~1e-6 of exact).
            XCTAssertLessThan(relativeError(on.back.dInput.data, off.back.dInput.data), Self.tolerance, "conv dInput \(s)")
            XCTAssertLessThan(relativeError(on.backT.dInput.data, off.backT.dInput.data), Self.tolerance, "convT dInput \(s)")
            // The weight gradients through the Winograd domain, against float64 (x ⋆ dy summed over the batch).
            let exactDW = weightGradientDefinition(x, dy), exactDWT = weightGradientDefinition(dy, x)
            let weightErrors = [relativeError(on.back.dWeight.data, exactDW), relativeError(on.backT.dWeight.data, exactDWT)]
            worst.weights = max(worst.weights, weightErrors.max()!)
            worst.directWeights = max(worst.directWeights, relativeError(off.back.dWeight.data, exactDW),
                                      relativeError(off.backT.dWeight.data, exactDWT))
            XCTAssertLessThan(weightErrors.max()!, Self.tolerance, "weight gradients against float64 \(s)")
            // The bias gradients do not go through Winograd: the same bits.
            XCTAssertEqual(on.back.dBias!.data, off.back.dBias!.data, "conv dBias \(s)")
            XCTAssertEqual(on.backT.dBias!.data, off.backT.dBias!.data, "convT dBias \(s)")
        }
        print(String(format: "Winograd F(4×4, 5×5): max error %.2e of the output's magnitude (direct kernel %.2e); "
                     + "weight gradients %.2e (direct %.2e)", worst.winograd, worst.direct, worst.weights, worst.directWeights))
    }

    /// A range of output channels (the single-image forward's split over threads) computes the whole pass's bits,
    /// ranges of any width (narrower than 8 too, which alone would not take Winograd).
    func testChannelRangesGiveTheWholePassBits() {
        var g = SeededGenerator(seed: 164)
        let conv = Conv2D(inChannels: 16, outChannels: 16, kernelSize: 5, padding: 2, hasBias: true)
        let convT = TransposedConv2D(inChannels: 16, outChannels: 16, kernelSize: 5, padding: 2, hasBias: true)
        let x = randomTensor([2, 16, 28, 28], &g), w = randomTensor(conv.weightShape, &g), b = randomTensor([16], &g)
        XCTAssertTrue(conv.usesWinograd(channels: 16, outChannels: 16, width: 28))
        XCTAssertFalse(conv.restricted(to: 0..<4).usesWinograd(channels: 16, outChannels: 4, width: 28))
        let plane = 28 * 28
        for (name, forward) in [("conv", { conv.forward(x, weight: w, bias: b, channels: $0) }),
                                ("convT", { convT.forward(x, weight: w, bias: b, channels: $0) })] as [(String, (Range<Int>?) -> Tensor)] {
            let whole = forward(nil)
            for range in [0..<4, 4..<8, 8..<12, 12..<16, 0..<5, 5..<16, 3..<4] {
                let part = forward(range)
                for n in 0..<2 {
                    let span = ((n * 16 + range.lowerBound) * plane)..<((n * 16 + range.upperBound) * plane)
                    XCTAssertEqual(Array(part.data[span]), Array(whole.data[span]), "\(name) channels \(range), image \(n)")
                }
            }
        }
    }

    /// Outputs whose 5×5 window holds only zeros (MNIST's background, a zeroed hole, after a ReLU) are exact
    /// zeros, as the direct sum makes them, not Winograd's rounding residue: a ReLU after the layer would pass
    /// gradient through such a residue (`explain` against PyTorch on the bundled model caught it).
    func testAllZeroWindowsGiveExactZeros() {
        var g = SeededGenerator(seed: 165)
        let conv = Conv2D(inChannels: 16, outChannels: 16, kernelSize: 5, padding: 2)
        var x = randomTensor([1, 16, 28, 28], &g)
        // Zero everywhere but a 6×9 block and one pixel of one channel.
        for c in 0..<16 { for y in 0..<28 { for xx in 0..<28 where !(y >= 11 && y < 17 && xx >= 3 && xx < 12) {
            x.data[(c * 28 + y) * 28 + xx] = 0
        } } }
        x.data[(5 * 28 + 25) * 28 + 25] = 1
        let w = randomTensor(conv.weightShape, &g)
        XCTAssertTrue(conv.usesWinograd(channels: 16, outChannels: 16, width: 28))
        let y = conv.forward(x, weight: w)
        var zeros = 0
        for oy in 0..<28 { for ox in 0..<28 {
            let live = (max(0, oy - 2)...min(27, oy + 2)).contains { iy in
                (max(0, ox - 2)...min(27, ox + 2)).contains { ix in (0..<16).contains { x.data[($0 * 28 + iy) * 28 + ix] != 0 } }
            }
            if live { continue }
            zeros += 1
            for o in 0..<16 where y.data[(o * 28 + oy) * 28 + ox] != 0 {
                XCTFail("output (\(o), \(oy), \(ox)) is \(y.data[(o * 28 + oy) * 28 + ox]), its window all zeros")
                return
            }
        }}
        XCTAssertGreaterThan(zeros, 400, "most of the map's windows are empty")
    }

    /// Where it does not apply, the layers keep their paths: input channels that are not multiples of 8 (the
    /// paper model's 1→16 first layer), fewer than 8 output channels (its 16→1 last layer), other kernels, strides.
    func testWinogradTakesOnlyItsShapes() {
        XCTAssertFalse(Conv2D(inChannels: 1, outChannels: 16, kernelSize: 5, padding: 2).usesWinograd(channels: 1, outChannels: 16, width: 28))
        XCTAssertFalse(Conv2D(inChannels: 16, outChannels: 1, kernelSize: 5, padding: 2).usesWinograd(channels: 16, outChannels: 1, width: 28))
        XCTAssertFalse(Conv2D(inChannels: 12, outChannels: 16, kernelSize: 5, padding: 2).usesWinograd(channels: 12, outChannels: 16, width: 28))
        XCTAssertFalse(Conv2D(inChannels: 16, outChannels: 16, kernelSize: 3, padding: 1).usesWinograd(channels: 16, outChannels: 16, width: 28))
        XCTAssertFalse(Conv2D(inChannels: 16, outChannels: 16, kernelSize: 5, stride: 2, padding: 2).usesWinograd(channels: 16, outChannels: 16, width: 28))
        XCTAssertFalse(Conv2D(inChannels: 16, outChannels: 16, kernelSize: 5, padding: 1).usesWinograd(channels: 16, outChannels: 16, width: 28))
        XCTAssertTrue(Conv2D(inChannels: 16, outChannels: 16, kernelSize: 5, padding: 2).usesWinograd(channels: 16, outChannels: 16, width: 28))
    }

    /// `checkLayer` (forward against the definition, the channel-range forward, which for ranges not a multiple
    /// of 8 wide runs the direct kernel, and finite differences) with Winograd on, at 8 channels and a ragged map.
    /// The forward comparisons allow 1e-4 absolute, 1e-5 of these outputs' scale (U(−1, 1) over 200 products, up
    /// to ~15); ε = 0.1 keeps the rounding out of the difference quotients (the layers are linear, so any ε is exact).
    func testLayerChecksPassWithWinograd() {
        let savedMinimum = DirectConvolution.minimumWidth
        DirectConvolution.minimumWidth = 1
        defer { DirectConvolution.minimumWidth = savedMinimum }
        let conv = Conv2D(inChannels: 8, outChannels: 8, kernelSize: 5, padding: 2, hasBias: true)
        XCTAssertTrue(conv.usesWinograd(channels: 8, outChannels: 8, width: 9))
        checkLayer(conv, input: [2, 8, 7, 9], seed: 162, reference: { x, w, b in
            let y = self.definition(x, w)
            return Tensor(shape: [2, 8, 7, 9], data: y.enumerated().map { Float($0.element) + b!.data[($0.offset / 63) % 8] })
        }, epsilon: 0.1, forwardAtol: 1e-4)
        let convT = TransposedConv2D(inChannels: 8, outChannels: 8, kernelSize: 5, padding: 2)
        checkLayer(convT, input: [2, 8, 6, 10], seed: 163, reference: { x, w, _ in
            var flipped = Tensor(shape: [8, 8, 5, 5])
            DirectConvolution.transposeAndFlip(w.data, a: 8, b: 8, kernel: 5, into: &flipped.data)
            return Tensor(shape: [2, 8, 6, 10], data: self.definition(x, flipped).map(Float.init))
        }, epsilon: 0.1, forwardAtol: 1e-4)
    }
}
