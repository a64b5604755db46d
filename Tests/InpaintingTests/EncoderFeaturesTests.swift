import Datasets
import Inpainting
import NeuralCore
import TestSupport
import XCTest

/// `encoderFeatures` returns the forward pass's own encoder output, checked against a hand computation.
final class EncoderFeaturesTests: XCTestCase {
    private func leaky(_ v: Float) -> Float { v > 0 ? v : 0.2 * v }

    /// With 1×1 kernels and no biases every pixel goes through the encoder on its own:
    /// a1 = lrelu(w0 · x̃), a2 = lrelu(W2 a1), a3 = lrelu(W4 a2) with x̃ = x ⊙ M, which a few loops compute.
    func testOneByOneKernelsMatchAHandComputation() {
        var generator = SeededGenerator(seed: 7)
        let model = ContextEncoder(config: ModelConfig(architecture: .paper, kernelSize: 1), generator: &generator)
        let image = (0..<Digit.pixels).map { _ in generator.nextUnitFloat() }
        let mask = HoleRect(top: 5, left: 9, height: 10, width: 7).mask()
        let features = model.encoderFeatures(image: image, mask: mask)
        XCTAssertEqual([features.channels, features.height, features.width], [16, 28, 28])

        let w0 = model.parameters.tensor(named: "enc.0.weight")!.data   // [16, 1, 1, 1]
        let w2 = model.parameters.tensor(named: "enc.2.weight")!.data   // [16, 16, 1, 1]
        let w4 = model.parameters.tensor(named: "enc.4.weight")!.data
        var expected = [Float](repeating: 0, count: 16 * Digit.pixels)
        for p in 0..<Digit.pixels {
            let x = image[p] * mask[p]
            let a1 = (0..<16).map { leaky(w0[$0] * x) }
            let a2 = (0..<16).map { c in leaky((0..<16).reduce(0) { $0 + w2[c * 16 + $1] * a1[$1] }) }
            for c in 0..<16 { expected[c * Digit.pixels + p] = leaky((0..<16).reduce(0) { $0 + w4[c * 16 + $1] * a2[$1] }) }
        }
        assertClose(features.values, expected, rtol: 1e-5, atol: 1e-6)
        // Inside the hole x̃ = 0, so with no biases every map is exactly 0 there.
        XCTAssertEqual(features.map(3)[5 * Digit.side + 9], 0)
    }

    /// The strided network's encoder ends at 64×7×7; the features come from the same pass as the
    /// reconstruction, so reading them after `reconstruct` gives the same numbers.
    func testStridedShapeAndSameValuesAsTheReconstructionPass() {
        var generator = SeededGenerator(seed: 3)
        let model = ContextEncoder(config: ModelConfig(architecture: .strided, maskChannel: true), generator: &generator)
        let image = (0..<Digit.pixels).map { _ in generator.nextUnitFloat() }
        let mask = HoleRect(top: 8, left: 8, height: 12, width: 12).mask()
        let features = model.encoderFeatures(image: image, mask: mask)
        XCTAssertEqual([features.channels, features.height, features.width], [64, 7, 7])

        let workspace = ContextEncoderWorkspace(config: model.config, maxBatch: 1)
        var output = [Float](repeating: 0, count: Digit.pixels)
        image.withUnsafeBufferPointer { x in mask.withUnsafeBufferPointer { m in output.withUnsafeMutableBufferPointer { o in
            model.reconstruct(images: x.baseAddress!, masks: m.baseAddress!, count: 1, into: o.baseAddress!, workspace: workspace)
        } } }
        XCTAssertEqual(workspace.encoderOutput(image: 0), features)
        // A different hole changes what the encoder sees.
        XCTAssertNotEqual(model.encoderFeatures(image: image, mask: HoleRect(top: 0, left: 0, height: 14, width: 14).mask()),
                          features)
    }
}
