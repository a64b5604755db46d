import Experiments
import Inpainting
import TerminalUI
import TestSupport
import XCTest

/// Issue 12 §3: a layout for every size from 80×24 up (snapshots at 80×24, 100×30, 150×44 and 220×60), the
/// presenter layout, the key line, and the help and the `x` menu at 80×24.
final class LayoutTests: XCTestCase {
    private let core: [PanelKind] = [.original, .masked, .reconstruction, .composite]

    private func key(_ state: inout AppState, _ c: Character) { _ = update(&state, .key(.character(c))) }

    private func lines(_ state: AppState) -> [String] {
        snapshotText(view(state)).split(separator: "\n", omittingEmptySubsequences: false).prefix(state.screenHeight).map(String.init)
    }

    // MARK: the four sizes

    func testEveryCoreSizeShowsTheFourPanelsAndNamesNothingHidden() {
        // (size, the digits' side in pixels): 80×24 shrinks them to 18, 100×30 to 26, 150×44 keeps 28 (the
        // issue's reference), 220×60 doubles them.
        for (width, height, side) in [(80, 24, 18), (100, 30, 26), (150, 44, 28), (220, 60, 56)] {
            let state = TestDigits.busyState(width: width, height: height)
            let layout = state.layout
            XCTAssertFalse(layout.tooSmall, "\(width)×\(height)")
            XCTAssertEqual(layout.panels.map(\.kind), core, "\(width)×\(height)")
            XCTAssertEqual(layout.side, side, "\(width)×\(height)")
            XCTAssertTrue(layout.hiddenPanels.isEmpty, "\(width)×\(height)")
            // Everything inside the screen, the pane beside or below the panels and reaching the right edge.
            for p in layout.panels {
                XCTAssertLessThanOrEqual(p.x + layout.digitSize.width, width)
                XCTAssertLessThanOrEqual(p.digitY + layout.digitSize.height, height - 1, "\(width)×\(height): above the key line")
            }
            XCTAssertEqual(layout.chart.x + layout.chart.width, width, "\(width)×\(height): the chart takes the rest")
            XCTAssertGreaterThanOrEqual(layout.status.height, 8, "\(width)×\(height): the whole status block")
            XCTAssertFalse(lines(state)[0].contains("too small"), "\(width)×\(height)")
        }
    }

    func testSnapshots() {
        for (width, height) in [(80, 24), (100, 30), (150, 44), (220, 60)] {
            assertSnapshot(snapshotText(view(TestDigits.busyState(width: width, height: height))),
                           named: "screen-\(width)x\(height)")
        }
    }

    func testTheStatusBlockIsWholeAt80x24() {
        let screen = lines(TestDigits.busyState(width: 80, height: 24)).joined(separator: "\n")
        for fact in ["state    training", "step     2000   epoch 2", "loss     0.01471   eval 0.01619", "images/s 812",
                     "lr       2.00e-04", "model    assets/model.safetensors", "data     MNIST (22699 train)"] {
            XCTAssertTrue(screen.contains(fact), "\(fact) in\n\(screen)")
        }
    }

    /// A half scale where the next whole one does not fit: 150×50 holds 1.5× (42 pixels) in the 2×2 grid.
    func testHalfScaleWhenTheNextWholeScaleDoesNotFit() {
        XCTAssertEqual(TestDigits.busyState(width: 150, height: 50).layout.side, 42)
        XCTAssertEqual(TestDigits.busyState(width: 150, height: 44).layout.side, 28)
        // --scale 1 keeps scale 1 on a big screen.
        XCTAssertEqual(Layout(width: 220, height: 60, maxScale: 1).side, 28)
    }

