@testable import Inpainting   // AdversarialLosses has no public initialiser
import TerminalUI
import TestSupport
import XCTest

/// Two (or three) models side by side: their panels, curves and numbers, the layout from 80×24 to 220×60,
/// and `Tab` where one model's panels show at a time.
final class ComparisonTests: XCTestCase {
    /// A second model's stand-in answer, unlike the first's: the original darkened.
    static func otherReconstruction(of image: [Float]) -> [Float] { image.map { 0.6 * $0 } }

    /// The busy state with a second model ("mask channel") that has its own answer and curve, and (when
    /// `adversarial`) a discriminator curve.
    static func comparedState(width: Int, height: Int, style: RenderStyle = .full, models: Int = 2,
                              adversarial: Bool = false) -> AppState {
        var state = TestDigits.busyState(width: width, height: height, style: style)
        let names = ["1 channel", "mask channel", "third"].prefix(models).map { $0 }
        state.comparison = ModelComparison(names: names, title: "compare-position")
        state.preset = "compare-position"
        for model in 1..<models {
            _ = update(&state, .comparedReconstructed(model: model, revision: 0, pixels: otherReconstruction(of: state.image)))
            for step in stride(from: 0, through: 2000, by: 20) {
                let loss = 0.05 * Float(exp(-Double(step) / 400)) + 0.006 * Float(model)
                _ = update(&state, .comparedTraining(model: model, .step(TrainingStep(
                    step: step, epoch: 0, loss: loss, imagesPerSecond: 500, learningRate: 1e-3,
                    adversarial: adversarial ? AdversarialLosses(discriminator: 1.2 - Float(step) / 4000, generator: 0.7) : nil))))
                if step % 200 == 0 { _ = update(&state, .comparedTraining(model: model, .evaluation(step: step, loss: loss * 1.2))) }
            }
        }
        return state
    }

    func testATinyHoleErrorIsWrittenWithItsExponentInTheCompositesTitle() {
        var state = ComparisonTests.comparedState(width: 150, height: 44)
        // Off by 0.01 on every pixel: an MSE of 1e-4, which four decimals would write as 0.0001.
        _ = update(&state, .comparedReconstructed(model: 1, revision: 1, pixels: state.image.map { $0 + 0.01 }))
        let screen = snapshotText(view(state))
        XCTAssertTrue(screen.contains("mask channel mse 1.0e-04"), screen)
    }

    // MARK: snapshots

    func testTwoModelsAt80x24ShowOneModelsPanelsAndSayTabShowsTheOther() {
        var state = ComparisonTests.comparedState(width: 80, height: 24)
        assertSnapshot(snapshotText(view(state)), named: "compare-80x24")
        _ = update(&state, .key(.tab))
        assertSnapshot(snapshotText(view(state)), named: "compare-80x24-tab")
    }

    func testTwoModelsAt150x44() {
        assertSnapshot(snapshotText(view(ComparisonTests.comparedState(width: 150, height: 44))), named: "compare-150x44")
    }

    func testTwoModelsAt220x60WithTheDiscriminatorCurve() {
        let state = ComparisonTests.comparedState(width: 220, height: 60, adversarial: true)
        assertSnapshot(snapshotText(view(state)), named: "compare-220x60")
    }

    func testThreeModelsAt220x60() {
        assertSnapshot(snapshotText(view(ComparisonTests.comparedState(width: 220, height: 60, models: 3))),
                       named: "compare-3-220x60")
    }

    func testTwoModelsUnderNoColorTellTheCurvesApartByMarks() {
        let state = ComparisonTests.comparedState(width: 150, height: 44, style: .ascii)
        let buffer = view(state)
        let text = (0..<buffer.height).map { y in String(String.UnicodeScalarView((0..<buffer.width).map { buffer[$0, y].character })) }
            .joined(separator: "\n")
        assertSnapshot(snapshotText(view(state)), named: "compare-150x44-ascii")
        // Model 0 is a line of ' - _, model 1 'o' markers: the legend says which is which.
        XCTAssertTrue(text.contains("-_- 1 channel"), text)
        XCTAssertTrue(text.contains("o mask channel"), text)
    }

    // MARK: layout

