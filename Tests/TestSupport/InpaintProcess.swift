import Foundation
import XCTest

/// What one run of the built `inpaint` binary did.
public struct CommandRun: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String

    public init(status: Int32, stdout: String, stderr: String) {
        self.status = status; self.stdout = stdout; self.stderr = stderr
    }
}

/// Runs the built `inpaint` binary (from `productsDirectory`) to completion.
///
/// environment: added to this process's environment; `unset`: variables removed first (e.g. INPAINT_DATA,
/// so that a test sees only the data it names). Skips the test when the binary was not built.
public func runInpaint(_ arguments: [String], environment: [String: String] = [:], unset: [String] = []) throws -> CommandRun {
    let binary = productsDirectory.appendingPathComponent("inpaint")
    guard FileManager.default.isExecutableFile(atPath: binary.path) else {
        throw XCTSkip("no inpaint binary at \(binary.path)")
    }
    let process = Process()
    process.executableURL = binary
    process.arguments = arguments
    var env = ProcessInfo.processInfo.environment
    for name in unset { env.removeValue(forKey: name) }
    for (k, v) in environment { env[k] = v }
    process.environment = env
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    // Read stderr on another thread while stdout drains here, so a chatty child never blocks on a full pipe.
    let errData = ErrBox()
    let reader = Thread { errData.data = err.fileHandleForReading.readDataToEndOfFile(); errData.done.signal() }
    reader.start()
    let stdout = out.fileHandleForReading.readDataToEndOfFile()
    errData.done.wait()
    process.waitUntilExit()
    return CommandRun(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                      stderr: String(decoding: errData.data, as: UTF8.self))
}

private final class ErrBox: @unchecked Sendable {
    var data = Data()
    let done = DispatchSemaphore(value: 0)
}

/// A failed command: non-zero exit, exactly one `Error:` line that mentions every fragment, no backtrace.
public func assertOneLineError(_ run: CommandRun, _ fragments: [String], file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertNotEqual(run.status, 0, "expected a failure; stderr: \(run.stderr)", file: file, line: line)
    let errorLines = run.stderr.split(separator: "\n").filter { $0.hasPrefix("Error:") }
    XCTAssertEqual(errorLines.count, 1, "stderr: \(run.stderr)", file: file, line: line)
    for f in fragments { XCTAssertTrue(run.stderr.contains(f), "\"\(f)\" not in: \(run.stderr)", file: file, line: line) }
    XCTAssertFalse(run.stderr.contains("Stack dump") || run.stderr.contains("Fatal error")
                   || run.stderr.contains("Current stack trace"), "backtrace in: \(run.stderr)", file: file, line: line)
}

/// A fresh temporary folder, removed when the test ends.
public func temporaryDirectory(for test: XCTestCase, prefix: String = "inpaint-test") throws -> URL {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    test.addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
    return dir
}

/// Appends `text` to the end of the file at `path` (which must exist), as a writer following a log would.
public func append(_ text: String, toFile path: String) throws {
    let handle = try XCTUnwrap(FileHandle(forWritingAtPath: path), "no file to append to at \(path)")
    handle.seekToEndOfFile()
    handle.write(Data(text.utf8))
    try handle.close()
}
