import Datasets
import Evaluation
import Foundation
import Inpainting
import NeuralCore
import TestSupport
import XCTest

final class ClassifierTests: XCTestCase {
    var assetsDirectory: URL { repositoryAssets }

    /// PyTorch's numbers for the same weights and images (scripts/make_classifier_fixture.py).
    struct Reference: Decodable {
        struct Gradient: Decodable { var first: [Float]; var sum: Double; var absSum: Double }
        var labels: [Int]
        var logits: [Float]
        var loss: Float
        var gradients: [String: Gradient]
    }

    func testForwardAndBackwardMatchPyTorch() throws {
        // Whole-network finite differences are unreliable here: max-pool windows of ReLU-clipped zeros
        // tie, and a step in a first-layer weight moves thousands of units, so some switch is always
        // inside ±h. Each layer has its own finite-difference check; this checks their composition.
        let url = try XCTUnwrap(Bundle.module.url(forResource: "classifier_reference", withExtension: "json",
                                                  subdirectory: "Fixtures"))
        let ref = try JSONDecoder().decode(Reference.self, from: Data(contentsOf: url))
        var store = ParameterStore(layout: DigitClassifier.layout)
        let fanIn = [9, 9, 144, 144, 1568, 1568, 64, 64]
        for (t, entry) in store.entries.enumerated() {
            let scale = 1 / Double(fanIn[t]).squareRoot()
            for j in 0..<entry.count {
                let angle: Double = 1.3 * Double(j) + 0.7 * Double(t) + 0.1
                store.values[entry.offset + j] = Float(sin(angle) * scale)
            }
        }
        let model = DigitClassifier(parameters: store)
        let n = ref.labels.count
        var images = [Float](repeating: 0, count: n * 784)
        for i in 0..<n {
            for q in 0..<784 {
                let wave: Double = sin(0.11 * Double(q) + 0.9 * Double(i)) * cos(0.05 * Double(q))
                images[i * 784 + q] = Float(0.5 + 0.5 * wave)
            }
        }
        let probabilities = model.predict(images: images, count: n).flatMap { $0 }
        let expected = (0..<n).flatMap { i -> [Float] in
            let z = ref.logits[(i * 10)..<((i + 1) * 10)].map(Double.init)
            let total = z.map { exp($0 - z.max()!) }.reduce(0, +)
            return z.map { Float(exp($0 - z.max()!) / total) }
        }
        assertClose(probabilities, expected, rtol: 1e-4, atol: 1e-6, "probabilities")
        let (loss, gradient) = model.lossAndGradient(images: images, labels: ref.labels)
        XCTAssertEqual(loss, ref.loss, accuracy: 1e-5)
        for entry in model.parameters.entries {
            let g = gradient[entry.offset..<(entry.offset + entry.count)]
            let r = try XCTUnwrap(ref.gradients[entry.name])
            assertClose(Array(g.prefix(8)), r.first, rtol: 1e-3, atol: 1e-6, entry.name)
            XCTAssertEqual(g.reduce(0.0) { $0 + Double($1) }, r.sum, accuracy: 1e-4 + 1e-3 * r.absSum, entry.name)
            XCTAssertEqual(g.reduce(0.0) { $0 + Double(abs($1)) }, r.absSum, accuracy: 1e-3 * r.absSum, entry.name)
        }
    }

    func testOverfitsATinyBatch() {
        var g = SeededGenerator(seed: 22)
        let images = (0..<(10 * 784)).map { _ in g.nextUnitFloat() }
        let labels = Array(0..<10)
        var options = ClassifierTrainingOptions()
        options.epochs = 60; options.batchSize = 10; options.maxShift = 0; options.cosineSchedule = false
        var losses: [Float] = []
        let model = DigitClassifier.train(images: images, labels: labels, options: options) { event in
            if case .step(_, _, let loss) = event { losses.append(loss) }
            return true
        }
        XCTAssertEqual(losses.count, 60)
        XCTAssertLessThan(losses.last!, 0.05 * losses.first!)
        XCTAssertEqual(model.accuracy(images: images, labels: labels), 1)
    }

