import Foundation
import TestSupport
import XCTest

/// The real `inpaint tui` in a real terminal (tmux), driven by SGR mouse sequences and keys.
final class TuiEndToEndTests: XCTestCase {
    private var binary: URL { productsDirectory.appendingPathComponent("inpaint") }

    private func start(width: Int = 120, height: Int = 40, extra: [String] = []) throws -> TmuxSession {
        guard let tmux = TmuxSession.tmuxPath() else { throw XCTSkip("tmux is not installed") }
        guard FileManager.default.isExecutableFile(atPath: binary.path) else { throw XCTSkip("no inpaint binary at \(binary.path)") }
        let session = try TmuxSession(tmux: tmux, command: [binary.path, "tui", "--no-train"] + extra, width: width, height: height)
        // Up, and past start-up: the first reconstruction comes with the first tick of the running loop.
        XCTAssertTrue(session.waitUntil { session.screen().find("masked input") != nil && !session.screen().text.contains("waiting for the model") },
                      "the UI did not come up:\n\(session.screen().text)")
        return session
    }

    private func temporaryFile(_ name: String) -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("inpaint-tui-\(getpid())-\(name)").path
        try? FileManager.default.removeItem(atPath: path)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return path
    }

    /// The hole colour of the 256-colour theme (`Theme.hole`).
    private let holeColour = 24

    func testDragMovesTheHoleAndUpdatesTheReconstructionThenQuitRestoresTheTerminal() throws {
        let stats = temporaryFile("stats.json"), recording = temporaryFile("pty.bin")
        let tmux = try start(extra: ["--stats-file", stats])
        XCTAssertTrue(tmux.waitUntil { tmux.motionTrackingOn }, "mouse motion tracking is on")
        XCTAssertEqual(tmux.format("#{mouse_sgr_flag}"), "1", "SGR mouse reports are on")

        let before = tmux.screen()
        let masked = try XCTUnwrap(before.find("masked input")), recon = try XCTUnwrap(before.find("reconstruction"))
        let composite = try XCTUnwrap(before.find("composite"))
        let digitY = masked.y + 1
        let reconBefore = before.region(x: recon.x, y: recon.y + 1, width: 28, height: 14)
        let compositeBefore = before.region(x: composite.x, y: composite.y + 1, width: 28, height: 14)

        // Drag from cell (3, 1) to (20, 10) of the masked panel: rows 2…21, columns 3…20 of the digit.
        tmux.record(to: recording)
        tmux.sendLiteral(TmuxSession.mouse("press", x: masked.x + 3, y: digitY + 1))
        for step in 1...17 {
            tmux.sendLiteral(TmuxSession.mouse("drag", x: masked.x + 3 + step, y: digitY + 1 + min(step, 9)))
            usleep(30_000)   // spaced like a hand's motion events, so each gets its own frame
        }
        tmux.sendLiteral(TmuxSession.mouse("release", x: masked.x + 20, y: digitY + 10))
        XCTAssertTrue(tmux.waitUntil { tmux.screen().text.contains("hole 20×18 at row  2, col  3") },
                      "header shows the dragged hole:\n\(tmux.screen().text)")
        tmux.stopRecording()

        // The first cell that does not match the dragged hole, or nil: polled, since a capture can land
        // between the header's frame and the panel's.
        func holeMismatch(_ screen: ScreenCapture) -> String? {
            for cy in 0..<14 {
                for cx in 0..<28 {
                    guard let cell = screen.halves(x: masked.x + cx, y: digitY + cy) else { return "cell (\(cx), \(cy)) missing" }
                    let inside = cx >= 3 && cx <= 20 && cy >= 1 && cy <= 10
                    if (cell.upper == holeColour && cell.lower == holeColour) != inside {
                        return "masked-input cell (\(cx), \(cy)) hole=\(inside) but shows \(cell.upper) over \(cell.lower)"
                    }
                }
            }
            return nil
        }
        tmux.waitUntil(seconds: 5) { holeMismatch(tmux.screen()) == nil }
        let after = tmux.screen()
        XCTAssertNil(holeMismatch(after), "the hole is where it was dragged:\n\(after.text)")
        XCTAssertNotEqual(after.region(x: composite.x, y: composite.y + 1, width: 28, height: 14), compositeBefore,
                          "the composite follows the new hole")
        XCTAssertNotEqual(after.region(x: recon.x, y: recon.y + 1, width: 28, height: 14), reconBefore,
                          "the reconstruction panel changed")

        tmux.sendKey("q")
        XCTAssertEqual(tmux.exitStatus(), 0, "q exits with status 0")
        XCTAssertTrue(exited(tmux), "the pane's shell ends with it")
        XCTAssertEqual(tmux.format("#{mouse_any_flag}"), "0", "mouse reporting is off after exit")
        XCTAssertEqual(tmux.format("#{alternate_on}"), "0", "back on the main screen")

        // Numbers for the report (printed, never asserted: timings belong to benchmarks).
        let bytes = (try? Data(contentsOf: URL(fileURLWithPath: recording)).count) ?? 0
        if let data = try? Data(contentsOf: URL(fileURLWithPath: stats)),
           let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any] {
            let latencies = (json["dragLatencyMilliseconds"] as? [Double]) ?? []
            let frames = max(1, (json["dragFrames"] as? Int) ?? 1)
            let own = (json["dragFrameBytes"] as? [Int]) ?? []
            print(String(format: "tui drag benchmark: %d drag frames, %.0f bytes/frame (pty recording, %d bytes, "
                         + "with press and release), %.0f bytes/drag frame (the program's count), "
                         + "latency median %.1f ms max %.1f ms, first frame %.0f ms", frames,
                         Double(bytes) / Double(frames), bytes,
                         own.isEmpty ? Double.nan : Double(own.reduce(0, +)) / Double(own.count),
                         median(latencies), latencies.max() ?? 0, (json["firstFrameMilliseconds"] as? Double) ?? -1))
        }
    }

    func testResizeRelayoutsAndSmallTerminalShowsAMessage() throws {
        let tmux = try start()
        // 120×40: 2×2 grid, so "reconstruction" sits under "original".
        XCTAssertEqual(tmux.screen().find("reconstruction")?.x, 0)
        tmux.resize(width: 170, height: 30)
        XCTAssertTrue(tmux.waitUntil { tmux.screen().find("reconstruction")?.y == 1 },
                      "at 170×30 the four panels sit in one row:\n\(tmux.screen().text)")
        tmux.resize(width: 50, height: 20)
        XCTAssertTrue(tmux.waitUntil { tmux.screen().text.contains("Terminal too small") })
        tmux.resize(width: 80, height: 24)
        XCTAssertTrue(tmux.waitUntil { tmux.screen().find("composite") != nil && !tmux.screen().text.contains("too small") })
        tmux.sendKey("q")
        XCTAssertEqual(tmux.exitStatus(), 0)
        XCTAssertEqual(tmux.format("#{mouse_any_flag}"), "0", "mouse reporting is off after exit")
    }

    /// Issue 12: at 80×24, the most common size, the four panels show, the key line ends with `?` and `q`,
    /// and the help scrolls to its last row.
    func testAt80x24TheFourPanelsAndTheKeyLineWithHelpAndQuit() throws {
        let tmux = try start(width: 80, height: 24)
        let screen = tmux.screen()
        for title in ["original", "masked input", "reconstruction", "composite"] {
            XCTAssertNotNil(screen.find(title), "\(title) at 80×24:\n\(screen.text)")
        }
        let rows = screen.text.split(separator: "\n", omittingEmptySubsequences: false)
        XCTAssertGreaterThanOrEqual(rows.count, 24)
        let keyLine = String(rows[23])
        XCTAssertTrue(keyLine.contains("?: help") && keyLine.contains("q: quit"), "the key line: \(keyLine)")
        XCTAssertFalse(String(rows[0]).contains("too small"), "nothing hidden: \(rows[0])")
        tmux.sendKey("?")
        XCTAssertTrue(tmux.waitUntil { tmux.screen().text.contains("keys (1-") }, "the help says it scrolls:\n\(tmux.screen().text)")
        XCTAssertFalse(tmux.screen().text.contains("this help / quit"))
        // Space pages on (the help has grown past two pages at 80×24) until its last row shows.
        for _ in 0..<4 where !tmux.screen().text.contains("this help / quit") {
            tmux.sendKey("Space")
            _ = tmux.waitUntil(seconds: 2) { tmux.screen().text.contains("this help / quit") }
        }
        XCTAssertTrue(tmux.screen().text.contains("this help / quit"), "its last row:\n\(tmux.screen().text)")
        tmux.sendKey("q")
        XCTAssertEqual(tmux.exitStatus(), 0, "q quits from the help")
    }

    /// Waits until tmux marks the pane dead (its pty closed). The exit status comes from
    /// `TmuxSession.exitStatus()` (see there for why not `#{pane_dead_status}`).
    private func exited(_ tmux: TmuxSession) -> Bool {
        tmux.waitUntil { tmux.format("#{pane_dead}") == "1" }
    }

    func testSigtermAndCtrlCRestoreTheTerminal() throws {
        for (how, status) in [("TERM", Int32(143)), ("C-c", Int32(130))] {
            let tmux = try start()
            XCTAssertTrue(tmux.waitUntil { tmux.motionTrackingOn })
            if how == "TERM" {
                let pid = try XCTUnwrap(tmux.programPID(), "the program runs under the pane's shell")
                kill(pid, SIGTERM)
            } else {
                tmux.sendKey("C-c")
            }
            XCTAssertEqual(tmux.exitStatus(), status, "\(how): exit status 128 + signal number")
            XCTAssertTrue(exited(tmux), "\(how) ends the program")
            XCTAssertEqual(tmux.format("#{mouse_any_flag}"), "0", "\(how): mouse reporting off")
            XCTAssertEqual(tmux.format("#{alternate_on}"), "0", "\(how): main screen back")
        }
    }

    /// Training the bundled (already trained) model starts at the fine-tuning rate, 1e-4, so that its first
    /// steps do not undo the annealing; `R` (a fresh network) trains with `--recipe fast` (its warm-up to
    /// 2e-3, its 12 epochs); `--lr` overrides both.
    func testBackgroundTrainingFineTunesATrainedModelSlowlyAndAFreshOneAtTheUsualRate() throws {
        guard let tmuxPath = TmuxSession.tmuxPath() else { throw XCTSkip("tmux is not installed") }
        guard FileManager.default.isExecutableFile(atPath: binary.path) else { throw XCTSkip("no inpaint binary") }
        func shows(_ tmux: TmuxSession, rate: String) -> Bool {
            tmux.waitUntil(seconds: 30) {
                let text = tmux.screen().text
                return text.range(of: "lr +\(rate)", options: .regularExpression) != nil
                    && text.range(of: "step +[1-9]", options: .regularExpression) != nil
            }
        }
        let tmux = try TmuxSession(tmux: tmuxPath, command: [binary.path, "tui"], width: 120, height: 40)
        XCTAssertTrue(shows(tmux, rate: "1.00e-04"), "the bundled model trains at 1e-4:\n\(tmux.screen().text)")
        tmux.sendKey("R")
        tmux.sendKey("y")
        XCTAssertTrue(tmux.waitUntil { tmux.screen().text.contains("fresh random weights") })
        // The bundled network (paper, mask channel) is the fast recipe's: fresh weights train with it.
        XCTAssertTrue(tmux.waitUntil { tmux.screen().text.contains("model    fresh weights, --recipe fast (R)") },
                      "the status says what trains now, not the bundled model (issue 12 §5):\n\(tmux.screen().text)")
        func rate() -> Double? {
            let text = tmux.screen().text
            guard let range = text.range(of: "lr +[0-9.]+e[-+][0-9]+", options: .regularExpression) else { return nil }
            return Double(text[range].dropFirst(2).trimmingCharacters(in: .whitespaces))
        }
        // The recipe's warm-up: 2e-3 reached over 300 steps, so the rate is below it and rising.
        XCTAssertTrue(tmux.waitUntil(seconds: 30) { (rate() ?? 1) < 2e-3 && tmux.screen().text.range(of: "step +[1-9]", options: .regularExpression) != nil },
                      "a reset network warms up to 2e-3:\n\(tmux.screen().text)")
        let early = try XCTUnwrap(rate())
        XCTAssertTrue(tmux.waitUntil(seconds: 30) { (rate() ?? 0) > early }, "the warm-up rises from \(early):\n\(tmux.screen().text)")
        XCTAssertTrue(tmux.screen().text.range(of: "progress +[0-9]+/[0-9]+ \\(", options: .regularExpression) != nil,
                      "the recipe's run has an end:\n\(tmux.screen().text)")
        tmux.quitWithoutSaving()
        XCTAssertEqual(tmux.exitStatus(), 0)

        let overridden = try TmuxSession(tmux: tmuxPath, command: [binary.path, "tui", "--lr", "5e-4"], width: 120, height: 40)
        XCTAssertTrue(shows(overridden, rate: "5.00e-04"), "--lr sets the rate:\n\(overridden.screen().text)")
        overridden.quitWithoutSaving()
        XCTAssertEqual(overridden.exitStatus(), 0)
    }

    func testAsciiFallbackUnderNoColor() throws {
        guard let tmux = TmuxSession.tmuxPath() else { throw XCTSkip("tmux is not installed") }
        let session = try TmuxSession(tmux: tmux, command: ["env", "NO_COLOR=1", binary.path, "tui", "--no-train"],
                                      width: 120, height: 40)
        XCTAssertTrue(session.waitUntil { session.screen().find("masked input") != nil })
        let text = session.screen().text
        XCTAssertFalse(text.contains("▀"), "no half blocks without colour")
        XCTAssertTrue(text.contains("@") || text.contains("%"), "digits drawn with the ramp")
        XCTAssertTrue(text.contains("/"), "the hole drawn as '/'")
        session.sendKey("q")
        XCTAssertEqual(session.exitStatus(), 0)
    }
}

private func median(_ values: [Double]) -> Double {
    guard !values.isEmpty else { return .nan }
    let sorted = values.sorted()
    return sorted[sorted.count / 2]
}
