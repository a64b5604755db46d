import Foundation
import TestSupport
import XCTest

/// `inpaint train` on the real binary with the bundled sample: log, checkpoint, resume, Ctrl-C, bad flags.
final class TrainEndToEndTests: XCTestCase {
    /// Only the bundled sample is visible: no INPAINT_DATA, an empty XDG data folder.
    private func train(_ arguments: [String], in dir: URL) throws -> CommandRun {
        try runInpaint(["train", "--arch", "strided", "--batch", "16", "--eval-count", "32"] + arguments,
                       environment: ["XDG_DATA_HOME": dir.path], unset: ["INPAINT_DATA"])
    }

    private func events(_ url: URL) throws -> [[String: Any]] {
        try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map {
            try XCTUnwrap(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
    }

    func testTrainWritesLogAndCheckpointAndResumesToTheSameWeights() throws {
        let dir = try temporaryDirectory(for: self)
        let straight = dir.appendingPathComponent("straight.safetensors")
        let run = try train(["--steps", "6", "--eval-every", "3", "--out", straight.path,
                             "--log", dir.appendingPathComponent("log.jsonl").path], in: dir)
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stderr.contains("bundled") || run.stderr.contains("assets"), "should say it trains on the sample: \(run.stderr)")
        let log = try events(dir.appendingPathComponent("log.jsonl"))
        XCTAssertEqual(log.filter { $0["event"] as? String == "step" }.compactMap { $0["step"] as? Int }, Array(1...6))
        XCTAssertEqual(log.filter { $0["event"] as? String == "evaluation" }.count, 2)
        XCTAssertEqual(log.last?["event"] as? String, "stopped")
        XCTAssertEqual(log.last?["reason"] as? String, "finished")

        // 4 steps, then resume to 6: the same file, byte for byte in its tensors.
        let split = dir.appendingPathComponent("split.safetensors")
        XCTAssertEqual(try train(["--steps", "4", "--out", split.path], in: dir).status, 0)
        let resumed = try runInpaint(["train", "--resume", split.path, "--steps", "6", "--out", split.path],
                                     environment: ["XDG_DATA_HOME": dir.path], unset: ["INPAINT_DATA"])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertTrue(resumed.stderr.contains("resuming at step 4"), resumed.stderr)
        // Same tensors and step; the metadata's loss curve differs (the resumed run saw fewer events).
        let a = try fillOutputs(model: straight, dir: dir), b = try fillOutputs(model: split, dir: dir)
        XCTAssertEqual(a, b, "a resumed run must reconstruct exactly like the uninterrupted one")
    }

    /// A resumed run keeps its own length when neither --steps nor --epochs is given: resuming a 1-epoch
    /// cosine run used to stretch it to the default 3 epochs and bend its learning rate mid-run.
    func testResumeWithoutALengthKeepsTheRunsOwn() throws {
        let dir = try temporaryDirectory(for: self)
        let out = dir.appendingPathComponent("short.safetensors")
        // The sample's training images at batch 200: 4 whole steps an epoch.
        let first = try train(["--epochs", "1", "--batch", "200", "--schedule", "cosine", "--out", out.path], in: dir)
        XCTAssertEqual(first.status, 0, first.stderr)
        XCTAssertTrue(first.stderr.contains("done: step 4"), first.stderr)
        let log = dir.appendingPathComponent("resumed.jsonl")
        let resumed = try runInpaint(["train", "--resume", out.path, "--out", out.path, "--log", log.path],
                                     environment: ["XDG_DATA_HOME": dir.path], unset: ["INPAINT_DATA"])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertTrue(resumed.stderr.contains("done: step 4"), "the finished run must stay finished: \(resumed.stderr)")
        XCTAssertEqual(try events(log).filter { $0["event"] as? String == "step" }.count, 0)
        // --epochs still extends it.
        let longer = try runInpaint(["train", "--resume", out.path, "--epochs", "2", "--out", out.path],
                                    environment: ["XDG_DATA_HOME": dir.path], unset: ["INPAINT_DATA"])
        XCTAssertTrue(longer.stderr.contains("done: step 8"), longer.stderr)
    }

    /// The `inpaint.training` metadata's loss-curve steps of a checkpoint.
    private func curveSteps(_ url: URL) throws -> [Int] {
        let bytes = [UInt8](try Data(contentsOf: url))
        let length = Int(bytes.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) })
        let header = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(bytes[8 ..< 8 + length])) as? [String: Any])
        let metadata = try XCTUnwrap(header["__metadata__"] as? [String: String])
        let training = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(try XCTUnwrap(metadata["inpaint.training"]).utf8)) as? [String: Any])
        let curve = try XCTUnwrap((training["loss"] as? [String: Any])?["curve"] as? [[String: Any]])
        return curve.compactMap { $0["step"] as? Int }
    }

    /// Issue 15: a resumed checkpoint's loss curve lost the history before the resume.
    func testAResumedCheckpointKeepsItsLossHistory() throws {
        let dir = try temporaryDirectory(for: self)
        let out = dir.appendingPathComponent("model.safetensors")
        XCTAssertEqual(try train(["--steps", "20", "--eval-every", "10", "--out", out.path], in: dir).status, 0)
        let before = try curveSteps(out)
        XCTAssertTrue(before.contains(20), "\(before)")
        let resumed = try runInpaint(["train", "--resume", out.path, "--steps", "30", "--out", out.path],
                                     environment: ["XDG_DATA_HOME": dir.path], unset: ["INPAINT_DATA"])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        let after = try curveSteps(out)
        XCTAssertEqual(Array(after.prefix(before.count)), before, "the history before the resume must stay")
        XCTAssertTrue(after.contains(30), "\(after)")
    }

    /// Reconstructions of 20 sample digits as float32 bytes, a faithful fingerprint of the weights.
    private func fillOutputs(model: URL, dir: URL) throws -> Data {
        let masks = dir.appendingPathComponent("masks.txt"), out = dir.appendingPathComponent("out-\(UUID()).idx")
        XCTAssertEqual(try runInpaint(["masks", "make", "--count", "20", "--seed", "2", "--out", masks.path]).status, 0)
        let images = repositoryRoot.appendingPathComponent("assets/mnist-sample-images-idx3-ubyte.gz")
        let fill = try runInpaint(["fill", "--model", model.path, "--images", images.path, "--masks", masks.path,
                                   "--count", "20", "--output", "reconstruction", "--float", "--out", out.path])
        XCTAssertEqual(fill.status, 0, fill.stderr)
        return try Data(contentsOf: out)
    }

    func testSigintSavesACheckpointAndExits130() throws { try signalSavesACheckpoint(SIGINT, exitStatus: 130) }

    /// 128 + the signal's number, as a shell reports a process the signal ended (issue 15: SIGTERM gave 130).
    func testSigtermSavesACheckpointAndExits143() throws { try signalSavesACheckpoint(SIGTERM, exitStatus: 143) }

    private func signalSavesACheckpoint(_ signal: Int32, exitStatus: Int32) throws {
        let dir = try temporaryDirectory(for: self)
        let out = dir.appendingPathComponent("model.safetensors"), logURL = dir.appendingPathComponent("log.jsonl")
        let process = Process()
        process.executableURL = productsDirectory.appendingPathComponent("inpaint")
        process.arguments = ["train", "--arch", "strided", "--batch", "16", "--steps", "100000", "--checkpoint-every", "0",
                             "--out", out.path, "--log", logURL.path]
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "INPAINT_DATA")
        env["XDG_DATA_HOME"] = dir.path
        process.environment = env
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline, !((try? String(contentsOf: logURL, encoding: .utf8))?.contains("\"step\":3,") ?? false) {
            Thread.sleep(forTimeInterval: 0.05)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.path), "no checkpoint before the signal")
        kill(process.processIdentifier, signal)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, exitStatus)
        XCTAssertTrue(FileManager.default.fileExists(atPath: out.path), "Ctrl-C must save the work")
        let log = try events(logURL)
        XCTAssertEqual(log.last?["reason"] as? String, "cancelled")
        XCTAssertTrue(log.contains { $0["event"] as? String == "checkpoint" })
        // The saved file is a complete checkpoint that `fill` can use.
        XCTAssertFalse(try fillOutputs(model: out, dir: dir).isEmpty)
    }

    /// `--adversarial`: D's losses in the log, the discriminator in the checkpoint (dropped by `export`), and
    /// a resumed run reconstructs like the uninterrupted one.
    func testAdversarialTrainingLogsDiscriminatorLossAndResumes() throws {
        let dir = try temporaryDirectory(for: self)
        let straight = dir.appendingPathComponent("straight.safetensors"), logURL = dir.appendingPathComponent("log.jsonl")
        let run = try train(["--steps", "4", "--adversarial", "--out", straight.path, "--log", logURL.path], in: dir)
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stderr.contains("adversarial weight 0.001"), run.stderr)
        let steps = try events(logURL).filter { $0["event"] as? String == "step" }
        XCTAssertEqual(steps.count, 4)
        XCTAssertTrue(steps.allSatisfy { $0["discriminator_loss"] is Double && $0["adversarial_loss"] is Double }, "\(steps)")

        let split = dir.appendingPathComponent("split.safetensors")
        XCTAssertEqual(try train(["--steps", "2", "--adversarial-weight", "0.001", "--out", split.path], in: dir).status, 0)
        let resumed = try runInpaint(["train", "--resume", split.path, "--steps", "4", "--out", split.path],
                                     environment: ["XDG_DATA_HOME": dir.path], unset: ["INPAINT_DATA"])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertTrue(resumed.stderr.contains("adversarial weight 0.001"), "the recipe comes from the checkpoint: \(resumed.stderr)")
        XCTAssertEqual(try fillOutputs(model: straight, dir: dir), try fillOutputs(model: split, dir: dir))

        let shipped = dir.appendingPathComponent("shipped.safetensors")
        XCTAssertEqual(try runInpaint(["export", "--model", straight.path, "--out", shipped.path]).status, 0)
        XCTAssertTrue(try tensorNames(straight).contains("disc.5.weight"))
        XCTAssertTrue(try tensorNames(straight).contains("optim.m.disc.5.weight"))
        XCTAssertFalse(try tensorNames(shipped).contains { $0.contains("disc.") }, "a shipping copy holds the generator only")

        assertOneLineError(try train(["--steps", "1", "--adversarial-weight", "1"], in: dir), ["--adversarial-weight"])
    }

    /// The tensor names in a safetensors header (8-byte little-endian length, then JSON).
    private func tensorNames(_ url: URL) throws -> [String] {
        let data = try Data(contentsOf: url)
        let length = data.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        let header = try XCTUnwrap(JSONSerialization.jsonObject(with: data.subdata(in: 8 ..< 8 + length)) as? [String: Any])
        return header.keys.filter { $0 != "__metadata__" }
    }

    /// The checkpoint's `inpaint.config` and `inpaint.training` options.
    private func recipeOf(_ url: URL) throws -> (config: [String: Any], options: [String: Any]) {
        let bytes = [UInt8](try Data(contentsOf: url))
        let length = Int(bytes.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) })
        let header = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(bytes[8 ..< 8 + length])) as? [String: Any])
        let metadata = try XCTUnwrap(header["__metadata__"] as? [String: String])
        func object(_ key: String) throws -> [String: Any] {
            try XCTUnwrap(JSONSerialization.jsonObject(with: Data(try XCTUnwrap(metadata[key]).utf8)) as? [String: Any])
        }
        return (try object("inpaint.config"), try XCTUnwrap(try object("inpaint.training")["options"] as? [String: Any]))
    }

    /// `--recipe fast` is its flags under one name (mask channel, 12 epochs, cosine from 2e-3 after 300
    /// warm-up steps); a flag beside it overrides that part; without it, the report's recipe as before.
    func testRecipeFastIsItsFlagsAndFlagsBesideItOverride() throws {
        let dir = try temporaryDirectory(for: self)
        let fast = dir.appendingPathComponent("fast.safetensors"), log = dir.appendingPathComponent("fast.jsonl")
        let run = try train(["--recipe", "fast", "--steps", "2", "--out", fast.path, "--log", log.path], in: dir)
        XCTAssertEqual(run.status, 0, run.stderr)
        let (config, options) = try recipeOf(fast)
        XCTAssertEqual(config["maskChannel"] as? Bool, true)
        XCTAssertEqual(options["learningRate"] as? Double ?? 0, 2e-3, accuracy: 1e-9)
        XCTAssertEqual(options["schedule"] as? String, "cosine")
        XCTAssertEqual(options["warmupSteps"] as? Int, 300)
        XCTAssertEqual(options["seed"] as? Int, 1)
        // The first step's rate is the warm-up's first three-hundredth of 2e-3.
        let first = try XCTUnwrap(try events(log).first { $0["event"] as? String == "step" })
        XCTAssertEqual(first["learning_rate"] as? Double ?? 0, 2e-3 / 300, accuracy: 1e-9)

        // Flags beside it win; the length stays the recipe's 12 epochs unless --steps/--epochs say otherwise.
        let mine = dir.appendingPathComponent("mine.safetensors")
        XCTAssertEqual(try train(["--recipe", "fast", "--warmup", "0", "--lr", "1e-3", "--seed", "7", "--steps", "2",
                                  "--out", mine.path], in: dir).status, 0)
        let (_, overridden) = try recipeOf(mine)
        XCTAssertEqual(overridden["learningRate"] as? Double ?? 0, 1e-3, accuracy: 1e-9)
        XCTAssertEqual(overridden["warmupSteps"] as? Int, 0)
        XCTAssertEqual(overridden["seed"] as? Int, 7)
        XCTAssertEqual(overridden["schedule"] as? String, "cosine")

        // No recipe: the report's, one input channel, a constant 1e-3 over 3 epochs.
        let plain = dir.appendingPathComponent("plain.safetensors")
        XCTAssertEqual(try train(["--steps", "2", "--out", plain.path], in: dir).status, 0)
        let (plainConfig, plainOptions) = try recipeOf(plain)
        XCTAssertEqual(plainConfig["maskChannel"] as? Bool, false)
        XCTAssertEqual(plainOptions["schedule"] as? String, "constant")
        XCTAssertEqual(plainOptions["warmupSteps"] as? Int, 0)
        XCTAssertEqual(plainOptions["learningRate"] as? Double ?? 0, 1e-3, accuracy: 1e-9)
    }

    func testBadFlagsAndBadResumeFileFailWithOneLine() throws {
        let dir = try temporaryDirectory(for: self)
        assertOneLineError(try train(["--steps", "0"], in: dir), ["--steps"])
        assertOneLineError(try train(["--epochs", "2", "--steps", "3"], in: dir), ["--epochs", "--steps"])
        let junk = dir.appendingPathComponent("junk.safetensors")
        try Data("not a checkpoint".utf8).write(to: junk)
        assertOneLineError(try train(["--resume", junk.path, "--steps", "2"], in: dir), ["junk.safetensors"])
        assertOneLineError(try train(["--recipe", "quick", "--steps", "2"], in: dir), ["--recipe"])
        assertOneLineError(try train(["--recipe", "fast", "--resume", junk.path], in: dir), ["--recipe", "--resume"])
    }
}

/// The package folder (Tests/EndToEndTests/… → three levels up).
private let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()
