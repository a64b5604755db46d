import Evaluation
import Experiments
import Inpainting
import TerminalUI
import TestSupport
import XCTest

/// The optional panels: keys toggle them, the layout fits or hides them, answers land only when current,
/// and each panel's look is a golden snapshot.
final class OptionalPanelsTests: XCTestCase {
    private func key(_ state: inout AppState, _ c: Character) -> [Effect] { update(&state, .key(.character(c))) }

    private func classifyRequests(_ effects: [Effect]) -> [(revision: Int, composite: [Float])] {
        effects.compactMap { if case .classify(let r, _, let c) = $0 { return (r, c) } else { return nil } }
    }

    private func featureRequests(_ effects: [Effect]) -> [Int] {
        effects.compactMap { if case .encodeFeatures(let r, _, _) = $0 { return r } else { return nil } }
    }

    /// A fake encoder output with structure: map c is a gradient whose direction turns with c.
    static func fakeFeatures(channels: Int = 16, side: Int = 28) -> EncoderFeatures {
        var values: [Float] = []
        for c in 0..<channels {
            let angle = Float(c) * .pi / 8
            for r in 0..<side { for k in 0..<side { values.append(cos(angle) * Float(r) + sin(angle) * Float(k)) } }
        }
        return EncoderFeatures(channels: channels, height: side, width: side, values: values)
    }

    static let fakeGuesses = Guesses(
        original: [Guess(digit: 7, probability: 0.981), Guess(digit: 1, probability: 0.012), Guess(digit: 9, probability: 0.004)],
        composite: [Guess(digit: 1, probability: 0.62), Guess(digit: 7, probability: 0.35), Guess(digit: 4, probability: 0.01)])

    // MARK: toggles

    func testFillKeyTogglesThePanelAndFillsTheHoleAtOnce() {
        var state = TestDigits.busyState()
        XCTAssertTrue(key(&state, "f").isEmpty, "the fill is computed in update: no effect to wait for")
        XCTAssertTrue(state.panels.showFill)
        XCTAssertEqual(state.panels.fillMethod, .harmonic)
        let fill = state.panels.fill!
        XCTAssertTrue(fill == ClassicalFill.harmonic.fill(state.image, mask: state.mask))
        XCTAssertNotNil(state.layout.placement(of: .classicalFill))
        // Moving the hole refills it.
        _ = update(&state, .key(.right))
        XCTAssertTrue(state.panels.fill! == ClassicalFill.harmonic.fill(state.image, mask: state.mask))
        XCTAssertTrue(state.panels.fill! != fill)
        _ = key(&state, "f")
        XCTAssertFalse(state.panels.showFill)
        XCTAssertNil(state.panels.fill)
        XCTAssertNil(state.layout.placement(of: .classicalFill))
    }

    func testShiftFCyclesEveryMethodAndOpensThePanel() {
        var state = TestDigits.busyState()
        _ = key(&state, "F")
        XCTAssertTrue(state.panels.showFill, "F on a closed panel opens it without skipping a method")
        var seen: [FillMethod] = [state.panels.fillMethod]
        for _ in 0..<5 { _ = key(&state, "F"); seen.append(state.panels.fillMethod) }
        XCTAssertEqual(seen, [.harmonic, .biharmonic, .telea, .zero, .mean, .harmonic])
        for _ in 0..<4 { _ = key(&state, "F") }
        XCTAssertEqual(state.panels.fillMethod, .mean)
        // The mean fill puts the library's mean digit in the hole.
        let mean = TestDigits.library.meanImage
        XCTAssertTrue(state.panels.fill! == ClassicalFill.mean(mean).fill(state.image, mask: state.mask))
    }

