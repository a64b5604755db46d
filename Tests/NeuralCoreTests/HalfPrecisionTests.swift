@testable import NeuralCore
import TestSupport
import XCTest

/// The float16 inference path of the channel-wise layer: rounding, and the F16C kernel against the float32
/// layer run on the same rounded weights, at batch sizes that take every block of the kernel (4 rows, 1 row)
/// and feature counts with and without a partial vector.
final class HalfPrecisionTests: XCTestCase {
    func testRoundingMatchesSwiftFloat16() {
        var g = SeededGenerator(seed: 50)
        // Ordinary values, ties, subnormals, overflow and a tail shorter than one vector.
        var values = (0..<1003).map { _ in g.uniform(-3, 3) }
        values += [0, -0, 1 + 1.0 / 2048, 65504, 65520, 1e6, -1e6, 1e-7, 6e-5, .infinity]
        var results: [[UInt16]] = []
        let saved = HalfPrecisionWeights.usesCKernel
        defer { HalfPrecisionWeights.usesCKernel = saved }
        for kernel in [true, false] {
            HalfPrecisionWeights.usesCKernel = kernel
            results.append(values.withUnsafeBufferPointer { HalfPrecisionWeights($0.baseAddress!, count: values.count).bits })
        }
        XCTAssertEqual(results[1], values.map { Float16($0).bitPattern })
        XCTAssertEqual(results[0], results[1], "F16C rounding differs from Swift's Float16")
    }

    func testHalfForwardMatchesFloat32OnRoundedWeights() {
        var g = SeededGenerator(seed: 51)
        let saved = HalfPrecisionWeights.usesCKernel
        defer { HalfPrecisionWeights.usesCKernel = saved }
        for (channels, features, batch) in [(3, 49, 1), (2, 784, 1), (3, 49, 7), (2, 40, 4), (1, 13, 2)] {
            for hasBias in [false, true] {
                let layer = ChannelWiseLinear(channels: channels, inFeatures: features, outFeatures: features, hasBias: hasBias)
                let x = randomTensor([batch, channels, features], &g), w = randomTensor(layer.weightShape, &g)
                let bias = hasBias ? randomTensor(layer.biasShape, &g) : nil
                let half = w.data.withUnsafeBufferPointer { HalfPrecisionWeights($0.baseAddress!, count: w.count) }
                let rounded = Tensor(shape: w.shape, data: half.bits.map { Float(Float16(bitPattern: $0)) })
                let expected = layer.forward(x, weight: rounded, bias: bias)
                for kernel in [true, false] {
                    HalfPrecisionWeights.usesCKernel = kernel
                    var y = [Float](repeating: .nan, count: batch * channels * features)
                    half.withUnsafeBufferPointer { h in
                        withOptionalPointer(bias?.data) { b in
                            layer.forward(input: x.data, batch: batch, halfWeight: h.baseAddress!, bias: b, output: &y)
                        }
                    }
                    assertClose(y, expected.data, rtol: 1e-5, atol: 1e-5,
                                "\(channels)×\(features)² batch \(batch) bias \(hasBias) kernel \(kernel)")
                }
            }
        }
    }
}
