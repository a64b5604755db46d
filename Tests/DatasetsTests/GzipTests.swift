import Datasets
import FileIO
import TestSupport
import XCTest

final class GzipTests: XCTestCase {
    private let text = Array(String(repeating: "context encoders fill holes. ", count: 200).utf8)

    func testRoundTripBothFormats() throws {
        for format in [Gzip.Format.gzip, .zlib] {
            let packed = Gzip.compress(text, format: format)
            XCTAssertLessThan(packed.count, text.count / 5)
            XCTAssertEqual(try Gzip.decompress(packed, format: format, name: "x"), text)
        }
        XCTAssertTrue(Gzip.isGzip(Gzip.compress(text)))
        XCTAssertFalse(Gzip.isGzip(Gzip.compress(text, format: .zlib)))
        XCTAssertEqual(try Gzip.decompress(Gzip.compress([]), name: "x"), [])
    }

    func testConcatenatedMembersAreOneStream() throws {
        let a = Array("first ".utf8), b = Array("second".utf8)
        XCTAssertEqual(try Gzip.decompress(Gzip.compress(a) + Gzip.compress(b), name: "x"), a + b)
    }

    func testTruncatedStreamIsAnError() {
        let packed = Gzip.compress(text)
        for cut in [packed.count - 1, packed.count - 8, packed.count / 2, 11] {
            assertDataError(["f.gz", "truncated"]) { try Gzip.decompress(Array(packed.prefix(cut)), name: "f.gz") }
        }
    }

    func testCorruptStreamIsAnError() {
        var packed = Gzip.compress(text)
        packed[20] ^= 0xFF
        packed[21] ^= 0x55
        assertDataError(["f.gz"]) { try Gzip.decompress(packed, name: "f.gz") }
    }

    func testCRCMismatchIsAnError() {
        var packed = Gzip.compress(text)
        packed[packed.count - 6] ^= 0x01  // inside the CRC-32 of the trailer
        assertDataError(["f.gz", "corrupt", "incorrect data check"]) { try Gzip.decompress(packed, name: "f.gz") }
    }

    func testTrailingGarbageIsAnError() {
        let packed = Gzip.compress(text) + [1, 2, 3]
        assertDataError(["f.gz", "3 more bytes"]) { try Gzip.decompress(packed, name: "f.gz") }
    }

    func testNotGzipAndEmpty() {
        assertDataError(["f", "magic 1f 8b", "00 00 08 03"]) { try Gzip.decompress([0, 0, 8, 3, 0], name: "f") }
        assertDataError(["f", "empty"]) { try Gzip.decompress([], name: "f") }
    }

    func testCRC32MatchesKnownValue() {
        // The standard check value of CRC-32/ISO-HDLC for "123456789".
        XCTAssertEqual(Gzip.crc32(Array("123456789".utf8)), 0xCBF4_3926)
    }
}
