import Foundation
import TestSupport
import XCTest

/// Issue 13 §6 with the real binary: `inpaint tui --screenshot` renders a frame without a terminal (the PNG
/// decodes to the size asked, in the UI's colours), `--after-steps` trains first, bad values are one line
/// naming the flag; under tmux, `S` writes the screen and `C` shows (and quitting prints) the line that
/// reopens the view.
final class TuiScreenshotEndToEndTests: XCTestCase {
    private var binary: URL { productsDirectory.appendingPathComponent("inpaint") }

    /// The xterm colour of palette index 24, the masked input's hole (`Theme.hole`).
    private let holeRGB: [UInt8] = [0, 95, 135]

    /// The cell (x, y) of `title` in a screenshot's text.
    private func find(_ title: String, in text: String) -> (x: Int, y: Int)? {
        for (y, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if let range = line.range(of: title) { return (line.distance(from: line.startIndex, to: range.lowerBound), y) }
        }
        return nil
    }

    func testScreenshotWritesAPNGAndTextOfTheOpenedView() throws {
        let dir = try temporaryDirectory(for: self)
        let png = dir.appendingPathComponent("shot.png")
        let run = try runInpaint(["tui", "--no-train", "--screenshot", png.path, "--size", "120x40", "--digit", "2",
                                  "--hole", "0,0,14,28", "--panel", "fill"])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stdout.contains("wrote \(png.path) (720×480 pixels)"), run.stdout)
        let image = try DecodedPNG(contentsOf: png)
        XCTAssertEqual([image.width, image.height, image.channels], [120 * 6, 40 * 12, 3])
        let text = try String(contentsOf: dir.appendingPathComponent("shot.txt"), encoding: .utf8)
        XCTAssertEqual(text.split(separator: "\n", omittingEmptySubsequences: false).count, 41, "40 rows and the last newline")
        XCTAssertTrue(text.contains("digit 3/"), "--digit is 0-based, the header counts from 1:\n\(text)")
        XCTAssertTrue(text.contains("hole 14×28 at row  0, col  0"), text)
        XCTAssertTrue(text.contains("fill: harmonic"), "the fill panel is on:\n\(text)")
        // The hole's upper half of the digit is drawn in the hole colour, the lower half is not.
        let masked = try XCTUnwrap(find("masked input", in: text))
        let holeCell = (x: masked.x + 5, y: masked.y + 2), knownCell = (x: masked.x + 5, y: masked.y + 12)
        XCTAssertEqual(image.pixel(x: holeCell.x * 6 + 3, y: holeCell.y * 12 + 3), holeRGB)
        XCTAssertNotEqual(image.pixel(x: knownCell.x * 6 + 3, y: knownCell.y * 12 + 9), holeRGB)
        // The title's letters are drawn in the title colour (255: grey 238) on the terminal's black.
        let titleRow = masked.y * 12 + 2
        let titleInk = (masked.x * 6 ..< (masked.x + 12) * 6).map { image.pixel(x: $0, y: titleRow) }
        XCTAssertTrue(titleInk.contains([238, 238, 238]), "the title is drawn")
        XCTAssertTrue(titleInk.contains([0, 0, 0]), "on black")
    }

    func testAfterStepsTrainsThePresetFirst() throws {
        let dir = try temporaryDirectory(for: self)
        let png = dir.appendingPathComponent("preset.png")
        let run = try runInpaint(["tui", "--preset", "one-seven", "--after-steps", "3", "--screenshot", png.path])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stdout.contains("after 3 training steps"), run.stdout)
        let text = try String(contentsOf: dir.appendingPathComponent("preset.txt"), encoding: .utf8)
        XCTAssertNotNil(text.range(of: #"step +3 +epoch"#, options: .regularExpression), "the status says step 3:\n\(text)")
        XCTAssertTrue(text.contains("one-seven"), text)
        XCTAssertEqual(try DecodedPNG(contentsOf: png).width, 900, "150×44 by default")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted(), ["preset.png", "preset.txt"],
                       "no checkpoint is written")
    }

    func testAfterStepsTrainsBothNetworksOfAComparisonPreset() throws {
        let dir = try temporaryDirectory(for: self)
        let png = dir.appendingPathComponent("compare.png")
        // --lesson off: at 120×40 the lesson pane would take the chart's place.
        let run = try runInpaint(["tui", "--preset", "compare-position", "--after-steps", "3", "--screenshot", png.path,
                                  "--size", "120x40", "--lesson", "off"])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stdout.contains("after 3 training steps each"), run.stdout)
        XCTAssertEqual(try DecodedPNG(contentsOf: png).width, 720)
        let text = try String(contentsOf: dir.appendingPathComponent("compare.txt"), encoding: .utf8)
        for title in ["compare-position", "1 channel recon", "mask channel recon", "1 channel mse", "mask channel mse"] {
            XCTAssertTrue(text.contains(title), "\(title):\n\(text)")
        }
        XCTAssertFalse(text.contains("lesson:"), "--lesson off hid the preset's pane:\n\(text)")
        // The status block gives each model's step and loss under its legend mark; the chart draws the curves.
        let lines = text.split(separator: "\n").map(String.init)
        for name in ["⠒⠒⠒ 1 channel", "⠒ ⠒ mask channel"] {
            let row = try XCTUnwrap(lines.firstIndex { $0.contains(name) }, "\(name):\n\(text)")
            XCTAssertNotNil(lines[row + 1].range(of: #"step 3  loss 0\.\d+"#, options: .regularExpression), lines[row + 1])
        }
        let chart = try XCTUnwrap(lines.firstIndex { $0.contains("loss ⠒⠒⠒") }, "the chart's legend:\n\(text)")
        let dots = lines[chart + 1 ..< chart + 20].joined().unicodeScalars.filter { (0x2801...0x28FF).contains($0.value) }.count
        XCTAssertGreaterThan(dots, 2, "curves are drawn:\n\(text)")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted(), ["compare.png", "compare.txt"],
                       "no checkpoint is written")
    }

    func testExplainOpensExplainModeOnThatPixel() throws {
        let dir = try temporaryDirectory(for: self)
        let png = dir.appendingPathComponent("explain.png")
        let run = try runInpaint(["tui", "--no-train", "--explain", "12,14", "--screenshot", png.path])
        XCTAssertEqual(run.status, 0, run.stderr)
        let text = try String(contentsOf: dir.appendingPathComponent("explain.txt"), encoding: .utf8)
        XCTAssertTrue(text.contains("saliency |∂y[12,14]/∂x|"), "the saliency panel of that pixel:\n\(text)")
        XCTAssertTrue(text.contains("(12,14) hole"), "the readout names the pixel:\n\(text)")
        // The backward pass answered before the frame was drawn: its largest gradient is under the panel.
        XCTAssertNotNil(text.range(of: #"max \|∂y/∂x\| \.\d+"#, options: .regularExpression), text)
    }

    func testBadViewAndScreenshotFlagsAreOneLineErrors() throws {
        let dir = try temporaryDirectory(for: self)
        let png = dir.appendingPathComponent("x.png").path
        let cases: [([String], [String])] = [
            (["--size", "150by44", "--screenshot", png], ["--size", "COLSxROWS"]),
            (["--size", "5x5", "--screenshot", png], ["--size", "5x5"]),
            (["--after-steps", "3"], ["--after-steps", "together with --screenshot"]),
            (["--screenshot", dir.appendingPathComponent("x.jpg").path], ["--screenshot", ".png"]),
            (["--no-train", "--after-steps", "2", "--screenshot", png], ["--after-steps", "training is off"]),
            (["--hole", "20,20,10,10", "--screenshot", png], ["--hole", "inside the 28×28 image"]),
            (["--hole", "1,2,3", "--screenshot", png], ["--hole", "TOP,LEFT,HEIGHT,WIDTH"]),
            (["--hole", "0,0,0,5", "--screenshot", png], ["--hole", "at least 1×1"]),
            (["--digit", "1000000", "--no-train", "--screenshot", png], ["--digit", "found 1000000"]),
            (["--model", "bundled", "--model", "bundled", "--after-steps", "2", "--screenshot", png], ["--after-steps", "as saved"]),
            (["--explain", "28,3", "--screenshot", png], ["--explain", "0…27", "found 28,3"]),
            (["--explain", "middle", "--screenshot", png], ["--explain", "ROW,COL"]),
            (["--lesson", "maybe", "--screenshot", png], ["--lesson", "maybe"]),
        ]
        for (arguments, fragments) in cases {
            assertOneLineError(try runInpaint(["tui"] + arguments), fragments)
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: png), "no screenshot after an error")
    }
}

