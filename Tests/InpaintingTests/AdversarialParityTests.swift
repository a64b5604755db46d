import Foundation
@testable import Inpainting
import NeuralCore
import TestSupport
import XCTest

/// Parity with PyTorch for adversarial training: `scripts/make_adversarial_fixture.py` (its docstring says
/// what each tensor is) runs the discriminator and one training step of `scripts/discriminator.py` on
/// formula weights; this test runs ours on the same weights and inputs.
final class AdversarialParityTests: XCTestCase {
    private struct Fixture {
        let file: SafetensorsFile
        func tensor(_ key: String) throws -> Tensor { try XCTUnwrap(file.tensors[key], "fixture: no \(key)") }
        func recipe(_ key: String) throws -> [String: [String: Any]] {
            try XCTUnwrap(JSONSerialization.jsonObject(with: Data(try XCTUnwrap(file.metadata[key]).utf8)) as? [String: [String: Any]])
        }

        /// Compares `values` (one whole tensor) with `key`, in full or at the fixture's sample indices.
        /// Tolerance: rtol·|expected| + relativeAtol·max|expected| + atol.
        func check(_ values: [Float], key: String, name: String, rtol: Float, relativeAtol: Float, atol: Float = 0,
                   file: StaticString = #filePath, line: UInt = #line) throws {
            if let full = self.file.tensors[key] {
                assertClose(values, full.data, rtol: rtol, atol: relativeAtol * maxAbs(full.data) + atol, key, file: file, line: line)
            } else {
                let index = try tensor("sample.\(name).index").data.map { Int($0) }
                let reference = try tensor("\(key).sample").data
                assertClose(index.map { values[$0] }, reference, rtol: rtol, atol: relativeAtol * maxAbs(reference) + atol, key,
                            file: file, line: line)
            }
        }
    }

    private static func maxAbs(_ values: [Float]) -> Float { values.reduce(0) { max($0, abs($1)) } }

    private func load() throws -> (Fixture, ContextEncoder, Discriminator, Float) {
        let url = try XCTUnwrap(Bundle.module.url(forResource: "adversarial_parity", withExtension: "safetensors", subdirectory: "Fixtures"),
                                "fixture missing; run scripts/make_adversarial_fixture.py")
        let fixture = Fixture(file: try SafetensorsFile.read(contentsOf: url))
        let config = ModelConfig(architecture: .strided)
        let generator = ContextEncoder(config: config, parameters: try ParityTests.formulaWeights(config: config, recipe: try fixture.recipe("weights")))
        let discriminator = Discriminator(parameters: try ParityTests.formulaWeights(layout: Discriminator.layout,
                                                                                    recipe: try fixture.recipe("disc_weights")))
        let weight = try XCTUnwrap(Float(try XCTUnwrap(fixture.file.metadata["adversarial_weight"])))
        return (fixture, generator, discriminator, weight)
    }

    func testDiscriminatorForwardAndInputGradient() throws {
        let (fixture, _, d, _) = try load()
        let images = try fixture.tensor("images").data
        let logits = d.logits(images: images, count: 3)
        assertClose(logits, try fixture.tensor("disc.logits").data, rtol: 1e-4, atol: 1e-6, "logits")
        let targets: [Float] = [1, 0, 1]
        assertClose([BinaryCrossEntropy.forward(logits: logits, targets: targets)], try fixture.tensor("disc.input_loss").data, rtol: 1e-5)
        let dImages = d.gradients(images: images, dLogits: BinaryCrossEntropy.backward(logits: logits, targets: targets), count: 3).images
        try fixture.check(dImages, key: "disc.input_grad", name: "", rtol: 1e-4, relativeAtol: 1e-5)
    }

    /// One whole training step: D's loss, gradients and Adam step, then G's combined loss and gradient
    /// through the updated D.
    func testOneAdversarialTrainingStep() throws {
        let (fixture, model, d, weight) = try load()
        let images = try fixture.tensor("images").data, masks = try fixture.tensor("masks").data
        assertClose(model.reconstruct(images: images, masks: masks, count: 3), try fixture.tensor("gen.reconstruction").data,
                    rtol: 1e-4, atol: 1e-6, "reconstruction")

        // D's loss and gradient, computed the way the step does (real then fake, accumulated).
        let y = model.reconstruct(images: images, masks: masks, count: 3)
        let xHat = (0..<y.count).map { masks[$0] * images[$0] + (1 - masks[$0]) * y[$0] }
        var lossD: Float = 0
        var gradD = d.parameters.zerosLike()
        for (batch, target) in [(images, Float(1)), (xHat, Float(0))] {
            let logits = d.logits(images: batch, count: 3), targets = [Float](repeating: target, count: 3)
            lossD += BinaryCrossEntropy.forward(logits: logits, targets: targets)
            let g = d.gradients(images: batch, dLogits: BinaryCrossEntropy.backward(logits: logits, targets: targets), count: 3).parameters
            for i in gradD.values.indices { gradD.values[i] += g.values[i] }
        }
        assertClose([lossD], try fixture.tensor("disc.loss").data, rtol: 1e-5)
        for entry in gradD.entries {
            try fixture.check(gradD.tensor(named: entry.name)!.data, key: "disc.grad.\(entry.name)", name: entry.name,
                              rtol: 1e-4, relativeAtol: 1e-5)
        }

        // The trainer's path: the hook gets L_rec's gradient and returns λ·it + (1 − λ)·the adversarial term.
        let options = AdversarialOptions(weight: weight)
        let training = AdversarialTraining(
            options: options,
            state: AdversaryState(discriminator: d, optimizer: Adam(parameterCount: d.parameters.count, hyperparameters: options.adamHyperparameters)),
            maxBatch: 3)
        let workspace = ContextEncoderWorkspace(config: model.config, maxBatch: 3)
        var gradients = model.parameters.zerosLike()
        var losses: AdversarialLosses?
        let lossRec = images.withUnsafeBufferPointer { x in masks.withUnsafeBufferPointer { m in
            model.lossAndGradients(images: x.baseAddress!, masks: m.baseAddress!, count: 3, loss: .l2, knownWeight: 0,
                                   gradients: &gradients, workspace: workspace) { output, dOutput in
                losses = training.step(images: x.baseAddress!, masks: m.baseAddress!, output: output, dOutput: dOutput, count: 3)
            }
        } }
        assertClose([lossRec], try fixture.tensor("gen.loss_rec").data, rtol: 1e-5)
        assertClose([try XCTUnwrap(losses).discriminator], try fixture.tensor("disc.loss").data, rtol: 1e-5)
        // D's first Adam step moves every weight by about lr = 2e-4 (m̂/√v̂ ≈ ±1): compared to 1 % of that.
        let stepped = training.state.discriminator.parameters
        for entry in stepped.entries {
            try fixture.check(stepped.tensor(named: entry.name)!.data, key: "disc.adam.\(entry.name)", name: entry.name,
                              rtol: 0, relativeAtol: 0, atol: 2e-6)
        }
        assertClose([try XCTUnwrap(losses).generator], try fixture.tensor("gen.loss_adv").data, rtol: 1e-4)
        for entry in gradients.entries {
            try fixture.check(gradients.tensor(named: entry.name)!.data, key: "gen.grad.\(entry.name)", name: entry.name,
                              rtol: 1e-3, relativeAtol: 1e-4)
        }
    }
}
