import Foundation
import TestSupport
import XCTest

/// The real binary in terminals that are not a UTF-8, 256-colour xterm, and answering the frame pacing's
/// queries (issue 12: honest fallbacks, frames paced by the terminal).
final class TuiTerminalFallbackEndToEndTests: XCTestCase {
    private var binary: URL { productsDirectory.appendingPathComponent("inpaint") }

    private func temporaryFile(_ name: String) -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("inpaint-fallback-\(getpid())-\(name)").path
        try? FileManager.default.removeItem(atPath: path)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return path
    }

    private func session(_ command: [String]) throws -> TmuxSession {
        guard let tmux = TmuxSession.tmuxPath() else { throw XCTSkip("tmux is not installed") }
        guard FileManager.default.isExecutableFile(atPath: binary.path) else { throw XCTSkip("no inpaint binary at \(binary.path)") }
        return try TmuxSession(tmux: tmux, command: command, width: 120, height: 40)
    }

    /// With `LANG=C` every byte the program writes, from the first to the hand-back, is ASCII: the chart,
    /// the help, the debug overlay, the header's `×`. Recorded with `script`, whose pty sits between tmux
    /// and the program, so nothing written before a `pipe-pane` could start is missed.
    func testLangCOutputHasNoByteAbove0x7F() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/script") else { throw XCTSkip("no script(1)") }
        let typescript = temporaryFile("typescript")
        // Training on, so the loss chart has curves to draw.
        let inner = ["env", "LANG=C", "LC_ALL=C", binary.path, "tui"].map { "'\($0)'" }.joined(separator: " ")
        let tmux = try session(["/usr/bin/script", "-q", "-e", "-c", inner, typescript])
        XCTAssertTrue(tmux.waitUntil(seconds: 20) {
            let text = tmux.screen().text
            return text.contains("masked input") && !text.contains("no data yet") && !text.contains("waiting for the model")
        }, "the UI came up and trained:\n\(tmux.screen().text)")
        let text = tmux.screen().text
        XCTAssertTrue(text.contains("hole 12x12"), "the header's × is an x:\n\(text)")
        XCTAssertTrue(text.contains("-_- train") && text.contains("o eval"), "the legend shows the ASCII marks:\n\(text)")
        tmux.sendKey("D")
        XCTAssertTrue(tmux.waitUntil { tmux.screen().text.contains("round trip") })
        tmux.sendKey("?")
        XCTAssertTrue(tmux.waitUntil { tmux.screen().text.contains("resize the hole") })
        tmux.sendKey("Escape")
        tmux.sendKey("q")
        // It trained, so q asks first (the quit dialog): quit without saving, the dialog's bytes recorded too.
        XCTAssertTrue(tmux.waitUntil { tmux.screen().text.contains("Quit inpaint?") })
        tmux.sendKey("n")
        XCTAssertEqual(tmux.exitStatus(seconds: 20), 0)
        let bytes = try XCTUnwrap(FileManager.default.contents(atPath: typescript))
        XCTAssertGreaterThan(bytes.count, 5000, "the program's output was recorded")
        let high = bytes.enumerated().filter { $0.element >= 0x80 }
        XCTAssertEqual(high.count, 0, "bytes ≥ 0x80 at offsets \(high.prefix(5).map(\.offset)), e.g. around: "
            + String(decoding: bytes[max(0, (high.first?.offset ?? 0) - 40)..<min(bytes.count, (high.first?.offset ?? 0) + 20)], as: UTF8.self))
    }

    /// The Linux console has no alternate screen (no `smcup` in terminfo): `q` clears the screen, so the
    /// shell does not print its prompt over the UI.
    func testLinuxConsoleIsLeftClearAfterQuit() throws {
        let tmux = try session(["env", "TERM=linux", binary.path, "tui", "--no-train"])
        XCTAssertTrue(tmux.waitUntil { tmux.screen().find("masked input") != nil }, "up:\n\(tmux.screen().text)")
        tmux.sendKey("q")
        XCTAssertEqual(tmux.exitStatus(), 0)
        // tmux writes "Pane is dead" on the last row of a remaining pane; `q` prints the line that reopens the view
        // after the screen is cleared (issue 13 §6); everything else must be blank.
        XCTAssertTrue(tmux.waitUntil {
            tmux.screen().text.split(separator: "\n").allSatisfy {
                $0.allSatisfy(\.isWhitespace) || $0.contains("Pane is dead") || $0.hasPrefix(binary.path + " tui ")
            }
        }, "the UI was left on screen:\n\(tmux.screen().text)")
    }

    /// The pacing's queries are answered by tmux and swallowed: the overlay says frames are answered, and
    /// not one reply turned into keys (`ESC[0n` would be Esc, '[', '0', 'n' = next digit) over many frames.
    func testTerminalAnswersPaceTheFramesAndNeverArriveAsKeys() throws {
        let tmux = try session([binary.path, "tui", "--no-train"])
        // CI's report keeps only the end of a failure message: the lines that say which step failed go last.
        func screen() -> String {
            let lines = tmux.screen().text.split(separator: "\n", omittingEmptySubsequences: false)
            let key = lines.filter { $0.hasPrefix("inpaint ") || $0.contains("pacing ") || $0.contains("round trip ") }
            return lines.joined(separator: "\n") + "\n--- header and pacing:\n" + key.joined(separator: "\n")
        }
        XCTAssertTrue(tmux.waitUntil(seconds: 30) { tmux.screen().find("masked input") != nil && tmux.motionTrackingOn },
                      "up:\n\(screen())")
        tmux.sendKey("D")
        XCTAssertTrue(tmux.waitUntil { tmux.screen().text.contains("pacing        answered frames") },
                      "tmux answers DSR:\n\(screen())")
        let masked = try XCTUnwrap(tmux.screen().find("masked input"))
        func drag() {
            tmux.sendLiteral(TmuxSession.mouse("press", x: masked.x + 3, y: masked.y + 2))
            for step in 1...15 {
                tmux.sendLiteral(TmuxSession.mouse("drag", x: masked.x + 3 + step, y: masked.y + 2 + min(step, 8)))
                usleep(20_000)
            }
            tmux.sendLiteral(TmuxSession.mouse("release", x: masked.x + 18, y: masked.y + 10))
        }
        drag()
        // The drag is here to make frames (and their queries) among the input. Once in about twenty runs on a
        // loaded machine the press did not arrive through tmux (the motions then showed as hover, CI
        // 2026-12-03); what this test checks is the replies, so such a drag is made again, once.
        if !tmux.waitUntil(seconds: 5, { tmux.screen().text.contains("hole 18×16") }) {
            print("the first drag did not arrive (hover only?); dragging again:\n\(screen())")
            drag()
        }
        XCTAssertTrue(tmux.waitUntil { tmux.screen().text.contains("hole 18×16") }, "the drag arrived:\n\(screen())")
        XCTAssertTrue(tmux.waitUntil { !tmux.screen().text.contains("round trip    last –") },
                      "a round trip was measured:\n\(screen())")
        let text = screen()
        XCTAssertTrue(text.contains("digit 1/"), "no reply became 'n' (next digit):\n\(text)")
        XCTAssertFalse(text.contains("no digit"), "no reply became a prompt's input:\n\(text)")
        tmux.sendKey("q")
        XCTAssertEqual(tmux.exitStatus(), 0)
    }
}
