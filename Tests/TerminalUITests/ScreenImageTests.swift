import Figures
import Foundation
import Inpainting
@testable import TerminalUI
import TestSupport
import XCTest

/// The screenshot renderer: a known cell buffer gives known pixels (colours as xterm shows them, glyphs at
/// their place in the cell), every character the UI draws has a picture, and S and C in `update`.
final class ScreenImageTests: XCTestCase {
    private func rgb(_ image: PNGImage, _ x: Int, _ y: Int) -> [UInt8] { image.pixel(x: x, y: y) }

    func testXtermPalette() {
        XCTAssertEqual([XtermPalette.rgb(0), XtermPalette.rgb(9), XtermPalette.rgb(15)].map { [$0.0, $0.1, $0.2] },
                       [[0, 0, 0], [255, 0, 0], [255, 255, 255]])
        // The cube: 16 + 36r + 6g + b with levels 0, 95, 135, 175, 215, 255.
        let c24 = XtermPalette.rgb(24), c81 = XtermPalette.rgb(81), c214 = XtermPalette.rgb(214)
        XCTAssertEqual([c24.0, c24.1, c24.2], [0, 95, 135])
        XCTAssertEqual([c81.0, c81.1, c81.2], [95, 215, 255])
        XCTAssertEqual([c214.0, c214.1, c214.2], [255, 175, 0])
        // The greys 232–255 are 8 + 10k: the same levels the digits are drawn with (GrayPalette).
        for (level, index) in GrayPalette.indices.enumerated() {
            XCTAssertEqual(Int(XtermPalette.rgb(index).0), GrayPalette.intensities[level], "grey level \(level)")
        }
    }

    func testAKnownBufferGivesKnownPixels() {
        var buffer = CellBuffer(width: 4, height: 2)
        buffer[0, 0] = Cell("▀", foreground: .index(196), background: .index(21))       // red over blue
        buffer[1, 0] = Cell("T", foreground: .index(231))                                // white T on the default
        buffer[2, 0] = Cell("⣿", foreground: .index(46), background: .index(16))        // all eight dots, green
        buffer[3, 0] = Cell("x", foreground: .index(226), background: .index(240), attributes: .reverse)
        buffer[0, 1] = Cell("─", foreground: .index(231))
        buffer[1, 1] = Cell("─", foreground: .index(231))
        buffer[2, 1] = Cell("g", foreground: .index(231), attributes: .underline)
        let image = ScreenImage.render(buffer)
        XCTAssertEqual(image.width, 4 * 6); XCTAssertEqual(image.height, 2 * 12); XCTAssertEqual(image.channels, 3)

        // ▀: the upper six rows in the foreground, the lower six in the background (square pixels).
        XCTAssertEqual(rgb(image, 0, 0), [255, 0, 0]); XCTAssertEqual(rgb(image, 5, 5), [255, 0, 0])
        XCTAssertEqual(rgb(image, 0, 6), [0, 0, 255]); XCTAssertEqual(rgb(image, 5, 11), [0, 0, 255])

        // T: its bar on the cell's third row (two rows above the capitals), its stem in the glyph's middle
        // column, the sixth column the gap; the terminal's own background is black.
        for x in 6..<11 { XCTAssertEqual(rgb(image, x, 2), [255, 255, 255], "T's bar at x \(x)") }
        XCTAssertEqual(rgb(image, 11, 2), [0, 0, 0], "the gap column")
        XCTAssertEqual(rgb(image, 8, 8), [255, 255, 255], "the stem's foot")
        XCTAssertEqual(rgb(image, 6, 8), [0, 0, 0])
        XCTAssertEqual(rgb(image, 8, 1), [0, 0, 0], "nothing above the capitals")

        // ⣿: dots as 2×2 squares at columns 1–2 and 4–5, rows 1–2, 4–5, 7–8, 10–11; paper between them.
        XCTAssertEqual(rgb(image, 12 + 1, 1), [0, 255, 0]); XCTAssertEqual(rgb(image, 12 + 5, 11), [0, 255, 0])
        XCTAssertEqual(rgb(image, 12 + 0, 1), [0, 0, 0]); XCTAssertEqual(rgb(image, 12 + 3, 3), [0, 0, 0])

        // Reverse: the grey background becomes the ink's colour and the yellow the paper.
        XCTAssertEqual(rgb(image, 18, 0), [255, 255, 0], "reversed paper is the foreground")
        XCTAssertEqual(rgb(image, 18 + 0, 2 + 2), [88, 88, 88], "x's ink is colour 240")

        // ─ runs through both cells without a break, on the light line's row.
        for x in 0..<12 { XCTAssertEqual(rgb(image, x, 12 + 5), [255, 255, 255], "the line at x \(x)") }
        XCTAssertEqual(rgb(image, 3, 12 + 4), [0, 0, 0])

        // g's descender below the capitals' baseline, and the underline on the cell's last row.
        XCTAssertEqual(rgb(image, 12 + 1, 12 + 2 + 8), [255, 255, 255], "g's descender (row 8 of its glyph)")
        for x in 12..<18 { XCTAssertEqual(rgb(image, x, 23), [255, 255, 255], "underline at x \(x)") }
    }

