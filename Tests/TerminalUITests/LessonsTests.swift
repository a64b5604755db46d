import Experiments
import Inpainting
import TerminalUI
import TestSupport
import XCTest

/// The lesson pane (`o`), the preset menu's descriptions, the header's word on what is training, and the
/// file name prompt of `w` and `l`.
final class LessonsTests: XCTestCase {
    static let sevensHint = "40 training digits, full batch: browse past them (n, g 41) to the unseen ones, where the fill is worse (Fig. 3)"

    /// A busy state of the given size in which the `sevens` preset has started.
    static func presetState(width: Int, height: Int, style: RenderStyle = .full) -> AppState {
        var state = TestDigits.busyState(width: width, height: height, style: style)
        _ = update(&state, .presetStarted(PresetStart(name: .sevens, library: TestDigits.library, initialHole: nil,
                                                      hint: sevensHint, dataLabel: "sevens: 40 images, full batch, 200 steps",
                                                      learningRate: 1e-3)))
        _ = update(&state, .modelIdentity(ModelIdentity(config: ModelConfig(), origin: .fresh)))
        _ = update(&state, .notice("preparing sevens…"))
        _ = update(&state, .key(.escape))   // the first key: the notice goes, the lesson stays
        state.reconstruction = TestDigits.fakeReconstruction(of: state.image)
        return state
    }

    private func text(_ buffer: CellBuffer) -> String {
        (0..<buffer.height).map { y in (0..<buffer.width).map { String(buffer[$0, y].character) }.joined() }.joined(separator: "\n")
    }

    // MARK: the lesson pane

    func testTheLessonIsOnWhenAPresetStartsOffOtherwiseAndOToggles() {
        var plain = TestDigits.busyState()
        XCTAssertFalse(plain.lesson.shown, "off without a preset")
        _ = update(&plain, .key(.character("o")))
        XCTAssertTrue(plain.lesson.shown)
        XCTAssertTrue(text(view(plain)).contains("lesson"), "o shows it without a preset too")

        var state = LessonsTests.presetState(width: 150, height: 44)
        XCTAssertTrue(state.lesson.shown, "on when a preset runs")
        XCTAssertNil(state.notice, "the notice has gone at the first key")
        let screen = text(view(state))
        XCTAssertTrue(screen.contains("lesson: sevens"), screen)
        XCTAssertTrue(screen.contains("look for: 40 training digits"), "the hint stays after the first key:\n\(screen)")
        XCTAssertTrue(screen.contains("Hu & Velarde's Fig. 3"), "the figure it reproduces:\n\(screen)")
        _ = update(&state, .key(.character("o")))
        XCTAssertFalse(text(view(state)).contains("look for:"))
    }

    func testThePaneExplainsOnlyThePanelsOnScreen() {
        var state = LessonsTests.presetState(width: 150, height: 44)
        var screen = text(view(state))
        for title in ["masked input:", "reconstruction:", "composite:", "original:", "loss chart:"] {
            XCTAssertTrue(screen.contains(title), "\(title) explained:\n\(screen)")
        }
        XCTAssertFalse(screen.contains("classical fill:"), "not on screen, not explained")
        _ = update(&state, .key(.character("f")))
        screen = text(view(state))
        XCTAssertTrue(screen.contains("classical fill:"), screen)
        // The mask channel changes what the masked input means to the network.
        XCTAssertTrue(screen.contains("one channel, no mask"), screen)
        _ = update(&state, .modelIdentity(ModelIdentity(config: ModelConfig(maskChannel: true), origin: .fresh)))
        XCTAssertTrue(text(view(state)).contains("as a second channel"))
    }

