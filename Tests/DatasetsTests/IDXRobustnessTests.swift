import Datasets
import FileIO
import Foundation
import NeuralCore
import TestSupport
import XCTest

/// Hostile IDX files (issue 15): non-finite float pixels are refused with one line naming the file, and no
/// mutation of a valid file traps.
final class IDXRobustnessTests: XCTestCase {
    private func floatFile(_ pixels: [Float]) -> [UInt8] {
        IDXImages(count: 1, rows: 2, columns: 2, pixels: [0, 0.5, 1, 0.25]).encoded(as: .float32, gzip: false)
            .prefix(16) + pixels.flatMap { p -> [UInt8] in
                let bits = p.bitPattern
                return [UInt8(bits >> 24), UInt8((bits >> 16) & 0xFF), UInt8((bits >> 8) & 0xFF), UInt8(bits & 0xFF)]
            }
    }

    func testNonFiniteFloatPixelsAreRefusedWithTheImageAndPixel() {
        for bad: Float in [.nan, .infinity, -.infinity] {
            assertDataError(["bad.idx", "finite", "image 0", "row 1, column 0"]) {
                try IDXImages(bytes: floatFile([0, 0.5, bad, 0.25]), name: "bad.idx")
            }
        }
        // Finite values, even outside [0, 1], still read as they are.
        XCTAssertEqual(try IDXImages(bytes: floatFile([0, 2, -1, 0.25]), name: "ok.idx").pixels, [0, 2, -1, 0.25])
    }

    func testEncodingANaNPixelAsBytesDoesNotTrap() {
        let images = IDXImages(count: 1, rows: 1, columns: 2, pixels: [.nan, 1])
        XCTAssertEqual(Array(images.encoded(as: .uint8, gzip: false).suffix(2)), [0, 255])
    }

    /// 400 mutations of a uint8 and a float32 file: each parses (to finite pixels) or throws one line.
    func testMutatedFilesParseOrThrowOneLineNeverTrap() throws {
        let images = IDXImages(count: 3, rows: 4, columns: 5, pixels: (0 ..< 60).map { Float($0) / 60 })
        var generator = SeededGenerator(seed: 15)
        var parsed = 0, refused = 0
        for type in [IDXElementType.uint8, .float32] {
            let valid = images.encoded(as: type, gzip: false)
            for _ in 0 ..< 200 {
                let bytes = mutate(valid, using: &generator)
                do {
                    let result = try IDXImages(bytes: bytes, name: "fuzz.idx")
                    XCTAssertTrue(result.pixels.allSatisfy(\.isFinite))
                    parsed += 1
                } catch {
                    XCTAssertFalse(error.description.contains("\n"), "two lines: \(error)")
                    XCTAssertTrue(error.description.hasPrefix("fuzz.idx"), "not naming the file: \(error)")
                    refused += 1
                }
            }
        }
        XCTAssertEqual(parsed + refused, 400)
        XCTAssertGreaterThan(refused, 0)
    }
}
