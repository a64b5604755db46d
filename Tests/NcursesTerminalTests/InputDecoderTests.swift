import CNcursesW
import Foundation
@testable import NcursesTerminal
import TerminalUI
import XCTest

/// The driver's decoding of what ncurses reads, without a terminal: key codes and bytes to `Key`s, one
/// decoded mouse event to messages. (Reading them from a real terminal is covered under tmux, EndToEndTests.)
final class InputDecoderTests: XCTestCase {
    func testBytesBecomeKeys() {
        XCTAssertEqual(InputDecoder.characterKey(3), .interrupt)
        XCTAssertEqual(InputDecoder.characterKey(9), .tab)
        XCTAssertEqual(InputDecoder.characterKey(10), .enter)
        XCTAssertEqual(InputDecoder.characterKey(13), .enter)
        XCTAssertEqual(InputDecoder.characterKey(27), .escape)
        XCTAssertEqual(InputDecoder.characterKey(8), .backspace)
        XCTAssertEqual(InputDecoder.characterKey(127), .backspace)
        XCTAssertEqual(InputDecoder.characterKey(UInt32(UInt8(ascii: "q"))), .character("q"))
        XCTAssertEqual(InputDecoder.characterKey(0x00D7), .character("×"), "wide characters come through whole")
        XCTAssertNil(InputDecoder.characterKey(1), "other control bytes are ignored")
        XCTAssertNil(InputDecoder.characterKey(0xD800), "a lone surrogate is not a character")
    }

    func testFunctionKeysBecomeArrowsAndShiftArrows() {
        XCTAssertEqual(InputDecoder.functionKey(KEY_UP), .up)
        XCTAssertEqual(InputDecoder.functionKey(KEY_DOWN), .down)
        XCTAssertEqual(InputDecoder.functionKey(KEY_LEFT), .left)
        XCTAssertEqual(InputDecoder.functionKey(KEY_RIGHT), .right)
        XCTAssertEqual(InputDecoder.functionKey(KEY_SR), .shiftUp)
        XCTAssertEqual(InputDecoder.functionKey(KEY_SF), .shiftDown)
        XCTAssertEqual(InputDecoder.functionKey(KEY_SLEFT), .shiftLeft)
        XCTAssertEqual(InputDecoder.functionKey(KEY_SRIGHT), .shiftRight)
        XCTAssertEqual(InputDecoder.functionKey(KEY_ENTER), .enter)
        XCTAssertEqual(InputDecoder.functionKey(KEY_BACKSPACE), .backspace)
        XCTAssertNil(InputDecoder.functionKey(cnc_key_f(5)), "unbound function keys are ignored")
    }

    func testMouseEventsBecomePressDragRelease() {
        XCTAssertEqual(InputDecoder.mouseMessages(state: cnc_button1_pressed(), x: 4, y: 7),
                       [.mouse(MouseEvent(.press, x: 4, y: 7))])
        // Motion with the button held arrives as REPORT_MOUSE_POSITION (button-motion tracking, ESC[?1002h).
        XCTAssertEqual(InputDecoder.mouseMessages(state: cnc_report_mouse_position(), x: 5, y: 8),
                       [.mouse(MouseEvent(.drag, x: 5, y: 8))])
        XCTAssertEqual(InputDecoder.mouseMessages(state: cnc_button1_released(), x: 6, y: 9),
                       [.mouse(MouseEvent(.release, x: 6, y: 9))])
        XCTAssertEqual(InputDecoder.mouseMessages(state: cnc_button1_clicked(), x: 1, y: 2),
                       [.mouse(MouseEvent(.press, x: 1, y: 2)), .mouse(MouseEvent(.release, x: 1, y: 2))])
        XCTAssertEqual(InputDecoder.mouseMessages(state: 0, x: 1, y: 2), [], "other buttons mean nothing")
    }
}

final class FrameStatsTests: XCTestCase {
    func testStatsFileIsWrittenAndReadsBack() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("frame-stats-\(UUID().uuidString).json").path
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        var stats = FrameStats()
        stats.frames = 3
        stats.dragFrames = 2
        stats.firstFrameMilliseconds = 81.5
        stats.dragLatencyMilliseconds = [3.5, 4.25]
        try stats.write(to: path)
        let back = try JSONDecoder().decode(FrameStats.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
        XCTAssertEqual(back.frames, 3)
        XCTAssertEqual(back.dragLatencyMilliseconds, [3.5, 4.25])
        XCTAssertEqual(milliseconds(from: 1_000_000, to: 4_500_000), 3.5)
    }

    func testAMissingFolderIsAnErrorNamingTheFile() {
        let path = "/nonexistent-\(UUID().uuidString)/stats.json"
        XCTAssertThrowsError(try FrameStats().write(to: path)) { error in
            XCTAssertTrue("\(error)".hasPrefix(path), "\(error)")
        }
    }
}
