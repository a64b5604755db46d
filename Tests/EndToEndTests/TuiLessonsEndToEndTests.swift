import Foundation
import TestSupport
import XCTest

/// Issue 13 §5 with the real binary under tmux: undo and redo of a dragged hole, `w` with a typed file name
/// writing that file (and `l` saying a damaged one is damaged), and a preset's lesson pane and header.
final class TuiLessonsEndToEndTests: XCTestCase {
    private var binary: URL { productsDirectory.appendingPathComponent("inpaint") }

    private func start(_ arguments: [String], width: Int = 120, height: Int = 40) throws -> TmuxSession {
        guard let tmux = TmuxSession.tmuxPath() else { throw XCTSkip("tmux is not installed") }
        guard FileManager.default.isExecutableFile(atPath: binary.path) else { throw XCTSkip("no inpaint binary at \(binary.path)") }
        let session = try TmuxSession(tmux: tmux, command: [binary.path, "tui"] + arguments, width: width, height: height)
        XCTAssertTrue(session.waitUntil(seconds: 20) {
            session.screen().find("masked input") != nil && !session.screen().text.contains("waiting for the model")
        }, "the UI did not come up:\n\(session.screen().text)")
        return session
    }

    private func header(_ tmux: TmuxSession) -> String { tmux.screen().text.split(separator: "\n").first.map(String.init) ?? "" }
    private func keyLine(_ tmux: TmuxSession) -> String { tmux.screen().text.split(separator: "\n").last.map(String.init) ?? "" }

    func testUndoAndRedoOfADraggedHole() throws {
        let tmux = try start(["--no-train"])
        let initial = "hole 12×12 at row  8, col  8", dragged = "hole 20×18 at row  2, col  3"
        XCTAssertTrue(header(tmux).contains(initial), header(tmux))
        let masked = try XCTUnwrap(tmux.screen().find("masked input"))
        let digitY = masked.y + 1
        tmux.sendLiteral(TmuxSession.mouse("press", x: masked.x + 3, y: digitY + 1))
        for step in 1...17 {
            tmux.sendLiteral(TmuxSession.mouse("drag", x: masked.x + 3 + step, y: digitY + 1 + min(step, 9)))
            usleep(20_000)
        }
        tmux.sendLiteral(TmuxSession.mouse("release", x: masked.x + 20, y: digitY + 10))
        XCTAssertTrue(tmux.waitUntil { self.header(tmux).contains(dragged) }, "dragged:\n\(tmux.screen().text)")
        tmux.sendKey("Right")
        XCTAssertTrue(tmux.waitUntil { self.header(tmux).contains("hole 20×18 at row  2, col  4") }, header(tmux))

        tmux.sendKey("u")
        XCTAssertTrue(tmux.waitUntil { self.header(tmux).contains(dragged) }, "u takes back the arrow: \(header(tmux))")
        tmux.sendKey("u")
        XCTAssertTrue(tmux.waitUntil { self.header(tmux).contains(initial) },
                      "a second u takes back the whole drag, not one motion: \(header(tmux))")
        // The masked panel shows the initial hole again: its middle tinted, the dragged corner not.
        XCTAssertTrue(tmux.waitUntil(seconds: 5) {
            let screen = tmux.screen()
            return screen.halves(x: masked.x + 14, y: digitY + 7)?.upper == 24 && screen.halves(x: masked.x + 4, y: digitY + 2)?.upper != 24
        }, tmux.screen().text)
        tmux.sendKey("U")
        XCTAssertTrue(tmux.waitUntil { self.header(tmux).contains(dragged) }, "U redoes the drag: \(header(tmux))")
        tmux.sendKey("U")
        XCTAssertTrue(tmux.waitUntil { self.header(tmux).contains("hole 20×18 at row  2, col  4") }, header(tmux))

        tmux.sendKey("q")
        XCTAssertEqual(tmux.exitStatus(), 0)
    }