    func testGuessesKeyAsksTheDriverAndEveryNewCompositeAsksAgain() {
        var state = TestDigits.busyState()
        let effects = key(&state, "t")
        XCTAssertTrue(state.panels.showGuesses)
        XCTAssertEqual(classifyRequests(effects).count, 1)
        XCTAssertEqual(classifyRequests(effects).first?.composite, state.composite)
        // A move asks for a reconstruction; its answer (a new composite) asks the classifier.
        _ = update(&state, .key(.left))
        let revision = state.inputRevision
        let after = update(&state, .reconstructed(revision: revision, pixels: [Float](repeating: 0.5, count: 784)))
        XCTAssertEqual(classifyRequests(after).map(\.revision), [revision])
        XCTAssertEqual(classifyRequests(after).first?.composite, state.composite)

        _ = update(&state, .classified(revision: revision, guesses: Self.fakeGuesses))
        XCTAssertEqual(state.panels.guesses, Self.fakeGuesses)
        // A late answer for an older composite is dropped.
        _ = update(&state, .classified(revision: revision - 1, guesses: Guesses(original: [], composite: [])))
        XCTAssertEqual(state.panels.guesses, Self.fakeGuesses)
        // Off: nothing more is asked.
        _ = key(&state, "t")
        XCTAssertTrue(classifyRequests(update(&state, .reconstructed(revision: revision + 1, pixels: state.image))).isEmpty)
    }

    func testFeaturesKeyAsksForTheMapsOfEveryInput() {
        var state = TestDigits.busyState()
        XCTAssertTrue(featureRequests(update(&state, .key(.down))).isEmpty, "off: no maps asked for")
        XCTAssertEqual(featureRequests(key(&state, "v")), [state.inputRevision])
        XCTAssertEqual(featureRequests(update(&state, .key(.down))), [state.inputRevision])
        XCTAssertEqual(featureRequests(key(&state, "n")), [state.inputRevision])
        _ = update(&state, .featuresEncoded(revision: state.inputRevision, features: Self.fakeFeatures()))
        XCTAssertEqual(state.panels.features, Self.fakeFeatures())
        _ = update(&state, .featuresEncoded(revision: state.inputRevision - 1, features: nil))
        XCTAssertEqual(state.panels.features, Self.fakeFeatures(), "an older answer is dropped")
        // New weights refresh the maps on the next tick, like the reconstruction.
        _ = update(&state, .modelUpdated(revision: 99))
        XCTAssertEqual(featureRequests(update(&state, .tick)).count, 1)
    }

    func testNoClassifierIsRemembered() {
        var state = TestDigits.busyState()
        _ = key(&state, "t")
        _ = update(&state, .classified(revision: 0, guesses: nil))
        XCTAssertTrue(state.panels.noClassifier)
        XCTAssertTrue(snapshotText(view(state)).contains("(no classifier:"))
    }

    // MARK: layout

    func testPanelsFitAt120x40UpToSixAndTheSeventhIsHiddenWithANotice() {
        var state = TestDigits.busyState()
        _ = key(&state, "f"); _ = key(&state, "t")
        XCTAssertEqual(state.layout.panels.map(\.kind),
                       [.original, .masked, .reconstruction, .composite, .classicalFill, .guesses])
        XCTAssertTrue(state.layout.hiddenPanels.isEmpty)
        _ = key(&state, "v")
        XCTAssertEqual(state.layout.hiddenPanels, [.features])
        XCTAssertTrue(snapshotText(view(state)).contains("too small for: encoder maps"))
        // A taller or a wider terminal shows all seven (the sizes the README gives).
        for (width, height) in [(120, 44), (210, 28), (220, 50)] {
            _ = update(&state, .resize(width: width, height: height))
            XCTAssertTrue(state.layout.hiddenPanels.isEmpty, "\(width)×\(height)")
            XCTAssertEqual(state.layout.panels.count, 7, "\(width)×\(height)")
        }
        _ = update(&state, .resize(width: 120, height: 43))
        XCTAssertEqual(state.layout.hiddenPanels, [.features])
    }

    func testBaseLayoutIsUnchangedWithoutOptionalPanels() {
        for (w, h) in [(120, 40), (170, 30), (80, 24), (200, 60), (100, 30)] {
            XCTAssertEqual(Layout(width: w, height: h, maxScale: 3), Layout(width: w, height: h, maxScale: 3, optionalPanels: []))
            XCTAssertTrue(Layout(width: w, height: h, maxScale: 3).hiddenPanels.isEmpty)
        }
    }

    func testMouseOnTextPanelsCutsNoHole() {
        var state = TestDigits.busyState(width: 220, height: 50)
        _ = key(&state, "t"); _ = key(&state, "v")
        for kind in [PanelKind.guesses, .features] {
            let p = state.layout.placement(of: kind)!
            XCTAssertTrue(update(&state, .mouse(MouseEvent(.press, x: p.x + 3, y: p.digitY + 3))).isEmpty)
            XCTAssertNil(state.drag)
        }
        // The fill panel shows a digit: a drag on it cuts a hole like on the others.
        _ = key(&state, "f")
        let p = state.layout.placement(of: .classicalFill)!
        _ = update(&state, .mouse(MouseEvent(.press, x: p.x + 3, y: p.digitY + 3)))
        XCTAssertNotNil(state.drag)
        XCTAssertFalse(update(&state, .mouse(MouseEvent(.drag, x: p.x + 8, y: p.digitY + 5))).isEmpty)
    }

