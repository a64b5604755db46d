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

    /// Sizes whose element count fits Int but whose byte count (×4 for float32) does not.
    func testHeaderSizesWhoseByteCountOverflowsAreRefused() {
        let header = idxHeader(type: 0x0D, dims: [0x8000_0000, 0x8000_0000, 1])   // 2⁶² elements, 2⁶⁴ bytes
        assertDataError(["big.idx", "overflow"]) { try IDXImages(bytes: header, name: "big.idx") }
    }

    /// 400 mutations of a uint8 and a float32 file: each parses (to finite pixels) or throws one line.
    func testMutatedFilesParseOrThrowOneLineNeverTrap() throws {
        let images = IDXImages(count: 3, rows: 4, columns: 5, pixels: (0 ..< 60).map { Float($0) / 60 })
        var generator = SeededGenerator(seed: 15)
        var parsed = 0, refused = 0
        for type in [IDXElementType.uint8, .float32] {
            let valid = images.encoded(as: type, gzip: false)
            for _ in 0 ..< mutationCaseCount(200) {
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
        XCTAssertEqual(parsed + refused, 2 * mutationCaseCount(200))
        XCTAssertGreaterThan(refused, 0)
    }

    /// Issue 15: a 1 MB .gz IDX inflated to 2.1 GB before its header was checked. Now the header comes
    /// first and the stream is cut at the size it implies.
    func testAGzipBombIsStoppedAtTheSizeItsHeaderImplies() throws {
        let bomb = Gzip.compress(idxHeader(type: 0x08, dims: [1, 28, 28]) + [UInt8](repeating: 0, count: 64 << 20), level: 1)
        XCTAssertLessThan(bomb.count, 1 << 20, "a small file")
        assertDataError(["bomb.idx.gz", "at most 800 bytes after decompression"]) {
            try IDXImages(bytes: bomb, name: "bomb.idx.gz")
        }
        let huge = Gzip.compress(idxHeader(type: 0x08, dims: [100_000, 1000, 1000]), level: 1)
        assertDataError(["huge.idx.gz", "header sizes claim more than 1,073,741,824 bytes"]) {
            try IDXImages(bytes: huge, name: "huge.idx.gz")
        }
        let labels = Gzip.compress(idxHeader(type: 0x08, dims: [2]) + [UInt8](repeating: 1, count: 1 << 20), level: 1)
        assertDataError(["l.gz", "at most 10 bytes"]) { try IDXLabels(bytes: labels, name: "l.gz") }
        // A valid gzip file still reads in full, and the prefix is what it says.
        let images = IDXImages(count: 2, rows: 28, columns: 28, pixels: (0 ..< 1568).map { Float($0 % 256) / 255 })
        XCTAssertEqual(try IDXImages(bytes: images.encoded(), name: "ok.gz"), images)
        let plain = images.encoded(gzip: false)
        XCTAssertEqual(try Gzip.decompressedPrefix(images.encoded(), count: 16, name: "ok.gz"), Array(plain.prefix(16)))
        XCTAssertEqual(try Gzip.decompress(images.encoded(), name: "ok.gz", limit: plain.count), plain)
        assertDataError(["ok.gz", "at most 1,000 bytes"]) { try Gzip.decompress(images.encoded(), name: "ok.gz", limit: 1000) }
    }

    /// 200 mutations of a gzip-compressed file: each parses or throws one line naming the file.
    func testMutatedGzipFilesParseOrThrowOneLineNeverTrap() {
        let valid = IDXImages(count: 3, rows: 4, columns: 5, pixels: (0 ..< 60).map { Float($0) / 60 }).encoded(as: .float32)
        var generator = SeededGenerator(seed: 16)
        var refused = 0
        for _ in 0 ..< mutationCaseCount(200) {
            do {
                let result = try IDXImages(bytes: mutate(valid, using: &generator), name: "fuzz.gz")
                XCTAssertTrue(result.pixels.allSatisfy(\.isFinite))
            } catch {
                XCTAssertFalse(error.description.contains("\n"), "two lines: \(error)")
                XCTAssertTrue(error.description.hasPrefix("fuzz.gz"), "not naming the file: \(error)")
                refused += 1
            }
        }
        XCTAssertGreaterThan(refused, 100)
    }
}
