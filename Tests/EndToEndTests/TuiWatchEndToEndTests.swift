import Foundation
import TestSupport
import XCTest

/// `inpaint watch LOG --model FILE` under tmux: the loss pane follows lines appended to the log, and the
/// reconstruction follows the checkpoint when it is rewritten atomically (a new file renamed over it, as
/// `inpaint train` does).
final class TuiWatchEndToEndTests: XCTestCase {
    private var binary: URL { productsDirectory.appendingPathComponent("inpaint") }

    private func stepLines(_ steps: ClosedRange<Int>, loss: (Int) -> Double) -> String {
        steps.map { step in
            "{\"epoch\":1,\"event\":\"step\",\"images_per_second\":800,\"learning_rate\":0.001,"
                + "\"loss\":\(loss(step)),\"step\":\(step),\"time\":1795657456.5}\n"
        }.joined()
    }

    func testLossPaneFollowsTheLogAndTheModelReloadsWhenTheCheckpointIsRewritten() throws {
        guard let tmuxPath = TmuxSession.tmuxPath() else { throw XCTSkip("tmux is not installed") }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("inpaint-watch-\(getpid())")
        try? FileManager.default.removeItem(at: directory)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: directory) }
        let checkpoint = directory.appendingPathComponent("run.safetensors").path
        let log = directory.appendingPathComponent("run.jsonl").path
        // Before: fresh weights (a flat gray answer); after: the bundled, trained model (a digit-like one).
        // Two fresh models would not do: both answer ≈ 0.5 everywhere and look the same.
        let bundled = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("assets/model.safetensors").path
        guard FileManager.default.fileExists(atPath: bundled) else { throw XCTSkip("no bundled model at \(bundled)") }
        let made = try runInpaint(["init", "--arch", "strided", "--seed", "1", "--out", checkpoint])
        XCTAssertEqual(made.status, 0, made.stderr)
        try ("{\"event\":\"state\",\"state\":\"training\",\"time\":1795657456.3}\n"
             + stepLines(1...40) { 0.2 * exp(-Double($0) / 30) + 0.02 })
            .write(toFile: log, atomically: true, encoding: .utf8)

        let tmux = try TmuxSession(tmux: tmuxPath, command: [binary.path, "watch", log, "--model", checkpoint],
                                   width: 120, height: 40)
        XCTAssertTrue(tmux.waitUntil { tmux.screen().find("reconstruction") != nil && tmux.screen().text.contains("40") },
                      "the UI came up with the log's 40 steps:\n\(tmux.screen().text)")
        let layout = tmux.screen()
        let recon = try XCTUnwrap(layout.find("reconstruction"))
        let chartTitle = try XCTUnwrap(layout.find("loss "))
        func reconstruction() -> [ScreenCapture.Cell] { tmux.screen().region(x: recon.x, y: recon.y + 1, width: 28, height: 14) }
        func lossPane() -> [ScreenCapture.Cell] {
            tmux.screen().region(x: chartTitle.x, y: chartTitle.y + 1, width: 120 - chartTitle.x, height: 12)
        }
        // The first reconstruction arrives with a tick after start-up.
        XCTAssertTrue(tmux.waitUntil { !tmux.screen().text.contains("waiting for the model") })
        let reconBefore = reconstruction(), chartBefore = lossPane()

        // New lines: the curve goes on (and up), and the status block shows the newest step.
        try append(stepLines(41...120) { 0.05 + 0.001 * Double($0) }, toFile: log)
        XCTAssertTrue(tmux.waitUntil { tmux.screen().text.contains("120") && lossPane() != chartBefore },
                      "the loss pane follows the appended lines:\n\(tmux.screen().text)")

        // Rewrite the checkpoint the way `inpaint train` does: a new file renamed over the old one.
        let staged = checkpoint + ".tmp"
        try FileManager.default.copyItem(atPath: bundled, toPath: staged)
        XCTAssertEqual(rename(staged, checkpoint), 0)
        XCTAssertTrue(tmux.waitUntil { reconstruction() != reconBefore },
                      "the reconstruction changes after the checkpoint was rewritten:\n\(tmux.screen().text)")
        XCTAssertTrue(tmux.screen().text.contains("reloaded"), "a notice says the model was reloaded")

        // Issue 12 §5: R and x said so only after a question or a menu; now at once, with no prompt.
        for key in ["R", "x"] {
            tmux.sendKey(key)
            XCTAssertTrue(tmux.waitUntil { tmux.screen().text.contains("watching: training runs elsewhere") },
                          "\(key) says at once that training runs elsewhere:\n\(tmux.screen().text)")
            let text = tmux.screen().text
            XCTAssertFalse(text.contains("reset the model") || text.contains("train an experiment"), "\(key): \(text)")
            tmux.sendKey("Escape")   // clears the notice's line for the next key (Esc does nothing else)
            XCTAssertTrue(tmux.waitUntil { !tmux.screen().text.contains("watching: training runs elsewhere") })
        }

        tmux.sendKey("q")
        XCTAssertEqual(tmux.exitStatus(), 0, "q exits with status 0")
        XCTAssertEqual(tmux.format("#{mouse_any_flag}"), "0", "mouse reporting is off after exit")
    }
}
