import Foundation
import TestSupport
import XCTest

/// Issue 15's reproducers on the real binary: nowhere to save, an output over an input, a log that cannot be
/// written, damaged checkpoints and recipes, flags near Int.max. Each gives one `Error:` line naming the
/// flag or file and a non-zero exit, never a trap or a "written" without a file.
final class HostileInputEndToEndTests: XCTestCase {
    private func train(_ arguments: [String], in dir: URL) throws -> CommandRun {
        try runInpaint(["train", "--arch", "strided", "--batch", "16", "--eval-count", "32"] + arguments,
                       environment: ["XDG_DATA_HOME": dir.path], unset: ["INPAINT_DATA"])
    }

    private let sampleImages = repositoryAssets.appendingPathComponent("mnist-sample-images-idx3-ubyte.gz")

    func testTrainRefusesAnOutputItCannotWriteBeforeTraining() throws {
        let dir = try temporaryDirectory(for: self)
        let folder = dir.appendingPathComponent("folder")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for (out, words) in [(dir.appendingPathComponent("nodir/F.safetensors").path, ["--out", "nodir", "to exist"]),
                             (folder.path, ["--out", "found a directory"]),
                             ("/dev/full", ["--out /dev/full", "character device"])] {
            let run = try train(["--steps", "30", "--out", out], in: dir)
            assertOneLineError(run, words)
            XCTAssertFalse(run.stderr.contains("training strided"), "must fail before training: \(run.stderr)")
            XCTAssertFalse(run.stderr.contains("written"), run.stderr)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("nodir").path))
    }

    func testFillRefusesToWriteOverItsInputAndMasksForMissingImages() throws {
        let dir = try temporaryDirectory(for: self)
        let images = dir.appendingPathComponent("images.idx.gz"), masks = dir.appendingPathComponent("masks.txt")
        try FileManager.default.copyItem(at: sampleImages, to: images)
        XCTAssertEqual(try runInpaint(["masks", "make", "--count", "3", "--out", masks.path]).status, 0)
        let before = try Data(contentsOf: images)
        let sameThroughDots = dir.appendingPathComponent("./images.idx.gz").path
        assertOneLineError(try runInpaint(["fill", "--images", images.path, "--masks", masks.path, "--count", "3",
                                           "--out", sameThroughDots]), ["--out", "same file as --images"])
        XCTAssertEqual(try Data(contentsOf: images), before, "the input must be untouched")
        assertOneLineError(try runInpaint(["fill", "--images", images.path, "--masks", masks.path, "--count", "3",
                                           "--out", masks.path]), ["same file as --masks"])
        // Holes for image 1,000,000 of a 1,000-image file: masks made for other data.
        try "0 1 1 10 10\n1000000 1 1 10 10\n".write(to: masks, atomically: true, encoding: .utf8)
        assertOneLineError(try runInpaint(["fill", "--images", images.path, "--masks", masks.path, "--count", "1",
                                           "--out", dir.appendingPathComponent("o.idx").path]), ["--masks", "index 1000000"])
    }
}
