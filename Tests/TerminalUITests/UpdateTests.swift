import Inpainting
import TerminalUI
import TestSupport
import XCTest

/// The update logic, message by message: no terminal, no clock.
final class UpdateTests: XCTestCase {
    private func makeState() -> AppState {
        AppState(library: TestDigits.library, style: .full, screenWidth: 120, screenHeight: 40)
    }

    /// The screen cell of pixel (row, column) of a panel's digit area at the current layout (upper half).
    private func cell(_ state: AppState, _ kind: PanelKind, row: Int, column: Int) -> (x: Int, y: Int) {
        let layout = state.layout
        let p = layout.placement(of: kind)!
        // Pixel i spans cells [i·side/28, (i+1)·side/28): the first of them (half cells for rows).
        return (p.x + column * layout.side / 28, p.digitY + row * layout.side / 56)
    }

    private func reconstructRequests(_ effects: [Effect]) -> [(revision: Int, mask: [Float])] {
        effects.compactMap { if case .reconstruct(let r, _, let m) = $0 { return (r, m) } else { return nil } }
    }

    func testDragDrawsTheRectangleAndAsksForAReconstructionOnEveryMotion() {
        var state = makeState()
        let start = cell(state, .masked, row: 2, column: 3)
        let end = cell(state, .masked, row: 11, column: 15)
        var requests = reconstructRequests(update(&state, .mouse(MouseEvent(.press, x: start.x, y: start.y))))
        XCTAssertNotNil(state.drag)
        for x in stride(from: start.x + 2, through: end.x, by: 2) {
            let effects = update(&state, .mouse(MouseEvent(.drag, x: x, y: end.y)))
            XCTAssertEqual(reconstructRequests(effects).count, 1, "every motion that changes the hole reconstructs")
            requests += reconstructRequests(effects)
        }
        _ = update(&state, .mouse(MouseEvent(.release, x: end.x, y: end.y)))
        XCTAssertNil(state.drag)
        // Cell rows hold two pixel rows: the rectangle spans the anchor's upper row to the end's lower row.
        XCTAssertEqual(state.hole, HoleRect(top: 2, left: 3, height: 10, width: 13))
        XCTAssertEqual(state.mask, state.hole!.mask())
        XCTAssertEqual(requests.map(\.revision), Array(1...requests.count), "revisions grow with each input")
        XCTAssertEqual(requests.last!.mask, state.mask)
    }

    func testDragOutsideThePanelIsClampedToIt() {
        var state = makeState()
        let start = cell(state, .masked, row: 20, column: 20)
        _ = update(&state, .mouse(MouseEvent(.press, x: start.x, y: start.y)))
        _ = update(&state, .mouse(MouseEvent(.drag, x: start.x + 50, y: start.y + 50)))
        XCTAssertEqual(state.hole, HoleRect(top: 20, left: 20, height: 8, width: 8))
    }

    func testPressOutsideEveryPanelDoesNothing() {
        var state = makeState()
        let before = state
        XCTAssertEqual(update(&state, .mouse(MouseEvent(.press, x: 119, y: 39))), [])
        XCTAssertEqual(update(&state, .mouse(MouseEvent(.drag, x: 10, y: 10))), [])
        // With no drag going on, motion over a panel only reads out the pixel there (issue 13 §2).
        XCTAssertNotNil(state.probe.pixel)
        state.probe = before.probe
        XCTAssertEqual(state, before)
    }

    func testArrowsMoveAndShiftArrowsResizeTheHoleInsideTheImage() {
        var state = makeState()
        let initial = AppState.initialHole
        _ = update(&state, .key(.right))
        _ = update(&state, .key(.down))
        XCTAssertEqual(state.hole, HoleRect(top: initial.top + 1, left: initial.left + 1, height: 12, width: 12))
        _ = update(&state, .key(.shiftRight))
        _ = update(&state, .key(.character("K")))
        XCTAssertEqual(state.hole, HoleRect(top: initial.top + 1, left: initial.left + 1, height: 11, width: 13))
        for _ in 0..<40 { _ = update(&state, .key(.left)) }
        XCTAssertEqual(state.hole?.left, 0, "stops at the edge")
        for _ in 0..<40 { _ = update(&state, .key(.shiftLeft)) }
        XCTAssertEqual(state.hole?.width, 1, "never narrower than one pixel")
        XCTAssertEqual(state.mask, state.hole!.mask())
    }

    func testClearAndRandomHole() {
        var state = makeState()
        let effects = update(&state, .key(.character("c")))
        XCTAssertNil(state.hole)
        XCTAssertEqual(state.mask, [Float](repeating: 1, count: 784))
        XCTAssertEqual(reconstructRequests(effects).count, 1)
        for _ in 0..<50 {
            _ = update(&state, .key(.character("r")))
            let hole = state.hole!
            XCTAssertTrue(hole.fits())
            XCTAssertTrue((80...220).contains(hole.area), "area \(hole.area) near 1/8–1/4 of 784")
        }
    }

    func testBrowseWrapsAndGoToAndClassPrompt() {
        var state = makeState()
        _ = update(&state, .key(.character("p")))
        XCTAssertEqual(state.digitIndex, 2, "previous from the first wraps to the last")
        _ = update(&state, .key(.character("n")))
        XCTAssertEqual(state.digitIndex, 0)
        XCTAssertEqual(state.image, TestDigits.library.image(at: 0))

        _ = update(&state, .key(.character("g")))
        _ = update(&state, .key(.character("2")))
        XCTAssertEqual(state.prompt, .goToIndex("2"))
        _ = update(&state, .key(.enter))
        XCTAssertNil(state.prompt)
        XCTAssertEqual(state.digitIndex, 1, "g counts from 1 like the header")

        _ = update(&state, .key(.character("g")))
        _ = update(&state, .key(.character("9")))
        _ = update(&state, .key(.enter))
        XCTAssertEqual(state.digitIndex, 1, "out of range keeps the digit")
        XCTAssertNotNil(state.notice)

        _ = update(&state, .key(.character("d")))
        let effects = update(&state, .key(.character("7")))
        XCTAssertEqual(state.digitIndex, 2)
        XCTAssertEqual(reconstructRequests(effects).count, 1)
    }

