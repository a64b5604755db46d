import Evaluation
import Inpainting
import NeuralCore
import TestSupport
import XCTest

final class ClassicalFillsTests: XCTestCase {
    let meanImage = (0..<784).map { Float($0 % 28) / 100 }

    func image(_ f: (Int, Int) -> Float) -> [Float] {
        (0..<784).map { f($0 / 28, $0 % 28) }
    }

    func testKnownPixelsAreUntouchedByEveryFill() {
        var g = SeededGenerator(seed: 3)
        let x = (0..<784).map { _ in g.nextUnitFloat() }
        for hole in [HoleRect(top: 5, left: 6, height: 14, width: 14), HoleRect(top: 0, left: 0, height: 7, width: 28),
                     HoleRect(top: 21, left: 20, height: 7, width: 8)] {
            let mask = hole.mask()
            for fill in ClassicalFill.all(meanImage: meanImage) {
                let y = fill.fill(x, mask: mask)
                XCTAssertEqual(y.count, 784)
                for p in 0..<784 where mask[p] == 1 {
                    XCTAssertEqual(y[p], x[p], "\(fill.name) changed known pixel \(p) for \(hole)")
                }
                XCTAssertTrue(y.allSatisfy(\.isFinite), "\(fill.name) \(hole)")
            }
        }
    }

    func testFillsNeverReadTheHole() {
        var g = SeededGenerator(seed: 4)
        let x = (0..<784).map { _ in g.nextUnitFloat() }
        for hole in [HoleRect(top: 0, left: 0, height: 9, width: 14), HoleRect(top: 8, left: 8, height: 12, width: 12),
                     HoleRect(top: 14, left: 21, height: 14, width: 7)] {
            let mask = hole.mask()
            let scrambled = (0..<784).map { mask[$0] == 0 ? 1 - x[$0] : x[$0] }
            for fill in ClassicalFill.all(meanImage: meanImage) {
                XCTAssertEqual(fill.fill(x, mask: mask), fill.fill(scrambled, mask: mask), "\(fill.name) \(hole)")
            }
        }
    }

    func testZeroAndMeanFills() {
        let x = [Float](repeating: 0.7, count: 784)
        let hole = HoleRect(top: 2, left: 3, height: 10, width: 10)
        let zero = ClassicalFill.zero.fill(x, mask: hole.mask())
        XCTAssertEqual(zero[3 * 28 + 4], 0)
        XCTAssertEqual(zero.filter { $0 == 0 }.count, 100)
        let mean = ClassicalFill.mean(meanImage).fill(x, mask: hole.mask())
        XCTAssertEqual(mean[3 * 28 + 4], meanImage[3 * 28 + 4])
    }

    func testConstantImageFillsWithTheConstant() {
        let x = [Float](repeating: 0.42, count: 784)
        for hole in [HoleRect(top: 8, left: 8, height: 12, width: 12), HoleRect(top: 0, left: 14, height: 14, width: 14)] {
            for fill in [ClassicalFill.harmonic, .biharmonic] {
                assertClose(fill.fill(x, mask: hole.mask()), x, rtol: 0, atol: 1e-6, "\(fill.name) \(hole)")
            }
            // Telea works in 8-bit grey levels and, like OpenCV (whose rounding adds half a level), does not
            // keep a mid-grey constant exactly: cv2.inpaint fills a 107 image whose 14×14 corner hole is
            // zeroed with 106…111. Black and white images stay exact (the gradient term vanishes and
            // rounding saturates).
            let telea = ClassicalFill.telea(radius: 3)
            for p in 0..<784 where hole.mask()[p] == 0 {
                XCTAssertEqual(telea.fill(x, mask: hole.mask())[p], 107 / 255, accuracy: 4.01 / 255)
            }
            for level: Float in [0, 1] {
                let flat = [Float](repeating: level, count: 784)
                XCTAssertEqual(telea.fill(flat, mask: hole.mask()), flat)
            }
        }
    }

    func testHarmonicFillOfALinearRampIsExact() {
        // A ramp has zero discrete Laplacian; away from the border the reflecting boundary plays no part.
        let ramp = image { r, c in 0.02 * Float(r) + 0.015 * Float(c) + 0.1 }
        let hole = HoleRect(top: 6, left: 5, height: 13, width: 14)
        assertClose(ClassicalFill.harmonic.fill(ramp, mask: hole.mask()), ramp, rtol: 0, atol: 1e-6)
    }

    func testHarmonicFillOfSmallHoleIsTheNeighbourMean() {
        // One unknown: 4u = sum of its four neighbours.
        var x = image { r, c in Float((r * 7 + c * 3) % 10) / 10 }
        let hole = HoleRect(top: 10, left: 10, height: 1, width: 1)
        let expected = (x[9 * 28 + 10] + x[11 * 28 + 10] + x[10 * 28 + 9] + x[10 * 28 + 11]) / 4
        x[10 * 28 + 10] = 0.99
        XCTAssertEqual(ClassicalFill.harmonic.fill(x, mask: hole.mask())[10 * 28 + 10], expected, accuracy: 1e-6)
        // At the corner only two neighbours exist (reflection): u = mean of those two.
        let corner = HoleRect(top: 0, left: 0, height: 1, width: 1)
        XCTAssertEqual(ClassicalFill.harmonic.fill(x, mask: corner.mask())[0], (x[1] + x[28]) / 2, accuracy: 1e-6)
    }

    func testBiharmonicFillReproducesAQuadratic() {
        // Δ²q = 0 for any quadratic q, also discretely; the hole keeps two pixels from the border.
        let q = image { r, c in
            let y = Float(r) / 27, x = Float(c) / 27
            return 0.3 + 0.4 * y * y - 0.2 * x * y + 0.25 * x * x - 0.1 * x
        }
        let hole = HoleRect(top: 4, left: 7, height: 14, width: 14)
        assertClose(ClassicalFill.biharmonic.fill(q, mask: hole.mask()), q, rtol: 0, atol: 1e-5)
    }

    func testPDEFillsMatchReferenceLibrariesIncludingBorderHoles() throws {
        for c in try EvalReference.load().cases {
            let mask = c.hole.mask()
            assertClose(ClassicalFill.harmonic.fill(c.image.floats, mask: mask), c.harmonic.floats,
                        rtol: 0, atol: 1e-5, "harmonic \(c.hole)")
            assertClose(ClassicalFill.biharmonic.fill(c.image.floats, mask: mask), c.biharmonic.floats,
                        rtol: 0, atol: 1e-5, "biharmonic (skimage) \(c.hole)")
        }
    }

    func testTeleaMatchesOpenCV() throws {
        for c in try EvalReference.load().cases {
            // Same algorithm on the same 8-bit levels: every pixel equals cv2.inpaint's.
            let ours = ClassicalFill.telea(radius: 3).fill(c.image.floats, mask: c.hole.mask())
            assertClose(ours, c.telea.floats, rtol: 0, atol: 0.5 / 255, "telea (OpenCV) \(c.hole)")
        }
    }

    func testWholeImageHoleGivesZerosWithoutCrashing() {
        let x = [Float](repeating: 0.5, count: 784)
        let allHole = [Float](repeating: 0, count: 784)
        XCTAssertEqual(ClassicalFill.harmonic.fill(x, mask: allHole), [Float](repeating: 0, count: 784))
        XCTAssertEqual(ClassicalFill.biharmonic.fill(x, mask: allHole), [Float](repeating: 0, count: 784))
    }
}
