@testable import NeuralCore
import TestSupport
import XCTest

/// The int8 inference path of the channel-wise layer: the quantisation (scale choice, rounding, zero and
/// non-finite columns, extremes), the AVX2 kernels against their Swift twins bit for bit, and the forward
/// against the float32 layer run on the dequantised weights.
final class Int8WeightsTests: XCTestCase {
    override func tearDown() { Int8Weights.usesCKernel = true }

    private func quantise(_ w: [Float], _ channels: Int, _ inF: Int, _ outF: Int, blockRows: Int? = nil,
                          kernel: Bool) -> Int8Weights {
        Int8Weights.usesCKernel = kernel
        defer { Int8Weights.usesCKernel = true }
        return w.withUnsafeBufferPointer {
            Int8Weights($0.baseAddress!, channels: channels, inFeatures: inF, outFeatures: outF, blockRows: blockRows ?? inF)
        }
    }

    /// scale = max |w| over the block's rows of the column / 127, q = round(w · 127 / max |w|), the largest
    /// weight becomes ±127, every weight is within scale/2 of q·scale, and a block of zeros gets scale 0 and q 0; one block, and blocks of 16 rows
    /// with a shorter last one.
    func testScaleIsTheBlocksLargestMagnitudeOver127AndRoundingIsToNearest() {
        var g = SeededGenerator(seed: 80)
        let (channels, inF, outF) = (2, 37, 21)
        var w = (0..<(channels * inF * outF)).map { _ in g.uniform(-2, 2) }
        for i in 0..<inF { w[1 * inF * outF + i * outF + 5] = 0 }                       // map 1, column 5: zeros
        for i in 0..<inF { w[i * outF + 3] = i == 9 ? -1e-3 : g.uniform(-1e-4, 1e-4) }  // map 0, column 3: small, largest negative
        for blockRows in [inF, 16] {
            let blocks = (inF + blockRows - 1) / blockRows
            for kernel in [true, false] {
                let q = quantise(w, channels, inF, outF, blockRows: blockRows, kernel: kernel)
                XCTAssertEqual(q.blocks, blocks)
                let values = q.values, scales = q.scales
                XCTAssertEqual(scales.count, channels * blocks * outF)
                for c in 0..<channels {
                    for b in 0..<blocks {
                        let rows = Array((b * blockRows)..<min(inF, (b + 1) * blockRows))
                        for j in 0..<outF {
                            let column = rows.map { w[c * inF * outF + $0 * outF + j] }
                            let largest = column.map(abs).max()!
                            let s = scales[(c * blocks + b) * outF + j]
                            let at = "map \(c) block \(b) of \(blockRows) column \(j) kernel \(kernel)"
                            XCTAssertEqual(s, largest / 127, at)
                            let qs = rows.map { values[c * inF * outF + $0 * outF + j] }
                            if largest == 0 {
                                XCTAssertEqual(qs, [Int8](repeating: 0, count: rows.count), "zero column, " + at)
                                continue
                            }
                            XCTAssertEqual(qs.map { abs(Int($0)) }.max(), 127, "the largest weight is ±127, " + at)
                            for (k, wi) in column.enumerated() {
                                XCTAssertLessThanOrEqual(abs(Float(qs[k]) * s - wi), s / 2 * (1 + 1e-5), "row \(k), " + at)
                                XCTAssertEqual(qs[k], Int8((wi * (127 / largest)).rounded(.toNearestOrEven)), "nearest, row \(k), " + at)
                            }
                        }
                    }
                }
                XCTAssertEqual(values[3 + 9 * outF], -127, "the largest magnitude, negative, is −127")
            }
        }
    }

    /// Columns with ties, extremes and non-finite weights, and matrices whose width is not a multiple of 8:
    /// the kernel's values and scales equal the Swift twin's bit for bit.
    func testKernelQuantisesLikeTheSwiftTwinBitForBit() {
        var g = SeededGenerator(seed: 81)
        for (channels, inF, outF) in [(1, 1, 1), (2, 5, 8), (3, 13, 29), (2, 64, 784)] {
          for blockRows in [inF, 4] {
            var w = (0..<(channels * inF * outF)).map { _ in g.uniform(-0.05, 0.05) }
            if outF >= 8 {
                // Column by column: the extremes, ∞, NaN, 0, the smallest subnormal; column 6 is left for the tie.
                let specials: [Int: Float] = [0: .greatestFiniteMagnitude, 1: -.greatestFiniteMagnitude, 2: .infinity,
                                              3: .nan, 4: 0, 5: .leastNonzeroMagnitude, 7: -2.5 * 127]
                for (j, v) in specials { w[(inF / 2) * outF + j] = v }
                if inF > 1 { w[outF + 6] = 0.5 * 127; w[6] = 127 }  // column 6 of map 0: values 127 and 63.5 (a tie)
            }
            let fast = quantise(w, channels, inF, outF, blockRows: blockRows, kernel: true)
            let slow = quantise(w, channels, inF, outF, blockRows: blockRows, kernel: false)
            XCTAssertEqual(fast.values, slow.values, "\(channels)×\(inF)×\(outF)")
            XCTAssertEqual(fast.scales.map(\.bitPattern), slow.scales.map(\.bitPattern), "\(channels)×\(inF)×\(outF)")
            XCTAssertEqual(fast, slow)
            if outF >= 8 {
                let s = slow.scales, row = (inF / 2) / min(blockRows, inF) * outF  // the specials' block in map 0
                XCTAssertEqual(s[row], Float.greatestFiniteMagnitude / 127, "the largest float stays finite")
                XCTAssertEqual(slow.values[(inF / 2) * outF], 127)
                XCTAssertEqual(s[row + 2], .infinity)
                XCTAssertTrue(s[row + 3].isNaN, "a NaN weight makes its column's scale NaN")
                if inF > 1 { XCTAssertEqual(slow.values[outF + 6], 64, "63.5 rounds to the even 64") }
            }
          }
        }
    }

