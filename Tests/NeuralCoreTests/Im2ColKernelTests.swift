@testable import NeuralCore
import TestSupport
import XCTest

/// The C im2col/col2im (`ck_im2col`, `ck_col2im`) against their plain-Swift twins, exactly: both only copy,
/// and col2im adds each image pixel's taps in the same order.
final class Im2ColKernelTests: XCTestCase {
    /// (channels, h, w, kh, kw, stride, padding): the strided and paper models' layers, odd sizes, non-square
    /// kernels, kernels wider than the padding reaches, stride 3, 1×1 images.
    static let geometries: [(c: Int, h: Int, w: Int, kh: Int, kw: Int, s: Int, p: Int)] = [
        (1, 28, 28, 4, 4, 2, 1), (16, 14, 14, 4, 4, 2, 1), (32, 7, 7, 3, 3, 1, 1), (64, 7, 7, 3, 3, 1, 1),
        (16, 28, 28, 5, 5, 1, 2), (3, 7, 9, 3, 3, 2, 0), (2, 8, 7, 2, 2, 3, 1), (2, 5, 6, 5, 5, 1, 2),
        (1, 4, 3, 1, 1, 1, 0), (2, 5, 7, 3, 5, 1, 2), (3, 9, 11, 4, 2, 2, 1), (1, 1, 1, 3, 3, 1, 1),
        (2, 3, 3, 5, 5, 1, 3), (5, 13, 13, 3, 3, 1, 1), (4, 15, 15, 4, 4, 2, 1),
        // stride 2 through parity phases (even sides, outH = H/2): odd and large kernels, no padding, 2×2 images
        (3, 8, 6, 2, 2, 2, 0), (2, 10, 12, 4, 4, 2, 1), (2, 6, 6, 3, 3, 2, 1), (2, 4, 4, 6, 6, 2, 2),
        (1, 2, 2, 4, 4, 2, 1), (2, 8, 4, 4, 2, 2, 1),
    ]

    func testIm2colMatchesTheSwiftTwin() {
        var g = SeededGenerator(seed: 71)
        for (c, h, w, kh, kw, s, p) in Self.geometries {
            let geometry = ConvGeometry(channels: c, height: h, width: w, kernelH: kh, kernelW: kw, stride: s, padding: p)
            let x = randomFloats(geometry.imageSize, &g)
            for gap in [0, 3] {
                let ld = geometry.positions + gap
                var fast = [Float](repeating: .nan, count: geometry.patchSize * ld), reference = fast
                im2col(geometry, image: x, columns: &fast, rowStride: ld)
                referenceIm2col(geometry, image: x, columns: &reference, rowStride: ld)
                for row in 0..<geometry.patchSize {
                    let used = (row * ld)..<(row * ld + geometry.positions)
                    XCTAssertEqual(Array(fast[used]), Array(reference[used]), "im2col \((c, h, w, kh, kw, s, p)) row \(row)")
                    XCTAssert(fast[used.upperBound..<(row * ld + ld)].allSatisfy(\.isNaN), "im2col wrote into the gap")
                }
            }
        }
    }

    func testCol2imMatchesTheSwiftTwin() {
        var g = SeededGenerator(seed: 72)
        for (c, h, w, kh, kw, s, p) in Self.geometries {
            let geometry = ConvGeometry(channels: c, height: h, width: w, kernelH: kh, kernelW: kw, stride: s, padding: p)
            for gap in [0, 5] {
                let ld = geometry.positions + gap
                let columns = randomFloats(geometry.patchSize * ld, &g), start = randomFloats(geometry.imageSize, &g)
                // accumulate: adds to what the image held
                var fast = start, reference = start
                col2im(geometry, columns: columns, image: &fast, rowStride: ld)
                referenceCol2im(geometry, columns: columns, image: &reference, rowStride: ld)
                XCTAssertEqual(fast, reference, "col2im accumulate \((c, h, w, kh, kw, s, p))")
                // overwrite: the image's old contents (NaN here) do not matter
                var overwritten = [Float](repeating: .nan, count: geometry.imageSize)
                var fromZero = [Float](repeating: 0, count: geometry.imageSize)
                col2im(geometry, columns: columns, image: &overwritten, rowStride: ld, accumulate: false)
                referenceCol2im(geometry, columns: columns, image: &fromZero, rowStride: ld)
                XCTAssertEqual(overwritten, fromZero, "col2im overwrite \((c, h, w, kh, kw, s, p))")
            }
        }
    }
}