    /// From 80×24 to 220×60, with and without optional panels and in the presenter layout: the pane's text
    /// stays inside its room, the chart keeps at least 4 rows or gives its place wholly (and the key line
    /// then says how to bring it back), and the pane says what to look for.
    func testThePaneFitsEveryLayout() throws {
        var sizes: [(Int, Int)] = []
        for width in stride(from: 80, through: 220, by: 14) {
            for height in stride(from: 24, through: 60, by: 6) { sizes.append((width, height)) }
        }
        sizes += [(80, 24), (100, 30), (120, 40), (150, 44), (170, 30), (220, 60)]
        for (width, height) in sizes {
            for variant in 0..<4 {
                var state = LessonsTests.presetState(width: width, height: height)
                if variant == 1 { for c in "ftv" { _ = update(&state, .key(.character(c))) } }
                if variant == 2 { _ = update(&state, .key(.character("z"))) }
                if variant == 3 { _ = update(&state, .key(.character("e"))) }
                let label = "\(width)×\(height) variant \(variant)"
                let placement = try XCTUnwrap(LessonPane.placement(state), label)
                let r = placement.rect
                XCTAssertTrue(r.x >= 0 && r.y >= 1 && r.x + r.width <= width && r.y + r.height <= height - 1, "\(label): \(r)")
                let inner = placement.overlay ? r.width - 4 : r.width
                for row in placement.rows {
                    XCTAssertLessThanOrEqual(row.text.count, inner, "\(label): '\(row.text)'")
                }
                XCTAssertTrue(placement.rows.contains { $0.text.hasPrefix("look for:") }, "\(label): \(placement.rows.map(\.text))")
                let chart = placement.chart
                if !placement.overlay {
                    XCTAssertTrue(chart.height == 0 || chart.height >= 4, "\(label): chart \(chart)")
                    let overlaps = chart.height > 0 && chart.x < r.x + r.width && r.x < chart.x + chart.width
                        && chart.y < r.y + r.height && r.y < chart.y + chart.height
                    XCTAssertFalse(overlaps, "\(label): pane \(r) over the chart \(chart)")
                }
                let keys = text(view(state)).split(separator: "\n").last.map(String.init) ?? ""
                if placement.chartHidden {
                    XCTAssertTrue(keys.contains("o: chart"), "\(label): the way back to the chart: \(keys)")
                    XCTAssertTrue(placement.rows.first?.text.contains("o: ") ?? false, "\(label): the pane's title says it too")
                }
            }
        }
    }

    func testAt80x24TheLessonTakesTheChartsPlaceAndOBringsItBack() {
        var state = LessonsTests.presetState(width: 80, height: 24)
        XCTAssertEqual(LessonPane.placement(state)?.chartHidden, true)
        XCTAssertFalse(text(view(state)).contains("loss ⠒"), "no chart under the lesson")
        _ = update(&state, .key(.character("o")))
        XCTAssertTrue(text(view(state)).contains("loss ⠒"), "o: the chart is back")
        XCTAssertTrue(text(view(state)).split(separator: "\n").last!.contains("o: lesson"), "and the key line says how to get the lesson")
    }

    func testLessonSnapshots() {
        assertSnapshot(snapshotText(view(LessonsTests.presetState(width: 80, height: 24))), named: "screen-lesson-80x24")
        assertSnapshot(snapshotText(view(LessonsTests.presetState(width: 150, height: 44))), named: "screen-lesson-150x44")
        var presenter = LessonsTests.presetState(width: 200, height: 30)
        _ = update(&presenter, .key(.character("z")))
        assertSnapshot(snapshotText(view(presenter)), named: "screen-lesson-presenter-200x30")
    }

    // MARK: the preset menu

    func testEveryPresetHasADescriptionThatFitsOneRowAt80Columns() {
        var state = TestDigits.busyState(width: 80, height: 24)
        _ = update(&state, .key(.character("x")))
        let screen = text(view(state))
        for name in ExperimentName.presets {
            let description = PresetMenu.description(name)
            XCTAssertFalse(description.isEmpty)
            XCTAssertLessThanOrEqual(description.count, 59, name.rawValue)
            XCTAssertTrue(screen.contains(name.rawValue + " ") && screen.contains(description),
                          "\(name): one whole row at 80×24:\n\(screen)")
        }
        XCTAssertEqual(Set(ExperimentName.presets.map(PresetMenu.description)).count, ExperimentName.presets.count,
                       "each says its own")
        // Wide enough for every summary: the summaries, one row each.
        XCTAssertEqual(PresetMenu.rows(textWidth: 200).count, ExperimentName.presets.count)
        XCTAssertTrue(PresetMenu.rows(textWidth: 200)[0].hasSuffix(ExperimentName.oneSeven.summary))
    }

