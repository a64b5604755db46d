@testable import Datasets
import Foundation
@testable import Inpainting
import NeuralCore
import TestSupport
import XCTest

final class CheckpointTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("checkpoint-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    private func model(_ config: ModelConfig = ModelConfig(architecture: .strided), seed: UInt64 = 7) -> ContextEncoder {
        var generator = SeededGenerator(seed: seed)
        return ContextEncoder(config: config, generator: &generator)
    }

    /// Equal models, compared without printing 10 million floats when they differ.
    private func assertSameModel(_ a: ContextEncoder, _ b: ContextEncoder, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.config, b.config, file: file, line: line)
        XCTAssertEqual(a.parameters.entries, b.parameters.entries, file: file, line: line)
        XCTAssertTrue(a.parameters.values == b.parameters.values, "parameter values differ", file: file, line: line)
    }

    private func url(_ name: String) -> URL { directory.appendingPathComponent(name) }

    /// The model's tensors as safetensors entries, for hand-made (possibly broken) files.
    private func entries(_ model: ContextEncoder) -> [SafetensorsEntry] {
        model.parameters.entries.map { SafetensorsEntry(name: $0.name, tensor: model.parameters.tensor(named: $0.name)!) }
    }

    private func configJSON(_ config: ModelConfig) throws -> String {
        String(decoding: try JSONEncoder().encode(config), as: UTF8.self)
    }

    private func assertReadFails(_ url: URL, mentioning words: [String], file: StaticString = #filePath, line: UInt = #line) {
        do {
            _ = try Checkpoint.read(contentsOf: url)
            XCTFail("read a broken checkpoint", file: file, line: line)
        } catch {
            XCTAssertTrue(error.description.hasPrefix(url.path + ": "), error.description, file: file, line: line)
            XCTAssertFalse(error.description.contains("\n"), error.description, file: file, line: line)
            for word in words {
                XCTAssertTrue(error.description.contains(word), "\(error.description) lacks \(word)", file: file, line: line)
            }
        }
    }

    // MARK: Round trips

    func testRoundTripWithTrainingStateAndOptimizer() throws {
        let encoder = model(ModelConfig(architecture: .strided, bias: true, maskChannel: true))
        let n = encoder.parameters.count
        var moments = AdamState(parameterCount: n)
        moments.step = 12; moments.m = (0..<n).map { Float($0) * 1e-3 }; moments.v = (0..<n).map { Float($0) * 1e-12 }
        var training = TrainingState(step: 12, epoch: 1, seed: 99)
        training.loss = LossSummary(lastTraining: 0.25, lastEvaluation: .nan, bestEvaluation: 0.2,
                                    curve: [.init(step: 10, training: 0.3, evaluation: 0.2)])
        training.notes["dataset"] = "mnist"
        let written = Checkpoint(model: encoder, training: training, optimizer: moments)
        try written.write(to: url("a.safetensors"))
        let read = try Checkpoint.read(contentsOf: url("a.safetensors"))
        assertSameModel(read.model, encoder)
        XCTAssertTrue(read.optimizer == moments, "optimizer moments differ")
        XCTAssertEqual(read.training.step, 12)
        XCTAssertEqual(read.training.seed, 99)
        XCTAssertEqual(read.training.notes, ["dataset": "mnist"])
        XCTAssertEqual(read.training.loss.curve, training.loss.curve)
        XCTAssertTrue(read.training.loss.lastEvaluation!.isNaN, "a NaN loss survives the JSON metadata")
    }

    func testTensorNamesFollowThePyTorchStateDict() throws {
        let encoder = model(ModelConfig(architecture: .paper))
        try Checkpoint(model: encoder).write(to: url("paper.safetensors"))
        let file = try SafetensorsFile.read(contentsOf: url("paper.safetensors"))
        XCTAssertEqual(file.names, ["enc.0.weight", "enc.2.weight", "enc.4.weight", "fc.weight",
                                    "dec.0.weight", "dec.2.weight", "dec.4.weight"])
        XCTAssertEqual(file.info(named: "fc.weight")?.shape, [16, 784, 784])
        XCTAssertEqual(file.info(named: "dec.4.weight")?.shape, [16, 1, 5, 5], "ConvTranspose2d layout [in, out, kh, kw]")
        XCTAssertEqual(file.metadata["format"], "pt")
        XCTAssertNotNil(file.metadata["inpaint.config"])
        XCTAssertEqual(encoder.parameters.count, 9_860_896, "issue 3 §5")
    }

    func testHalfStorageRoundsWeightsToFloat16() throws {
        let encoder = model()
        try Checkpoint(model: encoder).write(to: url("half.safetensors"), storage: .f16)
        let read = try Checkpoint.read(contentsOf: url("half.safetensors"))
        XCTAssertTrue(read.model.parameters.values == encoder.parameters.values.map { Float(Float16($0)) }, "not the float16 roundings")
        XCTAssertEqual(try SafetensorsFile.read(contentsOf: url("half.safetensors")).info(named: "fc.weight")?.dtype, .f16)
    }

    func testConfigIsInferredFromAFileWithoutOurMetadata() throws {
        // As saved by PyTorch's save_file(model.state_dict()): tensors only.
        // pooled shares strided's fc shape; only its later encoder names (enc.3, enc.6) tell them apart.
        for config in [ModelConfig(architecture: .strided, bias: true, maskChannel: true), ModelConfig(architecture: .strided),
                       ModelConfig(architecture: .pooled), ModelConfig(architecture: .pooled, bias: true, maskChannel: true)] {
            let encoder = model(config)
            try SafetensorsFile.write(entries(encoder), to: url("torch.safetensors"))
            let read = try Checkpoint.read(contentsOf: url("torch.safetensors"))
            assertSameModel(read.model, encoder)
            XCTAssertNil(read.optimizer)
        }
    }

    // MARK: Files that do not match their configuration

    func testMissingTensorIsNamed() throws {
        let config = ModelConfig(architecture: .strided)
        try SafetensorsFile.write(entries(model(config)).filter { $0.name != "dec.4.weight" },
                                  metadata: ["inpaint.config": configJSON(config)], to: url("m.safetensors"))
        assertReadFails(url("m.safetensors"), mentioning: ["missing tensor dec.4.weight", "strided"])
    }

    func testUnexpectedTensorIsNamed() throws {
        let config = ModelConfig(architecture: .strided)
        var list = entries(model(config))
        list.append(SafetensorsEntry(name: "enc.0.bias", tensor: Tensor(shape: [16])))
        try SafetensorsFile.write(list, metadata: ["inpaint.config": configJSON(config)], to: url("u.safetensors"))
        assertReadFails(url("u.safetensors"), mentioning: ["unexpected tensor enc.0.bias", "no biases"])
    }

    func testWrongShapeIsNamed() throws {
        let config = ModelConfig(architecture: .strided)
        let list = entries(model(config)).map { entry -> SafetensorsEntry in
            guard entry.name == "enc.0.weight" else { return entry }
            return SafetensorsEntry(name: entry.name, tensor: entry.tensor.reshaped([16, 1, 2, 8]))
        }
        try SafetensorsFile.write(list, metadata: ["inpaint.config": configJSON(config)], to: url("s.safetensors"))
        assertReadFails(url("s.safetensors"), mentioning: ["enc.0.weight", "[16, 1, 2, 8]", "[16, 1, 4, 4]"])
    }

    func testBadMetadataIsReported() throws {
        let encoder = model()
        try SafetensorsFile.write(entries(encoder), metadata: ["inpaint.config": "{\"architecture\": \"dilated\"}"], to: url("c.safetensors"))
        assertReadFails(url("c.safetensors"), mentioning: ["inpaint.config"])
        try SafetensorsFile.write(entries(encoder), metadata: ["inpaint.config": "{\"kernelSize\": 4}"], to: url("k.safetensors"))
        assertReadFails(url("k.safetensors"), mentioning: ["inpaint.config", "kernelSize", "4"])
        try SafetensorsFile.write(entries(encoder), metadata: ["inpaint.config": try configJSON(encoder.config), "inpaint.training": "[1"],
                                  to: url("t.safetensors"))
        assertReadFails(url("t.safetensors"), mentioning: ["inpaint.training"])
    }

    func testIncompleteOptimizerStateIsRejected() throws {
        let encoder = model()
        var moments = AdamState(parameterCount: encoder.parameters.count)
        moments.step = 1; moments.m = encoder.parameters.values; moments.v = encoder.parameters.values
        try Checkpoint(model: encoder, optimizer: moments)
            .write(to: url("o.safetensors"))
        let file = try SafetensorsFile.read(contentsOf: url("o.safetensors"))
        let kept = file.infos.filter { $0.name != "optim.v.fc.weight" }.map {
            SafetensorsEntry(name: $0.name, tensor: file.tensors[$0.name]!)
        }
        try SafetensorsFile.write(kept, metadata: file.metadata, to: url("o2.safetensors"))
        assertReadFails(url("o2.safetensors"), mentioning: ["optim.v.fc.weight"])
        var noStep = file.metadata
        noStep["optim.step"] = nil
        try SafetensorsFile.write(file.infos.map { SafetensorsEntry(name: $0.name, tensor: file.tensors[$0.name]!) },
                                  metadata: noStep, to: url("o3.safetensors"))
        assertReadFails(url("o3.safetensors"), mentioning: ["optim.step"])
    }

    func testNotACheckpoint() throws {
        try SafetensorsFile.write([SafetensorsEntry(name: "x", tensor: Tensor(shape: [1]))], to: url("x.safetensors"))
        assertReadFails(url("x.safetensors"), mentioning: ["fc.weight"])
        try Data("hello".utf8).write(to: url("hello.safetensors"))
        assertReadFails(url("hello.safetensors"), mentioning: ["8"])
    }

    func testTrainingStateDecodesWithMissingFields() throws {
        let state = try JSONDecoder().decode(TrainingState.self, from: Data(#"{"step": 5}"#.utf8))
        XCTAssertEqual(state, TrainingState(step: 5))
    }

    func testMissingBundledModelSaysWhatToDo() {
        let nowhere = AssetsLocator(probe: AssetsLocator.Probe(environment: [:], executablePath: nil, fileExists: { _ in false }))
        XCTAssertThrowsError(try Checkpoint.bundledModel(locator: nowhere)) { error in
            XCTAssertTrue("\(error)".contains("--model"), "\(error)")
        }
    }
}

extension CheckpointTests {
    func testTrainerStateSurvivesACheckpoint() throws {
        var options = TrainingOptions()
        options.batchSize = 8; options.learningRate = 2e-4; options.beta1 = 0.5; options.seed = 42; options.knownWeight = 0.1
        let encoder = model()
        var adam = Adam(parameterCount: encoder.parameters.count, hyperparameters: options.adamHyperparameters)
        var weights = encoder.parameters.values
        adam.step(parameters: &weights, gradients: weights.map { $0 * 0.5 + 1e-3 })
        var stepped = encoder
        stepped.parameters.values = weights
        let state = TrainingCheckpoint(model: stepped, optimizer: adam, step: 1, options: options)

        try Checkpoint(state, epoch: 0).write(to: url("trainer.safetensors"))
        let read = try Checkpoint.read(contentsOf: url("trainer.safetensors"))
        XCTAssertEqual(read.training.options, options)
        XCTAssertEqual(read.training.optimizer, options.adamHyperparameters)
        let resumed = read.trainingCheckpoint()
        XCTAssertEqual(resumed.step, 1)
        XCTAssertEqual(resumed.options, options)
        XCTAssertTrue(resumed.optimizer == adam, "Adam's hyper-parameters and moments come back exactly")
        assertSameModel(resumed.model, stepped)
    }

    func testCheckpointWithoutMomentsResumesWithFreshAdam() throws {
        let encoder = model()
        try Checkpoint(model: encoder, training: TrainingState(step: 5)).write(to: url("bare.safetensors"))
        let resumed = try Checkpoint.read(contentsOf: url("bare.safetensors")).trainingCheckpoint()
        XCTAssertEqual(resumed.step, 5)
        XCTAssertEqual(resumed.optimizer.state.step, 5)
        XCTAssertTrue(resumed.optimizer.state.m.allSatisfy { $0 == 0 })
    }
}

extension CheckpointTests {
    func testHalfPrecisionDriftIsWhatFloat16StorageLoadsAs() throws {
        let encoder = model(ModelConfig(architecture: .strided, bias: true))
        try Checkpoint(model: encoder).write(to: url("h.safetensors"), storage: .f16)
        let loaded = try Checkpoint.read(contentsOf: url("h.safetensors")).model
        XCTAssertTrue(loaded.parameters.values == encoder.roundedToHalf().parameters.values)

        var generator = SeededGenerator(seed: 3)
        let images = (0 ..< 5 * Digit.pixels).map { _ in generator.nextUnitFloat() }
        let drift = encoder.halfPrecisionDrift(images: images, count: 5, seed: 1)
        XCTAssertGreaterThan(drift, 0, "float16 rounding changes something")
        XCTAssertLessThan(drift, 1.0 / 255, "a fresh model's float16 copy stays within a grey level")
    }
}
