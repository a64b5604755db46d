import Evaluation
import Inpainting
import NeuralCore
import TestSupport
import XCTest

final class MetricsTests: XCTestCase {
    func testSSIMMatchesSkimage() throws {
        for c in try EvalReference.load().cases {
            let mask = c.hole.mask()
            let composite = (0..<784).map { mask[$0] == 0 ? Float(c.reconstruction[$0]) : Float(c.image[$0]) }
            XCTAssertEqual(SSIM.meanSSIM(composite, c.image.floats), c.ssim, accuracy: 1e-6, "\(c.hole)")
        }
    }

    func testSSIMOfIdenticalImagesIsOne() {
        var g = SeededGenerator(seed: 1)
        let x = (0..<784).map { _ in g.nextUnitFloat() }
        XCTAssertEqual(SSIM.meanSSIM(x, x), 1, accuracy: 1e-12)
    }

    func testPooledAndPerImageFiguresMatchReference() throws {
        let cases = try EvalReference.load().cases
        var acc = MetricsAccumulator()
        for c in cases {
            acc.add(original: c.image.floats, reconstruction: c.reconstruction.floats, mask: c.hole.mask())
        }
        let s = acc.overall
        let pixels = cases.map(\.holePixels).reduce(0, +)
        let mse = cases.map(\.holeSquaredErrorSum).reduce(0, +) / Double(pixels)
        XCTAssertEqual(s.images, 4)
        XCTAssertEqual(s.holePixels, pixels)
        XCTAssertEqual(s.mse, mse, accuracy: 1e-9)
        XCTAssertEqual(s.mae, cases.map(\.holeAbsoluteErrorSum).reduce(0, +) / Double(pixels), accuracy: 1e-9)
        XCTAssertEqual(s.psnrPooled, 10 * log10(1 / mse), accuracy: 1e-6)
        let perImage = cases.map { 10 * log10(Double($0.holePixels) / $0.holeSquaredErrorSum) }
        XCTAssertEqual(s.psnrMeanPerImage, perImage.reduce(0, +) / 4, accuracy: 1e-5)
        XCTAssertEqual(s.ssim, cases.map(\.ssim).reduce(0, +) / 4, accuracy: 1e-6)
        XCTAssertNil(s.accuracy)
        // Holes of 100, 144, 196 and 104 pixels: two in the first bin, one in each of the others.
        XCTAssertEqual(acc.byArea.map(\.summary.images), [2, 1, 1])
        XCTAssertEqual(acc.byArea[2].summary.mse, cases[2].holeSquaredErrorSum / 196, accuracy: 1e-9)
    }

    func testHandComputedErrorsAndPSNRCap() {
        let hole = HoleRect(top: 0, left: 0, height: 10, width: 10)  // 100 pixels
        let original = [Float](repeating: 0.5, count: 784)
        var recon = original
        for r in 0..<10 { for c in 0..<10 { recon[r * 28 + c] = (r + c) % 2 == 0 ? 0.6 : 0.3 } }
        // Known pixels must not count even when the reconstruction is wrong there.
        recon[783] = 0
        var acc = MetricsAccumulator()
        acc.add(original: original, reconstruction: recon, mask: hole.mask(), classifiedCorrectly: true)
        // Exact hole: per-image PSNR is capped, pooled PSNR of the pair uses the pooled MSE.
        acc.add(original: original, reconstruction: original, mask: hole.mask(), classifiedCorrectly: false)
        let s = acc.overall
        let mse = (50 * 0.01 + 50 * 0.04) / 200.0
        XCTAssertEqual(s.mse, mse, accuracy: 1e-7)
        XCTAssertEqual(s.mae, (50 * 0.1 + 50 * 0.2) / 200.0, accuracy: 1e-7)
        XCTAssertEqual(s.psnrPooled, 10 * log10(1 / mse), accuracy: 1e-5)
        XCTAssertEqual(s.cappedImages, 1)
        XCTAssertEqual(s.psnrMeanPerImage, (10 * log10(1 / (2 * mse)) + 20 * log10(255)) / 2, accuracy: 1e-5)
        XCTAssertEqual(s.accuracy, 0.5)
        XCTAssertEqual(acc.byArea.map(\.summary.images), [2, 0, 0], "100-pixel holes fall in 98…130")
    }

    func testBatchesAndMergeAgreeWithOneByOne() {
        var g = SeededGenerator(seed: 7)
        let masks = [HoleRect(top: 3, left: 4, height: 10, width: 11), HoleRect(top: 14, left: 14, height: 14, width: 14),
                     HoleRect(top: 9, left: 0, height: 12, width: 12)].map { $0.mask() }
        let originals = (0..<(3 * 784)).map { _ in g.nextUnitFloat() }
        let recons = (0..<(3 * 784)).map { _ in g.nextUnitFloat() }
        var batched = MetricsAccumulator()
        batched.add(originals: originals, reconstructions: recons, masks: masks.flatMap { $0 }, count: 3,
                    classifiedCorrectly: [true, true, false])
        var first = MetricsAccumulator(), second = MetricsAccumulator()
        first.add(original: Array(originals[0..<784]), reconstruction: Array(recons[0..<784]), mask: masks[0],
                  classifiedCorrectly: true)
        for n in 1..<3 {
            let r = (n * 784)..<((n + 1) * 784)
            second.add(original: Array(originals[r]), reconstruction: Array(recons[r]), mask: masks[n],
                       classifiedCorrectly: n == 1)
        }
        first.merge(second)
        // Same sums up to the order of Double additions.
        let a = first.overall, b = batched.overall
        XCTAssertEqual(a.images, b.images)
        XCTAssertEqual(a.holePixels, b.holePixels)
        XCTAssertEqual(a.mse, b.mse, accuracy: 1e-12)
        XCTAssertEqual(a.mae, b.mae, accuracy: 1e-12)
        XCTAssertEqual(a.ssim, b.ssim, accuracy: 1e-12)
        XCTAssertEqual(a.psnrMeanPerImage, b.psnrMeanPerImage, accuracy: 1e-9)
        XCTAssertEqual(a.accuracy, b.accuracy)
        XCTAssertEqual(batched.overall.accuracy!, 2.0 / 3.0, accuracy: 1e-12)
        XCTAssertEqual(batched.byArea.map(\.summary.images), [1, 1, 1])
    }
}
