@testable import NcursesTerminal
import XCTest

/// When held characters (a lone Esc that might start a reply) go to the UI as keys: 100 ms after holding
/// began, however many reads come meanwhile (commit 8125088).
final class HeldInputDeadlineTests: XCTestCase {
    private func ms(_ value: UInt64) -> UInt64 { value * 1_000_000 }

    func testAHeldEscReachesTheUIAHundredMillisecondsAfterHoldingBeganNotAfterTheLastRead() {
        var deadline = HeldInputDeadline()
        XCTAssertEqual(deadline.afterRead(holding: false, now: ms(0)), .none, "nothing held, nothing to do")
        XCTAssertEqual(deadline.afterRead(holding: true, now: ms(10)), .schedule(at: ms(110)), "Esc held at 10 ms")
        // Frames and their answers keep arriving while training: reads every few ms must not push it back.
        for t in stride(from: UInt64(15), through: 105, by: 15) {
            XCTAssertEqual(deadline.afterRead(holding: true, now: ms(t)), .none, "read at \(t) ms")
        }
        XCTAssertEqual(deadline.due, ms(110))
        deadline.flushed()
        XCTAssertNil(deadline.due)
        XCTAssertEqual(deadline.afterRead(holding: true, now: ms(200)), .schedule(at: ms(300)), "a new Esc, a new wait")
    }

    func testTheWaitIsCancelledWhenTheHeldCharactersBecameAReply() {
        var deadline = HeldInputDeadline()
        XCTAssertEqual(deadline.afterRead(holding: true, now: ms(0)), .schedule(at: ms(100)))
        XCTAssertEqual(deadline.afterRead(holding: false, now: ms(30)), .cancel, "the rest of the reply came")
        XCTAssertNil(deadline.due)
        XCTAssertEqual(deadline.afterRead(holding: false, now: ms(40)), .none)
    }
}
