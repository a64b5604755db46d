import Inpainting
import TerminalUI
import TestSupport
import XCTest

/// Issue 12: `q` asks before unsaved training is lost, and the smaller defects of §5 (prompts, clicks,
/// `watch`'s keys, the model line, a resumed run's curves).
final class QuitAndPromptTests: XCTestCase {
    private func makeState() -> AppState {
        var state = AppState(library: TestDigits.library, style: .full, screenWidth: 120, screenHeight: 40)
        state.savePath = "inpaint-tui.safetensors"
        return state
    }

    private func trained(_ state: inout AppState, steps: ClosedRange<Int>) {
        _ = update(&state, .unsavedTraining(true))
        for step in steps {
            _ = update(&state, .training(.step(TrainingStep(step: step, epoch: 1, loss: 0.05, imagesPerSecond: 100,
                                                            learningRate: 1e-4))))
        }
    }

    private func key(_ state: inout AppState, _ key: Key) -> [Effect] { update(&state, .key(key)) }
    private func key(_ state: inout AppState, _ c: Character) -> [Effect] { update(&state, .key(.character(c))) }

    func testQuitWithNothingUnsavedQuitsAtOnce() {
        var state = makeState()
        XCTAssertEqual(key(&state, "q"), [.quit])
        var saved = makeState()
        trained(&saved, steps: 1...3)
        _ = update(&saved, .unsavedTraining(false))   // `w` wrote it
        XCTAssertEqual(key(&saved, "q"), [.quit])
    }

    func testQuitWithUnsavedTrainingAsksSaveQuitOrStay() {
        var state = makeState()
        _ = update(&state, .training(.step(TrainingStep(step: 40, epoch: 1, loss: 0.05, imagesPerSecond: 1, learningRate: 1e-4))))
        trained(&state, steps: 41...52)
        XCTAssertEqual(key(&state, "q"), [], "asks first")
        XCTAssertEqual(state.prompt, .confirmQuit)
        XCTAssertFalse(state.quitRequested)
        XCTAssertTrue(snapshotText(view(state)).contains("The model trained 12 steps since the last save."))

        XCTAssertEqual(key(&state, .escape), [], "Esc stays")
        XCTAssertNil(state.prompt)
        XCTAssertFalse(state.quitRequested)
        XCTAssertEqual(key(&state, "q"), [])
        XCTAssertEqual(key(&state, "x"), [], "any other key stays too")
        XCTAssertNil(state.prompt)

        for (answer, effect) in [(Key.character("s"), Effect.quit), (.enter, .quit), (.character("q"), .quit),
                                 (.character("n"), .quitWithoutSaving)] {
            var asking = state
            _ = key(&asking, "q")
            XCTAssertEqual(key(&asking, answer), [effect], "\(answer)")
            XCTAssertTrue(asking.quitRequested)
        }
        // q on the help overlay and in the prompts goes the same way.
        var help = state
        _ = key(&help, "?")
        XCTAssertEqual(key(&help, "q"), [])
        XCTAssertEqual(help.prompt, .confirmQuit)
        XCTAssertEqual(key(&state, .interrupt), [.quit], "Ctrl-C as a byte never asks (it saves, as SIGINT does)")
    }

    func testTheQuitDialogSnapshot() {
        var state = TestDigits.busyState()
        state.savePath = "inpaint-tui.safetensors"
        _ = update(&state, .unsavedTraining(true))
        _ = update(&state, .training(.step(TrainingStep(step: 2300, epoch: 3, loss: 0.02, imagesPerSecond: 800,
                                                        learningRate: 2e-4))))
        _ = key(&state, "q")
        assertSnapshot(snapshotText(view(state)), named: "screen-quit-dialog")
    }

