import Inpainting
import XCTest

/// The measured rule that picks one or two threads for each single-image forward (issue 16).
final class SingleImageThreadChoiceTests: XCTestCase {
    /// Feeds `forwards` calls where one thread takes `one` seconds and two take `two`; returns the threads used.
    private func drive(_ choice: inout SingleImageThreadChoice, forwards: Int, one: Double, two: Double) -> [Int] {
        (0..<forwards).map { _ in
            let t = choice.next()
            choice.record(threads: t, seconds: t == 1 ? one : two)
            return t
        }
    }

    func testWarmUpAlternatesThenKeepsTheFasterSetting() {
        var choice = SingleImageThreadChoice(threads: 2)
        XCTAssertEqual(drive(&choice, forwards: 8, one: 1e-3, two: 0.6e-3), [2, 1, 2, 1, 2, 1, 2, 1])
        let used = drive(&choice, forwards: 64, one: 1e-3, two: 0.6e-3)
        XCTAssertEqual(used.filter { $0 == 1 }.count, 4, "one probe of one thread per 16 forwards: \(used)")
        XCTAssertEqual(choice.best, 2)
    }

    /// Training starts on the other core and two threads begin to lose: within a window of probes the choice
    /// moves to one thread, and back when training stops.
    func testFollowsTheLoad() {
        var choice = SingleImageThreadChoice(threads: 2)
        _ = drive(&choice, forwards: 40, one: 1e-3, two: 0.6e-3)
        XCTAssertEqual(choice.best, 2)
        let busy = drive(&choice, forwards: 16 * 8, one: 1e-3, two: 3e-3)
        XCTAssertEqual(choice.best, 1)
        XCTAssertEqual(busy.suffix(64).filter { $0 == 2 }.count, 4, "only the probes use two threads: \(busy)")
        _ = drive(&choice, forwards: 16 * 8, one: 1e-3, two: 0.6e-3)
        XCTAssertEqual(choice.best, 2)
    }

    /// One slow forward (a page fault, a context switch) does not flip the choice: it is a median.
    func testOneOutlierDoesNotFlip() {
        var choice = SingleImageThreadChoice(threads: 2)
        _ = drive(&choice, forwards: 40, one: 1e-3, two: 0.6e-3)
        choice.record(threads: 2, seconds: 50e-3)
        XCTAssertEqual(choice.best, 2)
        XCTAssertEqual(choice.next(), 2)
    }
}
