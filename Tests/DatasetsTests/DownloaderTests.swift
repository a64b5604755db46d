import Datasets
import FileIO
import Foundation
import TestSupport
import XCTest

final class MD5Tests: XCTestCase {
    func testRFC1321Vectors() {
        XCTAssertEqual(MD5.hex([UInt8]()), "d41d8cd98f00b204e9800998ecf8427e")
        XCTAssertEqual(MD5.hex(Array("a".utf8)), "0cc175b9c0f1b6a831c399e269772661")
        XCTAssertEqual(MD5.hex(Array("abc".utf8)), "900150983cd24fb0d6963f7d28e17f72")
        XCTAssertEqual(MD5.hex(Array("message digest".utf8)), "f96b697d7cb7938d525a2f31aaf161d0")
        XCTAssertEqual(MD5.hex(Array("12345678901234567890123456789012345678901234567890123456789012345678901234567890".utf8)),
                       "57edf4a22be3c955ac49da2e2107b67a")
    }

    func testIncrementalUpdatesMatchOneShot() {
        let bytes = (0..<1000).map { UInt8($0 % 251) }
        var md5 = MD5()
        md5.update(bytes[0..<3]); md5.update(bytes[3..<130]); md5.update(bytes[130...])
        XCTAssertEqual(md5.finalizeHex(), MD5.hex(bytes))
    }

    func testRealMNISTTestLabelsMatchTheOfficialSum() throws {
        guard let dir = sharedDataDirectory else { throw XCTSkip("no MNIST data (set INPAINT_DATA)") }
        let bytes = [UInt8](try Data(contentsOf: dir.appendingPathComponent("t10k-labels-idx1-ubyte.gz")))
        XCTAssertEqual(MD5.hex(bytes), "ec29112dd5afa0611ce80d1b7f02629c")
    }
}

final class DownloaderTests: XCTestCase {
    private let payload = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 13) }
    private var server: TinyHTTPServer!

    override func setUpWithError() throws {
        server = try TinyHTTPServer(routes: [
            "/files/good.gz": .body(payload),
            "/files/cut.gz": .cut(payload, sent: 100_000),
        ])
    }

    override func tearDown() { server.stop() }

    func testGoodFileIsWrittenWithProgress() throws {
        let dir = try makeTemporaryDirectory(self).appendingPathComponent("new/data")
        let seen = ProgressLog()
        let url = try Downloader.fetch(DownloadItem(fileName: "good.gz", md5: MD5.hex(payload)),
                                       from: server.baseURL, into: dir, timeout: 10) { seen.add($0) }
        XCTAssertEqual([UInt8](try Data(contentsOf: url)), payload)
        XCTAssertEqual(seen.last?.receivedBytes, payload.count)
        XCTAssertEqual(seen.last?.expectedBytes, payload.count)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["good.gz"])
    }

    func testWrongChecksumIsRefusedAndNothingWritten() throws {
        let dir = try makeTemporaryDirectory(self)
        assertDataError(["good.gz", "expected MD5 00000000000000000000000000000000", "found \(MD5.hex(payload))",
                         "not written"]) {
            try Downloader.fetch(DownloadItem(fileName: "good.gz", md5: String(repeating: "0", count: 32)),
                                 from: server.baseURL, into: dir, timeout: 10)
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), [])
    }

    func testConnectionCutMidwayIsAnError() throws {
        let dir = try makeTemporaryDirectory(self)
        assertDataError(["cut.gz", "100,000"]) {
            try Downloader.fetch(DownloadItem(fileName: "cut.gz", md5: MD5.hex(payload)),
                                 from: server.baseURL, into: dir, timeout: 10)
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), [])
    }

    func testNotFoundIsAnError() throws {
        let dir = try makeTemporaryDirectory(self)
        assertDataError(["missing.gz", "expected HTTP 200, found HTTP 404"]) {
            try Downloader.fetch(DownloadItem(fileName: "missing.gz", md5: MD5.hex(payload)),
                                 from: server.baseURL, into: dir, timeout: 10)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("missing.gz").path))
    }
}

private final class ProgressLog: @unchecked Sendable {
    private let lock = NSLock()
    private var reports: [DownloadProgress] = []
    func add(_ p: DownloadProgress) { lock.lock(); reports.append(p); lock.unlock() }
    var last: DownloadProgress? { lock.lock(); defer { lock.unlock() }; return reports.last }
}

extension DownloaderTests {
    // MARK: Bounded (issue 15: an endless body took 8 GB in 20 s, a trickle ran past its timeout, a
    // redirect to another host was followed silently, a stall read "NSURLErrorDomain error -1001")

    private func fetch(_ reply: TinyHTTPServer.Reply, size: Int? = nil, timeout: TimeInterval = 10) throws -> URL {
        let other = try TinyHTTPServer(routes: ["/files/x.gz": reply])
        defer { other.stop() }
        return try Downloader.fetch(DownloadItem(fileName: "x.gz", md5: MD5.hex(payload), size: size),
                                    from: other.baseURL, into: try makeTemporaryDirectory(self), timeout: timeout)
    }

    func testAnEndlessBodyIsCutAtTheKnownSize() {
        assertDataError(["x.gz", "expected at most 100,000 bytes, found more", "nothing written"]) {
            try fetch(.endless, size: 100_000)
        }
    }

    func testAnAnnouncedLengthOverTheKnownSizeIsRefusedBeforeReading() {
        assertDataError(["x.gz", "announces 300,000 bytes, expected at most 1,000"]) { try fetch(.body(payload), size: 1000) }
        XCTAssertNoThrow(try fetch(.body(payload), size: payload.count), "the exact size is fine")
    }

    func testATrickleIsStoppedAtTenTimesTheTimeout() {
        let start = Date()
        assertDataError(["x.gz", "did not finish within 10 s (10 × the 1 s timeout)"]) {
            try fetch(.trickle(length: 1000, interval: 0.25), timeout: 1)
        }
        XCTAssertLessThan(Date().timeIntervalSince(start), 15)
    }

    func testAStallIsAPlainTimeout() {
        assertDataError(["x.gz", "timed out after 1 s waiting for data from 127.0.0.1"]) {
            try fetch(.stall(length: 1000, sent: 10, pause: 4), timeout: 1)
        }
    }

    func testARedirectToAnotherHostIsRefusedAndNamed() throws {
        // localhost is another host name than 127.0.0.1, and still no network.
        let target = "http://localhost:\(server.port)/files/good.gz"
        assertDataError(["x.gz", "redirected to \(target)", "another host"]) { try fetch(.redirect(target)) }
    }
}
