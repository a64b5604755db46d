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

    /// `d` and `g` speak of items and class names on clothes: the prompt says which number is which, and a
    /// class the library lacks is named ("no Sandal among the 3 items", not "no 5 among the 3 digits").
    func testClassPromptAndItsNoticeUseTheClassNames() {
        var state = state(Self.clothes)
        _ = update(&state, .key(.character("d")))
        let prompt = String(snapshotText(view(state)).split(separator: "\n", omittingEmptySubsequences: false)[state.layout.helpRow])
        XCTAssertTrue(prompt.hasPrefix("random item of class: press 0–9 (0 T-shirt/top … 9 Ankle boot)"), prompt)
        _ = update(&state, .key(.character("5")))
        XCTAssertEqual(state.notice, "no Sandal among the 3 items")
        _ = update(&state, .key(.character("d")))
        _ = update(&state, .key(.character("7")))
        XCTAssertEqual(state.image, Self.clothes.image(at: 2), "the sneaker")
        _ = update(&state, .key(.character("g")))
        _ = update(&state, .key(.character("9")))
        _ = update(&state, .key(.enter))
        XCTAssertEqual(state.notice, "no item 9: items run 1–3")
        var digits = self.state(TestDigits.library)
        _ = update(&digits, .key(.character("d")))
        _ = update(&digits, .key(.character("5")))
        XCTAssertEqual(digits.notice, "no 5 among the 3 digits")
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
