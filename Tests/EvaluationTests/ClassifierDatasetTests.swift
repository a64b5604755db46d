import Datasets
import Evaluation
import Foundation
import Inpainting
import NeuralCore
import TestSupport
import XCTest

/// The classifier's files record their data set (`inpaint.dataset`), the bundled one is chosen by data set,
/// and the evaluator scores each class on its own so eval can name them.
final class ClassifierDatasetTests: XCTestCase {
    func testTheClassifierRecordsItsDatasetAndAFileWithoutItIsMNIST() throws {
        let directory = try temporaryDirectory(for: self)
        var classifier = DigitClassifier(seed: 4)
        classifier.dataset = .fashion
        let url = directory.appendingPathComponent("c.safetensors")
        try classifier.write(to: url, metadata: ["epochs": "6"])
        let file = try SafetensorsFile.read(contentsOf: url)
        XCTAssertEqual(file.metadata["inpaint.dataset"], "fashion")
        XCTAssertEqual(file.metadata["epochs"], "6")
        XCTAssertEqual(try DigitClassifier.read(contentsOf: url), classifier)
        XCTAssertEqual(try DigitClassifier.read(contentsOf: url).dataset, .fashion)

        // Without the field (as every classifier made before it existed): MNIST.
        let old = directory.appendingPathComponent("old.safetensors")
        try SafetensorsFile.write(file.infos.map { SafetensorsEntry(name: $0.name, tensor: file.tensors[$0.name]!) },
                                  metadata: ["epochs": "6"], to: old)
        XCTAssertEqual(try DigitClassifier.read(contentsOf: old).dataset, .mnist)
        let bad = directory.appendingPathComponent("bad.safetensors")
        try SafetensorsFile.write(file.infos.map { SafetensorsEntry(name: $0.name, tensor: file.tensors[$0.name]!) },
                                  metadata: ["inpaint.dataset": "kmnist"], to: bad)
        XCTAssertThrowsError(try DigitClassifier.read(contentsOf: bad)) { error in
            XCTAssertTrue("\(error)".contains("kmnist"), "\(error)")
        }
    }

    func testTheBundledClassifiersRecordTheirDatasets() throws {
        let mnist = repositoryAssets.appendingPathComponent(DigitClassifier.assetFileName)
        guard FileManager.default.fileExists(atPath: mnist.path) else { throw XCTSkip("no bundled classifier at \(mnist.path)") }
        XCTAssertNil(try SafetensorsFile.read(contentsOf: mnist).metadata["inpaint.dataset"], "the MNIST file is not rewritten")
        XCTAssertEqual(try DigitClassifier.read(contentsOf: mnist).dataset, .mnist)
        let fashion = repositoryAssets.appendingPathComponent(DigitClassifier.assetFileName(for: .fashion))
        guard FileManager.default.fileExists(atPath: fashion.path) else { throw XCTSkip("no bundled Fashion-MNIST classifier at \(fashion.path)") }
        XCTAssertEqual(try DigitClassifier.read(contentsOf: fashion).dataset, .fashion)
    }

    func testTheBundledClassifierIsTheOneOfTheDataset() throws {
        let files: Set<String> = ["/a/classifier.safetensors", "/a/fashion-classifier.safetensors"]
        let locator = AssetsLocator(probe: AssetsLocator.Probe(environment: ["INPAINT_ASSETS": "/a"], executablePath: nil,
                                                               fileExists: { files.contains($0) }))
        XCTAssertEqual(try DigitClassifier.bundledURL(for: .mnist, locator: locator).path, "/a/classifier.safetensors")
        XCTAssertEqual(try DigitClassifier.bundledURL(for: .fashion, locator: locator).path, "/a/fashion-classifier.safetensors")
        let mnistOnly = AssetsLocator(probe: AssetsLocator.Probe(environment: ["INPAINT_ASSETS": "/a"], executablePath: nil,
                                                                 fileExists: { $0 == "/a/classifier.safetensors" }))
        assertDataError(["fashion-classifier.safetensors", "/a ($INPAINT_ASSETS)"]) {
            try DigitClassifier.bundledURL(for: .fashion, locator: mnistOnly)
        }
        XCTAssertNil(try DigitClassifier.bundled(for: .fashion, locator: mnistOnly), "missing: no panel, no accuracy column")
    }

    func testTheEvaluatorScoresEachClass() {
        // Three images of class 9 and one of class 0, with zero fill: per-class figures over exactly those images.
        let images = TestDigits.ring() + TestDigits.bar() + TestDigits.seven() + TestDigits.ring()
        let masks = [Float](repeating: 1, count: 4 * 784).enumerated().map { $0.offset % 784 < 200 ? 0 : $0.element }
        let evaluator = InpaintingEvaluator(images: images, labels: [9, 9, 9, 0], masks: masks, classifier: DigitClassifier(seed: 1))
        let result = evaluator.evaluate(.zero)
        XCTAssertEqual(result.byClass.map(\.label), [0, 9])
        XCTAssertEqual(result.byClass.map(\.summary.images), [1, 3])
        XCTAssertEqual(result.byClass.reduce(0) { $0 + $1.summary.holePixels }, result.overall.holePixels)
        let correct = result.byClass.reduce(0.0) { $0 + ($1.summary.accuracy ?? 0) * Double($1.summary.images) }
        XCTAssertEqual(correct, (result.overall.accuracy ?? -1) * 4, accuracy: 1e-9)
    }

    func testFashionClassNamesAreTheDocumentedOrder() {
        XCTAssertEqual(DatasetKind.fashion.classNames, ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal",
                                                        "Shirt", "Sneaker", "Bag", "Ankle boot"])
        XCTAssertEqual(DatasetKind.mnist.className(7), "7")
        XCTAssertEqual(DatasetKind.fashion.classPhrase(9), "Ankle boot")
        XCTAssertEqual(DatasetKind.mnist.classPhrase(9), "a 9")
    }
}