    // MARK: the header

    func testTheHeaderSaysWhatIsTrainingAtEveryWidth() {
        for width in [80, 100, 150, 220] {
            var state = LessonsTests.presetState(width: width, height: 40)
            var header = text(view(state)).split(separator: "\n")[0]
            XCTAssertTrue(header.contains("sevens"), "\(width): the preset: \(header)")
            XCTAssertTrue(header.contains("paper"), "\(width): the architecture: \(header)")
            XCTAssertTrue(header.contains("1-ch") || header.contains("no mask"), "\(width): one channel: \(header)")
            XCTAssertTrue(header.contains("fresh"), "\(width): fresh weights: \(header)")
            XCTAssertFalse(header.contains("bundled"), "\(width): a preset's network is never the bundled one")

            _ = update(&state, .modelIdentity(ModelIdentity(config: ModelConfig(maskChannel: true),
                                                            origin: .file("/tmp/runs/position-fix.safetensors"))))
            header = text(view(state)).split(separator: "\n")[0]
            XCTAssertTrue(header.contains("+mask") || header.contains("mask channel"), "\(width): \(header)")
            XCTAssertTrue(header.contains("position-fix") || header.contains("…fix.safetensors"), "\(width): the loaded file: \(header)")

            _ = update(&state, .modelIdentity(ModelIdentity(config: ModelConfig(), origin: .bundled("model.safetensors"))))
            XCTAssertTrue(text(view(state)).split(separator: "\n")[0].contains("bundled"), "\(width)")
        }
    }

    // MARK: the file name prompt

    func testWAndLAskForAFileNameWithTheCurrentOne() {
        var state = TestDigits.busyState(width: 80, height: 24)
        state.savePath = "inpaint-tui.safetensors"
        XCTAssertEqual(update(&state, .key(.character("w"))), [])
        XCTAssertEqual(state.prompt, .fileName(FileNamePrompt(action: .save, text: "inpaint-tui.safetensors")))
        for _ in 0..<12 { _ = update(&state, .key(.backspace)) }
        for c in "-q2.st" { _ = update(&state, .key(.character(c))) }
        XCTAssertFalse(state.quitRequested, "q is text in a file name")
        XCTAssertEqual(state.prompt, .fileName(FileNamePrompt(action: .save, text: "inpaint-tui-q2.st")))
        assertSnapshot(snapshotText(view(state)), named: "screen-save-prompt-80x24")
        XCTAssertEqual(update(&state, .key(.enter)), [.saveCheckpoint(path: "inpaint-tui-q2.st")])
        XCTAssertNil(state.prompt)

        _ = update(&state, .savePath("inpaint-tui-q2.st"))
        _ = update(&state, .key(.character("l")))
        XCTAssertEqual(state.prompt, .fileName(FileNamePrompt(action: .load, text: "inpaint-tui-q2.st")), "the current one is the default")
        assertSnapshot(snapshotText(view(state)), named: "screen-load-prompt-80x24")
        XCTAssertEqual(update(&state, .key(.escape)), [], "Esc cancels")
        XCTAssertNil(state.prompt)
        XCTAssertEqual(state.notice, "nothing loaded")

        _ = update(&state, .key(.character("l")))
        for _ in 0..<40 { _ = update(&state, .key(.backspace)) }
        XCTAssertEqual(update(&state, .key(.enter)), [], "no name, nothing to load")
        XCTAssertTrue(state.notice?.hasPrefix("no file name") ?? false)
    }

    func testALongNameShowsItsEndOnTheKeyLine() {
        var state = TestDigits.busyState(width: 80, height: 24)
        state.savePath = String(repeating: "deep/", count: 30) + "checkpoint.safetensors"
        _ = update(&state, .key(.character("w")))
        let keys = String(text(view(state)).split(separator: "\n").last!)
        XCTAssertTrue(keys.hasPrefix("save to: …"), keys)
        XCTAssertTrue(keys.contains("checkpoint.safetensors▏"), "the end, where one types: \(keys)")
        XCTAssertLessThanOrEqual(keys.count, 80)
    }
}
