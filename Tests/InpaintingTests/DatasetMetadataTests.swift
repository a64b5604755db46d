import Datasets
import Foundation
@testable import Inpainting
import NeuralCore
import TestSupport
import XCTest

/// Issue 14: every checkpoint records the data set it was trained on (`inpaint.dataset`); a file without
/// it counts as MNIST; the bundled model is the one of the data set asked for.
final class DatasetMetadataTests: XCTestCase {
    private func model(seed: UInt64 = 3) -> ContextEncoder {
        var generator = SeededGenerator(seed: seed)
        return ContextEncoder(config: ModelConfig(architecture: .strided), generator: &generator)
    }

    func testCheckpointsRecordTheirDatasetAndReadItBack() throws {
        let directory = try temporaryDirectory(for: self)
        for dataset in DatasetKind.allCases {
            let url = directory.appendingPathComponent("\(dataset).safetensors")
            try Checkpoint(model: model(), dataset: dataset).write(to: url, storage: .f16)
            XCTAssertEqual(try SafetensorsFile.read(contentsOf: url).metadata["inpaint.dataset"], dataset.rawValue)
            XCTAssertEqual(try Checkpoint.read(contentsOf: url).dataset, dataset)
        }
        // The trainer's checkpoints (train --out, --resume) too.
        let encoder = model()
        let state = TrainingCheckpoint(model: encoder, optimizer: Adam(parameterCount: encoder.parameters.count),
                                       step: 4, options: TrainingOptions())
        let url = directory.appendingPathComponent("trainer.safetensors")
        try Checkpoint(state, epoch: 1, dataset: .fashion).write(to: url)
        let read = try Checkpoint.read(contentsOf: url)
        XCTAssertEqual(read.dataset, .fashion)
        XCTAssertEqual(read.training.step, 4)
    }

    func testAFileWithoutTheFieldIsMNISTAndAnUnknownOneIsAnError() throws {
        let directory = try temporaryDirectory(for: self)
        let written = directory.appendingPathComponent("fashion.safetensors")
        try Checkpoint(model: model(), dataset: .fashion).write(to: written)
        let file = try SafetensorsFile.read(contentsOf: written)
        func rewrite(_ name: String, dataset: String?) throws -> URL {
            var metadata = file.metadata
            metadata["inpaint.dataset"] = dataset
            let url = directory.appendingPathComponent(name)
            try SafetensorsFile.write(file.infos.map { SafetensorsEntry(name: $0.name, tensor: file.tensors[$0.name]!) },
                                      metadata: metadata, to: url)
            return url
        }
        XCTAssertEqual(try Checkpoint.read(contentsOf: rewrite("old.safetensors", dataset: nil)).dataset, .mnist)
        let bad = try rewrite("bad.safetensors", dataset: "cifar")
        XCTAssertThrowsError(try Checkpoint.read(contentsOf: bad)) { error in
            XCTAssertTrue("\(error)".contains("inpaint.dataset") && "\(error)".contains("cifar")
                          && "\(error)".contains("mnist, fashion"), "\(error)")
        }
    }

    func testTheBundledMNISTModelHasNoFieldAndCountsAsMNIST() throws {
        let url = repositoryAssets.appendingPathComponent(Checkpoint.bundledModelFileName)
        guard FileManager.default.fileExists(atPath: url.path) else { throw XCTSkip("no bundled model at \(url.path)") }
        XCTAssertNil(try SafetensorsFile.read(contentsOf: url).metadata["inpaint.dataset"], "the bundled file is not rewritten")
        XCTAssertEqual(try Checkpoint.read(contentsOf: url).dataset, .mnist)
    }

    func testTheMismatchNoticeIsOneLineOnlyWhenTheDatasetsDiffer() {
        XCTAssertNil(DatasetKind.fashion.mismatchNotice("model", file: "m.safetensors", wanted: .fashion))
        XCTAssertEqual(DatasetKind.mnist.mismatchNotice("model", file: "m.safetensors", wanted: .fashion),
                       "model m.safetensors was trained on MNIST, not Fashion-MNIST (--dataset fashion): expect poorer fills")
        XCTAssertEqual(DatasetKind.fashion.mismatchNotice("classifier", file: "c.safetensors", wanted: .mnist),
                       "classifier c.safetensors was trained on Fashion-MNIST, not MNIST (--dataset mnist): expect poorer labels")
    }

    // MARK: the bundled model of each data set (a fake file system, as AssetsLocatorTests)

    private func locator(_ files: [String]) -> AssetsLocator {
        let set = Set(files)
        return AssetsLocator(probe: AssetsLocator.Probe(environment: [:], executablePath: "/opt/inpaint/bin/inpaint",
                                                        fileExists: { set.contains($0) }))
    }

    func testTheBundledModelIsTheOneOfTheDataset() throws {
        let both = locator(["/opt/inpaint/share/inpaint/model.safetensors", "/opt/inpaint/share/inpaint/fashion-model.safetensors"])
        XCTAssertEqual(try Checkpoint.bundledModel(for: .mnist, locator: both).path, "/opt/inpaint/share/inpaint/model.safetensors")
        XCTAssertEqual(try Checkpoint.bundledModel(for: .fashion, locator: both).path,
                       "/opt/inpaint/share/inpaint/fashion-model.safetensors")
        XCTAssertEqual(Checkpoint.bundledModelFileName(for: .mnist), Checkpoint.bundledModelFileName, "MNIST's keeps its name")
    }

    func testAMissingFashionModelIsOneLineNamingWhereItLooked() {
        let mnistOnly = locator(["/opt/inpaint/share/inpaint/model.safetensors"])
        XCTAssertThrowsError(try Checkpoint.bundledModel(for: .fashion, locator: mnistOnly)) { error in
            let text = "\(error)"
            XCTAssertTrue(text.hasPrefix("fashion-model.safetensors: no bundled copy in /opt/inpaint/share/inpaint (installed)"), text)
            XCTAssertTrue(text.contains("--model"), text)
            XCTAssertFalse(text.contains("\n"), text)
        }
        XCTAssertNoThrow(try Checkpoint.bundledModel(for: .mnist, locator: mnistOnly))
    }
}