    func testTheDigitPromptLetsQQuitAndAnyOtherKeyCancel() {
        var state = makeState()
        _ = key(&state, "d")
        XCTAssertEqual(key(&state, "n"), [], "a letter cancels the prompt")
        XCTAssertNil(state.prompt)
        XCTAssertEqual(state.digitIndex, 0, "and does nothing else")
        _ = key(&state, "d")
        XCTAssertEqual(key(&state, "q"), [.quit], "q quits from the prompt")
        var unsaved = makeState()
        trained(&unsaved, steps: 1...2)
        _ = key(&unsaved, "g")
        _ = key(&unsaved, "1")
        XCTAssertEqual(key(&unsaved, "q"), [])
        XCTAssertEqual(unsaved.prompt, .confirmQuit, "q in the go-to prompt asks like q anywhere")
    }

    private func cell(_ state: AppState, row: Int, column: Int) -> (x: Int, y: Int) {
        let layout = state.layout
        let p = layout.placement(of: .masked)!
        return (p.x + column * layout.side / 28, p.digitY + row * layout.side / 56)
    }

    func testAClickMovesTheHoleThereAndKeepsItsSize() {
        var state = makeState()
        XCTAssertEqual(state.hole, HoleRect(top: 8, left: 8, height: 12, width: 12))
        let at = cell(state, row: 6, column: 20)
        XCTAssertEqual(update(&state, .mouse(MouseEvent(.press, x: at.x, y: at.y))), [], "a press alone changes nothing")
        _ = update(&state, .mouse(MouseEvent(.drag, x: at.x, y: at.y)))   // a motion report on the same cell
        let effects = update(&state, .mouse(MouseEvent(.release, x: at.x, y: at.y)))
        XCTAssertEqual(state.hole, HoleRect(top: 0, left: 14, height: 12, width: 12), "centred on the click, kept inside")
        XCTAssertEqual(effects.filter { if case .reconstruct = $0 { true } else { false } }.count, 1)
        XCTAssertNil(state.drag)
        // With no hole (c), a click places the initial one.
        _ = key(&state, "c")
        let middle = cell(state, row: 14, column: 14)
        _ = update(&state, .mouse(MouseEvent(.press, x: middle.x, y: middle.y)))
        _ = update(&state, .mouse(MouseEvent(.release, x: middle.x, y: middle.y)))
        XCTAssertEqual(state.hole, HoleRect(top: 8, left: 8, height: 12, width: 12))
    }

    func testWatchingSaysAtOnceThatTrainingRunsElsewhere() {
        var state = makeState()
        state.watching = true
        state.savePath = nil
        for c: Character in ["R", "x", " ", "s", "+", "-", "w", "l"] {
            state.notice = nil
            XCTAssertEqual(key(&state, c), [], "\(c)")
            XCTAssertNil(state.prompt, "\(c): no question, no menu")
            XCTAssertEqual(state.notice, watchingNotice, "\(c)")
        }
        XCTAssertEqual(key(&state, "n"), [.reconstruct(revision: 1, image: TestDigits.library.image(at: 1), mask: state.mask)],
                       "browsing still works")
        XCTAssertEqual(key(&state, "q"), [.quit], "nothing of ours to save")
    }

    func testTheModelLineAndARestoredHistory() {
        var state = makeState()
        _ = update(&state, .modelLabel("fresh random weights (R)"))
        XCTAssertEqual(StatusBlock(state: state).lines.first { $0.label == "model" }?.value, "fresh random weights (R)")
        let saved = TrainingState(step: 300, epoch: 2, loss: LossSummary(
            lastTraining: 0.04, lastEvaluation: 0.05,
            curve: [.init(step: 100, training: 0.08), .init(step: 100, evaluation: 0.09), .init(step: 300, training: 0.04)]))
        _ = update(&state, .trainingRestored(saved))
        XCTAssertEqual(state.training.step, 300)
        XCTAssertEqual(state.training.trainHistory.points, [LossPoint(step: 100, loss: 0.08), LossPoint(step: 300, loss: 0.04)])
        XCTAssertEqual(state.training.evalHistory.points, [LossPoint(step: 100, loss: 0.09)])
        XCTAssertEqual(state.training.evalLoss, 0.05)
    }
}
