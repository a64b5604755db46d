@testable import NcursesTerminal
import TerminalUI
import XCTest

/// Terminal replies among the keys: swallowed whole or in pieces, never handed to the UI as keys.
final class ReplyScannerTests: XCTestCase {
    private func chars(_ text: String) -> [RawInput] { text.unicodeScalars.map { .character($0.value) } }
    private let motion = Message.mouse(MouseEvent(.drag, x: 5, y: 6))

    func testRepliesThatNcursesDecodedPassAsReplies() {
        var scanner = ReplyScanner()
        let out = scanner.feed([.message(motion), .reply(.status), .message(motion)], expectingReplies: true)
        XCTAssertEqual(out.messages, [motion, motion])
        XCTAssertEqual(out.replies, [.status])
    }

    func testAStatusReplySplitAcrossReadsIsSwallowed() {
        var scanner = ReplyScanner()
        var out = scanner.feed(chars("\u{1B}[0"), expectingReplies: true)
        XCTAssertEqual(out.messages, [], "no Esc, '[' or '0' reaches the UI")
        XCTAssertTrue(scanner.isHolding)
        out = scanner.feed(chars("n") + [.character(UInt32(UInt8(ascii: "q")))], expectingReplies: true)
        XCTAssertEqual(out.replies, [.status])
        XCTAssertEqual(out.messages, [.key(.character("q"))], "the key after the reply is a key")
        XCTAssertFalse(scanner.isHolding)
    }

    func testEverySplitOfAModeReportMixedWithMouseReports() {
        let reply = "\u{1B}[?2026;2$y"
        let scalars = Array(reply.unicodeScalars)
        for cut in 1..<scalars.count {
            var scanner = ReplyScanner()
            let first = [RawInput.message(motion)] + scalars[..<cut].map { .character($0.value) }
            let second = scalars[cut...].map { RawInput.character($0.value) } + [.message(motion)]
            let a = scanner.feed(first, expectingReplies: true), b = scanner.feed(second, expectingReplies: true)
            XCTAssertEqual(a.messages + b.messages, [motion, motion], "cut at \(cut)")
            XCTAssertEqual(a.replies + b.replies, [.mode(number: 2026, value: 2)], "cut at \(cut)")
        }
    }

    func testAMouseReportBetweenThePiecesPassesAndTheReplyIsStillFound() {
        var scanner = ReplyScanner()
        let out = scanner.feed(chars("\u{1B}[") + [.message(motion)] + chars("3n"), expectingReplies: true)
        XCTAssertEqual(out.messages, [motion])
        XCTAssertEqual(out.replies, [.status])
    }

    func testWhatIsNotAReplyComesBackAsKeys() {
        var scanner = ReplyScanner()
        let out = scanner.feed(chars("\u{1B}[5x"), expectingReplies: true)
        XCTAssertEqual(out.messages, [.key(.escape), .key(.character("[")), .key(.character("5")), .key(.character("x"))])
        XCTAssertEqual(out.replies, [])
        XCTAssertEqual(scanner.feed(chars("\u{1B}[7n"), expectingReplies: true).replies, [],
                       "DSR answers only 0 or 3")
    }

    func testALoneEscIsAKeyAtOnceWhenNoReplyIsExpected() {
        var scanner = ReplyScanner()
        XCTAssertEqual(scanner.feed(chars("\u{1B}"), expectingReplies: false).messages, [.key(.escape)])
        XCTAssertFalse(scanner.isHolding)
        XCTAssertEqual(scanner.feed(chars("\u{1B}"), expectingReplies: true).messages, [], "a reply may follow")
        XCTAssertTrue(scanner.isHolding)
        XCTAssertEqual(scanner.flush(), [.key(.escape)], "the driver's short wait gives it back as Esc")
        XCTAssertFalse(scanner.isHolding)
    }

    func testTwoRepliesInOneRead() {
        var scanner = ReplyScanner()
        let out = scanner.feed(chars("\u{1B}[?2026;0$y\u{1B}[0nq"), expectingReplies: true)
        XCTAssertEqual(out.replies, [.mode(number: 2026, value: 0), .status])
        XCTAssertEqual(out.messages, [.key(.character("q"))])
    }

    func testReplyKeyCodesMapBackToReplies() {
        XCTAssertEqual(ReplyKeys.reply(forKeyCode: ReplyKeys.base), .status)
        XCTAssertEqual(ReplyKeys.reply(forKeyCode: ReplyKeys.base + 1), .status)
        XCTAssertEqual(ReplyKeys.reply(forKeyCode: ReplyKeys.base + 4), .mode(number: 2026, value: 2))
        XCTAssertNil(ReplyKeys.reply(forKeyCode: ReplyKeys.base + Int32(ReplyKeys.definitions.count)))
        XCTAssertNil(ReplyKeys.reply(forKeyCode: ReplyKeys.base - 1))
    }
}
