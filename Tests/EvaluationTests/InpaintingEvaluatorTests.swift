import Datasets
import Evaluation
import Foundation
import Inpainting
import NeuralCore
import TestSupport
import XCTest

final class InpaintingEvaluatorTests: XCTestCase {
    func smallSet() -> (images: [Float], labels: [Int], masks: [Float]) {
        var g = SeededGenerator(seed: 41)
        let n = 12
        let images = (0..<(n * 784)).map { _ in g.nextUnitFloat() }
        let masks = MasksFile.make(count: n, seed: 3)
        return (images, (0..<n).map { $0 % 10 }, try! masks.masks(forImageCount: n, name: "test"))
    }

    func testMethodsSeeOnlyTheMaskedInputAndScoresMatchTheAccumulator() {
        let set = smallSet()
        let evaluator = InpaintingEvaluator(images: set.images, labels: set.labels, masks: set.masks,
                                            classifier: DigitClassifier(seed: 1))
        var seen = 0
        let result = evaluator.evaluate(batchSize: 5) { masked, masks, n in
            for i in 0..<(n * 784) where masks[i] == 0 { XCTAssertEqual(masked[i], 0) }
            seen += n
            return [Float](repeating: 0.5, count: n * 784)
        }
        XCTAssertEqual(seen, 12)
        var expected = MetricsAccumulator()
        let halves = [Float](repeating: 0.5, count: 12 * 784)
        let labels = DigitClassifier(seed: 1).labels(
            images: (0..<(12 * 784)).map { set.masks[$0] == 0 ? 0.5 : set.images[$0] }, count: 12)
        expected.add(originals: set.images, reconstructions: halves, masks: set.masks, count: 12,
                     classifiedCorrectly: zip(labels, set.labels).map { $0 == $1 })
        XCTAssertEqual(result.overall.mse, expected.overall.mse, accuracy: 1e-12)
        XCTAssertEqual(result.overall.ssim, expected.overall.ssim, accuracy: 1e-12)
        XCTAssertEqual(result.overall.accuracy, expected.overall.accuracy)
    }

    func testThreadedFillEvaluationEqualsSingleThreaded() {
        let set = smallSet()
        let evaluator = InpaintingEvaluator(images: set.images, labels: set.labels, masks: set.masks, classifier: nil)
        let one = evaluator.evaluate(.harmonic, threads: 1), two = evaluator.evaluate(.harmonic, threads: 2)
        XCTAssertEqual(one.overall.images, 12)
        XCTAssertEqual(two.overall.mse, one.overall.mse, accuracy: 1e-12)
        XCTAssertEqual(two.overall.ssim, one.overall.ssim, accuracy: 1e-12)
        XCTAssertNil(one.overall.accuracy)
    }

    /// The classical baselines of issue 4 §4 on the real test split (all 10,000 images with
    /// INPAINT_LONG_TESTS=1, else the first 500), with the shipped classifier; prints the table.
    func testClassicalBaselinesOnTheTestSplit() throws {
        guard let data = sharedDataDirectory else { throw XCTSkip("MNIST not found (set INPAINT_DATA)") }
        let assets = repositoryAssets
        let classifier = try? DigitClassifier.read(contentsOf: assets.appendingPathComponent(DigitClassifier.assetFileName))
        let test = try MNISTSplit(imagesURL: data.appendingPathComponent("t10k-images-idx3-ubyte.gz"),
                                  labelsURL: data.appendingPathComponent("t10k-labels-idx1-ubyte.gz"))
        let train = try MNISTSplit(imagesURL: data.appendingPathComponent("train-images-idx3-ubyte.gz"),
                                   labelsURL: data.appendingPathComponent("train-labels-idx1-ubyte.gz"))
        let n = longTestsEnabled ? test.count : 500
        var meanImage = [Float](repeating: 0, count: 784)
        for i in 0..<train.count { for (p, v) in train.image(at: i).enumerated() { meanImage[p] += v } }
        meanImage = meanImage.map { $0 / Float(train.count) }
        let masks = try MasksFile.make(count: n, seed: 0).masks(forImageCount: n, name: "seed 0")
        let evaluator = InpaintingEvaluator(images: Array(test.images.pixels.prefix(n * 784)),
                                            labels: (0..<n).map { test.label(at: $0) }, masks: masks,
                                            classifier: classifier)
        print("classical fills on \(n) test images, masks `inpaint masks make --seed 0`:")
        print("fill         hole MSE   MAE     PSNR(pooled) PSNR(mean) SSIM    accuracy  seconds")
        var results: [String: MetricsSummary] = [:]
        for fill in ClassicalFill.all(meanImage: meanImage) {
            let started = Date()
            let s = evaluator.evaluate(fill, threads: 2).overall
            results[fill.name] = s
            print(fill.name.padding(toLength: 12, withPad: " ", startingAt: 0) + String(format: " %.4f    %.4f  %6.2f       %6.2f     %.4f  %@   %.1f",
                         s.mse, s.mae, s.psnrPooled, s.psnrMeanPerImage, s.ssim,
                         (s.accuracy.map { String(format: "%.2f%%", 100 * $0) } ?? "-") as NSString,
                         Date().timeIntervalSince(started)))
        }
        // The PDE fills must beat filling with zeros (issue 4 §4: biharmonic 0.117 with PyTorch's run).
        XCTAssertLessThan(results["biharmonic"]!.mse, results["zero"]!.mse)
        XCTAssertLessThan(results["harmonic"]!.mse, results["zero"]!.mse)
    }
}
