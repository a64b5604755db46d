import Datasets
import Inpainting
import TerminalUI
import TestSupport
import XCTest

/// Issue 13 §2: the numbers under the fill panels, the error panel's scale, the group readout.
final class PanelNumbersTests: XCTestCase {
    func testHoleNumbersAreTheHolesMSEPSNRAndMeanBrightness() throws {
        let original = TestDigits.ring()
        let hole = HoleRect(top: 8, left: 8, height: 12, width: 12)
        let mask = hole.mask()
        // A fill that is the original plus 0.1 on the hole (0.3 on the known pixels, which must not count).
        let fill = (0..<Digit.pixels).map { mask[$0] == 0 ? original[$0] + 0.1 : original[$0] + 0.3 }
        let numbers = try XCTUnwrap(PanelNumbers(original: original, mask: mask, fill: fill))
        XCTAssertEqual(numbers.mse, 0.01, accuracy: 1e-6)
        XCTAssertEqual(numbers.psnr, 20, accuracy: 1e-3)
        let holeTruth = (0..<Digit.pixels).filter { mask[$0] == 0 }.map { Double(original[$0]) }
        XCTAssertEqual(numbers.truthMean, holeTruth.reduce(0, +) / 144, accuracy: 1e-6)
        XCTAssertEqual(numbers.fillMean, numbers.truthMean + 0.1, accuracy: 1e-6)
        XCTAssertNil(PanelNumbers(original: original, mask: [Float](repeating: 1, count: Digit.pixels), fill: fill))
        // An exact fill is capped as `inpaint eval` caps it, not +∞.
        XCTAssertEqual(PanelNumbers(original: original, mask: mask, fill: original)!.psnr, 20 * log10(255.0), accuracy: 1e-9)
    }

    func testTextFitsTheWidthWithShorterForms() throws {
        var numbers = try XCTUnwrap(PanelNumbers(original: TestDigits.ring(), mask: AppState.initialHole.mask(),
                                                 fill: TestDigits.bar()))
        numbers.mse = 0.031; numbers.psnr = 15.08; numbers.fillMean = 0.21; numbers.truthMean = 0.24
        XCTAssertEqual(numbers.text(width: 56), "MSE .031 PSNR 15.1 dB  fill .21/truth .24")
        XCTAssertEqual(numbers.text(width: 28), "MSE .031 15.1dB fill .21/.24")
        XCTAssertEqual(numbers.text(width: 26), "MSE .031 15.1dB .21/.24")
        XCTAssertEqual(numbers.text(width: 18), "MSE .031 15.1dB")
        XCTAssertEqual(numbers.text(width: 12), ".031 15.1dB")
        numbers.mse = 0.0002
        XCTAssertEqual(numbers.text(width: 18), "MSE 2e-04 15.1dB", "a tiny error is not shown as zero")
    }

    /// Every size of the snapshot tests has a row for the numbers, or room on the title row.
    func testEachFillPanelGetsItsNumbersAtEverySize() {
        for (width, height) in [(80, 24), (100, 30), (150, 44), (220, 60), (120, 40)] {
            let state = TestDigits.busyState(width: width, height: height)
            let text = snapshotText(view(state))
            XCTAssertEqual(text.components(separatedBy: "MSE ").count - 1, 2, "\(width)×\(height): under reconstruction and composite\n\(text)")
        }
    }

    func testNumbersAndErrorScaleAt80x24And150x44() {
        for (width, height) in [(80, 24), (150, 44)] {
            var state = TestDigits.busyState(width: width, height: height)
            _ = update(&state, .key(.character("f")))
            _ = update(&state, .key(.character("e")))
            assertSnapshot(snapshotText(view(state)), named: "screen-numbers-\(width)x\(height)")
        }
    }

