import FileIO
import Foundation
import XCTest

/// A fresh folder under the system temp dir, removed when the test ends.
public func makeTemporaryDirectory(_ test: XCTestCase) throws -> URL {
    let dir = FileManager.default.temporaryDirectory
        .appendingPathComponent("inpaint-tests-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    test.addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
    return dir
}

/// Big-endian IDX header bytes, for hand-made (and hand-broken) files.
public func idxHeader(type: UInt8, dims: [Int]) -> [UInt8] {
    var out: [UInt8] = [0, 0, type, UInt8(dims.count)]
    for d in dims {
        let v = UInt32(d)
        out += [UInt8(v >> 24), UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)]
    }
    return out
}

/// Asserts that `body` throws a `DataError` whose message contains every one of `fragments`.
public func assertDataError<T>(_ fragments: [String], file: StaticString = #filePath, line: UInt = #line,
                        _ body: () throws -> T) {
    do {
        _ = try body()
        XCTFail("expected an error mentioning \(fragments)", file: file, line: line)
    } catch let error as FileIO.DataError {
        for f in fragments where !error.description.contains(f) {
            XCTFail("error \"\(error)\" does not mention \"\(f)\"", file: file, line: line)
        }
        XCTAssertFalse(error.description.contains("\n"), "error is not one line: \(error)", file: file, line: line)
    } catch {
        XCTFail("expected DataError, got \(error)", file: file, line: line)
    }
}