/// `S` and `C` in the real terminal.
final class TuiShareKeysEndToEndTests: XCTestCase {
    private var binary: URL { productsDirectory.appendingPathComponent("inpaint") }

    func testSWritesTheScreenAndCShowsTheLineThatQuittingPrints() throws {
        guard let tmuxPath = TmuxSession.tmuxPath() else { throw XCTSkip("tmux is not installed") }
        guard FileManager.default.isExecutableFile(atPath: binary.path) else { throw XCTSkip("no inpaint binary at \(binary.path)") }
        let dir = try temporaryDirectory(for: self)
        // In a folder of its own, where S writes its files. Without INPAINT_DATA: CI gives it as a path relative
        // to the checkout, which no longer holds from that folder (the bundled sample has digit 5 too).
        let tmux = try TmuxSession(tmux: tmuxPath, command: ["sh", "-c", "cd \"$0\" && unset INPAINT_DATA && exec \"$@\"", dir.path,
                                                             binary.path, "tui", "--no-train", "--digit", "4", "--panel", "fill"],
                                   width: 200, height: 40)
        XCTAssertTrue(tmux.waitUntil { tmux.screen().find("masked input") != nil && !tmux.screen().text.contains("waiting for the model") },
                      "the UI came up:\n\(tmux.screen().text)")
        XCTAssertTrue(tmux.screen().text.contains("digit 5/"), "--digit opened the fifth:\n\(tmux.screen().text)")

        tmux.sendLiteral("S")
        XCTAssertTrue(tmux.waitUntil { tmux.screen().text.contains("screen saved: inpaint-screen-1.png and inpaint-screen-1.txt") },
                      "the notice names both files:\n\(tmux.screen().text)")
        let image = try DecodedPNG(contentsOf: dir.appendingPathComponent("inpaint-screen-1.png"))
        XCTAssertEqual([image.width, image.height], [200 * 6, 40 * 12])
        let text = try String(contentsOf: dir.appendingPathComponent("inpaint-screen-1.txt"), encoding: .utf8)
        XCTAssertTrue(text.contains("masked input") && text.contains("fill: harmonic"), text)
        tmux.sendLiteral("S")
        XCTAssertTrue(tmux.waitUntil { tmux.screen().text.contains("inpaint-screen-2.png and inpaint-screen-2.txt") },
                      "a second S does not overwrite the first:\n\(tmux.screen().text)")

        tmux.sendLiteral("n")
        tmux.sendLiteral("C")
        XCTAssertTrue(tmux.waitUntil { tmux.screen().text.contains("reopen this view with:") }, tmux.screen().text)
        XCTAssertTrue(tmux.screen().text.contains("--digit 5 --hole 8,8,12,12 --panel fill"), tmux.screen().text)
        tmux.sendLiteral("x")   // any key closes the box (and does nothing else)
        XCTAssertTrue(tmux.waitUntil { !tmux.screen().text.contains("reopen this view with:") }, tmux.screen().text)
        XCTAssertFalse(tmux.screen().text.contains("train an experiment from a fresh network"), "x did not open the preset menu")
        tmux.sendLiteral("q")
        XCTAssertEqual(tmux.exitStatus(seconds: 30), 0)
        // Printed once the terminal is back, on one line (joined where the pane wrapped it). With the history
        // (-S -): when the pane dies, tmux writes "Pane is dead" with a line feed on the last row, which scrolls
        // the top row (this line, on a screen that was empty before the UI) out of the visible screen.
        let expected = "\(binary.path) tui --no-train --digit 5 --hole 8,8,12,12 --panel fill"
        var after = ""
        XCTAssertTrue(tmux.waitUntil {
            after = (try? tmux.run(["capture-pane", "-p", "-J", "-S", "-", "-t", "tui"])) ?? ""
            return after.split(separator: "\n").contains { $0.trimmingCharacters(in: .whitespaces) == expected }
        }, "the line on quit:\n\(after)")
    }
}