    /// Below 70 columns four panels do not fit at any size: the header says which two are left out.
    func testTooNarrowForFourNamesTheHiddenOnes() {
        let state = TestDigits.busyState(width: 64, height: 24)
        XCTAssertEqual(state.layout.panels.map(\.kind), [.masked, .composite])
        XCTAssertEqual(state.layout.hiddenPanels, [.original, .reconstruction])
        XCTAssertTrue(lines(state)[0].contains("too small for: original, reconstruction"), lines(state)[0])
        XCTAssertEqual(TestDigits.busyState(width: 70, height: 24).layout.panels.map(\.kind), core)
    }

    /// At 80×24 the header's other parts shorten so that the note of a hidden optional panel is whole.
    func testHeaderKeepsTheHiddenNoteWhole() {
        var state = TestDigits.busyState(width: 80, height: 24)
        key(&state, "f")
        key(&state, "t")
        XCTAssertEqual(state.layout.hiddenPanels, [.classicalFill, .guesses])
        let header = lines(state)[0]
        XCTAssertTrue(header.contains("too small for: classical fill, classifier top-3"), header)
        XCTAssertTrue(header.hasPrefix("inpaint  1/3 (a 0)"), header)
    }

    // MARK: the key line

    func testKeyLineAlwaysEndsWithHelpAndQuitAndFollowsTheMode() {
        for width in [60, 80, 100, 150, 220] {
            var state = TestDigits.busyState(width: width, height: 30)
            XCTAssertTrue(lines(state).last!.hasSuffix("?: help  q: quit"), "\(width): \(lines(state).last!)")
            XCTAssertTrue(lines(state).last!.hasPrefix("drag: hole"), "\(width)")
            key(&state, "m")
            XCTAssertTrue(lines(state).last!.hasPrefix("drag: paint the hole  c: clear it"), "\(width): brush")
            XCTAssertTrue(lines(state).last!.hasSuffix("?: help  q: quit"))
            key(&state, "m")
            XCTAssertTrue(lines(state).last!.hasPrefix("drag: draw ink  c: blank canvas"), "\(width): draw")
        }
        var state = TestDigits.busyState(width: 80, height: 24)
        XCTAssertTrue(lines(state).last!.contains("space: pause"))
        state.training.activity = .paused
        XCTAssertTrue(lines(state).last!.contains("space: train"), "space says what it will do")
        // A notice keeps the two keys beside it; a long one takes the row above too.
        _ = update(&state, .notice("trained on 7s and 9s; the hole covers where they differ: the fill is a blend of both (Fig. 7)"))
        let rows = lines(state)
        XCTAssertTrue(rows[23].hasSuffix("?: help  q: quit"), rows[23])
        XCTAssertTrue(rows[22].hasPrefix("trained on 7s and 9s;"), rows[22])
        XCTAssertTrue((rows[22] + " " + rows[23]).contains("(Fig. 7)"), "the whole notice is shown")
    }

    // MARK: help and the x menu at 80×24

    func testHelpScrollsToItsLastRowAt80x24AndQStillQuits() {
        var state = TestDigits.busyState(width: 80, height: 24)
        key(&state, "?")
        XCTAssertTrue(lines(state).joined().contains("keys (1-19 of"), lines(state).joined(separator: "\n"))
        // How to scroll is said once, on the key line, not also on the box's last row just above it.
        XCTAssertEqual(lines(state).filter { $0.contains("next page") }.count, 1, lines(state).joined(separator: "\n"))
        XCTAssertTrue(lines(state).last!.contains("space: next page"))
        XCTAssertFalse(lines(state).joined().contains("this help / quit"), "the last row is below the box")
        assertSnapshot(snapshotText(view(state)), named: "screen-help-80x24")
        for _ in 0..<3 { XCTAssertEqual(update(&state, .key(.down)), []) }
        XCTAssertTrue(state.showHelp, "arrows scroll, they do not close")
        XCTAssertTrue(lines(state).joined().contains("keys (4-22 of"))
        // Space pages on until the last row shows (the help has grown past two pages at 80×24).
        for _ in 0..<5 where state.helpScroll < HelpOverlay.maxScroll(screenWidth: 80, screenHeight: 24) {
            key(&state, " ")
            XCTAssertTrue(state.showHelp, "space pages while rows are left")
        }
        let screen = lines(state).joined(separator: "\n")
        XCTAssertTrue(screen.contains("this help / quit"), screen)
        XCTAssertTrue(screen.contains("train one of the report's experiments"), screen)
        XCTAssertTrue(lines(state).last!.contains("up: scroll back"), "at the end the key line says so:\n\(screen)")
        XCTAssertFalse(screen.contains("next page"), screen)
        key(&state, " ")
        XCTAssertFalse(state.showHelp, "space on the last page closes")
        key(&state, "?")
        XCTAssertEqual(state.helpScroll, 0, "the help opens at its top")
        XCTAssertEqual(update(&state, .key(.character("q"))), [.quit])
        // At 120×40 everything fits: no scrolling, any key closes.
        var big = TestDigits.busyState()
        key(&big, "?")
        XCTAssertEqual(update(&big, .key(.down)), [])
        XCTAssertFalse(big.showHelp)
    }

