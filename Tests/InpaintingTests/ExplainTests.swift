import Datasets
import Foundation
import Inpainting
import NeuralCore
import TestSupport
import XCTest

/// `ContextEncoder.explain`: the gradient of one output pixel with respect to the masked input, checked
/// against PyTorch's autograd (Fixtures/explain_bundled.json, made by scripts/make_explain_fixture.py from
/// the bundled model and sample) and against finite differences on a fresh model.
final class ExplainTests: XCTestCase {
    struct Fixture: Decodable {
        struct Case: Decodable {
            var index: Int
            var hole: [Int]
            var pixel: [Int]
            var value: Float
            var gradient: [Float]
            var mask_channel_gradient: [Float]?
        }
        var model: String
        var images: String
        var cases: [Case]
    }

    static func fixture() throws -> Fixture {
        let url = try XCTUnwrap(Bundle.module.url(forResource: "explain_bundled", withExtension: "json", subdirectory: "Fixtures"))
        return try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
    }

    static func relativeL2(_ a: [Float], _ b: [Float]) -> Double {
        let difference = zip(a, b).map { Double($0 - $1) * Double($0 - $1) }.reduce(0, +)
        let norm = b.map { Double($0) * Double($0) }.reduce(0, +)
        return (difference / max(norm, 1e-300)).squareRoot()
    }

    func testMatchesPyTorchAutogradOnTheBundledModel() throws {
        let fixture = try Self.fixture()
        let root = repositoryAssets.deletingLastPathComponent()
        let modelURL = root.appendingPathComponent(fixture.model)
        guard FileManager.default.fileExists(atPath: modelURL.path) else { throw XCTSkip("no bundled model at \(modelURL.path)") }
        let model = try Checkpoint.read(contentsOf: modelURL).model
        let stack = try IDXImages(contentsOf: root.appendingPathComponent(fixture.images))
        XCTAssertEqual(fixture.cases.count, 2)
        for c in fixture.cases {
            let image = Array(stack.pixels[c.index * Digit.pixels ..< (c.index + 1) * Digit.pixels])
            let mask = HoleRect(top: c.hole[0], left: c.hole[1], height: c.hole[2], width: c.hole[3]).mask()
            let e = model.explain(image: image, mask: mask, pixel: c.pixel[0] * Digit.side + c.pixel[1])
            XCTAssertEqual(e.value, c.value, accuracy: 1e-5, "case \(c.index)")
            XCTAssertEqual(e.inputGradient.count, Digit.pixels)
            let error = Self.relativeL2(e.inputGradient, c.gradient)
            XCTAssertLessThanOrEqual(error, 1e-4, "case \(c.index): relative L2 error of the input gradient \(error)")
            let maskGradient = try XCTUnwrap(e.maskChannelGradient)
            let maskError = Self.relativeL2(maskGradient, try XCTUnwrap(c.mask_channel_gradient))
            XCTAssertLessThanOrEqual(maskError, 1e-4, "case \(c.index): mask channel, relative L2 error \(maskError)")
            // Not a vacuous match: the gradient is spread over many pixels, not zero.
            XCTAssertGreaterThan(c.gradient.filter { $0 != 0 }.count, 100)
            // The feature contributions are the first-order shares: the top map is the largest in magnitude.
            let top = e.featureContributions.map(abs).max()!
            XCTAssertEqual(abs(e.featureContributions[e.topFeature]), top)
            XCTAssertEqual(e.topFeatureMap.count, e.featureHeight * e.featureWidth)
        }
    }

