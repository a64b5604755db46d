import Foundation
import TestSupport
import XCTest

/// Issue 14 on the real binary: the data set recorded in the files the commands write, the one-line notice
/// when a model or classifier of other data is used, eval's class names, and the digit-specific experiments'
/// refusal on Fashion-MNIST.
final class FashionCommandsTests: XCTestCase {
    static let fashionNames = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker",
                               "Bag", "Ankle boot"]

    /// The `__metadata__` of a safetensors file (8-byte little-endian header length, then the JSON header).
    private func metadata(_ url: URL) throws -> [String: String] {
        let data = try Data(contentsOf: url)
        let length = data.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        let header = try JSONSerialization.jsonObject(with: data.subdata(in: 8..<(8 + length))) as? [String: Any]
        return header?["__metadata__"] as? [String: String] ?? [:]
    }

    private func lines(_ text: String, containing fragment: String) -> [Substring] {
        text.split(separator: "\n").filter { $0.contains(fragment) }
    }

    private func tinyModel(_ directory: URL, dataset: String? = nil) throws -> URL {
        let url = directory.appendingPathComponent("model-\(dataset ?? "default").safetensors")
        let run = try runInpaint(["init", "--arch", "strided", "--seed", "1", "--out", url.path]
                                 + (dataset.map { ["--dataset", $0] } ?? []))
        XCTAssertEqual(run.status, 0, run.stderr)
        return url
    }

    func testExportKeepsTheSourcesDatasetAndDatasetSetsIt() throws {
        let directory = try temporaryDirectory(for: self)
        let mnist = try tinyModel(directory)
        XCTAssertEqual(try metadata(mnist)["inpaint.dataset"], "mnist")
        let fashion = try tinyModel(directory, dataset: "fashion")
        XCTAssertEqual(try metadata(fashion)["inpaint.dataset"], "fashion")

        let kept = directory.appendingPathComponent("kept.safetensors")
        var run = try runInpaint(["export", "--model", fashion.path, "--out", kept.path])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(try metadata(kept)["inpaint.dataset"], "fashion", "export keeps the source's data set")
        XCTAssertTrue(run.stdout.contains("Fashion-MNIST model"), run.stdout)

        let relabelled = directory.appendingPathComponent("relabelled.safetensors")
        run = try runInpaint(["export", "--model", mnist.path, "--out", relabelled.path, "--dataset", "fashion"])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(try metadata(relabelled)["inpaint.dataset"], "fashion")
        // A source without the field (every file made before it existed) is exported as MNIST.
        let bundled = repositoryAssets.appendingPathComponent("model.safetensors")
        if FileManager.default.fileExists(atPath: bundled.path) {
            XCTAssertNil(try metadata(bundled)["inpaint.dataset"])
            let copy = directory.appendingPathComponent("bundled-copy.safetensors")
            run = try runInpaint(["export", "--model", bundled.path, "--out", copy.path])
            XCTAssertEqual(run.status, 0, run.stderr)
            XCTAssertEqual(try metadata(copy)["inpaint.dataset"], "mnist")
        }
    }

    func testFillSaysOnceWhenTheModelIsForOtherDataAndKeepsGoing() throws {
        let directory = try temporaryDirectory(for: self)
        let model = try tinyModel(directory)   // recorded MNIST
        let masks = directory.appendingPathComponent("masks.txt")
        XCTAssertEqual(try runInpaint(["masks", "make", "--count", "5", "--seed", "0", "--out", masks.path]).status, 0)
        let images = repositoryAssets.appendingPathComponent("mnist-sample-images-idx3-ubyte.gz")
        guard FileManager.default.fileExists(atPath: images.path) else { throw XCTSkip("no bundled sample") }
        let out = directory.appendingPathComponent("out.idx")
        let fill = ["fill", "--model", model.path, "--images", images.path, "--masks", masks.path, "--count", "5",
                    "--out", out.path]
        let fashion = try runInpaint(fill + ["--dataset", "fashion"])
        XCTAssertEqual(fashion.status, 0, fashion.stderr)
        XCTAssertTrue(FileManager.default.fileExists(atPath: out.path))
        XCTAssertEqual(lines(fashion.stderr, containing: "was trained on"),
                       ["inpaint fill: model \(model.path) was trained on MNIST, not Fashion-MNIST (--dataset fashion): expect poorer fills"])
        let mnist = try runInpaint(fill)
        XCTAssertEqual(mnist.status, 0, mnist.stderr)
        XCTAssertTrue(lines(mnist.stderr, containing: "was trained on").isEmpty, mnist.stderr)
    }

    func testEvalOnFashionNamesTheClassesAndSaysWhichFilesAreForOtherData() throws {
        guard FileManager.default.fileExists(atPath: "/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz") else {
            throw XCTSkip("no Fashion-MNIST in /usr/share/datasets/fashion-mnist (apt-get install dataset-fashion-mnist)")
        }
        let classifier = repositoryAssets.appendingPathComponent("classifier.safetensors")   // MNIST's, on purpose
        guard FileManager.default.fileExists(atPath: classifier.path) else { throw XCTSkip("no bundled classifier") }
        let directory = try temporaryDirectory(for: self)
        let model = try tinyModel(directory, dataset: "fashion")
        let eval = ["eval", "--dataset", "fashion", "--model", model.path, "--classifier", classifier.path, "--count", "60"]

        let json = try runInpaint(eval + ["--json"])
        XCTAssertEqual(json.status, 0, json.stderr)
        XCTAssertEqual(lines(json.stderr, containing: "was trained on"),
                       ["inpaint eval: classifier \(classifier.path) was trained on MNIST, not Fashion-MNIST (--dataset fashion): expect poorer labels"],
                       "the model is Fashion-MNIST's: only the classifier is named")
        let report = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(report["dataset"] as? String, "fashion")
        XCTAssertEqual(report["classNames"] as? [String], Self.fashionNames)
        let methods = try XCTUnwrap(report["methods"] as? [[String: Any]])
        let byClass = try XCTUnwrap(methods.first?["byClass"] as? [[String: Any]])
        XCTAssertEqual(byClass.compactMap { $0["label"] as? Int }.map { Self.fashionNames[$0] }, byClass.compactMap { $0["name"] as? String })
        XCTAssertEqual(byClass.compactMap { ($0["metrics"] as? [String: Any])?["images"] as? Int }.reduce(0, +), 60)

        let table = try runInpaint(eval)
        XCTAssertEqual(table.status, 0, table.stderr)
        XCTAssertTrue(table.stdout.contains("60 Fashion-MNIST test images"), table.stdout)
        XCTAssertTrue(table.stdout.contains("by class: accuracy on the composite"), table.stdout)
        for name in ["9 Ankle boot", "0 T-shirt/top", "7 Sneaker"] {
            XCTAssertTrue(table.stdout.contains(name), "\(name) not in:\n\(table.stdout)")
        }
    }

    func testClassifierFilesRecordTheirDatasetAndEvalSaysWhenItDiffers() throws {
        // A tiny labelled set in the official file names, read as Fashion-MNIST through --data.
        let directory = try temporaryDirectory(for: self)
        let count = 64
        var generator = SystemRandomNumberGenerator()
        let pixels = (0..<(count * 784)).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let labels = (0..<count).map { UInt8($0 % 10) }
        for prefix in ["train", "t10k"] {
            try Data(idxHeader(type: 0x08, dims: [count, 28, 28]) + pixels)
                .write(to: directory.appendingPathComponent("\(prefix)-images-idx3-ubyte"))
            try Data(idxHeader(type: 0x08, dims: [count]) + labels).write(to: directory.appendingPathComponent("\(prefix)-labels-idx1-ubyte"))
        }
        let out = directory.appendingPathComponent("c.safetensors")
        let train = try runInpaint(["classifier", "train", "--dataset", "fashion", "--data", directory.path, "--epochs", "1",
                                    "--out", out.path])
        XCTAssertEqual(train.status, 0, train.stderr)
        XCTAssertEqual(try metadata(out)["inpaint.dataset"], "fashion")

        let same = try runInpaint(["classifier", "eval", "--dataset", "fashion", "--data", directory.path, "--model", out.path])
        XCTAssertEqual(same.status, 0, same.stderr)
        XCTAssertTrue(same.stdout.contains("Fashion-MNIST test images correct"), same.stdout)
        XCTAssertTrue(lines(same.stderr, containing: "was trained on").isEmpty, same.stderr)
        let other = try runInpaint(["classifier", "eval", "--dataset", "mnist", "--data", directory.path, "--model", out.path])
        XCTAssertEqual(other.status, 0, other.stderr)
        XCTAssertEqual(lines(other.stderr, containing: "was trained on").count, 1, other.stderr)
    }

    func testDigitSpecificExperimentsAndPresetsRefuseFashionInOneLine() throws {
        for name in ["one-seven", "bias", "sevens", "mixing"] {
            let run = try runInpaint(["experiment", name, "--dataset", "fashion", "--fast"])
            assertOneLineError(run, ["\(name) is digit-specific", "run it on MNIST, not Fashion-MNIST"])
        }
        let preset = try runInpaint(["tui", "--preset", "sevens", "--dataset", "fashion"])
        assertOneLineError(preset, ["sevens is digit-specific (it picks 40 sevens by label)"])
        let list = try runInpaint(["experiment", "list"])
        XCTAssertEqual(list.stdout.split(separator: "\n").filter { $0.hasSuffix("[MNIST only]") }.count, 4, list.stdout)
    }

    func testDataListNamesTheFashionFiles() throws {
        let run = try runInpaint(["data", "list"])
        for file in ["fashion-model.safetensors", "fashion-classifier.safetensors", "model.safetensors"] {
            XCTAssertTrue(run.stdout.contains(file), "\(file) not in:\n\(run.stdout)")
        }
    }
}