    func testTrainingRepeatsBitForBitAndStopsWhenAsked() {
        var g = SeededGenerator(seed: 23)
        let images = (0..<(20 * 784)).map { _ in g.nextUnitFloat() }
        let labels = (0..<20).map { $0 % 10 }
        var options = ClassifierTrainingOptions()
        options.epochs = 2; options.batchSize = 8
        let a = DigitClassifier.train(images: images, labels: labels, options: options)
        let b = DigitClassifier.train(images: images, labels: labels, options: options)
        XCTAssertEqual(a, b)
        var steps = 0
        _ = DigitClassifier.train(images: images, labels: labels, options: options) { event in
            if case .step = event { steps += 1 }
            return steps < 2
        }
        XCTAssertEqual(steps, 2)
    }

    func testTopThreeAndSafetensorsRoundTrip() throws {
        XCTAssertEqual(DigitClassifier.top(3, of: [0.1, 0.5, 0, 0, 0.2, 0, 0, 0.2, 0, 0]).map(\.digit), [1, 4, 7])
        let model = DigitClassifier(seed: 9)
        let image = (0..<784).map { Float($0 % 28) / 27 }
        let probabilities = model.predict(images: image, count: 1)[0]
        XCTAssertEqual(probabilities.count, 10)
        XCTAssertEqual(probabilities.reduce(0, +), 1, accuracy: 1e-5)
        XCTAssertEqual(model.top(3, of: image).map(\.digit), DigitClassifier.top(3, of: probabilities).map(\.digit))
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("classifier-\(UUID()).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try model.write(to: url, metadata: ["seed": "9"])
        XCTAssertEqual(try DigitClassifier.read(contentsOf: url), model)
        // A file that lacks a tensor names it.
        try SafetensorsFile.write([SafetensorsEntry(name: "conv1.weight", tensor: Tensor(shape: [16, 1, 3, 3]))], to: url)
        XCTAssertThrowsError(try DigitClassifier.read(contentsOf: url)) { error in
            XCTAssertTrue("\(error)".contains("no tensor conv1.bias"), "\(error)")
            XCTAssertTrue("\(error)".contains(url.path), "\(error)")
        }
    }

    func testBundledClassifierIsTheShippedFile() throws {
        let shipped = assetsDirectory.appendingPathComponent(DigitClassifier.assetFileName)
        guard FileManager.default.fileExists(atPath: shipped.path),
              AssetsLocator.forCurrentExecutable(marker: DigitClassifier.assetFileName) != nil else {
            throw XCTSkip("the test binary does not sit below a checkout with assets/")
        }
        XCTAssertEqual(try DigitClassifier.bundled(), try DigitClassifier.read(contentsOf: shipped))
    }

    func testShippedClassifierIsAccurateOnTheTestSplit() throws {
        let modelURL = assetsDirectory.appendingPathComponent(DigitClassifier.assetFileName)
        guard FileManager.default.fileExists(atPath: modelURL.path) else {
            throw XCTSkip("no shipped classifier at \(modelURL.path)")
        }
        guard let data = sharedDataDirectory else { throw XCTSkip("MNIST not found (set INPAINT_DATA)") }
        let model = try DigitClassifier.read(contentsOf: modelURL)
        let test = try MNISTSplit(imagesURL: data.appendingPathComponent("t10k-images-idx3-ubyte.gz"),
                                  labelsURL: data.appendingPathComponent("t10k-labels-idx1-ubyte.gz"))
        let n = longTestsEnabled ? test.count : 1000
        let accuracy = model.accuracy(images: Array(test.images.pixels.prefix(n * 784)),
                                      labels: (0..<n).map { test.label(at: $0) })
        XCTAssertGreaterThanOrEqual(accuracy, longTestsEnabled ? 0.985 : 0.98, "accuracy on \(n) test images")
    }
}