    func testBoldDimAndScale() {
        var buffer = CellBuffer(width: 2, height: 1)
        buffer[0, 0] = Cell("I", foreground: .index(1), attributes: .bold)
        buffer[1, 0] = Cell("I", foreground: .index(231), attributes: .dim)
        let image = ScreenImage.render(buffer, scale: 2)
        XCTAssertEqual(image.width, 24); XCTAssertEqual(image.height, 24)
        // Bold red shows bright red (xterm's boldColors) and is struck twice: the stem is two columns wide.
        XCTAssertEqual(rgb(image, 2 * 2, 2 * 4), [255, 0, 0])
        XCTAssertEqual(rgb(image, 2 * 3, 2 * 4), [255, 0, 0], "the second strike")
        XCTAssertEqual(rgb(image, 2 * 1, 2 * 4), [0, 0, 0])
        // Dim: halfway from white to the black paper.
        XCTAssertEqual(rgb(image, 12 + 2 * 2 + 1, 2 * 4 + 1), [128, 128, 128])
    }

    func testTextIsTheCharactersWithoutTrailingBlanks() {
        var buffer = CellBuffer(width: 6, height: 2)
        buffer.put("a × b", x: 0, y: 0)
        XCTAssertEqual(ScreenImage.text(buffer), "a × b\n\n")
    }

    /// Every character the UI's screens hold (the golden snapshots, every spelling `AsciiFallback` knows, the
    /// Braille patterns, the printable ASCII) has a picture of its own: none is drawn as the hollow box.
    func testEveryCharacterTheUIDrawsHasAPicture() throws {
        let snapshots = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Snapshots")
        var scalars = Set<Unicode.Scalar>()
        for name in try FileManager.default.contentsOfDirectory(atPath: snapshots.path) where name.hasSuffix(".txt") {
            let text = try String(contentsOf: snapshots.appendingPathComponent(name), encoding: .utf8)
            let screen = text.components(separatedBy: "--- colours").first ?? text
            scalars.formUnion(screen.unicodeScalars.filter { $0 != "\n" })
        }
        scalars.formUnion(AsciiFallback.spellings.keys)
        scalars.formUnion((0x20...0x7E).compactMap(Unicode.Scalar.init))
        scalars.formUnion((0x2800...0x28FF).compactMap(Unicode.Scalar.init))
        scalars.formUnion("─│┌┐└┘├┤┬┴┼╭╮╯╰━┃═║░▒▓▁▂▃▄▅▆▇█▌▐▏".unicodeScalars)
        let box = ScreenImage.render(cell(Unicode.Scalar(0xE000)!))   // a private-use character: the font's box
        var missing: [String] = []
        for scalar in scalars where scalar != " " && scalar != "\u{2800}" {   // space and the blank Braille pattern
            let image = ScreenImage.render(cell(scalar))
            if image == box { missing.append("\(scalar) U+\(String(scalar.value, radix: 16, uppercase: true))") }
            if image == ScreenImage.render(cell(" ")) { missing.append("\(scalar) (blank)") }
        }
        XCTAssertEqual(missing.sorted(), [], "characters drawn as the missing-glyph box or as nothing")
    }

    private func cell(_ scalar: Unicode.Scalar) -> CellBuffer {
        var buffer = CellBuffer(width: 1, height: 1)
        buffer[0, 0] = Cell(scalar, foreground: .index(231))
        return buffer
    }

