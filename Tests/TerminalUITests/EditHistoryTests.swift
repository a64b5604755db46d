import Inpainting
import TerminalUI
import TestSupport
import XCTest

/// Undo and redo (`u`, `U`) of holes, brush strokes and drawings, and the draw mode's MNIST-like ink.
final class EditHistoryTests: XCTestCase {
    private func makeState() -> AppState {
        AppState(library: TestDigits.library, style: .full, screenWidth: 120, screenHeight: 40)
    }

    /// The screen cell of pixel (row, column) of the masked-input panel.
    private func cell(_ state: AppState, row: Int, column: Int) -> (x: Int, y: Int) {
        let layout = state.layout
        let p = layout.placement(of: .masked)!
        return (p.x + column * layout.side / 28, p.digitY + row * layout.side / 56)
    }

    /// A drag on the masked input from pixel `from` to pixel `to` through `motions` motion events.
    private func drag(_ state: inout AppState, from: (Int, Int), to: (Int, Int), motions: Int = 6) {
        let a = cell(state, row: from.0, column: from.1), b = cell(state, row: to.0, column: to.1)
        _ = update(&state, .mouse(MouseEvent(.press, x: a.x, y: a.y)))
        for i in 1...motions {
            _ = update(&state, .mouse(MouseEvent(.drag, x: a.x + (b.x - a.x) * i / motions, y: a.y + (b.y - a.y) * i / motions)))
        }
        _ = update(&state, .mouse(MouseEvent(.release, x: b.x, y: b.y)))
    }

    private func key(_ state: inout AppState, _ c: Character) -> [Effect] { update(&state, .key(.character(c))) }

    func testAWholeDragIsOneEntryAndUndoRedoWalkIt() {
        var state = makeState()
        let initial = (state.hole, state.mask)
        drag(&state, from: (2, 3), to: (11, 15))
        let dragged = (state.hole, state.mask)
        XCTAssertNotEqual(dragged.0, initial.0)
        _ = update(&state, .key(.right))
        let moved = state.hole

        let effects = key(&state, "u")
        XCTAssertEqual(state.hole, dragged.0, "u takes back the arrow")
        XCTAssertTrue(effects.contains { if case .reconstruct(_, _, let mask) = $0 { mask == dragged.1 } else { false } },
                      "and asks for the reconstruction of the restored input")
        _ = key(&state, "u")
        XCTAssertEqual(state.hole, initial.0, "the whole drag is one step back, not one per motion")
        XCTAssertEqual(state.mask, initial.1)
        _ = key(&state, "u")
        XCTAssertEqual(state.hole, initial.0)
        XCTAssertTrue(state.notice?.hasPrefix("nothing to undo") ?? false, "\(state.notice ?? "-")")

        _ = key(&state, "U")
        XCTAssertEqual(state.hole, dragged.0)
        _ = key(&state, "U")
        XCTAssertEqual(state.hole, moved)
        _ = key(&state, "U")
        XCTAssertEqual(state.notice, "nothing to redo")

        // A new edit after an undo drops what could be redone.
        _ = key(&state, "u")
        _ = key(&state, "r")
        _ = key(&state, "U")
        XCTAssertEqual(state.notice, "nothing to redo")
    }

    func testBrushStrokesAndDrawingsUndoStrokeByStroke() {
        var state = makeState()
        _ = key(&state, "c")                 // no hole
        _ = key(&state, "m")                 // brush
        drag(&state, from: (4, 4), to: (4, 20))
        let oneStroke = state.mask
        drag(&state, from: (20, 4), to: (20, 20))
        XCTAssertNotEqual(state.mask, oneStroke)
        _ = key(&state, "u")
        XCTAssertEqual(state.mask, oneStroke, "one stroke back")

        _ = key(&state, "m")                 // draw: a blank canvas, a new history
        XCTAssertFalse(state.edits.canUndo, "a new canvas starts a new history")
        drag(&state, from: (6, 6), to: (6, 20))
        let firstStroke = state.image
        drag(&state, from: (6, 14), to: (22, 14))
        _ = key(&state, "c")                 // a blank canvas again: undoable too
        XCTAssertEqual(state.image, [Float](repeating: 0, count: 784))
        _ = key(&state, "u")
        _ = key(&state, "u")
        XCTAssertEqual(state.image, firstStroke, "the drawing comes back stroke by stroke")
        XCTAssertNil(state.digitIndex, "still the drawing")
    }

