import FileIO
import Foundation
import XCTest

/// Atomic writes rename over their destination; they must refuse one that is not a regular file, or a
/// `--out /dev/null` would replace the device. Tested on a pipe and a folder in a temporary directory,
/// never on /dev/null itself, so that a regression cannot break the machine running the tests.
final class AtomicWriteTargetTests: XCTestCase {
    private func scratch() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("atomic-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        return dir
    }

    func testWritersRefuseAPipeAndLeaveItInPlace() throws {
        let pipe = try scratch().appendingPathComponent("fifo")
        XCTAssertEqual(mkfifo(pipe.path, 0o600), 0)
        XCTAssertThrowsError(try AtomicFile.write([1, 2, 3], to: pipe)) { error in
            XCTAssertTrue("\(error)".contains("found a pipe"), "\(error)")
        }
        XCTAssertEqual(nonRegularFileKind(atPath: pipe.path), "a pipe", "the pipe must still be a pipe")
    }

    func testWritersRefuseAFolderAndStillWriteRegularFiles() throws {
        let dir = try scratch()
        let folder = dir.appendingPathComponent("folder")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        XCTAssertThrowsError(try AtomicFile.write([1], to: folder))
        let file = dir.appendingPathComponent("file.bin")
        try AtomicFile.write([1, 2], to: file)
        try AtomicFile.write([3], to: file)
        XCTAssertEqual(try AtomicFile.read(file), [3])
        XCTAssertNil(nonRegularFileKind(atPath: file.path))
        XCTAssertNil(nonRegularFileKind(atPath: dir.appendingPathComponent("missing").path))
        XCTAssertEqual(nonRegularFileKind(atPath: "/dev/null"), "a character device")
    }

    func testAReplacedFileKeepsItsModeAndNoTemporaryFileStays() throws {
        let dir = try scratch()
        let file = dir.appendingPathComponent("private.bin")
        try AtomicFile.write([1], to: file)
        XCTAssertEqual(chmod(file.path, 0o600), 0)
        try AtomicFile.write([2, 3], to: file)
        var info = stat()
        XCTAssertEqual(stat(file.path, &info), 0)
        XCTAssertEqual(info.st_mode & 0o777, 0o600, "the replaced file must keep its permission bits")
        XCTAssertEqual(try AtomicFile.read(file), [2, 3])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["private.bin"])
    }

    func testAFailingBodyLeavesTheOldFileAndNoTemporaryFile() throws {
        struct Interrupted: Error {}
        let dir = try scratch()
        let file = dir.appendingPathComponent("kept.bin")
        try AtomicFile.write([7, 7], to: file)
        XCTAssertThrowsError(try AtomicFile.write(to: file) { handle in
            try handle.write(contentsOf: [1, 2, 3])
            throw Interrupted()
        }) { error in
            XCTAssertTrue("\(error)".hasPrefix(file.path + ": cannot write"), "\(error)")
        }
        XCTAssertEqual(try AtomicFile.read(file), [7, 7])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path), ["kept.bin"])
    }

    func testAMissingFolderIsOneLineNamingTheFile() {
        let file = URL(fileURLWithPath: "/nonexistent-\(UUID().uuidString)/m.bin")
        XCTAssertThrowsError(try AtomicFile.write([1], to: file)) { error in
            XCTAssertEqual("\(error)", "\(file.path): cannot write: expected the folder \(file.deletingLastPathComponent().path) to exist, found none")
        }
    }

    /// `train --out nodir/F.safetensors` trained and then lost its model (issue 15): the check commands make
    /// before any work refuses what the final write would refuse, naming the flag.
    func testCheckWritableRefusesWhatTheWriteWouldAndLeavesNothingBehind() throws {
        let dir = try scratch()
        let pipe = dir.appendingPathComponent("fifo")
        XCTAssertEqual(mkfifo(pipe.path, 0o600), 0)
        let cases: [(URL, String)] = [(dir.appendingPathComponent("nodir/F.safetensors"), "to exist"),
                                      (dir, "found a directory"), (pipe, "found a pipe"),
                                      (URL(fileURLWithPath: "/dev/full"), "found a character device")]
        for (url, words) in cases {
            XCTAssertThrowsError(try AtomicFile.checkWritable(url, label: "--out \(url.path)")) { error in
                XCTAssertTrue("\(error)".hasPrefix("--out \(url.path): "), "\(error)")
                XCTAssertTrue("\(error)".contains(words), "\(error)")
                XCTAssertFalse("\(error)".contains("\n"), "\(error)")
            }
        }
        try AtomicFile.checkWritable(dir.appendingPathComponent("new.bin"), label: "--out new.bin")
        XCTAssertEqual(Set(try FileManager.default.contentsOfDirectory(atPath: dir.path)), ["fifo"], "no probe file may stay")
    }

    func testSameFileSeesThroughSpellingsAndLinks() throws {
        let dir = try scratch()
        let file = dir.appendingPathComponent("a.bin"), link = dir.appendingPathComponent("link.bin")
        try AtomicFile.write([1], to: file)
        try FileManager.default.createSymbolicLink(at: link, withDestinationURL: file)
        XCTAssertTrue(AtomicFile.sameFile(file, URL(fileURLWithPath: dir.path + "/./a.bin")))
        XCTAssertTrue(AtomicFile.sameFile(file, link))
        XCTAssertFalse(AtomicFile.sameFile(file, dir.appendingPathComponent("missing.bin")))
        try AtomicFile.write([2], to: dir.appendingPathComponent("b.bin"))
        XCTAssertFalse(AtomicFile.sameFile(file, dir.appendingPathComponent("b.bin")))
    }
}

/// Issue 15: every kill -9 mid-write left a temporary file (118 MB for a paper checkpoint) that nothing
/// removed. The next write to the same destination removes those of dead processes, and only those.
final class StaleTemporaryFileTests: XCTestCase {
    func testTheNextWriteRemovesTemporariesOfDeadWritersOnly() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("stale-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: dir) }
        // A process that has exited: its pid is free (reuse within the test is practically impossible).
        let finished = Process()
        finished.executableURL = URL(fileURLWithPath: "/bin/true")
        try finished.run()
        finished.waitUntilExit()
        let dead = finished.processIdentifier
        let leftovers = [".model.safetensors.tmp-\(dead)-12345", ".model.safetensors.probe-\(dead)-7"]
        let kept = [".model.safetensors.tmp-\(getpid())-99",      // a live writer (this process)
                    ".other.safetensors.tmp-\(dead)-1",            // another destination
                    ".model.safetensors.tmp-notapid-1", "model.safetensors.tmp-\(dead)-1"]
        for name in leftovers + kept { XCTAssertTrue(FileManager.default.createFile(atPath: dir.appendingPathComponent(name).path, contents: Data([1]))) }
        try AtomicFile.write([1, 2], to: dir.appendingPathComponent("model.safetensors"))
        XCTAssertEqual(Set(try FileManager.default.contentsOfDirectory(atPath: dir.path)), Set(kept + ["model.safetensors"]))
    }
}
