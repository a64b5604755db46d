import Datasets
import Inpainting
import TerminalUI
import TestSupport
import XCTest

/// Fashion-MNIST in the UI: the header and the top-3 panel name the classes (issue 14: a sneaker was "a 9"),
/// MNIST keeps its digits.
final class FashionViewTests: XCTestCase {
    /// The test digits, labelled as clothes: an ankle boot, a trouser and a sneaker.
    private static let clothes = DigitLibrary(name: "test clothes", images: TestDigits.ring() + TestDigits.bar() + TestDigits.seven(),
                                              labels: [9, 1, 7], dataset: .fashion)

    private static let guesses = Guesses(
        original: [Guess(digit: 9, probability: 0.981), Guess(digit: 7, probability: 0.012), Guess(digit: 5, probability: 0.004)],
        composite: [Guess(digit: 0, probability: 0.62), Guess(digit: 9, probability: 0.35), Guess(digit: 6, probability: 0.01)])

    private func state(_ library: DigitLibrary) -> AppState {
        var state = TestDigits.busyState()
        state.library = library
        state.image = library.image(at: 0)
        return state
    }

    func testHeaderNamesTheClassForFashionAndTheDigitForMNIST() {
        let fashion = snapshotText(view(state(Self.clothes)))
        let header = String(fashion.split(separator: "\n")[0])
        XCTAssertTrue(header.contains("item 1/3 (Ankle boot)"), header)
        XCTAssertFalse(header.contains("a 9"), header)
        let mnist = String(snapshotText(view(state(TestDigits.library))).split(separator: "\n")[0])
        XCTAssertTrue(mnist.contains("digit 1/3 (a 0)"), mnist)
    }

    func testGuessesPanelNamesTheClassesSnapshot() {
        var state = state(Self.clothes)
        _ = update(&state, .key(.character("t")))
        _ = update(&state, .classified(revision: state.reconstructionRevision, guesses: Self.guesses))
        let text = snapshotText(view(state))
        for name in ["Ankle boot", "Sneaker", "Sandal", "T-shirt/top", "Shirt"] {
            XCTAssertTrue(text.contains(name), "\(name) not on the screen")
        }
        XCTAssertTrue(text.contains("T-shirt/top  62.0%"), "the composite's first guess with its probability")
        assertSnapshot(text, named: "panel-guesses-fashion")
    }

    func testANoticeFromTheRuntimeIsShownOnTheBottomLine() {
        let line = DatasetKind.mnist.mismatchNotice("model", file: "fashion.safetensors", wanted: .fashion)!
        var state = state(Self.clothes)
        _ = update(&state, .notice(line))
        XCTAssertEqual(state.notice, line)
        // A notice longer than the key line's room starts on the row above it (the key line keeps ? and q).
        let rows = snapshotText(view(state)).split(separator: "\n", omittingEmptySubsequences: false)
        let bottom = String(rows[state.layout.helpRow - 1]) + " " + String(rows[state.layout.helpRow])
        XCTAssertTrue(bottom.hasPrefix("model fashion.safetensors was trained on MNIST, not Fashion-MNIST"), bottom)
    }
}
