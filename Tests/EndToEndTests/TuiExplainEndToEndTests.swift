import Foundation
import TestSupport
import XCTest

/// Issue 13 §2–3 in the real terminal: the pixel readout under the pointer (any-motion tracking) and
/// explain mode (`E`) with the keyboard cursor (`i`), answered by the runtime's backward pass.
final class TuiExplainEndToEndTests: XCTestCase {
    private var binary: URL { productsDirectory.appendingPathComponent("inpaint") }

    private func start(width: Int, height: Int, flags: [String] = []) throws -> TmuxSession {
        guard let tmux = TmuxSession.tmuxPath() else { throw XCTSkip("tmux is not installed") }
        guard FileManager.default.isExecutableFile(atPath: binary.path) else { throw XCTSkip("no inpaint binary at \(binary.path)") }
        let session = try TmuxSession(tmux: tmux, command: [binary.path, "tui", "--no-train"] + flags, width: width, height: height)
        XCTAssertTrue(session.waitUntil { session.screen().find("masked input") != nil && !session.screen().text.contains("waiting for the model") },
                      "the UI did not come up:\n\(session.screen().text)")
        return session
    }

    /// Motion with no button (SGR button code 35) reaches the UI and the status block reads the pixel out;
    /// the numbers stand under the reconstruction.
    func testHoverReadsOutThePixelAndPanelsShowTheirNumbers() throws {
        let tmux = try start(width: 150, height: 44)
        XCTAssertTrue(tmux.waitUntil { tmux.format("#{mouse_all_flag}") == "1" }, "any-motion mouse tracking is on")
        let screen = tmux.screen()
        let recon = try XCTUnwrap(screen.find("reconstruction"))
        XCTAssertTrue(screen.text.contains("MSE ."), "hole numbers under the panels:\n\(screen.text)")
        // Cell (10, 7) of the reconstruction at scale 1: pixel row 14, column 10.
        tmux.sendLiteral("\u{1B}[<35;\(recon.x + 10 + 1);\(recon.y + 1 + 7 + 1)M")
        XCTAssertTrue(tmux.waitUntil { tmux.screen().text.contains("(14,10)") }, "the pixel readout:\n\(tmux.screen().text)")
        XCTAssertTrue(tmux.screen().text.contains("orig "), tmux.screen().text)
        tmux.quitWithoutSaving()
    }

    /// `--explain ROW,COL` opens explain mode on that pixel; `C` (and the quit) writes it back.
    func testExplainFlagOpensExplainModeAndTheReopenLineKeepsIt() throws {
        let tmux = try start(width: 150, height: 44, flags: ["--explain", "12,18", "--lesson", "on"])
        XCTAssertTrue(tmux.waitUntil { tmux.screen().text.contains("saliency |∂y[12,18]/∂x|") },
                      "explain mode on the flag's pixel:\n\(tmux.screen().text)")
        XCTAssertTrue(tmux.screen().text.contains("lesson"), "--lesson on shows the pane:\n\(tmux.screen().text)")
        tmux.sendLiteral("C")
        XCTAssertTrue(tmux.waitUntil { tmux.screen().text.contains("reopen this view with:") }, tmux.screen().text)
        XCTAssertTrue(tmux.screen().text.contains("--explain 12,18 --lesson on"), tmux.screen().text)
        tmux.sendLiteral("x")
        tmux.quitWithoutSaving()
    }

    /// `E` opens the explain panels, `i` and the arrows move the explained pixel; the saliency appears
    /// (drawn in the heat palette) and follows the cursor.
    func testExplainModeWithTheKeyboardCursorShowsTheSaliencyPanel() throws {
        let tmux = try start(width: 150, height: 44)
        tmux.sendKey("E")
        XCTAssertTrue(tmux.waitUntil { tmux.screen().text.contains("saliency |∂y[14,14]/∂x|") },
                      "explain panel for the hole's centre:\n\(tmux.screen().text)")
        XCTAssertTrue(tmux.waitUntil { tmux.screen().text.contains("top |Σ grad·act|") }, "the top map:\n\(tmux.screen().text)")
        tmux.sendKey("i")
        tmux.sendKey("Left")
        tmux.sendKey("Up")
        XCTAssertTrue(tmux.waitUntil { tmux.screen().text.contains("saliency |∂y[13,13]/∂x|") },
                      "the cursor moved the explained pixel:\n\(tmux.screen().text)")
        let screen = tmux.screen()
        XCTAssertTrue(screen.text.contains("cursor"), "the status line names the cursor:\n\(screen.text)")
        XCTAssertTrue(screen.text.contains("hole 12×12 at row  8, col  8"), "arrows moved the cursor, not the hole:\n\(screen.text)")
        let title = try XCTUnwrap(screen.find("saliency"))
        // The heat palette's red ramp (16, 52, 88 … 226) fills the panel: not grey, not blank.
        let heat: Set<Int> = [52, 88, 124, 160, 196, 202, 208, 214, 220, 226]
        let cells = screen.region(x: title.x, y: title.y + 1, width: 28, height: 14)
        XCTAssertGreaterThan(cells.filter { heat.contains($0.fg) || heat.contains($0.bg) }.count, 10,
                             "saliency drawn in heat colours")
        tmux.sendKey("Escape")
        usleep(300_000)   // a lone Esc is told from an arrow's Esc [ C by the pause after it (set_escdelay)
        tmux.sendKey("Right")
        XCTAssertTrue(tmux.waitUntil { tmux.screen().text.contains("hole 12×12 at row  8, col  9") },
                      "after Esc the arrows move the hole again:\n\(tmux.screen().text)")
        tmux.quitWithoutSaving()
    }
}