    func testPresetMenuShowsAllNineAt80x24() {
        var state = TestDigits.busyState(width: 80, height: 24)
        key(&state, "x")
        let screen = lines(state).joined(separator: "\n")
        for (i, name) in ["one-seven", "bias", "sevens", "digits", "position", "brightness", "mixing", "full", "adversarial"].enumerated() {
            XCTAssertTrue(screen.contains("\(i + 1)  \(name)"), "\(name) in\n\(screen)")
        }
        XCTAssertTrue(screen.contains(PresetMenu.description(ExperimentName.adversarial)), "the last description is whole:\n\(screen)")
        // The comparisons under them, each on one whole row, keyed a–d.
        for (key, name) in zip(["a", "b", "c", "d"], ComparisonName.allCases) {
            XCTAssertTrue(screen.contains("\(key)  \(name.presetName)"), "\(name) in\n\(screen)")
            XCTAssertTrue(screen.contains(PresetMenu.comparisonDescription(name)), "\(name)'s line is whole:\n\(screen)")
        }
        XCTAssertTrue(screen.contains("1-9 or a-d trains it"), "the footer is on screen:\n\(screen)")
        XCTAssertTrue(lines(state).last!.hasSuffix("Esc: cancel"))
        assertSnapshot(snapshotText(view(state)), named: "screen-presets-80x24")
        XCTAssertEqual(update(&state, .key(.character("9"))), [.startPreset(.adversarial)])
    }

    // MARK: the classifier panel and the status block

    func testStatusBlockIsWholeBesideThreeColumns() {
        var state = TestDigits.busyState()
        key(&state, "t")
        XCTAssertEqual(state.layout.status.width, 30, "the narrow side pane")
        let status = state.layout.status
        let screen = view(state)
        var text: [String] = []
        for y in status.y..<(status.y + status.height) {
            var row = ""
            for x in status.x..<(status.x + status.width) { row.unicodeScalars.append(screen[x, y].character) }
            text.append(row.trimmingCharacters(in: .whitespaces))
        }
        let joined = text.joined(separator: "\n")
        for fact in ["loss     0.01471", "eval 0.01619", "model    model.safetensors", "data     MNIST (22699 train)"] {
            XCTAssertTrue(joined.contains(fact), "\(fact) in\n\(joined)")
        }
    }

    // MARK: the presenter layout

