import Datasets
import Inpainting
import TerminalUI
import TestSupport
import XCTest
@testable import inpaint

/// The line `C` shows parses back, with `inpaint tui`'s own parser, into the same view and launch.
final class ReopenCommandRoundTripTests: XCTestCase {
    /// Words as a POSIX shell splits `line` (single quotes and backslashes; all the quoting the line uses).
    private func shellWords(_ line: String) -> [String] {
        var words: [String] = [], word = "", inWord = false, quoted = false, escaped = false
        for c in line {
            if escaped { word.append(c); escaped = false; continue }
            if quoted { if c == "'" { quoted = false } else { word.append(c) }; continue }
            switch c {
            case "'": quoted = true; inWord = true
            case "\\": escaped = true; inWord = true
            case " ": if inWord { words.append(word); word = ""; inWord = false }
            default: word.append(c); inWord = true
            }
        }
        if inWord { words.append(word) }
        return words
    }

    func testTheLineParsesBackToTheSameView() throws {
        let images = TestDigits.ring() + TestDigits.bar() + TestDigits.seven()
        var state = AppState(library: DigitLibrary(name: "test", images: images, labels: [0, 1, 7]), style: .full)
        for key in ["n", "n", "J", "H", "f", "F", "v", "e", "a", "m"] { _ = update(&state, .key(.character(Character(key)))) }
        _ = update(&state, .key(.down))
        let launch = LaunchOptions(program: ["inpaint", "tui"], models: ["my models/it's.safetensors"], preset: nil,
                                   options: ["--data", "/data/mnist dir", "--dataset", "fashion", "--save", "a b.safetensors",
                                             "--no-train", "--lr", "0.0005", "--seed", "7"])
        let line = ReopenCommand.line(state, launch: launch)
        let words = shellWords(line)
        XCTAssertEqual(words, ReopenCommand.words(state, launch: launch), "the quoting survives a shell: \(line)")
        XCTAssertEqual(Array(words.prefix(2)), ["inpaint", "tui"])

        let command = try TuiCommand.parse(Array(words.dropFirst(2)))
        let settings = ViewSettings.capture(state).settings
        XCTAssertEqual(command.viewOptions.settings, settings)
        XCTAssertEqual(command.model, ["my models/it's.safetensors"])
        XCTAssertEqual(command.data.directory, "/data/mnist dir")
        XCTAssertEqual(command.data.dataset, .fashion)
        XCTAssertEqual(command.seed, 7)
        XCTAssertEqual(command.save, "a b.safetensors")
        XCTAssertTrue(command.noTrain)
        XCTAssertEqual(command.lr, 0.0005)
        XCTAssertEqual(command.launchOptions.options, launch.options, "and the parsed command spells the same launch")
        XCTAssertEqual(command.launchOptions.models, launch.models)

        // Opened on a fresh state, the parsed flags give the same view (digit, hole, mask, mode, panels, fill).
        var reopened = AppState(library: state.library, style: .full)
        try command.viewOptions.open(on: &reopened)
        XCTAssertEqual(ViewSettings.capture(reopened).settings, settings)
        XCTAssertEqual(reopened.digitIndex, 2); XCTAssertEqual(reopened.mask, state.mask); XCTAssertEqual(reopened.mode, .brush)
        XCTAssertEqual(reopened.panels.fill, state.panels.fill)
        XCTAssertEqual(reopened.panels.showFeatures, true); XCTAssertEqual(reopened.showErrorPanel, true)
        XCTAssertFalse(reopened.logScale)
    }

