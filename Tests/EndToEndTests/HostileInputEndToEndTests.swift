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

    func testALogOrASavePathWithNoFolderIsRefusedBeforeAnyWork() throws {
        let dir = try temporaryDirectory(for: self)
        let log = dir.appendingPathComponent("nodir/run.jsonl").path
        let run = try train(["--steps", "30", "--out", dir.appendingPathComponent("m.safetensors").path, "--log", log], in: dir)
        assertOneLineError(run, ["--log \(log)"])
        XCTAssertFalse(run.stderr.contains("training strided"), "must fail before training: \(run.stderr)")
        // tui: before the terminal is taken over, so the error is a plain line on stderr.
        let save = dir.appendingPathComponent("nodir/ui.safetensors").path
        let tui = try runInpaint(["tui", "--no-train", "--save", save], environment: ["XDG_DATA_HOME": dir.path],
                                 unset: ["INPAINT_DATA"])
        assertOneLineError(tui, ["--save \(save)", "to exist"])
    }

    func testALogThatCannotBeWrittenIsOneErrorAndTheCheckpointIsStillWritten() throws {
        let dir = try temporaryDirectory(for: self)
        let out = dir.appendingPathComponent("model.safetensors")
        let run = try train(["--steps", "3", "--out", out.path, "--log", "/dev/full"], in: dir)
        assertOneLineError(run, ["--log /dev/full", "No space left on device"])
        XCTAssertTrue(FileManager.default.fileExists(atPath: out.path), "the checkpoint must still be written: \(run.stderr)")
        XCTAssertTrue(run.stderr.contains("done: step 3"), run.stderr)
    }

    func testFlagsNearIntMaxAreRefusedNamingTheFlag() throws {
        let dir = try temporaryDirectory(for: self)
        let out = dir.appendingPathComponent("m.safetensors").path
        let huge = "9223372036854775807"
        for (arguments, flag) in [(["--epochs", huge], "--epochs"), (["--steps", huge], "--steps"), (["--batch", huge], "--batch"),
                                  (["--threads", "100000"], "--threads"), (["--warmup", huge], "--warmup")] {
            assertOneLineError(try train(arguments + ["--out", out], in: dir), [flag])
        }
        assertOneLineError(try runInpaint(["masks", "make", "--count", huge, "--out", dir.appendingPathComponent("k.txt").path]),
                           ["--count"])
        assertOneLineError(try runInpaint(["fill", "--images", sampleImages.path, "--masks", "m", "--out", "o", "--batch", huge]),
                           ["--batch"])
    }

    /// A trained checkpoint's bytes, with `edit` applied to its JSON header (the length is rewritten).
    private func editedCheckpoint(in dir: URL, _ edit: (String) -> String, data dataEdit: (inout [UInt8]) -> Void = { _ in }) throws -> URL {
        let url = dir.appendingPathComponent("base.safetensors")
        if !FileManager.default.fileExists(atPath: url.path) {
            XCTAssertEqual(try train(["--steps", "2", "--out", url.path], in: dir).status, 0)
        }
        let bytes = [UInt8](try Data(contentsOf: url))
        let length = Int(bytes.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) })
        let header = Array(edit(String(decoding: bytes[8 ..< 8 + length], as: UTF8.self)).utf8)
        var data = Array(bytes[(8 + length)...])
        dataEdit(&data)
        let edited = dir.appendingPathComponent("edited-\(UUID()).safetensors")
        try Data(withUnsafeBytes(of: UInt64(header.count).littleEndian, Array.init) + header + data).write(to: edited)
        return edited
    }

    func testACheckpointWithAnInfiniteWeightIsRefusedByFillAndEval() throws {
        let dir = try temporaryDirectory(for: self)
        // The first tensor's first float becomes +Inf.
        let broken = try editedCheckpoint(in: dir, { $0 }, data: { $0.replaceSubrange(0 ..< 4, with: [0, 0, 0x80, 0x7F]) })
        let masks = dir.appendingPathComponent("masks.txt")
        XCTAssertEqual(try runInpaint(["masks", "make", "--count", "5", "--out", masks.path]).status, 0)
        assertOneLineError(try runInpaint(["fill", "--model", broken.path, "--images", sampleImages.path, "--masks", masks.path,
                                           "--count", "5", "--out", dir.appendingPathComponent("o.idx").path]),
                           [broken.lastPathComponent, "inf", "finite"])
        let eval = try runInpaint(["eval", "--model", broken.path], environment: ["XDG_DATA_HOME": dir.path], unset: ["INPAINT_DATA"])
        assertOneLineError(eval, [broken.lastPathComponent, "finite"])
        XCTAssertFalse(eval.stdout.contains("nan"), eval.stdout)
    }

    func testResumeRefusesADamagedRecipe() throws {
        let dir = try temporaryDirectory(for: self)
        for (from, to, words) in [("\\\"batchSize\\\":16", "\\\"batchSize\\\":0", ["batch size 0"]),
                                  ("\\\"batchSize\\\":16", "\\\"batchSize\\\":-1", ["batch size -1"]),
                                  ("\\\"beta1\\\":0.9", "\\\"beta1\\\":5", ["betas 5"]),
                                  ("\\\"learningRate\\\":0.001", "\\\"learningRate\\\":-1", ["learning rate -1"]),
                                  ("\"optim.step\":\"2\"", "\"optim.step\":\"9223372036854775807\"", ["optimizer step"])] {
            var changed = false
            let edited = try editedCheckpoint(in: dir) { header in
                changed = header.contains(from)
                return header.replacingOccurrences(of: from, with: to)
            }
            XCTAssertTrue(changed, "the checkpoint's header has no \(from)")
            let run = try train(["--resume", edited.path, "--steps", "4", "--out", edited.path], in: dir)
            assertOneLineError(run, [edited.lastPathComponent] + words)
        }
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
