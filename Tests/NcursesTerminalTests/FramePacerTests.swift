@testable import NcursesTerminal
import TerminalUI
import XCTest

/// The pacing without a terminal: a clock in milliseconds and the replies fed by hand.
final class FramePacerTests: XCTestCase {
    private func ms(_ value: Double) -> UInt64 { UInt64(value * 1_000_000) }
    private let frame: [UInt8] = Array("\u{1B}[1;1Hx".utf8)

    func testTheQuestionsGoFirstAndEachFrameEndsWithAStatusQuery() {
        var pacer = FramePacer()
        XCTAssertEqual(pacer.begin(now: ms(0)), Array("\u{1B}[?2026$p\u{1B}[5n".utf8))
        XCTAssertEqual(pacer.mode, .probing)
        XCTAssertTrue(pacer.mayWrite(now: ms(1)), "no answer yet: frames go at the rate cap meanwhile")
        XCTAssertEqual(pacer.wrap(frame, now: ms(1)), frame + Array("\u{1B}[5n".utf8))
        XCTAssertEqual(pacer.inFlight, 2)
        XCTAssertEqual(pacer.wrap([], now: ms(2)), [], "a frame with nothing to change writes and asks nothing")
        XCTAssertEqual(pacer.inFlight, 2)
    }

    func testAtMostMaxInFlightFramesUnanswered() {
        var pacer = FramePacer()
        _ = pacer.begin(now: ms(0))
        XCTAssertTrue(pacer.received(.status, now: ms(10)), "the probe's answer")
        XCTAssertEqual(pacer.mode, .acknowledged)
        XCTAssertEqual(pacer.lastRoundTrip ?? -1, 10, accuracy: 1e-9)
        for i in 0..<2 {
            XCTAssertTrue(pacer.mayWrite(now: ms(110 + Double(i))))
            _ = pacer.wrap(frame, now: ms(110 + Double(i)))
        }
        XCTAssertFalse(pacer.mayWrite(now: ms(120)), "two unanswered: the third waits")
        XCTAssertFalse(pacer.mayWrite(now: ms(125)), "still waiting")
        XCTAssertTrue(pacer.received(.status, now: ms(130)))
        XCTAssertTrue(pacer.mayWrite(now: ms(130)), "an answer frees a slot")
        XCTAssertEqual(pacer.lastRoundTrip ?? -1, 20, accuracy: 1e-9, "answers are matched oldest first")
    }

    func testOneInFlightWhenTheLinkIsSlow() {
        var pacer = FramePacer()
        _ = pacer.begin(now: ms(0))
        pacer.received(.status, now: ms(1))
        XCTAssertEqual(pacer.maxInFlight, 2, "a fast link: two")
        var t = 10.0
        for _ in 0..<3 {   // three answers after 100 ms each: the median says slow
            _ = pacer.wrap(frame, now: ms(t))
            pacer.received(.status, now: ms(t + 100))
            t += 200
        }
        XCTAssertEqual(pacer.maxInFlight, 1)
        XCTAssertTrue(pacer.mayWrite(now: ms(t)))
        _ = pacer.wrap(frame, now: ms(t))
        XCTAssertFalse(pacer.mayWrite(now: ms(t + 1)), "one unanswered frame is the most on a slow link")
        pacer.received(.status, now: ms(t + 2))
        XCTAssertTrue(pacer.mayWrite(now: ms(t + 2)))
    }

    /// A slow link: the median round trip above `Settings.slowRoundTrip`.
    private func slowPacer() -> (FramePacer, Double) {
        var pacer = FramePacer()
        _ = pacer.begin(now: ms(0))
        pacer.received(.status, now: ms(1))
        XCTAssertFalse(pacer.linkIsSlow, "a quick answer: not slow")
        var t = 10.0
        for _ in 0..<3 {
            _ = pacer.wrap(frame, now: ms(t))
            pacer.received(.status, now: ms(t + 300))
            t += 400
        }
        XCTAssertTrue(pacer.linkIsSlow)
        return (pacer, t)
    }

    /// The frame after a release goes at once, one beyond the frames in flight, instead of waiting a round
    /// trip for the answer to the frame before it; the frames after it are paced as before.
    func testTheFrameAfterTheReleaseGoesAtOnce() {
        let slow = slowPacer()
        var pacer = slow.0
        let t = slow.1
        _ = pacer.wrap(frame, now: ms(t))   // a drag frame, in flight when the hand lets go
        XCTAssertFalse(pacer.mayWrite(now: ms(t + 5)), "a drag frame waits for the answer")
        XCTAssertTrue(pacer.mayWrite(now: ms(t + 5), settling: true), "the release's frame does not")
        _ = pacer.wrap(frame, now: ms(t + 5))
        XCTAssertEqual(pacer.inFlight, 2)
        XCTAssertFalse(pacer.mayWrite(now: ms(t + 6), settling: true), "one beyond, not more")
        pacer.received(.status, now: ms(t + 300))
        XCTAssertFalse(pacer.mayWrite(now: ms(t + 300)), "the release's frame still in flight: the next waits")
        pacer.received(.status, now: ms(t + 305))
        XCTAssertTrue(pacer.mayWrite(now: ms(t + 305)))
    }