    func testErrorPanelScaleNamesItsRange() {
        var state = TestDigits.busyState(width: 150, height: 44)
        _ = update(&state, .key(.character("e")))
        let text = snapshotText(view(state))
        XCTAssertTrue(text.contains(" 1 max ."), "the error scale with its largest error:\n\(text)")
    }

    // MARK: preset groups

    static func groupedState() -> AppState {
        let images = TestDigits.ring() + TestDigits.bar() + TestDigits.seven() + TestDigits.ring()
        let library = DigitLibrary(name: "sevens", images: images, labels: [0, 1, 7, 0],
                                   groups: [DigitGroup(name: "training", range: 0..<3), DigitGroup(name: "unseen test", range: 3..<4)])
        var state = AppState(library: library, style: .full, screenWidth: 120, screenHeight: 40)
        state.reconstruction = TestDigits.fakeReconstruction(of: state.image)
        return state
    }

    func testGroupMeansAreAskedOnATickThenOnlyWhenHoleOrWeightsMove() throws {
        var state = Self.groupedState()
        let effects = update(&state, .tick)
        guard case .measureGroups(let revision, let library, let mask, let groups)? = effects.first(where: {
            if case .measureGroups = $0 { return true } else { return false } }) else {
            return XCTFail("no group question in \(effects)")
        }
        XCTAssertEqual(library, "sevens")
        XCTAssertEqual(mask, state.mask)
        XCTAssertEqual(groups.map(\.name), ["training", "unseen test"])
        XCTAssertEqual(groups.map(\.count), [3, 1])
        XCTAssertEqual(Array(groups[1].images), TestDigits.ring())
        // One question at a time: nothing more until it is answered.
        XCTAssertEqual(update(&state, .tick), [])
        _ = update(&state, .groupsMeasured(revision: revision, library: "sevens",
                                           [GroupScore(name: "training", mse: 0.012, count: 3), GroupScore(name: "unseen test", mse: 0.034, count: 1)]))
        XCTAssertEqual(update(&state, .tick), [], "nothing moved")
        // New weights: asked again, but not on every tick (every 2 s of ticks at most).
        _ = update(&state, .modelUpdated(revision: 1))
        var asked = 0, ticks = 0
        for _ in 0..<8 {
            ticks += 1
            asked += update(&state, .tick).filter { if case .measureGroups = $0 { return true } else { return false } }.count
            if asked > 0 { break }
        }
        XCTAssertEqual(asked, 1)
        XCTAssertEqual(ticks, 6, "8 ticks after the last question (2 went by before the new weights)")
        let text = snapshotText(view(state))
        XCTAssertTrue(text.contains("hole MSE •training .012  unseen test .034 (this hole)"),
                      "each group's mean, the current one marked:\n\(text)")
        // One group (one-seven's): its mean once, unmarked, not "training: training .012".
        _ = update(&state, .groupsMeasured(revision: state.probe.groupsRevision, library: "sevens",
                                           [GroupScore(name: "training", mse: 0.012, count: 3)]))
        let one = snapshotText(view(state))
        XCTAssertTrue(one.contains("hole MSE training .012 (this hole)") && !one.contains("•training"), one)
        // Once answered, a new hole is measured on the very next tick.
        _ = update(&state, .groupsMeasured(revision: state.probe.groupsRevision, library: "sevens", []))
        _ = update(&state, .key(.character("r")))
        XCTAssertEqual(update(&state, .tick).filter { if case .measureGroups = $0 { return true } else { return false } }.count, 1)
    }

    func testGroupReadoutSnapshot() {
        var state = Self.groupedState()
        state.screenWidth = 80; state.screenHeight = 24
        _ = update(&state, .tick)
        _ = update(&state, .groupsMeasured(revision: 1, library: "sevens",
                                           [GroupScore(name: "training", mse: 0.012, count: 3), GroupScore(name: "unseen test", mse: 0.034, count: 1)]))
        assertSnapshot(snapshotText(view(state)), named: "screen-groups-80x24")
    }
}