    // MARK: snapshots

    func testFillPanelSnapshot() {
        var state = TestDigits.busyState()
        _ = key(&state, "F"); _ = key(&state, "F")   // biharmonic
        assertSnapshot(snapshotText(view(state)), named: "panel-fill-biharmonic")
    }

    func testGuessesPanelSnapshot() {
        var state = TestDigits.busyState()
        _ = key(&state, "t")
        _ = update(&state, .classified(revision: state.reconstructionRevision, guesses: Self.fakeGuesses))
        assertSnapshot(snapshotText(view(state)), named: "panel-guesses")
    }

    func testFeatureMapsPanelSnapshotAtScaleTwo() {
        var state = TestDigits.busyState(width: 210, height: 64)
        _ = key(&state, "v")
        _ = update(&state, .featuresEncoded(revision: state.inputRevision, features: Self.fakeFeatures()))
        XCTAssertEqual(state.layout.scale, 2)
        let p = state.layout.placement(of: .features)!
        var buffer = CellBuffer(width: 56, height: 29)
        let screen = view(state)
        for y in 0..<29 { for x in 0..<56 { buffer[x, y] = screen[p.x + x, p.y + y] } }
        assertSnapshot(snapshotText(buffer), named: "panel-features-scale2")
    }

    func testFeatureMapsOfTheStridedNetworkAndAscii() {
        var state = TestDigits.busyState(style: .ascii)
        _ = key(&state, "v")
        _ = update(&state, .featuresEncoded(revision: state.inputRevision, features: Self.fakeFeatures(channels: 64, side: 7)))
        assertSnapshot(snapshotText(view(state)), named: "panel-features-strided-ascii")
    }

    func testAllPanelsWideScreen() {
        var state = TestDigits.busyState(width: 220, height: 50)
        _ = key(&state, "f"); _ = key(&state, "t"); _ = key(&state, "v")
        _ = update(&state, .classified(revision: state.reconstructionRevision, guesses: Self.fakeGuesses))
        _ = update(&state, .featuresEncoded(revision: state.inputRevision, features: Self.fakeFeatures()))
        state.preset = "one-seven"
        assertSnapshot(snapshotText(view(state)), named: "screen-all-panels-220x50")
    }
}

/// The `x` menu: a digit asks the driver for a preset; its answer replaces the digits and the hole.
final class PresetMenuTests: XCTestCase {
    func testMenuAsksForThePresetOfTheDigitPressed() {
        var state = TestDigits.busyState()
        XCTAssertTrue(update(&state, .key(.character("x"))).isEmpty)
        XCTAssertEqual(state.prompt, .presetMenu)
        let menu = snapshotText(view(state))
        XCTAssertTrue(menu.contains("1  one-seven") && menu.contains("9  adversarial"), menu)
        XCTAssertEqual(update(&state, .key(.character("3"))), [.startPreset(.sevens)])
        XCTAssertNil(state.prompt)
        _ = update(&state, .key(.character("x")))
        XCTAssertEqual(update(&state, .key(.character("9"))), [.startPreset(.adversarial)], "the ninth experiment")
        _ = update(&state, .key(.character("x")))
        XCTAssertTrue(update(&state, .key(.character("0"))).isEmpty, "no experiment 0")
        XCTAssertNil(state.prompt)
        _ = update(&state, .key(.character("x")))
        XCTAssertTrue(update(&state, .key(.escape)).isEmpty)
        XCTAssertNil(state.prompt)
        // a–d: the comparisons, in the order --preset lists them.
        for (key, name) in zip(["a", "b", "c", "d"] as [Character], ComparisonName.allCases) {
            _ = update(&state, .key(.character("x")))
            XCTAssertEqual(update(&state, .key(.character(key))), [.startComparison(name)])
            XCTAssertEqual(state.notice, "preparing \(name.presetName)…")
            XCTAssertNil(state.prompt)
        }
        _ = update(&state, .key(.character("x")))
        XCTAssertTrue(update(&state, .key(.character("e"))).isEmpty, "no fifth comparison")
    }