    /// Independent of PyTorch: central differences of the output pixel over input pixels, on a fresh model with
    /// biases (so the fill is not zero at the hole's zeroed pixels), for the pixels that matter most.
    func testMatchesFiniteDifferences() {
        var generator = SeededGenerator(seed: 7)
        let model = ContextEncoder(config: ModelConfig(architecture: .paper, bias: true, maskChannel: true), generator: &generator)
        let image = (0..<Digit.pixels).map { q -> Float in
            let r = q / Digit.side, c = q % Digit.side
            return (8...19).contains(r) && (10...17).contains(c) ? 0.9 : 0.05
        }
        let hole = HoleRect(top: 10, left: 9, height: 7, width: 9)
        let mask = hole.mask()
        let pixel = 13 * Digit.side + 13
        let e = model.explain(image: image, mask: mask, pixel: pixel)
        let workspace = ContextEncoderWorkspace(config: model.config, maxBatch: 1)
        func output(_ input: [Float]) -> Double {
            // x ⊙ M with M fixed: perturb a known pixel through x (M = 1 there), a hole pixel cannot be moved by x.
            var out = [Float](repeating: 0, count: Digit.pixels)
            input.withUnsafeBufferPointer { x in mask.withUnsafeBufferPointer { m in out.withUnsafeMutableBufferPointer { o in
                model.reconstruct(images: x.baseAddress!, masks: m.baseAddress!, count: 1, into: o.baseAddress!, workspace: workspace)
            } } }
            return Double(out[pixel])
        }
        let known = (0..<Digit.pixels).filter { mask[$0] == 1 }
        let strongest = known.sorted { abs(e.inputGradient[$0]) > abs(e.inputGradient[$1]) }.prefix(8)
        XCTAssertGreaterThan(abs(e.inputGradient[strongest.first!]), 1e-4)
        for q in strongest {
            var plus = image, minus = image
            let h: Float = 1e-2
            plus[q] += h; minus[q] -= h
            let numeric = (output(plus) - output(minus)) / Double(2 * h)
            let analytic = Double(e.inputGradient[q])
            XCTAssertEqual(analytic, numeric, accuracy: 0.05 * abs(numeric) + 1e-5, "pixel \(q)")
        }
        // The explain pass changes nothing: the same reconstruction after it.
        XCTAssertEqual(Float(output(image)), e.value, accuracy: 1e-6)
    }

    /// `PixelExplainer` (one workspace and one never-zeroed weight-gradient sink for every call) gives the
    /// same answer as `explain`'s fresh buffers, bit for bit: on a second call (the sink holds the first
    /// call's gradients), for another pixel, and after the weights changed (it reads the model it is given).
    func testReusedExplainerMatchesFreshExplain() {
        var generator = SeededGenerator(seed: 11)
        var model = ContextEncoder(config: ModelConfig(architecture: .paper, bias: true, maskChannel: true), generator: &generator)
        let image = (0..<Digit.pixels).map { q -> Float in (q % 5 == 0 || q / Digit.side == 14) ? 0.8 : 0.1 }
        let mask = HoleRect(top: 9, left: 7, height: 10, width: 12).mask()
        let explainer = PixelExplainer(config: model.config)
        for pixel in [14 * Digit.side + 12, 14 * Digit.side + 12, 10 * Digit.side + 8] {
            let fresh = model.explain(image: image, mask: mask, pixel: pixel)
            let reused = explainer.explain(model, image: image, mask: mask, pixel: pixel)
            XCTAssertEqual(reused.inputGradient, fresh.inputGradient, "pixel \(pixel)")
            XCTAssertEqual(reused.maskChannelGradient, fresh.maskChannelGradient)
            XCTAssertEqual(reused.featureContributions, fresh.featureContributions)
            XCTAssertEqual(reused.value, fresh.value)
            XCTAssertGreaterThan(fresh.inputGradient.filter { $0 != 0 }.count, 100)
        }
        for i in model.parameters.values.indices { model.parameters.values[i] *= 1.1 }
        let pixel = 13 * Digit.side + 13
        let fresh = model.explain(image: image, mask: mask, pixel: pixel)
        XCTAssertEqual(explainer.explain(model, image: image, mask: mask, pixel: pixel).inputGradient, fresh.inputGradient)
    }
}
