import Datasets
import Foundation
import Inpainting
import NeuralCore
import TerminalRuntime
import TerminalUI
import TestSupport
import XCTest

/// The UI's side of issue 14: the starting model is the bundled one of the data set browsed, a model
/// trained on other data is said in one notice (and still used), and `w` records the data set.
final class DatasetNoticeTests: XCTestCase {
    private func assets(_ files: [String: DatasetKind]) throws -> AssetsLocator {
        let directory = try temporaryDirectory(for: self)
        for (name, dataset) in files {
            try Checkpoint(model: stridedModel(seed: 2), dataset: dataset).write(to: directory.appendingPathComponent(name))
        }
        return AssetsLocator(probe: AssetsLocator.Probe(environment: [AssetsLocator.environmentVariable: directory.path],
                                                        executablePath: nil,
                                                        fileExists: { FileManager.default.fileExists(atPath: $0) }))
    }

    private func fashionSample() throws -> Dataset {
        var dataset = try bundledSample()
        dataset.location.dataset = .fashion   // the sample's digits stand in for clothes: only the label matters here
        return dataset
    }

    func testTheBundledModelOfTheDatasetIsChosen() throws {
        let locator = try assets(["model.safetensors": .mnist, "fashion-model.safetensors": .fashion])
        let fashion = try StartingModel(modelPath: nil, preset: nil, seed: 1, dataset: .fashion, locator: locator)
        XCTAssertEqual(fashion.label, "bundled (fashion-model.safetensors)")
        XCTAssertTrue(fashion.isTrained)
        XCTAssertNil(fashion.notice)
        let mnist = try StartingModel(modelPath: nil, preset: nil, seed: 1, dataset: .mnist, locator: locator)
        XCTAssertEqual(mnist.label, "bundled (model.safetensors)")
        XCTAssertNil(mnist.notice)
    }

    func testAMissingFashionModelStartsFreshWithOneLineNamingWhereItLooked() throws {
        let locator = try assets(["model.safetensors": .mnist])
        let start = try StartingModel(modelPath: nil, preset: nil, seed: 1, dataset: .fashion, locator: locator)
        XCTAssertFalse(start.isTrained)
        let notice = try XCTUnwrap(start.notice)
        XCTAssertTrue(notice.hasPrefix("fashion-model.safetensors missing, training a fresh network: no bundled copy in "
                                       + locator.candidates[0].directory.path), notice)
        XCTAssertFalse(notice.contains("\n"))
        // MNIST without its bundled model starts fresh quietly, as it always did.
        XCTAssertNil(try StartingModel(modelPath: nil, preset: nil, seed: 1, dataset: .mnist, locator: try assets([:])).notice)
    }

    func testAModelRecordedForOtherDataIsUsedWithANotice() throws {
        let locator = try assets(["fashion-model.safetensors": .mnist])   // a mislabelled file
        let start = try StartingModel(modelPath: nil, preset: nil, seed: 1, dataset: .fashion, locator: locator)
        XCTAssertTrue(start.isTrained)
        XCTAssertEqual(start.notice, "model fashion-model.safetensors was trained on MNIST, not Fashion-MNIST "
                       + "(--dataset fashion): expect poorer fills")
        let path = locator.candidates[0].directory.appendingPathComponent("fashion-model.safetensors").path
        let given = try StartingModel(modelPath: path, preset: nil, seed: 1, dataset: .mnist, locator: locator)
        XCTAssertNil(given.notice, "recorded MNIST, browsed MNIST")
        let other = try StartingModel(modelPath: path, preset: nil, seed: 1, dataset: .fashion, locator: locator)
        XCTAssertEqual(other.notice, start.notice, "--model: named by its file name, to fit one line of the terminal")
    }

    func testLoadingACheckpointOfOtherDataSaysSoOnceAndKeepsIt() throws {
        let path = try temporaryDirectory(for: self).appendingPathComponent("tui.safetensors")
        let loaded = stridedModel(seed: 9)
        try Checkpoint(model: loaded, dataset: .mnist).write(to: path)
        let runtime = UIRuntime(inference: ModelReconstructor(model: stridedModel(seed: 1)),
                                exploring: Exploration(savePath: path, learningRate: nil, dataset: try fashionSample(),
                                                       seed: 1, training: nil))
        let answers = runtime.perform([.loadCheckpoint(path: path.path)])
        let notices = answers.compactMap { if case .notice(let text) = $0 { return text } else { return nil } }
        XCTAssertEqual(notices, ["model tui.safetensors was trained on MNIST, not Fashion-MNIST (--dataset fashion): expect poorer fills"])
        XCTAssertTrue(runtime.inference.model.parameters.values == loaded.parameters.values, "the model is loaded anyway")
        // Through update: the notice is what the bottom line shows.
        var state = AppState(library: DigitLibrary(name: "t", images: TestDigits.seven(), labels: [7], dataset: .fashion),
                             style: .full)
        for answer in answers { _ = update(&state, answer) }
        XCTAssertEqual(state.notice, notices.first)
    }

    func testSaveRecordsTheDatasetBrowsed() throws {
        let path = try temporaryDirectory(for: self).appendingPathComponent("saved.safetensors")
        let runtime = UIRuntime(inference: ModelReconstructor(model: stridedModel(seed: 1)),
                                exploring: Exploration(savePath: path, learningRate: nil, dataset: try fashionSample(),
                                                       seed: 1, training: nil))
        XCTAssertEqual(runtime.perform([.saveCheckpoint(path: path.path)]), [.notice("saved \(path.path)")])
        XCTAssertEqual(try Checkpoint.read(contentsOf: path).dataset, .fashion)
        XCTAssertEqual(runtime.perform([.loadCheckpoint(path: path.path)]).first { if case .notice = $0 { true } else { false } },
                       .notice("loaded \(path.path) (step 0)"), "same data set: no notice")
    }

    func testASaveWhileTrainingRecordsTheDatasetToo() throws {
        let path = try temporaryDirectory(for: self).appendingPathComponent("trained.safetensors")
        var options = TrainingOptions()
        options.batchSize = 8
        options.evalEvery = 0
        options.maxSteps = 100_000
        let digits = [TestDigits.ring(), TestDigits.bar(), TestDigits.seven()]
        let plan = TrainingPlan.trainer(images: (0..<24).flatMap { digits[$0 % 3] }, count: 24, evaluationImages: [],
                                        evaluationCount: 0, options: options)
        let runtime = UIRuntime(inference: ModelReconstructor(model: stridedModel(seed: 2)),
                                exploring: Exploration(savePath: path, learningRate: nil, dataset: try fashionSample(),
                                                       seed: 1, training: plan))
        runtime.startTraining()
        addTeardownBlock { runtime.stop(waitingAtMost: 5) }
        _ = pollUntil(runtime) { !steps(in: $0).isEmpty }
        let saved = runtime.perform([.saveCheckpoint(path: path.path)])
        XCTAssertTrue(saved.contains { if case .notice(let text) = $0 { text.hasPrefix("saved step") } else { false } }, "\(saved)")
        let checkpoint = try Checkpoint.read(contentsOf: path)
        XCTAssertEqual(checkpoint.dataset, .fashion)
        XCTAssertNotNil(checkpoint.optimizer, "the trainer's whole state, as before")
    }
}