    func testPresenterLayoutMakesTheDigitsAsLargeAsTheScreenHolds() {
        var state = TestDigits.busyState(width: 150, height: 44)
        key(&state, "z")
        XCTAssertTrue(state.presenter)
        XCTAssertEqual(state.layout.side, 40, "150×44: 40 pixels instead of 28, the pane still beside")
        XCTAssertGreaterThan(state.layout.chart.width, 0)
        XCTAssertTrue(lines(state)[0].contains("presenter"))
        XCTAssertTrue(lines(state).last!.contains("z: normal layout"))
        assertSnapshot(snapshotText(view(state)), named: "screen-presenter-150x44")
        // Wide and short: the chart gives way and the status is one line.
        _ = update(&state, .resize(width: 200, height: 30))
        XCTAssertEqual(state.layout.side, 48)
        XCTAssertEqual(state.layout.statusLine, 28)
        XCTAssertEqual(state.layout.chart.width, 0)
        XCTAssertTrue(lines(state)[28].hasPrefix("training training  step 2000 epoch 2  loss 0.01471 eval 0.01619"), lines(state)[28])
        key(&state, "z")
        XCTAssertEqual(state.layout.side, 28)
        XCTAssertNil(state.layout.statusLine)
    }

    // MARK: a drag on shrunk digits

    /// At 80×24 each cell covers 1.56 pixels a side: a drag from one cell to another cuts every pixel the
    /// two cells cover, and the masked panel then draws exactly those cells as hole.
    func testDragOnShrunkDigitsCutsWhatItCovers() {
        var state = TestDigits.busyState(width: 80, height: 24)
        let masked = state.layout.placement(of: .masked)!
        XCTAssertEqual(state.layout.side, 18)
        _ = update(&state, .mouse(MouseEvent(.press, x: masked.x + 3, y: masked.digitY + 2)))
        _ = update(&state, .mouse(MouseEvent(.drag, x: masked.x + 10, y: masked.digitY + 6)))
        _ = update(&state, .mouse(MouseEvent(.release, x: masked.x + 10, y: masked.digitY + 6)))
        // Columns: cell 3 covers [4.67, 6.22) → 4…6, cell 10 [15.6, 17.1) → 15…17; rows: cell 2's half-cells
        // cover [6.2, 9.3) → 6…9, cell 6's [18.7, 21.8) → 18…21.
        XCTAssertEqual(state.hole, HoleRect(top: 6, left: 4, height: 16, width: 14))
        let screen = view(state)
        let hole = Theme.forStyle(.full).hole
        for cy in 0..<9 {
            for cx in 0..<18 {
                let cell = screen[masked.x + cx, masked.digitY + cy]
                let inside = (3...10).contains(cx) && (2...6).contains(cy)
                if inside { XCTAssertTrue(cell.foreground == hole && cell.background == hole, "(\(cx), \(cy)) is hole") }
                if !(2...11).contains(cx) || !(1...7).contains(cy) {
                    XCTAssertFalse(cell.foreground == hole || cell.background == hole, "(\(cx), \(cy)) is not")
                }
            }
        }
    }
}

/// Area resampling of the digits (`DigitResampling`).
final class DigitResamplingTests: XCTestCase {
    func testWholeScalesRepeatPixelsAndFractionsKeepTheMean() {
        let ring = TestDigits.ring()
        XCTAssertEqual(DigitResampling.resample(ring, side: 28), ring)
        let twice = DigitResampling.resample(ring, side: 56)
        for r in 0..<56 { for c in 0..<56 { XCTAssertEqual(twice[r * 56 + c], ring[(r / 2) * 28 + c / 2]) } }
        let mean = ring.reduce(0, +) / 784
        for side in [16, 18, 26, 42, 70] {
            let out = DigitResampling.resample(ring, side: side)
            XCTAssertEqual(out.count, side * side)
            XCTAssertEqual(out.reduce(0, +) / Float(side * side), mean, accuracy: 1e-5, "side \(side): the mean is kept")
            XCTAssertTrue(out.allSatisfy { $0 >= -1e-6 && $0 <= 1 + 1e-6 })
        }
        // 1.5×: pixels 0, 2 are source 0 and 1; pixel 1 is their mean.
        var bar = [Float](repeating: 0, count: 784)
        for r in 0..<28 { bar[r * 28 + 1] = 1 }
        let wide = DigitResampling.resample(bar, side: 42)
        XCTAssertEqual(Array(wide[0..<3]), [0, 0.5, 1])
    }
}