    func testComparisonStartedShowsBothNetworksUnderTheComparisonsName() {
        var state = TestDigits.busyState(width: 150, height: 44)
        let digits = DigitLibrary(name: "position", images: TestDigits.seven() + TestDigits.ring(), labels: [7, 0])
        let arm = PresetStart(name: .position, library: digits, initialHole: HoleRect(top: 2, left: 3, height: 9, width: 9),
                              hint: "the arm's hint", dataLabel: "position: 200 images", learningRate: 1e-3)
        let effects = update(&state, .comparisonStarted(ComparisonStart(
            name: .position, firstArm: arm, names: ["1 channel", "mask channel"], hint: "one fills dim, one fully",
            dataLabel: "position: 200 images · turns by step")))
        XCTAssertTrue(effects.contains { if case .reconstruct = $0 { true } else { false } }, "asks for the new digit's fills")
        XCTAssertEqual(state.library, digits)
        XCTAssertEqual(state.hole, HoleRect(top: 2, left: 3, height: 9, width: 9))
        XCTAssertEqual(state.preset, "compare-position")
        XCTAssertEqual(state.comparison.names, ["1 channel", "mask channel"])
        XCTAssertEqual(state.comparison.title, "compare-position")
        XCTAssertEqual(state.notice, "one fills dim, one fully")
        XCTAssertEqual(state.training.dataset, "position: 200 images · turns by step")
        XCTAssertTrue(state.lesson.shown, "the lesson pane is on, as for a preset")
        let screen = snapshotText(view(state))
        XCTAssertTrue(screen.contains("1 channel recon") && screen.contains("mask channel recon"), screen)
        // The lesson's paragraphs start after the panels' blank columns ("the reconstruction:" is inside one).
        XCTAssertEqual(screen.components(separatedBy: "  reconstruction: ").count - 1, 1,
                       "the lesson says what a reconstruction is once, not once per model:\n\(screen)")
        XCTAssertEqual(ReopenCommand.words(state, launch: LaunchOptions()).prefix(4), ["inpaint", "tui", "--preset", "compare-position"])

        // A preset from the x menu after it: one network's panels again.
        _ = update(&state, .presetStarted(PresetStart(name: .sevens, library: digits, initialHole: nil, hint: "look here",
                                                       dataLabel: "sevens: 40 images", learningRate: 1e-3)))
        XCTAssertFalse(state.comparison.isActive)
        XCTAssertEqual(state.preset, "sevens")
        let after = snapshotText(view(state))
        XCTAssertFalse(after.contains("1 channel recon") || after.contains("mask channel recon"), after)
    }

    func testPresetStartedReplacesTheDigitsAndTheHoleAndAsksForAReconstruction() {
        var state = TestDigits.busyState()
        _ = update(&state, .key(.character("n")))
        let sevens = DigitLibrary(name: "sevens", images: TestDigits.seven() + TestDigits.seven(), labels: [7, 7],
                                  groups: [DigitGroup(name: "training", range: 0..<1), DigitGroup(name: "unseen test", range: 1..<2)])
        let hole = HoleRect(top: 3, left: 4, height: 10, width: 10)
        let before = state.inputRevision
        let effects = update(&state, .presetStarted(PresetStart(name: .sevens, library: sevens, initialHole: hole,
                                                                 hint: "look here", dataLabel: "sevens: 40 images",
                                                                 learningRate: 1e-3)))
        XCTAssertEqual(state.library, sevens)
        XCTAssertEqual(state.digitIndex, 0)
        XCTAssertEqual(state.image, TestDigits.seven())
        XCTAssertEqual(state.hole, hole)
        XCTAssertEqual(state.mask, hole.mask())
        XCTAssertEqual(state.preset, "sevens")
        XCTAssertEqual(state.notice, "look here")
        XCTAssertEqual(state.training.dataset, "sevens: 40 images")
        XCTAssertEqual(effects, [.reconstruct(revision: before + 1, image: state.image, mask: state.mask)])
        let header = snapshotText(view(state)).split(separator: "\n")[0]
        XCTAssertTrue(header.contains("inpaint · sevens  digit 1/2 (a 7, training)"), String(header))
    }
}