    func testWritesTheTypedFileAndADamagedLoadIsANotice() throws {
        let dir = try temporaryDirectory(for: self)
        let defaultPath = dir.appendingPathComponent("default.safetensors").path
        let typedPath = dir.appendingPathComponent("typed.safetensors").path
        let tmux = try start(["--no-train", "--save", defaultPath])

        tmux.sendKey("w")
        XCTAssertTrue(tmux.waitUntil { self.keyLine(tmux).contains("default.safetensors▏") },
                      "the prompt offers the current file: \(keyLine(tmux))")
        for _ in 0..<"default.safetensors".count { tmux.sendKey("BSpace") }
        tmux.sendLiteral("typed.safetensors")
        XCTAssertTrue(tmux.waitUntil { self.keyLine(tmux).contains("/typed.safetensors▏") }, keyLine(tmux))
        tmux.sendKey("Enter")
        XCTAssertTrue(tmux.waitUntil { FileManager.default.fileExists(atPath: typedPath) }, "the typed file is written:\n\(tmux.screen().text)")
        XCTAssertTrue(tmux.waitUntil { tmux.screen().text.contains("saved \(typedPath)") }, tmux.screen().text)
        XCTAssertFalse(FileManager.default.fileExists(atPath: defaultPath), "not --save's file")
        XCTAssertGreaterThan((try FileManager.default.attributesOfItem(atPath: typedPath)[.size] as? Int) ?? 0, 100_000,
                             "a whole checkpoint")

        // The next prompt offers the typed file; Esc cancels.
        tmux.sendKey("l")
        XCTAssertTrue(tmux.waitUntil { self.keyLine(tmux).contains("typed.safetensors▏") }, keyLine(tmux))
        tmux.sendKey("Escape")
        XCTAssertTrue(tmux.waitUntil { self.keyLine(tmux).contains("nothing loaded") }, keyLine(tmux))

        // A damaged file: a notice, and the program goes on.
        let damaged = dir.appendingPathComponent("damaged.safetensors").path
        let bytes = try Data(contentsOf: URL(fileURLWithPath: typedPath))
        try bytes.prefix(bytes.count / 3).write(to: URL(fileURLWithPath: damaged))
        tmux.sendKey("l")
        XCTAssertTrue(tmux.waitUntil { self.keyLine(tmux).contains("typed.safetensors▏") }, keyLine(tmux))
        for _ in 0..<"typed.safetensors".count { tmux.sendKey("BSpace") }
        tmux.sendLiteral("damaged.safetensors")
        tmux.sendKey("Enter")
        XCTAssertTrue(tmux.waitUntil { tmux.screen().text.contains("load failed:") }, tmux.screen().text)
        XCTAssertEqual(tmux.format("#{pane_dead}"), "0", "still running")
        tmux.sendKey("n")
        XCTAssertTrue(tmux.waitUntil { self.header(tmux).contains("digit 2/") }, "and still answers keys: \(header(tmux))")

        tmux.sendKey("q")
        XCTAssertEqual(tmux.exitStatus(), 0)
    }

    func testAPresetShowsItsLessonAndSaysWhatTrains() throws {
        let tmux = try start(["--preset", "one-seven", "--no-train"])
        let top = header(tmux)
        XCTAssertTrue(top.contains("one-seven") && top.contains("paper") && top.contains("fresh"), top)
        XCTAssertFalse(top.contains("bundled"), "a preset's fresh network: \(top)")
        XCTAssertTrue(tmux.screen().text.contains("look for: one 7"), "the lesson:\n\(tmux.screen().text)")
        tmux.sendKey("Right")   // the first key: the notice goes, the lesson stays
        XCTAssertTrue(tmux.waitUntil { tmux.screen().text.contains("Hu & Velarde's Fig. 1") }, tmux.screen().text)
        tmux.sendKey("o")
        XCTAssertTrue(tmux.waitUntil { !tmux.screen().text.contains("look for:") }, "o hides it:\n\(tmux.screen().text)")
        tmux.sendKey("q")
        XCTAssertEqual(tmux.exitStatus(), 0)
    }
}
