import Inpainting
import TerminalUI
import TestSupport
import XCTest

/// What keeps a drag frame small (gray-level hysteresis while dragging, a fixed-width header) and the `D`
/// overlay that shows what a frame cost.
final class DragFrameTests: XCTestCase {
    private let step: Float = 10 / 255

    func testHysteresisKeepsAShownLevelUntilTheValueMovesMoreThanALevelAway() {
        // 0.5 shows level 13 (intensity 128); values within one step keep it, farther ones are taken.
        let shown: [Float] = [0.5, 0.5, 0.5, 0.5]
        let new: [Float] = [0.5 + 0.4 * step, 0.5 - 0.9 * step, 0.5 + 1.3 * step, 0.2]
        let result = GrayHysteresis.stabilize(new, shown: shown, levels: 1)
        XCTAssertEqual(result, [0.5, 0.5, new[2], new[3]])
        XCTAssertEqual(GrayHysteresis.stabilize(new, shown: nil, levels: 1), new, "the first answer is shown as it is")
        XCTAssertEqual(GrayHysteresis.stabilize(new, shown: shown, levels: 0), new, "no hysteresis at rest")
    }

    /// A value hovering at a level boundary flips the plain quantisation every frame; while dragging the
    /// shown level holds, and the release shows the exact answer again.
    func testDragHoldsLevelsAndTheReleaseShowsTheExactReconstruction() {
        var state = AppState(library: TestDigits.library, style: .full, screenWidth: 120, screenHeight: 40)
        let layout = state.layout
        let masked = layout.placement(of: .masked)!
        _ = update(&state, .reconstructed(revision: 0, pixels: [Float](repeating: 0.5, count: 784)))
        _ = update(&state, .mouse(MouseEvent(.press, x: masked.x + 2, y: masked.digitY + 1)))
        var revision = 0
        for (i, x) in (3...9).enumerated() {
            let effects = update(&state, .mouse(MouseEvent(.drag, x: masked.x + x, y: masked.digitY + 5)))
            for case .reconstruct(let r, _, _) in effects { revision = r }
            // Alternates across the boundary between levels 13 (128) and 14 (138): plain rounding would flip.
            let wobble: Float = i % 2 == 0 ? 0.5 + 0.6 * step : 0.5 - 0.3 * step
            _ = update(&state, .reconstructed(revision: revision, pixels: [Float](repeating: wobble, count: 784)))
            XCTAssertEqual(state.reconstruction?.first, 0.5, "motion \(i): the shown value holds")
        }
        let effects = update(&state, .mouse(MouseEvent(.release, x: masked.x + 9, y: masked.digitY + 5)))
        guard case .reconstruct(let r, _, _)? = effects.first else { return XCTFail("the release asks for a reconstruction") }
        let exact = [Float](repeating: 0.5 + 0.6 * step, count: 784)
        _ = update(&state, .reconstructed(revision: r, pixels: exact))
        XCTAssertEqual(state.reconstruction, exact, "at rest the reconstruction is shown exactly")
    }

    func testHeaderNumbersKeepTheirColumns() {
        var state = AppState(library: TestDigits.library, style: .full, screenWidth: 120, screenHeight: 40)
        state.hole = HoleRect(top: 9, left: 9, height: 9, width: 9)
        let before = view(state)
        state.hole = HoleRect(top: 10, left: 10, height: 10, width: 10)
        let after = view(state)
        let changed = (0..<120).filter { before[$0, 0] != after[$0, 0] }
        // " 9" → "10" in each of the four numbers: two cells each, and nothing after them moves.
        XCTAssertEqual(changed.count, 8, "only the numbers' own cells change: \(changed)")
    }

    func testDebugOverlayToggleAndSnapshot() {
        var state = TestDigits.busyState()
        XCTAssertEqual(update(&state, .key(.character("D"))), [])
        XCTAssertTrue(state.showDebug)
        _ = update(&state, .frameTimings(FrameTimings(
            lastDragLatency: 6.25, medianDragLatency: 5.5, lastReconstruct: 3.1, lastFrameCells: 148,
            lastFrameBytes: 3512, meanDragFrameBytes: 3727.4, dragFrames: 33, framesPerSecond: 31)))
        assertSnapshot(snapshotText(view(state)), named: "screen-debug")
        _ = update(&state, .key(.character("D")))
        XCTAssertFalse(state.showDebug)
        XCTAssertEqual(view(state), view(TestDigits.busyState()), "hidden again")
    }
}
