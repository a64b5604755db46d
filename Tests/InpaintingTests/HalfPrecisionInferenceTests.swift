import Datasets
import Foundation
import Inpainting
import NeuralCore
import TestSupport
import XCTest

/// Issue 4 §3: a float16 copy of the channel-wise weights for inference is allowed if reconstructions stay
/// within 1/255 of float32. Checked on real digits (the bundled MNIST sample) through the bundled model.
final class HalfPrecisionInferenceTests: XCTestCase {
    var assetsDirectory: URL { repositoryAssets }

    func testFloat16ReconstructionsStayWithinOneGreyLevel() throws {
        let modelURL = assetsDirectory.appendingPathComponent(Checkpoint.bundledModelFileName)
        let imagesURL = assetsDirectory.appendingPathComponent(DataLocator.sampleImagesFileName)
        guard FileManager.default.fileExists(atPath: modelURL.path), FileManager.default.fileExists(atPath: imagesURL.path) else {
            throw XCTSkip("no bundled model or sample digits in \(assetsDirectory.path)")
        }
        var model = try Checkpoint.read(contentsOf: modelURL).model
        // The bundled weights were stored as float16, so rounding them again changes nothing; jitter them by a
        // float32 ulp-scale amount (about 2⁻¹³ relative) so that they stand for a model fresh from training.
        var g = SeededGenerator(seed: 60)
        model.parameters.values = model.parameters.values.map { $0 * (1 + g.uniform(-1.2e-4, 1.2e-4)) }
        let digits = try IDXImages(contentsOf: imagesURL)
        let count = 64
        let images = Array(digits.pixels.prefix(count * Digit.pixels))
        var masks: [Float] = []
        for n in 0..<count {
            let top = 3 + (5 * n) % 12, left = 2 + (7 * n) % 14
            masks += HoleRect(top: top, left: left, height: 8 + n % 7, width: 9 + n % 6).mask()
        }
        let full = model.fill(images: images, masks: masks, count: count, output: .reconstruction, precision: .float32)
        // One image at a time (the UI's path) and a whole batch (fill's).
        for batch in [1, count] {
            let half = model.fill(images: images, masks: masks, count: count, output: .reconstruction, batchSize: batch,
                                  precision: .float16)
            let drift = zip(full, half).reduce(Float(0)) { max($0, abs($1.0 - $1.1)) }
            XCTAssertLessThan(drift, 1 / 255, "batch \(batch)")
            XCTAssertGreaterThan(drift, 0, "batch \(batch): float16 weights should move some pixel a little")
        }
    }

    /// A workspace remakes its float16 and int8 copies when the parameters change (a new training snapshot).
    func testNewParametersAreConvertedAgain() {
        var g = SeededGenerator(seed: 61)
        let config = ModelConfig(architecture: .strided)
        let image = (0..<Digit.pixels).map { _ in g.nextUnitFloat() }
        let mask = HoleRect(top: 8, left: 8, height: 10, width: 10).mask()
        for precision in [InferencePrecision.float16, .int8] {
            var model = ContextEncoder(config: config, generator: &g)
            let workspace = ContextEncoderWorkspace(config: config, maxBatch: 1)
            var first = [Float](repeating: 0, count: Digit.pixels), second = first
            model.reconstruct(images: image, masks: mask, count: 1, into: &first, workspace: workspace, precision: precision)
            model.parameters.values = model.parameters.values.map { -$0 }
            model.reconstruct(images: image, masks: mask, count: 1, into: &second, workspace: workspace, precision: precision)
            let expected = model.reconstruct(images: image, masks: mask, count: 1, precision: precision) as [Float]
            XCTAssertEqual(second, expected, "\(precision)")
            XCTAssertNotEqual(first, second, "\(precision)")
        }
    }
}

/// A single image through a 2-worker workspace (convolutions split by output channel, the channel-wise layer
/// by channel) equals the 1-worker pass, for both architectures and precisions.
final class SingleImageSplitTests: XCTestCase {
    func testTwoWorkersReconstructOneImageLikeOne() {
        var g = SeededGenerator(seed: 62)
        for config in [ModelConfig(architecture: .paper, bias: true, maskChannel: true), ModelConfig(architecture: .strided)] {
            let model = ContextEncoder(config: config, generator: &g)
            let image = (0..<Digit.pixels).map { _ in g.nextUnitFloat() }
            let mask = HoleRect(top: 5, left: 9, height: 11, width: 8).mask()
            for precision in InferencePrecision.allCases {
                var outputs: [[Float]] = []
                for workers in [1, 2] {
                    let ws = ContextEncoderWorkspace(config: config, maxBatch: 1, concurrency: workers)
                    var y = [Float](repeating: 0, count: Digit.pixels)
                    model.reconstruct(images: image, masks: mask, count: 1, into: &y, workspace: ws, precision: precision)
                    outputs.append(y)
                }
                assertClose(outputs[1], outputs[0], rtol: 1e-5, atol: 1e-6, "\(config.architecture) \(precision)")
            }
        }
    }
}