    /// The forward (kernel and Swift loop, which sums in the kernel's order with fused multiply-adds) equals the
    /// float32 layer on the dequantised weights q·scale up to float32 rounding, and the two paths agree bit for
    /// bit, at batch sizes that take both of the kernel's row blocks and feature counts with partial vectors.
    func testInt8ForwardMatchesFloat32OnDequantisedWeightsAndTheKernelItsTwin() {
        var g = SeededGenerator(seed: 82)
        for (channels, inF, outF, batch, blockRows) in [(3, 49, 49, 1, 49), (2, 784, 784, 1, 112), (2, 784, 784, 2, 784),
                                                        (3, 49, 49, 7, 10), (2, 40, 13, 4, 3), (1, 13, 3, 2, 13),
                                                        (1, 6, 1100, 3, 4)] {
            for hasBias in [false, true] {
                let layer = ChannelWiseLinear(channels: channels, inFeatures: inF, outFeatures: outF, hasBias: hasBias)
                let x = randomTensor([batch, channels, inF], &g), w = randomTensor(layer.weightShape, &g)
                let bias = hasBias ? randomTensor(layer.biasShape, &g) : nil
                let q = quantise(w.data, channels, inF, outF, blockRows: blockRows, kernel: true)
                let values = q.values, scales = q.scales, blocks = q.blocks
                let dequantised = Tensor(shape: w.shape, data: values.indices.map { k in
                    let c = k / (inF * outF), i = k / outF % inF, j = k % outF
                    return Float(values[k]) * scales[(c * blocks + i / blockRows) * outF + j]
                })
                let expected = layer.forward(x, weight: dequantised, bias: bias)
                var outputs: [[Float]] = []
                for kernel in [true, false] {
                    Int8Weights.usesCKernel = kernel
                    var y = [Float](repeating: .nan, count: batch * channels * outF)
                    withOptionalPointer(bias?.data) { b in
                        layer.forward(input: x.data, batch: batch, int8Weights: q, bias: b, output: &y)
                    }
                    assertClose(y, expected.data, rtol: 1e-4, atol: 1e-5,
                                "\(channels)×\(inF)×\(outF) blocks of \(blockRows) batch \(batch) bias \(hasBias) kernel \(kernel)")
                    outputs.append(y)
                }
                XCTAssertEqual(outputs[0], outputs[1], "\(channels)×\(inF)×\(outF) batch \(batch): kernel and twin differ")
            }
        }
    }

    /// One channel range at a time writes only those channels, as the whole pass does.
    func testChannelRangesComposeToTheWholePass() {
        var g = SeededGenerator(seed: 83)
        let layer = ChannelWiseLinear(channels: 4, inFeatures: 30, outFeatures: 30)
        let x = randomTensor([2, 4, 30], &g), w = randomTensor(layer.weightShape, &g)
        let q = quantise(w.data, 4, 30, 30, blockRows: 7, kernel: true)
        var whole = [Float](repeating: 0, count: 2 * 4 * 30), parts = whole
        layer.forward(input: x.data, batch: 2, int8Weights: q, bias: nil, output: &whole)
        for c in 0..<4 { layer.forward(input: x.data, batch: 2, int8Weights: q, bias: nil, output: &parts, channelRange: c..<(c + 1)) }
        XCTAssertEqual(parts, whole)
        XCTAssertNotEqual(whole, [Float](repeating: 0, count: whole.count))
    }

    /// A column holding NaN gives NaN outputs, not numbers, as the float32 layer would.
    func testNonFiniteColumnGivesNaNOutputs() {
        let layer = ChannelWiseLinear(channels: 1, inFeatures: 8, outFeatures: 8)
        var w = [Float](repeating: 0.25, count: 64)
        w[3 * 8 + 2] = .nan
        let x = [Float](repeating: 1, count: 8)
        for kernel in [true, false] {
            let q = quantise(w, 1, 8, 8, kernel: kernel)
            Int8Weights.usesCKernel = kernel
            var y = [Float](repeating: 0, count: 8)
            layer.forward(input: x, batch: 1, int8Weights: q, bias: nil, output: &y)
            XCTAssertTrue(y[2].isNaN, "kernel \(kernel)")
            XCTAssertEqual(y[0], 2, accuracy: 1e-6, "kernel \(kernel)")
        }
    }
}
