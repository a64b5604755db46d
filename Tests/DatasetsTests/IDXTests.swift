import Datasets
import FileIO
import Foundation
import TestSupport
import XCTest

final class IDXTests: XCTestCase {
    private func sampleImages(count: Int = 3, rows: Int = 28, columns: Int = 28) -> IDXImages {
        let pixels = (0..<(count * rows * columns)).map { Float(($0 * 7) % 256) / 255 }
        return IDXImages(count: count, rows: rows, columns: columns, pixels: pixels)
    }

    func testUInt8RoundTripPlainAndGzip() throws {
        let dir = try makeTemporaryDirectory(self)
        let images = sampleImages()
        for gzip in [false, true] {
            let url = dir.appendingPathComponent("images-\(gzip)")
            try images.write(to: url, gzip: gzip)
            let back = try IDXImages(contentsOf: url)
            XCTAssertEqual(back.count, 3); XCTAssertEqual(back.rows, 28); XCTAssertEqual(back.columns, 28)
            XCTAssertTrue(back.pixels == images.pixels, "pixels differ after a round trip")
            XCTAssertEqual(back.image(at: 1).first, images.pixels[784])
        }
        // The plain file is exactly header + one byte per pixel, big-endian sizes.
        let plain = try Data(contentsOf: dir.appendingPathComponent("images-false"))
        XCTAssertEqual(plain.count, 16 + 3 * 784)
        XCTAssertEqual(Array(plain.prefix(8)), [0, 0, 8, 3, 0, 0, 0, 3])
    }

    func testFloat32RoundTripIsExact() throws {
        let dir = try makeTemporaryDirectory(self)
        let images = IDXImages(count: 2, rows: 2, columns: 3, pixels: [0, 0.1, -0.5, 1.5, 0.3333, 1e-7,
                                                                        0.25, 0.5, 0.75, 1, 0.9, 0.123456])
        let url = dir.appendingPathComponent("f.idx.gz")
        try images.write(to: url, as: .float32)
        XCTAssertEqual(try IDXImages(contentsOf: url), images)
        let plain = try Gzip.decompress([UInt8](Data(contentsOf: url)), name: "f")
        XCTAssertEqual(Array(plain.prefix(4)), [0, 0, 0x0D, 3])
    }

    func testUInt8WriterRoundsAndClamps() throws {
        let images = IDXImages(count: 1, rows: 1, columns: 4, pixels: [-1, 0.5, 2, 0.002])
        let bytes = images.encoded(as: .uint8, gzip: false)
        XCTAssertEqual(Array(bytes.suffix(4)), [0, 128, 255, 1])
    }

    func testLabelsRoundTrip() throws {
        let dir = try makeTemporaryDirectory(self)
        let labels = IDXLabels(labels: [7, 2, 1, 0, 4])
        let url = dir.appendingPathComponent("l.gz")
        try labels.write(to: url)
        XCTAssertEqual(try IDXLabels(contentsOf: url), labels)
    }

    func testWrongMagic() {
        let bytes: [UInt8] = [0x1A, 0x2B, 8, 3] + idxHeader(type: 8, dims: [1, 1, 1]).suffix(12) + [0]
        assertDataError(["img", "magic", "0x1a2b0803"]) { try IDXImages(bytes: bytes, name: "img") }
    }

    func testLabelsFileGivenAsImages() {
        let bytes = idxHeader(type: 8, dims: [2]) + [1, 2]
        assertDataError(["img", "expected 3 dimension(s)", "found 1", "0x00000801"]) {
            try IDXImages(bytes: bytes, name: "img")
        }
    }

    func testWrongTypeByte() {
        let bytes = idxHeader(type: 0x0B, dims: [1, 1, 1]) + [0, 0]
        assertDataError(["img", "element type", "0x0b"]) { try IDXImages(bytes: bytes, name: "img") }
        let floats = idxHeader(type: 0x0D, dims: [1]) + [0, 0, 0, 0]
        assertDataError(["lab", "uint8 (0x08)", "0x0d"]) { try IDXLabels(bytes: floats, name: "lab") }
    }

    func testTruncatedBodyNamesExpectedAndFound() {
        let bytes = idxHeader(type: 8, dims: [10_000, 28, 28]) + [UInt8](repeating: 0, count: 7_000_000 - 16)
        assertDataError(["t10k-images-idx3-ubyte", "expected 7,840,016 bytes for 10,000 images of 28×28",
                         "found 7,000,000"]) {
            try IDXImages(bytes: bytes, name: "t10k-images-idx3-ubyte")
        }
        assertDataError(["after decompression", "found 7,000,000"]) {
            try IDXImages(bytes: Gzip.compress(bytes, level: 1), name: "t10k-images-idx3-ubyte.gz")
        }
    }

