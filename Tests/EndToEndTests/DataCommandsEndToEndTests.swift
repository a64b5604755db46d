import Foundation
import TestSupport
import XCTest

/// Runs the built `inpaint` binary: the data and masks commands' output, exit codes and one-line errors.
final class DataCommandsEndToEndTests: XCTestCase {
    private struct Run { var status: Int32; var stdout: String; var stderr: String }

    private func inpaint(_ arguments: [String], environment: [String: String] = [:]) throws -> Run {
        let process = Process()
        process.executableURL = productsDirectory.appendingPathComponent("inpaint")
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "INPAINT_DATA")
        for (k, v) in environment { env[k] = v }
        process.environment = env
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Run(status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
                   stderr: String(decoding: stderr, as: UTF8.self))
    }

    private func temporaryDirectory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("inpaint-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        return dir
    }

    /// A failed command: non-zero exit, one `Error:` line that mentions `fragments`, no backtrace.
    private func assertOneLineError(_ run: Run, _ fragments: [String], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertNotEqual(run.status, 0, file: file, line: line)
        let errorLines = run.stderr.split(separator: "\n").filter { $0.hasPrefix("Error:") }
        XCTAssertEqual(errorLines.count, 1, "stderr: \(run.stderr)", file: file, line: line)
        for f in fragments { XCTAssertTrue(run.stderr.contains(f), "\"\(f)\" not in: \(run.stderr)", file: file, line: line) }
        XCTAssertFalse(run.stderr.contains("Stack dump") || run.stderr.contains("Fatal error"), file: file, line: line)
    }

    func testMasksMakeWritesAReproducibleFile() throws {
        let dir = try temporaryDirectory()
        let a = dir.appendingPathComponent("a.txt").path, b = dir.appendingPathComponent("b.txt").path
        XCTAssertEqual(try inpaint(["masks", "make", "--count", "50", "--seed", "3", "--out", a]).status, 0)
        XCTAssertEqual(try inpaint(["masks", "make", "--count", "50", "--seed", "3", "--out", b]).status, 0)
        let text = try String(contentsOfFile: a, encoding: .utf8)
        XCTAssertEqual(text, try String(contentsOfFile: b, encoding: .utf8))
        XCTAssertTrue(text.hasPrefix("# inpaint masks make --count 50 --seed 3\n"))
        XCTAssertEqual(text.split(separator: "\n").filter { !$0.hasPrefix("#") }.count, 50)

        assertOneLineError(try inpaint(["masks", "make", "--count", "0", "--out", a]), ["--count", "found 0"])
        assertOneLineError(try inpaint(["masks", "make", "--count", "3", "--out", "/nonexistent-dir/m.txt"]),
                           ["/nonexistent-dir/m.txt", "expected the folder /nonexistent-dir to exist"])
    }

    func testDataListAndSampleWithAHandMadeDataDirectory() throws {
        let dir = try temporaryDirectory()
        // Ten fake 28×28 digits as an uncompressed test split, written in the official layout.
        var images: [UInt8] = [0, 0, 8, 3, 0, 0, 0, 10, 0, 0, 0, 28, 0, 0, 0, 28]
        images += (0..<(10 * 784)).map { UInt8($0 % 256) }
        try Data(images).write(to: dir.appendingPathComponent("t10k-images-idx3-ubyte"))
        try Data([0, 0, 8, 1, 0, 0, 0, 10] + (0..<10).map { UInt8($0) })
            .write(to: dir.appendingPathComponent("t10k-labels-idx1-ubyte"))
        let list = try inpaint(["data", "list", "--data", dir.path])
        XCTAssertEqual(list.status, 0, list.stderr)
        XCTAssertTrue(list.stdout.contains("test   10 images"), list.stdout)
        XCTAssertTrue(list.stdout.contains("<- used"), list.stdout)

        let out = try temporaryDirectory()
        let sample = try inpaint(["data", "sample", "--data", dir.path, "--count", "4", "--out", out.path])
        XCTAssertEqual(sample.status, 0, sample.stderr)
        let labels = try Data(contentsOf: out.appendingPathComponent("mnist-sample-labels-idx1-ubyte.gz"))
        XCTAssertEqual(Array(labels.prefix(2)), [0x1F, 0x8B])
        let listed = try inpaint(["data", "list", "--data", out.path])
        assertOneLineError(listed, ["--data \(out.path)", "found none"])  // the sample is not a data folder

        assertOneLineError(try inpaint(["data", "sample", "--data", dir.path, "--count", "11", "--out", out.path]),
                           ["--count", "at most 10"])
    }

    func testCorruptDataGivesOneLineErrors() throws {
        let dir = try temporaryDirectory()
        try Data([0, 0, 8, 3, 0, 0, 0, 10, 0, 0, 0, 28, 0, 0, 0, 28, 1, 2, 3])
            .write(to: dir.appendingPathComponent("t10k-images-idx3-ubyte"))
        try Data([0, 0, 8, 1, 0, 0, 0, 10] + [UInt8](repeating: 1, count: 10))
            .write(to: dir.appendingPathComponent("t10k-labels-idx1-ubyte"))
        let out = try temporaryDirectory()
        assertOneLineError(try inpaint(["data", "sample", "--data", dir.path, "--count", "1", "--out", out.path]),
                           ["t10k-images-idx3-ubyte", "expected 7,856 bytes for 10 images of 28×28", "found 19"])
        // data list reports the broken split instead of stopping.
        let list = try inpaint(["data", "list", "--data", dir.path])
        XCTAssertTrue(list.stdout.contains("unreadable: t10k-images-idx3-ubyte: expected 7,856 bytes"), list.stdout)
    }

    func testMasksPreviewWritesAPNG() throws {
        let dir = try temporaryDirectory()
        var images: [UInt8] = [0, 0, 8, 3, 0, 0, 0, 3, 0, 0, 0, 28, 0, 0, 0, 28]
        images += [UInt8](repeating: 200, count: 3 * 784)
        try Data(images).write(to: dir.appendingPathComponent("t10k-images-idx3-ubyte"))
        try Data([0, 0, 8, 1, 0, 0, 0, 3, 1, 2, 3]).write(to: dir.appendingPathComponent("t10k-labels-idx1-ubyte"))
        let png = dir.appendingPathComponent("p.png")
        let run = try inpaint(["masks", "preview", "--data", dir.path, "--sampler", "mixed", "--count", "3",
                               "--out", png.path])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(Array(try Data(contentsOf: png).prefix(4)), [0x89, 0x50, 0x4E, 0x47])
        assertOneLineError(try inpaint(["masks", "preview", "--sampler", "blob", "--out", png.path]), ["blob"])
    }

    func testBundledSampleIsFoundNextToTheBuild() throws {
        let list = try inpaint(["data", "list"], environment: ["XDG_DATA_HOME": "/nonexistent-xdg"])
        guard list.stdout.contains("bundled sample") else {
            throw XCTSkip("the binary is not inside the repository (no assets/ above it)")
        }
        XCTAssertTrue(list.stdout.contains("sample 1,000 images"), list.stdout)
        XCTAssertTrue(list.stdout.contains("800 train + 200 test"), list.stdout)
    }
}
