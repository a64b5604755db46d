@testable import Datasets
import Foundation
@testable import Inpainting
import NeuralCore
import TestSupport
import XCTest

/// The discriminator's gradients against finite differences (weights and input image), and the adversarial
/// step's gradient against a finite difference of L_G = λ·L_rec + (1 − λ)·L_adv through the whole generator.
final class DiscriminatorTests: XCTestCase {
    private func discriminator(seed: UInt64 = 71) -> Discriminator {
        var g = SeededGenerator(seed: seed)
        return Discriminator(generator: &g)
    }

    /// A loss with mixed targets, so that both branches of the BCE gradient are exercised.
    private func loss(_ d: Discriminator, _ images: [Float], _ targets: [Float]) -> Double {
        Double(BinaryCrossEntropy.forward(logits: d.logits(images: images, count: targets.count), targets: targets))
    }

    func testLayoutHasPyTorchNamesAndShapes() {
        let d = discriminator()
        XCTAssertEqual(d.parameters.names, ["disc.0.weight", "disc.0.bias", "disc.2.weight", "disc.2.bias", "disc.5.weight", "disc.5.bias"])
        XCTAssertEqual(d.parameters.entries.map(\.shape), [[32, 1, 4, 4], [32], [64, 32, 4, 4], [64], [1, 3136], [1]])
        XCTAssertEqual(d.parameters.count, 512 + 32 + 32768 + 64 + 3136 + 1)
    }

    // Finite differences through a LeakyReLU network in Float32 are caught between two errors: the logits
    // carry about 1e-6 of rounding, which swamps ε·∂L/∂θ when ε is small, and with a large ε some of the
    // thousands of LeakyReLU units change side. ε = 1e-3 and a tolerance of 2 % of the tensor's largest
    // gradient sit between the two; a wrong index or slope in backward moves entries by far more (checked by
    // breaking it). The exact check is the PyTorch parity test; the last layer, with no kink after it, is
    // checked tightly.

    func testWeightGradientsMatchFiniteDifferences() {
        var g = SeededGenerator(seed: 72)
        var d = discriminator()
        // Larger weights than the initialisation, so that the logits leave the sigmoid's linear middle.
        d.parameters.values = d.parameters.values.map { $0 * 3 }
        let images = randomFloats(2 * Digit.pixels, &g, 0, 1), targets: [Float] = [1, 0]
        let dLogits = BinaryCrossEntropy.backward(logits: d.logits(images: images, count: 2), targets: targets)
        let analytic = d.gradients(images: images, dLogits: dLogits, count: 2).parameters
        for entry in analytic.entries {
            let range = entry.offset..<(entry.offset + entry.count)
            let largest = Double(analytic.values[range].reduce(0) { max($0, abs($1)) })
            let smooth = entry.name.hasPrefix("disc.5")
            checkGradient(entry.name, at: d.parameters.values, analytic: analytic.values,
                          indices: sampleIndices(16, in: entry.count, &g).map { $0 + entry.offset },
                          epsilon: smooth ? 1e-2 : 1e-3, rtol: smooth ? 1e-2 : 5e-2,
                          atol: smooth ? 1e-5 : 2e-2 * largest) { values in
                var perturbed = d
                perturbed.parameters.values = values
                return loss(perturbed, images, targets)
            }
        }
    }

    func testInputGradientMatchesFiniteDifferences() {
        var g = SeededGenerator(seed: 73)
        var d = discriminator()
        d.parameters.values = d.parameters.values.map { $0 * 3 }
        let images = randomFloats(2 * Digit.pixels, &g, 0, 1), targets: [Float] = [0, 1]
        let dLogits = BinaryCrossEntropy.backward(logits: d.logits(images: images, count: 2), targets: targets)
        let analytic = d.gradients(images: images, dLogits: dLogits, count: 2).images
        let largest = Double(analytic.reduce(0) { max($0, abs($1)) })
        checkGradient("dImages", at: images, analytic: analytic, indices: sampleIndices(60, in: images.count, &g),
                      epsilon: 1e-3, rtol: 5e-2, atol: 2e-2 * largest) { loss(d, $0, targets) }
    }