    func testLayoutFitsBothModelsFrom100x30AndOneAt80x24() {
        for (width, height, side) in [(100, 30, 20), (150, 44, 28), (220, 60, 56)] {
            let layout = Layout(width: width, height: height, maxScale: 3, models: 2)
            XCTAssertEqual(layout.hiddenModels, [], "\(width)×\(height)")
            XCTAssertEqual(layout.side, side, "\(width)×\(height)")
            for model in 0..<2 {
                XCTAssertEqual(layout.placement(of: .reconstruction, model: model)?.model, model, "\(width)×\(height)")
                XCTAssertEqual(layout.placement(of: .composite, model: model)?.model, model, "\(width)×\(height)")
            }
            XCTAssertLessThanOrEqual(layout.chart.x + layout.chart.width, width)
        }
        let small = Layout(width: 80, height: 24, maxScale: 3, models: 2, shownModel: 1)
        XCTAssertEqual(small.hiddenModels, [0])
        XCTAssertEqual(small.placement(of: .reconstruction)?.model, 1, "the shown model's panels")
        XCTAssertEqual(small.panels.count, 4)
        // One model: the layout of today.
        XCTAssertEqual(Layout(width: 150, height: 44, maxScale: 3, models: 1), Layout(width: 150, height: 44, maxScale: 3))
    }

    // MARK: update

    func testEachModelKeepsItsOwnReconstructionAndDropsStaleAnswers() {
        var state = ComparisonTests.comparedState(width: 150, height: 44)
        let effects = update(&state, .key(.right))
        XCTAssertEqual(effects.filter { if case .reconstruct = $0 { true } else { false } }.count, 1,
                       "one input for every model: the runtime runs each")
        let fresh = [Float](repeating: 0.5, count: 784)
        _ = update(&state, .comparedReconstructed(model: 1, revision: state.inputRevision, pixels: fresh))
        XCTAssertEqual(state.reconstruction(ofModel: 1), fresh)
        XCTAssertNotEqual(state.reconstruction(ofModel: 0), fresh, "model 0's answer is its own")
        _ = update(&state, .comparedReconstructed(model: 1, revision: state.inputRevision - 1, pixels: [Float](repeating: 0, count: 784)))
        XCTAssertEqual(state.reconstruction(ofModel: 1), fresh, "an older input's answer is dropped")
        XCTAssertNotNil(state.holeMSE(ofModel: 1))
    }

    func testComparedTrainingMovesOnlyItsModelsCurveAndTheDiscriminatorCurve() {
        var state = ComparisonTests.comparedState(width: 150, height: 44)
        let before = state.training.trainHistory
        _ = update(&state, .comparedTraining(model: 1, .step(TrainingStep(
            step: 5000, epoch: 0, loss: 0.02, imagesPerSecond: 1, learningRate: 1e-3,
            adversarial: AdversarialLosses(discriminator: 0.9, generator: 0.7)))))
        XCTAssertEqual(state.training.trainHistory, before, "model 0's curve is not model 1's")
        XCTAssertEqual(state.comparison.others[0].step, 5000)
        XCTAssertEqual(state.comparison.others[0].trainHistory.last, LossPoint(step: 5000, loss: 0.02))
        XCTAssertEqual(state.comparison.discriminatorModel, 1)
        XCTAssertEqual(state.comparison.discriminatorHistory.last, LossPoint(step: 5000, loss: 0.9))
    }

    func testTabCyclesTheShownModelAndADragOnItsPanelCutsTheSharedHole() {
        var state = ComparisonTests.comparedState(width: 80, height: 24)
        XCTAssertEqual(state.layout.placement(of: .composite)?.model, 0)
        _ = update(&state, .key(.tab))
        XCTAssertEqual(state.comparison.shownModel, 1)
        let composite = try! XCTUnwrap(state.layout.placement(of: .composite))
        XCTAssertEqual(composite.model, 1)
        _ = update(&state, .mouse(MouseEvent(.press, x: composite.x + 1, y: composite.digitY + 1)))
        XCTAssertEqual(state.drag?.model, 1)
        let effects = update(&state, .mouse(MouseEvent(.release, x: composite.x + 6, y: composite.digitY + 4)))
        XCTAssertTrue(effects.contains { if case .reconstruct = $0 { true } else { false } })
        _ = update(&state, .key(.tab))
        XCTAssertEqual(state.comparison.shownModel, 0, "Tab wraps round")
        // Without a comparison Tab does nothing.
        var single = TestDigits.busyState(width: 80, height: 24)
        let unchanged = single
        XCTAssertEqual(update(&single, .key(.tab)), [])
        XCTAssertEqual(single, unchanged)
    }
}