    func testHeaderClaimsMoreThanTheFileHolds() {
        let bytes = idxHeader(type: 8, dims: [5]) + [1, 2, 3]
        assertDataError(["lab", "expected 13 bytes for 5 labels", "found 11"]) {
            try IDXLabels(bytes: bytes, name: "lab")
        }
        // Extra bytes are as wrong as missing ones.
        assertDataError(["expected 9 bytes for 1 labels", "found 10"]) {
            try IDXLabels(bytes: idxHeader(type: 8, dims: [1]) + [1, 2], name: "lab")
        }
    }

    func testTruncatedHeaderAndEmptyFile() throws {
        assertDataError(["img", "header", "found only 10 bytes"]) {
            try IDXImages(bytes: Array(idxHeader(type: 8, dims: [1, 1, 1]).prefix(10)), name: "img")
        }
        assertDataError(["img", "empty"]) { try IDXImages(bytes: [], name: "img") }
        let dir = try makeTemporaryDirectory(self)
        let empty = dir.appendingPathComponent("empty-images")
        _ = FileManager.default.createFile(atPath: empty.path, contents: Data())
        assertDataError(["empty-images", "empty file"]) { try IDXImages(contentsOf: empty) }
        assertDataError(["missing", "no such file"]) { try IDXImages(contentsOf: dir.appendingPathComponent("missing")) }
    }

    func testTruncatedAndCorruptGzipFiles() throws {
        let dir = try makeTemporaryDirectory(self)
        let packed = sampleImages().encoded()
        let truncated = dir.appendingPathComponent("cut.gz")
        try Data(packed.prefix(packed.count / 2)).write(to: truncated)
        assertDataError(["cut.gz", "truncated"]) { try IDXImages(contentsOf: truncated) }
        var broken = packed
        for i in 30..<40 { broken[i] ^= 0xA5 }
        let corrupt = dir.appendingPathComponent("corrupt.gz")
        try Data(broken).write(to: corrupt)
        assertDataError(["corrupt.gz"]) { try IDXImages(contentsOf: corrupt) }
    }

    func testSplitChecksCountsAndShape() throws {
        let dir = try makeTemporaryDirectory(self)
        let imagesURL = dir.appendingPathComponent("train-images-idx3-ubyte.gz")
        let labelsURL = dir.appendingPathComponent("train-labels-idx1-ubyte.gz")
        try sampleImages(count: 3).write(to: imagesURL)
        try IDXLabels(labels: [1, 2]).write(to: labelsURL)
        assertDataError(["train-labels-idx1-ubyte.gz", "expected 3 labels", "found 2"]) {
            try MNISTSplit(imagesURL: imagesURL, labelsURL: labelsURL)
        }
        try IDXLabels(labels: [1, 7, 1, 4]).write(to: labelsURL)
        assertDataError(["expected 3 labels", "found 4"]) { try MNISTSplit(imagesURL: imagesURL, labelsURL: labelsURL) }
        try IDXLabels(labels: [1, 7, 1]).write(to: labelsURL)
        let split = try MNISTSplit(imagesURL: imagesURL, labelsURL: labelsURL)
        XCTAssertEqual(split.count, 3)
        XCTAssertEqual(split.indices(ofLabel: 1), [0, 2])
        XCTAssertEqual(split.subset([2, 1]).labels.labels, [1, 7])
        XCTAssertEqual(Array(split.subset([2]).image(at: 0)), Array(split.image(at: 2)))

        try sampleImages(count: 3, rows: 4, columns: 4).write(to: imagesURL)
        assertDataError(["expected 28×28", "found 4×4"]) { try MNISTSplit(imagesURL: imagesURL, labelsURL: labelsURL) }
    }

    func testRealMNISTTestSplit() throws {
        guard let dir = sharedDataDirectory else { throw XCTSkip("no MNIST data (set INPAINT_DATA)") }
        let split = try MNISTSplit(imagesURL: dir.appendingPathComponent("t10k-images-idx3-ubyte.gz"),
                                   labelsURL: dir.appendingPathComponent("t10k-labels-idx1-ubyte.gz"))
        XCTAssertEqual(split.count, 10_000)
        XCTAssertEqual(Array(split.labels.labels.prefix(5)), [7, 2, 1, 0, 4])
        XCTAssertEqual(split.images.pixels.max(), 1)
        XCTAssertEqual(split.images.pixels.min(), 0)
    }
}
