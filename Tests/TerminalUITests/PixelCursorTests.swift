import Datasets
import Inpainting
import TerminalUI
import TestSupport
import XCTest

/// Issue 13 §2–3: the pixel under the pointer or the keyboard cursor (`i`), and explain mode (`E`).
final class PixelCursorTests: XCTestCase {
    private func explains(_ effects: [Effect]) -> [(revision: Int, pixel: Int)] {
        effects.compactMap { if case .explain(let revision, _, _, let pixel) = $0 { (revision, pixel) } else { nil } }
    }

    func testKeyboardCursorMovesWithTheArrowsInsteadOfTheHoleAndEscLeaves() {
        var state = TestDigits.busyState()
        let hole = state.hole
        XCTAssertEqual(update(&state, .key(.character("i"))), [], "no explain mode: nothing to ask")
        XCTAssertTrue(state.probe.keyboard)
        XCTAssertEqual(state.probe.pixel, 14 * 28 + 14, "starts at the hole's centre")
        XCTAssertEqual(update(&state, .key(.left)), [])
        _ = update(&state, .key(.up))
        XCTAssertEqual(state.probe.pixel, 13 * 28 + 13)
        XCTAssertEqual(state.hole, hole, "the hole stays")
        for _ in 0..<40 { _ = update(&state, .key(.up)) }
        XCTAssertEqual(state.probe.pixel, 13, "clamped at the top row")
        let text = snapshotText(view(state))
        XCTAssertTrue(text.contains("cursor   (0,13)  orig "), "status line:\n\(text)")
        _ = update(&state, .key(.escape))
        XCTAssertFalse(state.probe.keyboard)
        XCTAssertNil(state.probe.pixel)
        _ = update(&state, .key(.left))
        XCTAssertEqual(state.hole?.left, hole!.left - 1, "arrows move the hole again")
        _ = update(&state, .key(.character("i")))
        _ = update(&state, .key(.character("i")))
        XCTAssertFalse(state.probe.keyboard, "i leaves too")
    }

    func testMotionWithoutAButtonReadsOutThePixelAndDragsStillCutHoles() {
        var state = TestDigits.busyState()
        let layout = state.layout
        let recon = layout.placement(of: .reconstruction)!
        // Cell (5, 3) at scale 1: pixel row 6, column 5.
        XCTAssertEqual(update(&state, .mouse(MouseEvent(.drag, x: recon.x + 5, y: recon.digitY + 3))), [])
        XCTAssertEqual(state.probe.pixel, 6 * 28 + 5)
        XCTAssertNil(state.drag)
        let text = snapshotText(view(state))
        XCTAssertTrue(text.contains("pixel    (6,5)  orig "), "the readout:\n\(text)")
        // Off the panels the readout goes.
        _ = update(&state, .mouse(MouseEvent(.drag, x: layout.status.x + 1, y: layout.status.y + 1)))
        XCTAssertNil(state.probe.pixel)
        // A press, motion and release still cut the hole.
        let masked = layout.placement(of: .masked)!
        _ = update(&state, .mouse(MouseEvent(.press, x: masked.x + 2, y: masked.digitY + 2)))
        _ = update(&state, .mouse(MouseEvent(.drag, x: masked.x + 9, y: masked.digitY + 6)))
        _ = update(&state, .mouse(MouseEvent(.release, x: masked.x + 9, y: masked.digitY + 6)))
        XCTAssertEqual(state.hole, HoleRect(top: 4, left: 2, height: 10, width: 8))
    }

    func testExplainModeAsksOnceForEachPixelInputAndWeights() {
        var state = TestDigits.busyState()
        var effects = update(&state, .key(.character("E")))
        XCTAssertEqual(state.layout.placement(of: .saliency) != nil, true, "the explain panels are placed")
        XCTAssertEqual(explains(effects).map(\.pixel), [14 * 28 + 14])
        guard case .explain(_, let image, let mask, _)? = effects.first else { return XCTFail("\(effects)") }
        XCTAssertEqual(image, state.image)
        XCTAssertEqual(mask, state.mask)
        // The same pixel, input and weights: no second question.
        XCTAssertEqual(explains(update(&state, .tick)).count, 0)
        let recon = state.layout.placement(of: .reconstruction)!
        effects = update(&state, .mouse(MouseEvent(.drag, x: recon.x + 5, y: recon.digitY + 3)))
        XCTAssertEqual(explains(effects).map(\.pixel), [6 * 28 + 5])
        XCTAssertEqual(explains(update(&state, .mouse(MouseEvent(.drag, x: recon.x + 5, y: recon.digitY + 3)))).count, 0)
        // New weights: asked again on the tick that refreshes the reconstruction.
        _ = update(&state, .modelUpdated(revision: 3))
        XCTAssertEqual(explains(update(&state, .tick)).map(\.pixel), [6 * 28 + 5])
        // A new hole: asked again.
        XCTAssertEqual(explains(update(&state, .key(.right))).count, 1)
        // Off the panels the explained pixel stays (the pointer can travel to the explain panels).
        _ = update(&state, .mouse(MouseEvent(.drag, x: state.layout.status.x + 1, y: state.layout.status.y + 1)))
        XCTAssertEqual(state.probe.pixel, 6 * 28 + 5)
        _ = update(&state, .key(.character("E")))
        XCTAssertNil(state.layout.placement(of: .saliency))
        XCTAssertNil(state.probe.pixel)
    }

    static func fakeSaliency(pixel: Int) -> PixelSaliency {
        let row = pixel / 28, column = pixel % 28
        let gradient = (0..<784).map { q -> Float in
            let dr = Float(q / 28 - row), dc = Float(q % 28 - column)
            return (q % 3 == 0 ? -1 : 1) * exp(-(dr * dr + dc * dc) / 40)
        }
        let map = (0..<784).map { Float(($0 / 28 + $0 % 28) % 9) }
        return PixelSaliency(pixel: pixel, value: 0.62, gradient: gradient, topFeature: 5, topContribution: 0.123,
                             featureCount: 16, topFeatureMap: map, featureHeight: 28, featureWidth: 28)
    }

    func testExplainAnswersOlderThanTheShownOneAreDropped() {
        var state = TestDigits.busyState()
        _ = update(&state, .key(.character("E")))
        _ = update(&state, .explained(revision: 2, Self.fakeSaliency(pixel: 30)))
        _ = update(&state, .explained(revision: 1, Self.fakeSaliency(pixel: 31)))
        XCTAssertEqual(state.probe.saliency?.pixel, 30)
    }

    func testExplainModeSnapshots() {
        for (width, height) in [(150, 44), (120, 40)] {
            var state = TestDigits.busyState(width: width, height: height)
            _ = update(&state, .key(.character("E")))
            _ = update(&state, .key(.character("i")))
            _ = update(&state, .key(.left))
            let pixel = state.probe.pixel!
            _ = update(&state, .explained(revision: state.probe.saliencyRevision + 1, Self.fakeSaliency(pixel: pixel)))
            assertSnapshot(snapshotText(view(state)), named: "screen-explain-\(width)x\(height)")
        }
        var state = TestDigits.busyState(width: 150, height: 44, style: .ascii)
        _ = update(&state, .key(.character("E")))
        _ = update(&state, .explained(revision: 1, Self.fakeSaliency(pixel: state.probe.pixel!)))
        assertSnapshot(snapshotText(view(state)), named: "screen-explain-150x44-ascii")
    }
}