    func testHelpOverlayTogglesAndSwallowsKeys() {
        var state = makeState()
        _ = update(&state, .key(.character("?")))
        XCTAssertTrue(state.showHelp)
        let hole = state.hole
        XCTAssertEqual(update(&state, .key(.right)), [])
        XCTAssertFalse(state.showHelp)
        XCTAssertEqual(state.hole, hole, "the key that closes help does nothing else")
    }

    func testQuitAndInterrupt() {
        var state = makeState()
        XCTAssertEqual(update(&state, .key(.character("q"))), [.quit])
        XCTAssertTrue(state.quitRequested)
        var other = makeState()
        XCTAssertEqual(update(&other, .key(.interrupt)), [.quit])
    }

    func testTrainingKeysFollowTheActivity() {
        var state = makeState()
        _ = update(&state, .training(.stateChanged(.training)))
        _ = update(&state, .training(.step(TrainingStep(step: 5, epoch: 0, loss: 0.1, imagesPerSecond: 100, learningRate: 0.001))))
        XCTAssertEqual(update(&state, .key(.character(" "))), [.pauseTraining])
        XCTAssertEqual(update(&state, .key(.character("s"))), [], "one step only while paused")
        _ = update(&state, .training(.stateChanged(.paused)))
        XCTAssertEqual(update(&state, .key(.character("s"))), [.stepTraining])
        XCTAssertEqual(update(&state, .key(.character(" "))), [.resumeTraining])
        XCTAssertEqual(update(&state, .key(.character("+"))), [.setLearningRate(0.002)])
        XCTAssertEqual(update(&state, .key(.character("-"))), [.setLearningRate(0.001)])
        XCTAssertEqual(update(&state, .key(.character("R"))), [])
        XCTAssertEqual(update(&state, .key(.character("n"))), [], "any key but y keeps the model")
        XCTAssertEqual(state.digitIndex, 0)
        _ = update(&state, .key(.character("R")))
        XCTAssertEqual(update(&state, .key(.character("y"))), [.resetModel])
        XCTAssertEqual(update(&state, .key(.character("w"))), [], "w asks for the file name first")
        for c in "run.st" { _ = update(&state, .key(.character(c))) }
        XCTAssertEqual(update(&state, .key(.enter)), [.saveCheckpoint(path: "run.st")])
        XCTAssertEqual(state.training.trainHistory.points, [LossPoint(step: 5, loss: 0.1)])
        _ = update(&state, .trainingReset)
        XCTAssertEqual(state.training.trainHistory.points, [])
    }

    func testStaleReconstructionIsIgnoredAndTicksRefreshWithNewWeights() {
        var state = makeState()
        _ = update(&state, .key(.right))            // input revision 1
        _ = update(&state, .key(.right))            // input revision 2
        let newer = [Float](repeating: 0.5, count: 784), older = [Float](repeating: 0.1, count: 784)
        _ = update(&state, .reconstructed(revision: 2, pixels: newer))
        _ = update(&state, .reconstructed(revision: 1, pixels: older))
        XCTAssertEqual(state.reconstruction, newer)

        XCTAssertEqual(update(&state, .tick), [], "no new weights, nothing to do")
        _ = update(&state, .modelUpdated(revision: 3))
        XCTAssertEqual(reconstructRequests(update(&state, .tick)).count, 1)
        XCTAssertEqual(update(&state, .tick), [], "once per new weights")
    }

    func testBrushPaintsAndDrawModeInks() {
        var state = makeState()
        _ = update(&state, .key(.character("m")))
        XCTAssertEqual(state.mode, .brush)
        _ = update(&state, .key(.character("c")))
        let at = cell(state, .masked, row: 4, column: 4)
        _ = update(&state, .mouse(MouseEvent(.press, x: at.x, y: at.y)))
        _ = update(&state, .mouse(MouseEvent(.release, x: at.x, y: at.y)))
        XCTAssertNil(state.hole)
        XCTAssertEqual(state.mask[4 * 28 + 4], 0)
        XCTAssertEqual(state.mask[20 * 28 + 20], 1)

        _ = update(&state, .key(.character("m")))
        XCTAssertEqual(state.mode, .draw)
        XCTAssertNil(state.digitIndex)
        XCTAssertEqual(state.image.max(), 0, "draw mode starts from a blank canvas")
        let pen = cell(state, .original, row: 14, column: 14)
        _ = update(&state, .mouse(MouseEvent(.press, x: pen.x, y: pen.y)))
        XCTAssertGreaterThan(state.image[14 * 28 + 14], 0.3)
        XCTAssertEqual(state.image[0], 0)
    }

    func testResizeRelayoutsAndTooSmallIgnoresTheMouse() {
        var state = makeState()
        _ = update(&state, .resize(width: 50, height: 20))
        XCTAssertTrue(state.layout.tooSmall)
        XCTAssertEqual(update(&state, .mouse(MouseEvent(.press, x: 5, y: 5))), [])
        _ = update(&state, .resize(width: 200, height: 64))
        XCTAssertFalse(state.layout.tooSmall)
        XCTAssertEqual(state.layout.panels.count, 4)
        XCTAssertGreaterThan(state.layout.scale, 1, "a big terminal gets bigger digits")
    }
}