    /// The generator's gradient with the adversarial term: compared with central differences of
    /// λ·L_rec(θ) + (1 − λ)·BCE(D'(x̂(θ)), 1) in a few of G's weights, D' being D after its step: the
    /// trainer updates D before G's gradient is taken, so G's step sees D' as a constant.
    func testGeneratorGradientIncludesTheAdversarialTerm() {
        var g = SeededGenerator(seed: 74)
        let config = ModelConfig(architecture: .strided)
        let model = ContextEncoder(config: config, generator: &g)
        let count = 4
        let images = (0..<count).flatMap { _ in randomFloats(Digit.pixels, &g, 0, 1) }
        let masks = (0..<count).flatMap { _ in RectangleHoleSampler().sample(using: &g).mask() }
        // Mostly adversarial, and a D with 3× its initial weights, so that the adversarial part dominates the
        // gradient (with the initial D and λ = 0.999 it would hide inside the tolerance).
        let options = AdversarialOptions(weight: 0.9)
        var state = AdversaryState(options: options, seed: 5)
        state.discriminator.parameters.values = state.discriminator.parameters.values.map { $0 * 3 }
        let training = AdversarialTraining(options: options, state: state, maxBatch: count)
        let workspace = ContextEncoderWorkspace(config: config, maxBatch: count)
        var gradients = model.parameters.zerosLike()
        images.withUnsafeBufferPointer { x in masks.withUnsafeBufferPointer { m in
            _ = model.lossAndGradients(images: x.baseAddress!, masks: m.baseAddress!, count: count, loss: .l2, knownWeight: 0,
                                       gradients: &gradients, workspace: workspace) { y, dy in
                _ = training.step(images: x.baseAddress!, masks: m.baseAddress!, output: y, dOutput: dy, count: count)
            }
        } }
        let updated = training.state.discriminator
        func objective(_ parameters: [Float]) -> Double {
            var perturbed = model
            perturbed.parameters.values = parameters
            let y = perturbed.reconstruct(images: images, masks: masks, count: count)
            let xHat = (0..<y.count).map { masks[$0] * images[$0] + (1 - masks[$0]) * y[$0] }
            let rec = MaskedLoss.l2.forward(prediction: y, target: images, mask: masks)
            let adv = BinaryCrossEntropy.forward(logits: updated.logits(images: xHat, count: count),
                                                 targets: [Float](repeating: 1, count: count))
            return Double(1 - options.weight) * Double(rec) + Double(options.weight) * Double(adv)
        }
        // The last decoder layer: its weights move the output directly, so the differences are well above rounding.
        let last = gradients.entries.last!
        let indices = sampleIndices(16, in: last.count, &g).map { $0 + last.offset }
        checkGradient("G with adversarial term", at: model.parameters.values, analytic: gradients.values, indices: indices,
                      epsilon: 1e-2, rtol: 3e-2, atol: 1e-5, loss: objective)
    }
}

/// The discriminator inside a checkpoint file: written, read back exactly, and refused when incomplete.
final class DiscriminatorCheckpointTests: XCTestCase {
    private func checkpoint() -> Checkpoint {
        var g = SeededGenerator(seed: 81)
        let model = ContextEncoder(config: ModelConfig(architecture: .strided), generator: &g)
        let d = Discriminator(generator: &g)
        var moments = AdamState(parameterCount: d.parameters.count)
        moments.step = 7
        moments.m = randomFloats(moments.m.count, &g)
        moments.v = randomFloats(moments.v.count, &g, 0, 1)
        return Checkpoint(model: model, discriminator: d, discriminatorOptimizer: moments)
    }

    private func temporaryURL() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("disc-\(UUID()).safetensors")
    }

    func testRoundTrip() throws {
        let url = temporaryURL()
        defer { try? FileManager.default.removeItem(at: url) }
        let original = checkpoint()
        try original.write(to: url)
        XCTAssertEqual(try Checkpoint.read(contentsOf: url), original)
        let file = try SafetensorsFile.read(contentsOf: url)
        XCTAssertEqual(file.metadata["optim.disc.step"], "7")
        XCTAssertTrue(file.names.contains("optim.m.disc.2.weight") && file.names.contains("optim.v.disc.5.bias"))
    }

    func testMissingOrStrayTensorsAreNamed() throws {
        let url = temporaryURL(), broken = temporaryURL()
        defer { try? FileManager.default.removeItem(at: url); try? FileManager.default.removeItem(at: broken) }
        try checkpoint().write(to: url)
        let file = try SafetensorsFile.read(contentsOf: url)
        let tensors = file.tensors
        func rewrite(dropping dropped: String, adding extra: [SafetensorsEntry] = []) throws -> CheckpointError? {
            let entries = file.names.filter { $0 != dropped }.map { SafetensorsEntry(name: $0, tensor: tensors[$0]!) } + extra
            try SafetensorsFile.write(entries, metadata: file.metadata, to: broken)
            do { _ = try Checkpoint.read(contentsOf: broken); return nil } catch { return error }
        }
        let missing = try XCTUnwrap(try rewrite(dropping: "disc.2.bias"))
        XCTAssertTrue(missing.description.contains("missing discriminator tensor disc.2.bias"), missing.description)
        let moment = try XCTUnwrap(try rewrite(dropping: "optim.v.disc.0.weight"))
        XCTAssertTrue(moment.description.contains("optim.v.disc.0.weight"), moment.description)
        let stray = try XCTUnwrap(try rewrite(dropping: "", adding: [SafetensorsEntry(name: "disc.9.weight", tensor: Tensor(shape: [2]))]))
        XCTAssertTrue(stray.description.contains("unexpected discriminator tensor disc.9.weight"), stray.description)
    }
}