    func testANewDigitStartsANewHistory() {
        var state = makeState()
        _ = update(&state, .key(.right))
        XCTAssertTrue(state.edits.canUndo)
        _ = key(&state, "n")
        XCTAssertFalse(state.edits.canUndo, "undo never changes the digit under you")
        let hole = state.hole
        _ = key(&state, "u")
        XCTAssertEqual(state.hole, hole)
        XCTAssertEqual(state.digitIndex, 1)
    }

    func testTheHistoryIsBounded() {
        var state = makeState()
        for i in 0..<(EditHistory.capacity + 20) { _ = update(&state, .key(i % 2 == 0 ? .right : .left)) }
        var undone = 0
        while state.edits.canUndo { _ = key(&state, "u"); undone += 1 }
        XCTAssertEqual(undone, EditHistory.capacity)
    }

    func testMotionsOfOneDragAddNothingUntilTheRelease() {
        var state = makeState()
        let a = cell(state, row: 2, column: 2), b = cell(state, row: 12, column: 12)
        _ = update(&state, .mouse(MouseEvent(.press, x: a.x, y: a.y)))
        _ = update(&state, .mouse(MouseEvent(.drag, x: b.x, y: b.y)))
        XCTAssertFalse(state.edits.canUndo, "mid-drag: nothing recorded yet")
        _ = update(&state, .mouse(MouseEvent(.release, x: b.x, y: b.y)))
        XCTAssertTrue(state.edits.canUndo)
    }

    // MARK: the draw mode's ink

    /// Draw mode's strokes against the MNIST statistics `Brush` cites: white at the centre, a run of about
    /// 3 pixels ≥ 0.5 across, about half of the ink ≥ 0.9 (the rest the soft edge), never above 1.
    func testDrawModeInksLikeMNIST() {
        var state = AppState(library: TestDigits.library, style: .full, screenWidth: 220, screenHeight: 60, maxScale: 1)
        _ = key(&state, "m")
        _ = key(&state, "m")
        XCTAssertEqual(state.mode, .draw)
        drag(&state, from: (14, 3), to: (14, 24), motions: 3)   // fast: three motions for 21 pixels
        let image = state.image
        XCTAssertEqual(image.max(), 1, "MNIST's strokes are white at the centre")
        let ink = image.filter { $0 >= 0.1 }, white = image.filter { $0 >= 0.9 }
        let whiteShare = Float(white.count) / Float(ink.count)
        XCTAssertGreaterThan(whiteShare, 0.3, "a soft edge, not a hard one: \(whiteShare)")
        XCTAssertLessThan(whiteShare, 0.7, "the core is white: \(whiteShare)")
        // Across the stroke (a column): 2–4 pixels ≥ 0.5, with grey on each side.
        for column in 6...20 {
            let across = (0..<28).map { image[$0 * 28 + column] }
            XCTAssertTrue((2...4).contains(across.filter { $0 >= 0.5 }.count), "column \(column): \(across)")
            XCTAssertTrue(across.contains { $0 > 0.05 && $0 < 0.9 }, "column \(column) has a soft edge")
        }
        // A fast drag draws a line, not dots: every column along the way is inked.
        XCTAssertTrue((4...23).allSatisfy { c in (0..<28).contains { image[$0 * 28 + c] >= 0.9 } })
        // Going over it again neither brightens nor widens it.
        drag(&state, from: (14, 3), to: (14, 24), motions: 3)
        XCTAssertEqual(state.image, image)
    }
}