    func testAScreenDecodesToItsSize() {
        let state = TestDigits.busyState(width: 80, height: 24)
        let png = ScreenImage.png(view(state))
        XCTAssertEqual(Array(png.prefix(8)), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        XCTAssertEqual(ScreenImage.render(view(state)).width, 480)
    }
}

/// `S` and `C` in `update`, and the view flags read back off a state.
final class ShareKeysTests: XCTestCase {
    func testSAsksToSaveTheScreenAsItIs() {
        var state = TestDigits.busyState()
        state.notice = "an old notice"
        let effects = update(&state, .key(.character("S")))
        XCTAssertEqual(effects, [.saveScreenshot(view(state))])
        XCTAssertNil(state.notice, "the key press clears the last notice first, as every key does")
    }

    func testCShowsTheLineUntilTheNextKey() {
        var state = TestDigits.busyState(width: 120, height: 40)
        _ = update(&state, .key(.character("C")))
        XCTAssertFalse(state.showReopen, "no launch (watch): no box")
        XCTAssertEqual(state.notice, "no command line reopens this view (C is for inpaint tui)")

        state.launch = LaunchOptions(program: ["inpaint", "tui"], models: ["my model.safetensors"])
        _ = update(&state, .key(.character("n")))
        _ = update(&state, .key(.character("C")))
        XCTAssertTrue(state.showReopen)
        let screen = ScreenImage.text(view(state))
        XCTAssertTrue(screen.contains("reopen this view with:"), screen)
        XCTAssertTrue(screen.contains("inpaint tui --model 'my model.safetensors' --digit 1 --hole 8,8,12,12"), screen)
        XCTAssertEqual(update(&state, .key(.character("n"))), [], "the key that closes the box does nothing else")
        XCTAssertFalse(state.showReopen)
        XCTAssertEqual(state.digitIndex, 1)
    }

    func testCaptureThenApplyGivesTheSameView() {
        var state = TestDigits.busyState()
        _ = update(&state, .key(.character("n")))
        _ = update(&state, .key(.character("L")))
        _ = update(&state, .key(.right))
        _ = update(&state, .key(.character("F")))
        _ = update(&state, .key(.character("F")))   // biharmonic
        _ = update(&state, .key(.character("t")))
        _ = update(&state, .key(.character("e")))
        _ = update(&state, .key(.character("a")))
        _ = update(&state, .key(.character("z")))
        _ = update(&state, .key(.character("m")))   // brush, the rectangle kept
        let (settings, leftOut) = ViewSettings.capture(state)
        XCTAssertEqual(leftOut, [])
        XCTAssertEqual(settings.arguments, ["--digit", "1", "--hole", "8,9,12,13", "--mode", "brush", "--panel", "fill",
                                            "--panel", "top3", "--panel", "error", "--fill", "biharmonic", "--presenter",
                                            "--loss-axis", "linear"])
        var fresh = TestDigits.busyState()
        settings.apply(to: &fresh)
        XCTAssertEqual(ViewSettings.capture(fresh).settings, settings)
        XCTAssertEqual(fresh.image, state.image)
        XCTAssertEqual(fresh.mask, state.mask)
        XCTAssertEqual(fresh.panels.fill, state.panels.fill, "the fill is computed for the opened digit and hole")

        _ = update(&state, .key(.character("m")))   // draw: a canvas of its own
        XCTAssertEqual(ViewSettings.capture(state).leftOut.first, "your drawing (the line opens the first digit)")
    }

    func testShellQuoting() {
        XCTAssertEqual(ReopenCommand.shellQuoted("models/a-1.safetensors"), "models/a-1.safetensors")
        XCTAssertEqual(ReopenCommand.shellQuoted("my model"), "'my model'")
        XCTAssertEqual(ReopenCommand.shellQuoted("it's"), "'it'\\''s'")
        XCTAssertEqual(ReopenCommand.shellQuoted("$HOME"), "'$HOME'")
        XCTAssertEqual(ReopenCommand.shellQuoted("=x"), "'=x'")
        XCTAssertEqual(ReopenCommand.shellQuoted(""), "''")
    }

    func testHoleValues() {
        XCTAssertEqual(try ViewSettings.parseHole("3,4,5,6").get(), .rectangle(HoleRect(top: 3, left: 4, height: 5, width: 6)))
        XCTAssertEqual(try ViewSettings.parseHole("none").get(), ViewSettings.HoleChoice.none)
        for bad in ["3,4,5", "0,0,0,5", "20,0,9,1", "a,b,c,d", "-1,0,4,4", ""] {
            guard case .failure(let error) = ViewSettings.parseHole(bad) else { XCTFail("\(bad) accepted"); continue }
            XCTAssertTrue(error.description.hasPrefix("--hole: expected"), error.description)
        }
    }
}