    func testALocalTerminalIsNotASlowLink() {
        var pacer = FramePacer()
        _ = pacer.begin(now: ms(0))
        for i in 0..<10 {
            _ = pacer.wrap(frame, now: ms(Double(i) * 20))
            pacer.received(.status, now: ms(Double(i) * 20 + 2))
        }
        XCTAssertFalse(pacer.linkIsSlow, "answers in 2 ms: every panel is drawn with every motion")
        XCTAssertEqual(pacer.maxInFlight, 2)
    }

    func testATerminalThatNeverAnswersFallsBackToTheRateCapWithoutQueries() {
        var pacer = FramePacer()
        _ = pacer.begin(now: ms(0))
        _ = pacer.wrap(frame, now: ms(10))
        XCTAssertTrue(pacer.mayWrite(now: ms(999)))
        XCTAssertEqual(pacer.mode, .probing)
        XCTAssertTrue(pacer.mayWrite(now: ms(1001)))
        XCTAssertEqual(pacer.mode, .rateCapped)
        XCTAssertEqual(pacer.inFlight, 0)
        XCTAssertEqual(pacer.wrap(frame, now: ms(1002)), frame, "no query once the terminal is known not to answer")
        XCTAssertEqual(pacer.pacing, .rateCapped)
        XCTAssertTrue(pacer.mayWrite(now: ms(1003)))
    }

    func testALostAnswerIsGivenUpAndThePacerAsksAgain() {
        var pacer = FramePacer()
        _ = pacer.begin(now: ms(0))
        pacer.received(.status, now: ms(1))
        _ = pacer.wrap(frame, now: ms(10))
        _ = pacer.wrap(frame, now: ms(10))
        XCTAssertFalse(pacer.mayWrite(now: ms(3009)))
        XCTAssertTrue(pacer.mayWrite(now: ms(3011)), "after lostAnswerTimeout the frame goes")
        XCTAssertEqual(pacer.mode, .probing)
        pacer.received(.status, now: ms(3020))
        XCTAssertEqual(pacer.mode, .acknowledged, "answers again: back to acknowledged frames")
    }

    func testTheLostAnswerTimeoutGrowsWithSlowRoundTrips() {
        var pacer = FramePacer()
        _ = pacer.begin(now: ms(0))
        // A slow link: 2 s for the first answer (no frame asked meanwhile, so no timeout was applied).
        pacer.received(.status, now: ms(2000))
        _ = pacer.wrap(frame, now: ms(2000))
        XCTAssertFalse(pacer.mayWrite(now: ms(2000 + 5000)), "three slowest round trips (6 s) are waited for")
        XCTAssertTrue(pacer.mayWrite(now: ms(2000 + 6001)))
    }

    func testSynchronizedOutputOnlyWhenTheTerminalHasIt() {
        for (value, expected) in [(0, false), (1, true), (2, true), (3, false), (4, false)] {
            var pacer = FramePacer()
            _ = pacer.begin(now: ms(0))
            pacer.received(.mode(number: 2026, value: value), now: ms(1))
            pacer.received(.status, now: ms(2))
            let bytes = pacer.wrap(frame, now: ms(3))
            let wrapped = Array("\u{1B}[?2026h".utf8) + frame + Array("\u{1B}[?2026l".utf8) + Array("\u{1B}[5n".utf8)
            XCTAssertEqual(bytes, expected ? wrapped : frame + Array("\u{1B}[5n".utf8), "DECRPM value \(value)")
            XCTAssertEqual(pacer.pacing, .acknowledged(synchronized: expected))
        }
        var pacer = FramePacer()
        _ = pacer.begin(now: ms(0))
        pacer.received(.mode(number: 2004, value: 1), now: ms(1))
        XCTAssertFalse(pacer.synchronized, "another mode's report says nothing about 2026")
    }

    /// Coalescing, as the driver does it: while a frame waits, the motions only change the state; the one
    /// frame drawn after the answer shows the newest.
    func testMotionsWhileWaitingAreCoalescedIntoOneFrame() {
        var settings = FramePacer.Settings()
        settings.maxInFlight = 1
        var pacer = FramePacer(settings: settings)
        _ = pacer.begin(now: ms(0))
        pacer.received(.status, now: ms(1))
        var state = 0, drawn: [Int] = [], waiting = false
        func draw(at t: Double) {
            guard pacer.mayWrite(now: ms(t)) else { waiting = true; return }
            waiting = false
            drawn.append(state)
            _ = pacer.wrap(frame, now: ms(t))
        }
        for motion in 1...10 {   // a motion every 30 ms; the link answers after 100 ms
            state = motion
            let t = Double(motion) * 30
            if !waiting { draw(at: t) }
            if motion % 4 == 0 { pacer.received(.status, now: ms(t + 1)); if waiting { draw(at: t + 1) } }
        }
        XCTAssertEqual(drawn, [1, 4, 8], "each answer let the newest state through, not every motion in turn")
    }
}