    func testExplainModeAndTheLessonPaneRoundTrip() throws {
        let library = DigitLibrary(name: "test", images: TestDigits.ring() + TestDigits.seven(), labels: [0, 7])
        var state = AppState(library: library, style: .full)
        XCTAssertFalse(ReopenCommand.words(state, launch: LaunchOptions()).contains("--explain"), "explain mode off: no flag")
        XCTAssertFalse(ReopenCommand.words(state, launch: LaunchOptions()).contains("--lesson"), "the lesson as it starts: no flag")
        // E, the cursor moved to row 13, col 16 (the hole's centre is 14,14), and the lesson pane shown.
        for key: Key in [.character("E"), .character("i"), .up, .right, .right, .character("o")] { _ = update(&state, .key(key)) }
        XCTAssertEqual(state.probe.pixel, 13 * 28 + 16)
        let words = ReopenCommand.words(state, launch: LaunchOptions())
        XCTAssertTrue(words.joined(separator: " ").hasSuffix("--explain 13,16 --lesson on"), "\(words)")
        let command = try TuiCommand.parse(Array(words.dropFirst(2)))
        var reopened = AppState(library: library, style: .full)
        try command.viewOptions.open(on: &reopened)
        XCTAssertEqual(ViewSettings.capture(reopened).settings, ViewSettings.capture(state).settings)
        XCTAssertTrue(reopened.probe.explaining)
        XCTAssertEqual(reopened.probe.pixel, 13 * 28 + 16)
        XCTAssertTrue(reopened.lesson.shown)
        XCTAssertEqual(ReopenCommand.words(reopened, launch: LaunchOptions()), words, "the reopened view spells the same line")
        // Its first tick asks for that pixel's saliency, as E would.
        let effects = update(&reopened, .tick)
        XCTAssertTrue(effects.contains { if case .explain(_, _, _, 13 * 28 + 16) = $0 { true } else { false } }, "\(effects)")

        // In a preset the pane starts shown: hiding it is what the line says.
        var preset = AppState(library: library, style: .full)
        preset.preset = "sevens"
        preset.lesson.shown = true
        XCTAssertFalse(ReopenCommand.words(preset, launch: LaunchOptions(preset: "sevens")).contains("--lesson"))
        _ = update(&preset, .key(.character("o")))
        let hidden = ReopenCommand.words(preset, launch: LaunchOptions(preset: "sevens"))
        XCTAssertTrue(hidden.contains("sevens") && hidden.joined(separator: " ").hasSuffix(" --lesson off"), "\(hidden)")
        let parsed = try TuiCommand.parse(Array(hidden.dropFirst(2)))
        var shownAgain = preset
        shownAgain.lesson.shown = true
        try parsed.viewOptions.open(on: &shownAgain)
        XCTAssertFalse(shownAgain.lesson.shown, "--lesson off hides the preset's pane")
    }

    func testBadExplainValuesNameTheFlag() {
        for (value, fragment) in [("3", "ROW,COL"), ("a,b", "ROW,COL"), ("28,0", "0…27"), ("0,-1", "0…27"), ("1,2,3", "ROW,COL")] {
            XCTAssertThrowsError(try TuiCommand.parse(["--explain", value]), value) { error in
                let message = TuiCommand.message(for: error)
                XCTAssertTrue(message.contains("--explain") && message.contains(fragment), message)
            }
        }
        XCTAssertThrowsError(try TuiCommand.parse(["--lesson", "maybe"])) { error in
            XCTAssertTrue(TuiCommand.message(for: error).contains("lesson"), TuiCommand.message(for: error))
        }
    }

    func testAPresetSwitchedWithXReopensThatPreset() throws {
        var state = AppState(library: DigitLibrary(name: "test", images: TestDigits.ring(), labels: [0]), style: .full)
        state.preset = "sevens"
        let launch = LaunchOptions(models: ["start.safetensors"], preset: "position", maskChannel: true)
        let words = ReopenCommand.words(state, launch: launch)
        XCTAssertFalse(words.contains("--model") || words.contains("--mask-channel"), "the menu's preset is fresh: \(words)")
        let command = try TuiCommand.parse(Array(words.dropFirst(2)))
        XCTAssertEqual(command.preset?.argument, "sevens")
        XCTAssertEqual(command.model, [])
    }
}
