import Foundation
import TestSupport
import XCTest

/// Issue 12 §2 with the real binary: a dropped connection (the terminal hangs up) saves the UI's training,
/// `--model` continues it, and `q` asks before unsaved training is lost. Trains a small fresh network
/// (`inpaint init --arch strided`) so the steps come quickly and the checkpoints are small.
final class TuiSaveEndToEndTests: XCTestCase {
    private var binary: URL { productsDirectory.appendingPathComponent("inpaint") }

    private func prerequisites() throws -> URL {
        guard let tmux = TmuxSession.tmuxPath() else { throw XCTSkip("tmux is not installed") }
        guard FileManager.default.isExecutableFile(atPath: binary.path) else { throw XCTSkip("no inpaint binary at \(binary.path)") }
        return tmux
    }

    /// A fresh strided network in `dir`.
    private func freshModel(in dir: URL) throws -> String {
        let path = dir.appendingPathComponent("start.safetensors").path
        XCTAssertEqual(try runInpaint(["init", "--arch", "strided", "--seed", "1", "--out", path]).status, 0)
        return path
    }

    /// The checkpoint's `inpaint.training` step, Adam's `optim.step` and the number of curve points.
    private func savedState(_ path: String) throws -> (step: Int, optimizerStep: Int?, curvePoints: Int) {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let length = Int(bytes.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) })
        let header = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(bytes[8 ..< 8 + length])) as? [String: Any])
        let metadata = try XCTUnwrap(header["__metadata__"] as? [String: String])
        let training = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(try XCTUnwrap(metadata["inpaint.training"]).utf8))
                                     as? [String: Any])
        let curve = ((training["loss"] as? [String: Any])?["curve"] as? [[String: Any]]) ?? []
        return (try XCTUnwrap(training["step"] as? Int), metadata["optim.step"].flatMap { Int($0) }, curve.count)
    }

    func testHangupDuringTrainingSavesACheckpointThatResumes() throws {
        let tmuxPath = try prerequisites()
        let dir = try temporaryDirectory(for: self)
        let start = try freshModel(in: dir), saved = dir.appendingPathComponent("saved.safetensors").path
        let tmux = try TmuxSession(tmux: tmuxPath, command: [binary.path, "tui", "--model", start, "--save", saved],
                                   width: 120, height: 40)
        XCTAssertTrue(tmux.waitUntil(seconds: 120) { (tmux.shownStep() ?? 0) >= 30 }, "it trains:\n\(tmux.screen().text)")
        let pid = try XCTUnwrap(tmux.programPID())

        // The pane's terminal goes away, as an ssh connection that drops: the kernel hangs it up (SIGHUP).
        try tmux.run(["kill-server"])
        XCTAssertTrue(tmux.waitUntil(seconds: 60) { kill(pid, 0) != 0 }, "the program ends after the hangup")
        XCTAssertTrue(FileManager.default.fileExists(atPath: saved), "the hangup saved the training")
        let state = try savedState(saved)
        XCTAssertGreaterThanOrEqual(state.step, 30)
        XCTAssertEqual(state.optimizerStep, state.step, "Adam's moments are saved with the step")
        XCTAssertGreaterThan(state.curvePoints, 0, "and the curves")

        // Reopened with --model: the step goes on from the saved one (never from 0), the curves drawn at once.
        let again = try TmuxSession(tmux: tmuxPath, command: [binary.path, "tui", "--model", saved, "--save",
                                                              dir.appendingPathComponent("again.safetensors").path],
                                    width: 120, height: 40)
        XCTAssertTrue(again.waitUntil(seconds: 30) { again.shownStep() != nil }, "the UI came up:\n\(again.screen().text)")
        let first = try XCTUnwrap(again.shownStep())
        XCTAssertGreaterThanOrEqual(first, state.step, "the status starts at the saved step:\n\(again.screen().text)")
        XCTAssertTrue(again.screen().text.unicodeScalars.contains { (0x2801...0x28FF).contains($0.value) },
                      "the saved curves are drawn before any new step:\n\(again.screen().text)")
        XCTAssertTrue(again.waitUntil(seconds: 120) { (again.shownStep() ?? 0) > state.step }, "and training continues")
        again.quitWithoutSaving()
        XCTAssertEqual(again.exitStatus(), 0)
    }

    func testSigtermSavesWithoutAskingAndSaysWhere() throws {
        let tmuxPath = try prerequisites()
        let dir = try temporaryDirectory(for: self)
        let start = try freshModel(in: dir), saved = dir.appendingPathComponent("saved.safetensors").path
        let tmux = try TmuxSession(tmux: tmuxPath, command: [binary.path, "tui", "--model", start, "--save", saved],
                                   width: 120, height: 40)
        XCTAssertTrue(tmux.waitUntil(seconds: 120) { (tmux.shownStep() ?? 0) > 0 }, "it trains:\n\(tmux.screen().text)")
        kill(try XCTUnwrap(tmux.programPID()), SIGTERM)
        XCTAssertEqual(tmux.exitStatus(seconds: 60), 143, "128 + SIGTERM, as before")
        let step = try savedState(saved).step
        XCTAssertGreaterThan(step, 0)
        XCTAssertTrue(tmux.waitUntil { tmux.screen().text.contains("saved the training (step \(step)) to \(saved)") },
                      "said after the terminal is restored:\n\(tmux.screen().text)")
        XCTAssertEqual(tmux.format("#{alternate_on}"), "0", "main screen back")
    }

    func testQuitWithUnsavedTrainingAsksFirst() throws {
        let tmuxPath = try prerequisites()
        let dir = try temporaryDirectory(for: self)
        let start = try freshModel(in: dir), saved = dir.appendingPathComponent("saved.safetensors").path
        let command = [binary.path, "tui", "--model", start, "--save", saved]

        let tmux = try TmuxSession(tmux: tmuxPath, command: command, width: 120, height: 40)
        XCTAssertTrue(tmux.waitUntil(seconds: 120) { (tmux.shownStep() ?? 0) > 0 }, "it trains:\n\(tmux.screen().text)")
        tmux.sendKey("q")
        XCTAssertTrue(tmux.waitUntil { tmux.screen().text.contains("Quit inpaint?") }, "q asks:\n\(tmux.screen().text)")
        XCTAssertTrue(tmux.screen().text.contains("save to \(saved) and quit"), tmux.screen().text)
        tmux.sendKey("Escape")
        XCTAssertTrue(tmux.waitUntil { !tmux.screen().text.contains("Quit inpaint?") }, "Esc stays")
        let stayedAt = tmux.shownStep() ?? 0
        XCTAssertTrue(tmux.waitUntil(seconds: 60) { (tmux.shownStep() ?? 0) > stayedAt }, "training goes on")
        tmux.sendKey("q")
        XCTAssertTrue(tmux.waitUntil { tmux.screen().text.contains("Quit inpaint?") })
        tmux.sendKey("n")
        XCTAssertEqual(tmux.exitStatus(), 0)
        XCTAssertFalse(FileManager.default.fileExists(atPath: saved), "n quits without saving")

        let saving = try TmuxSession(tmux: tmuxPath, command: command, width: 120, height: 40)
        XCTAssertTrue(saving.waitUntil(seconds: 120) { (saving.shownStep() ?? 0) > 0 })
        saving.sendKey("q")
        XCTAssertTrue(saving.waitUntil { saving.screen().text.contains("Quit inpaint?") })
        saving.sendKey("s")
        XCTAssertEqual(saving.exitStatus(seconds: 60), 0)
        XCTAssertTrue(FileManager.default.fileExists(atPath: saved), "s saves")
        let step = try savedState(saved).step
        XCTAssertTrue(saving.waitUntil { saving.screen().text.contains("saved the training (step \(step)) to \(saved)") },
                      "the exit says where, on the restored terminal:\n\(saving.screen().text)")
    }
}
