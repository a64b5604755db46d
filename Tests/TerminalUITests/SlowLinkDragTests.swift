import Inpainting
import TerminalUI
import TestSupport
import XCTest

/// Over a thin link the reconstruction waits for the release (`SlowLinkDrag` with
/// `AnsiFrameEncoder.encode(_:holding:)`): the drag's frames are smaller, and the release's frame leaves
/// the terminal showing exactly the release's screen.
final class SlowLinkDragTests: XCTestCase {
    typealias Terminal = AnsiFrameEncoderTests.VirtualTerminal

    /// A stand-in network whose answer changes everywhere when the hole moves, like the real one.
    private func answer(_ image: [Float], _ mask: [Float]) -> [Float] {
        let open = mask.reduce(0, +) / Float(mask.count)
        return zip(image, mask).map { min(1, 0.15 + 0.7 * $0 * $1 + 0.5 * (1 - open)) }
    }

    private func look(_ terminal: Terminal) -> [String] {
        (0..<terminal.height).flatMap { y in (0..<terminal.width).map { terminal.look(x: $0, y: y) } }
    }

    /// Replays the same drag with and without the hold: bytes of the drag's frames, and what each terminal
    /// shows after the release's frame.
    private func replay(holding: Bool) -> (dragBytes: Int, releaseBytes: Int, screen: [String], heldCells: Int) {
        var state = AppState(library: TestDigits.library, style: .full, screenWidth: 120, screenHeight: 40)
        _ = update(&state, .reconstructed(revision: 0, pixels: answer(state.image, state.mask)))
        var encoder = AnsiFrameEncoder(colorDepth: .gray256)
        var terminal = Terminal(width: 120, height: 40)
        terminal.feed(encoder.encode(view(state)))
        let masked = state.layout.placement(of: .masked)!
        _ = update(&state, .mouse(MouseEvent(.press, x: masked.x + 3, y: masked.digitY + 1)))
        func frame() -> Int {
            let held = holding ? SlowLinkDrag.heldRegions(state) : []
            let bytes = encoder.encode(view(state), holding: held)
            terminal.feed(bytes)
            return bytes.count
        }
        func run(_ effects: [Effect]) {
            for case .reconstruct(let r, let image, let mask) in effects {
                _ = update(&state, .reconstructed(revision: r, pixels: answer(image, mask)))
            }
        }
        var dragBytes = frame()
        var heldCells = 0
        for step in 1...12 {
            run(update(&state, .mouse(MouseEvent(.drag, x: masked.x + 3 + step, y: masked.digitY + 1 + min(step, 9)))))
            dragBytes += frame()
            heldCells = SlowLinkDrag.heldRegions(state).reduce(0) { $0 + $1.width * $1.height }
        }
        run(update(&state, .mouse(MouseEvent(.release, x: masked.x + 15, y: masked.digitY + 10))))
        XCTAssertEqual(SlowLinkDrag.heldRegions(state), [], "nothing is held once the hand let go")
        let releaseBytes = frame()
        // The screen the terminal shows must be the release's, cell for cell.
        var reference = Terminal(width: 120, height: 40)
        var fresh = AnsiFrameEncoder(colorDepth: .gray256)
        reference.feed(fresh.encode(view(state)))
        XCTAssertEqual(look(terminal), look(reference), holding ? "held" : "not held")
        return (dragBytes, releaseBytes, look(terminal), heldCells)
    }

    func testTheReconstructionWaitsForTheReleaseAndTheReleaseFrameEndsOnTheSameScreen() {
        let plain = replay(holding: false), held = replay(holding: true)
        XCTAssertGreaterThan(held.heldCells, 0, "the reconstruction panel is held while dragging")
        XCTAssertEqual(held.screen, plain.screen, "the settled screens are the same")
        XCTAssertLessThan(Double(held.dragBytes), 0.8 * Double(plain.dragBytes),
                          "the drag's frames carry no reconstruction: \(held.dragBytes) vs \(plain.dragBytes) bytes")
        XCTAssertLessThan(held.releaseBytes + held.dragBytes, plain.releaseBytes + plain.dragBytes)
    }

    func testHeldCellsAreNotSentAndTheFirstFrameWithoutTheHoldSendsThem() {
        var encoder = AnsiFrameEncoder(colorDepth: .gray256)
        var terminal = Terminal(width: 10, height: 3)
        var frame = CellBuffer(width: 10, height: 3)
        terminal.feed(encoder.encode(frame))
        let region = Rect(x: 5, y: 0, width: 5, height: 3)
        frame[7, 1] = Cell("▀", foreground: .index(250), background: .index(240))
        XCTAssertEqual(encoder.encode(frame, holding: [region]), [], "a change inside the hold costs nothing")
        XCTAssertEqual(encoder.lastCellCount, 0)
        frame[2, 1] = Cell("a", foreground: .index(250), background: .index(16))
        let outside = encoder.encode(frame, holding: [region])
        terminal.feed(outside)
        XCTAssertEqual(String(decoding: outside, as: UTF8.self),
                       "\u{1B}[2;3H\u{1B}[38;5;250;48;5;16ma", "outside the hold, cells go as usual")
        XCTAssertEqual(terminal.look(x: 7, y: 1), "▀-1/-1")
        terminal.feed(encoder.encode(frame))
        XCTAssertEqual(encoder.lastCellCount, 1, "the held cell, once the hold ends")
        XCTAssertEqual(terminal.look(x: 7, y: 1), "▀250/240")
        encoder.invalidate()
        XCTAssertGreaterThan(encoder.encode(frame, holding: [Rect(x: 0, y: 0, width: 10, height: 3)]).count, 0,
                             "a repaint ignores the hold: the screen is unknown")
    }
}
