import NeuralCore
import TestSupport
import XCTest

final class InitializationTests: XCTestCase {
    /// PyTorch's bound 1/√fan_in with fan_in = weight.size(1)·kh·kw for both conv layouts.
    func testBoundsUsePyTorchFanIn() {
        XCTAssertEqual(Conv2D(inChannels: 16, outChannels: 32, kernelSize: 5).initBound, 1 / Float(16 * 25).squareRoot())
        // ConvTranspose2d weight [in, out, kh, kw]: size(1) is out.
        XCTAssertEqual(TransposedConv2D(inChannels: 16, outChannels: 1, kernelSize: 5).initBound, 1 / Float(1 * 25).squareRoot())
        XCTAssertEqual(TransposedConv2D(inChannels: 64, outChannels: 32, kernelSize: 3).initBound, 1 / Float(32 * 9).squareRoot())
        XCTAssertEqual(ChannelWiseLinear(channels: 16, inFeatures: 784, outFeatures: 784).initBound, 1 / Float(28))
    }

    /// U(−b, b): all draws inside, mean ≈ 0, variance ≈ b²/3, both ends reached.
    func testUniformDrawsHaveTheRightMoments() {
        var store = ParameterStore(layout: [("w", [200, 100])])
        var g = SeededGenerator(seed: 50)
        let bound: Float = 0.2
        store.initializeUniform("w", bound: bound, generator: &g)
        let v = store.values.map(Double.init)
        XCTAssertTrue(v.allSatisfy { abs($0) <= Double(bound) })
        let mean = v.reduce(0, +) / Double(v.count)
        let variance = v.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(v.count)
        XCTAssertEqual(mean, 0, accuracy: 0.003)
        XCTAssertEqual(variance, Double(bound * bound) / 3, accuracy: 0.0005)
        XCTAssertGreaterThan(v.max()!, 0.19)
        XCTAssertLessThan(v.min()!, -0.19)
    }
}
