import Foundation
import Inpainting
@testable import TerminalUI
import TestSupport
import XCTest

/// Training seen from inside: the moving average, the time left, the milestones, the keys and messages of
/// `G` and `M`, and the panes as golden snapshots.
final class InsideTrainingTests: XCTestCase {
    // MARK: pure

    func testMovingAverageIsTensorBoardsDebiasedSmoothing() {
        let points = [1, 2, 3].map { LossPoint(step: $0, loss: Float($0)) }
        let smoothed = LossHistory.exponentialMovingAverage(points, weight: 0.5)
        // s1 = 0.5/(1−0.5) = 1; s2 = (0.25 + 1)/(1 − 0.25) = 5/3; s3 = (0.625 + 1.5)/(1 − 0.125) = 17/7.
        XCTAssertEqual(smoothed.map(\.step), [1, 2, 3])
        assertClose(smoothed.map(\.loss), [1, 5.0 / 3, 17.0 / 7])
        // Debiased: a constant curve stays on its value from the first point (not pulled towards 0).
        let flat = LossHistory.exponentialMovingAverage((0..<50).map { LossPoint(step: $0, loss: 0.04) })
        assertClose(flat.map(\.loss), [Float](repeating: 0.04, count: 50))
        XCTAssertEqual(LossHistory.exponentialMovingAverage(points, weight: 0), points, "weight 0: the raw points")
        // A non-finite loss is passed over without poisoning the rest.
        let holed = LossHistory.exponentialMovingAverage([LossPoint(step: 1, loss: 1), LossPoint(step: 2, loss: .nan),
                                                          LossPoint(step: 3, loss: 1)])
        XCTAssertEqual(holed, [LossPoint(step: 1, loss: 1), LossPoint(step: 3, loss: 1)])
        // It lags a step down: after a drop from 1 to 0 the average moves by (1 − w) of the gap per point.
        let step = LossHistory.exponentialMovingAverage([LossPoint(step: 0, loss: 1), LossPoint(step: 1, loss: 0)], weight: 0.9)
        XCTAssertEqual(Double(step[1].loss), 0.9 / 1.9, accuracy: 1e-6)
    }

    func testTimeLeftFromTheMeasuredRate() {
        XCTAssertEqual(TrainingProgress.timeLeft(step: 100, total: 1000, stepsPerSecond: 10), 90)
        XCTAssertEqual(TrainingProgress.timeLeft(step: 1000, total: 1000, stepsPerSecond: nil), 0, "done")
        XCTAssertEqual(TrainingProgress.timeLeft(step: 1200, total: 1000, stepsPerSecond: 3), 0)
        XCTAssertNil(TrainingProgress.timeLeft(step: 10, total: nil, stepsPerSecond: 10), "open-ended")
        XCTAssertNil(TrainingProgress.timeLeft(step: 10, total: 100, stepsPerSecond: nil), "not measured")
        XCTAssertNil(TrainingProgress.timeLeft(step: 10, total: 100, stepsPerSecond: 0))
        XCTAssertNil(TrainingProgress.timeLeft(step: 10, total: 100, stepsPerSecond: .infinity))
        XCTAssertEqual(TrainingProgress.duration(41.2), "42s")
        XCTAssertEqual(TrainingProgress.duration(90), "1m 30s")
        XCTAssertEqual(TrainingProgress.duration(2 * 3600 + 5 * 60), "2h 05m")
        XCTAssertEqual(TrainingProgress.duration(3 * 86_400 + 4 * 3600 + 10), "3d 04h")

        var state = AppState(library: TestDigits.library, style: .full)
        state.training.activity = .training
        state.training.step = 100
        XCTAssertNil(TrainingProgress.line(step: 100, activity: .training, pace: TrainingPace()), "no pace: no line")
        _ = update(&state, .trainingPace(TrainingPace(totalSteps: 1000, stepsPerSecond: 10)))
        let lines = StatusBlock(state: state).lines
        XCTAssertEqual(lines.first { $0.label == "step" }?.value, "100   epoch 0", "as before: e2e tests read it")
        XCTAssertEqual(lines.first { $0.label == "progress" }?.value, "100/1000 (10%) 1m 30s left   10.0 steps/s")
        state.training.activity = .paused
        XCTAssertEqual(StatusBlock(state: state).lines.first { $0.label == "progress" }?.value, "100/1000 (10%) paused")
        _ = update(&state, .trainingPace(TrainingPace(totalSteps: nil, stepsPerSecond: 2.5)))
        XCTAssertEqual(StatusBlock(state: state).lines.first { $0.label == "progress" }?.value, "no end set   2.50 steps/s")
    }

    func testMilestonesArePowersOfTen() {
        XCTAssertEqual([0, 1, 9, 10, 11, 99, 100, 999, 1000, 12_345, 100_000].map(Filmstrip.milestone(of:)),
                       [0, 0, 0, 10, 10, 10, 100, 100, 1000, 10_000, 100_000])
    }

    func testSparklineAndBarScales() {
        let rising = (0..<8).map { LossPoint(step: $0, loss: pow(10, Float($0) / 7 * 3 - 4)) }   // 1e-4 … 1e-1
        XCTAssertEqual(String(GradientPane.sparkline(rising, width: 8, logScale: true, ascii: false).map(Character.init)),
                       "▁▂▃▄▅▆▇█", "evenly spaced on the log scale: one level each")
        XCTAssertEqual(String(GradientPane.sparkline(rising, width: 10, logScale: true, ascii: true).map(Character.init)),
                       "_.,-=+*#  ", "fewer points than columns: from the left")
        XCTAssertEqual(GradientPane.decades([3e-4, 0.02, 0]), -4 ... -1)
        XCTAssertEqual(GradientPane.barFraction(1e-3, range: -4 ... -1), 1.0 / 3, accuracy: 1e-6)
        XCTAssertEqual(GradientPane.barFraction(0, range: -4 ... -1), 0)
    }

    // MARK: update

    /// A preset's lesson and a pane share the chart's room: G or M turned on hides the lesson (o brings it back).
    func testAPaneTurnedOnTakesTheLessonsRoom() {
        var state = AppState(library: TestDigits.library, style: .full)
        state.lesson = Lesson.forPreset(.oneSeven, lookFor: "look")
        _ = update(&state, .key(.character("G")))
        XCTAssertFalse(state.lesson.shown)
        XCTAssertEqual(state.notice, "lesson hidden: o shows it again")
        _ = update(&state, .key(.character("o")))
        XCTAssertTrue(state.lesson.shown, "o shows it again over the pane")
        _ = update(&state, .key(.character("M")))
        XCTAssertFalse(state.lesson.shown)
        _ = update(&state, .key(.character("M")))
        XCTAssertFalse(state.lesson.shown, "turning a pane off does not bring the lesson back by itself")
    }

    func testKeysToggleThePanesAndMFixesTheFilmstripInputOnce() {
        var state = AppState(library: TestDigits.library, style: .full)
        XCTAssertEqual(update(&state, .key(.character("G"))), [])
        XCTAssertTrue(state.inside.showGradients)
        let effects = update(&state, .key(.character("M")))
        XCTAssertEqual(effects, [.filmstripSubject(image: state.image, mask: state.mask)])
        XCTAssertEqual(update(&state, .key(.character("M"))), [], "off")
        XCTAssertEqual(update(&state, .key(.character("M"))), [], "on again: the same input, not sent twice")
        XCTAssertEqual(update(&state, .training(.step(TrainingStep(step: 1, epoch: 1, loss: 0.1, imagesPerSecond: 1,
                                                                   learningRate: 1e-3)))), [])
        _ = update(&state, .key(.character("G")))
        XCTAssertFalse(state.inside.showGradients)
    }

    func testTheFirstEventOfARunFixesTheInputAndAResetStartsOver() {
        var state = AppState(library: TestDigits.library, style: .full)
        let norms = [GradientNorm(name: "enc.0.weight", norm: 0.5), GradientNorm(name: "fc.weight", norm: 0.01)]
        let first = update(&state, .training(.step(TrainingStep(step: 1, epoch: 1, loss: 0.1, imagesPerSecond: 1,
                                                                learningRate: 1e-3, gradientNorms: norms))))
        XCTAssertEqual(first, [.filmstripSubject(image: state.image, mask: state.mask)], "the digit on screen at the first step")
        XCTAssertEqual(state.inside.gradients.names, ["enc.0.weight", "fc.weight"])
        XCTAssertEqual(state.inside.gradients.latest["fc.weight"], 0.01)
        XCTAssertEqual(state.inside.learningRates.points, [LossPoint(step: 1, loss: 1e-3)])

        let pixels = [Float](repeating: 0.5, count: 784)
        _ = update(&state, .filmstripFrame(FilmstripFrame(step: 1, pixels: pixels, latest: false)))
        _ = update(&state, .filmstripFrame(FilmstripFrame(step: 5, pixels: pixels, latest: true)))
        _ = update(&state, .filmstripFrame(FilmstripFrame(step: 7, pixels: pixels, latest: true)))
        XCTAssertEqual(state.inside.shownFrames.map(\.step), [1, 7], "the newest replaces the newest")
        _ = update(&state, .filmstripFrame(FilmstripFrame(step: 10, pixels: pixels, latest: false)))
        XCTAssertEqual(state.inside.shownFrames.map(\.step), [1, 10], "a milestone replaces an older newest")

        _ = update(&state, .trainingReset)
        XCTAssertTrue(state.inside.gradients.isEmpty)
        XCTAssertEqual(state.inside.shownFrames, [])
        XCTAssertNil(state.inside.filmstripImage)
        _ = update(&state, .filmstripFrame(FilmstripFrame(step: 12, pixels: pixels, latest: false)))
        XCTAssertEqual(state.inside.shownFrames, [], "a late frame of the old run is dropped")
        _ = update(&state, .key(.character("n")))
        let next = update(&state, .training(.stateChanged(.training)))
        XCTAssertEqual(next, [.filmstripSubject(image: state.image, mask: state.mask)], "the new run's first event: the digit now shown")
    }

    // MARK: snapshots

    /// `busyState` with what the panes show: every tensor's gradient norm, a warm-up and cosine schedule,
    /// the pace of a run of 5000 steps, and filmstrip frames at 0, 10, 100, 1000 and the newest.
    static func insideState(width: Int, height: Int, style: RenderStyle = .full, gradients: Bool, filmstrip: Bool) -> AppState {
        var state = TestDigits.busyState(width: width, height: height, style: style)
        state.training.trainHistory.removeAll()
        state.training.evalHistory.removeAll()
        state.inside = InsideTraining()   // busyState's own steps (a flat rate, no norms) are not this run's
        state.inside.showGradients = gradients
        state.inside.showFilmstrip = filmstrip
        let names = ["enc.0.weight", "enc.0.bias", "enc.2.weight", "enc.2.bias", "enc.4.weight", "enc.4.bias",
                     "fc.weight", "dec.0.weight", "dec.0.bias", "dec.2.weight", "dec.2.bias", "dec.4.weight", "dec.4.bias"]
        for step in stride(from: 1, through: 2000, by: 7) {
            let t = Double(step)
            let loss = 0.08 * Float(exp(-t / 600)) + 0.01 + 0.004 * Float(sin(t * 1.7))
            let norms = names.enumerated().map { i, name in
                GradientNorm(name: name, norm: Float(pow(10, -1 - Double(i % 5) * 0.6) * (0.3 + exp(-t / 500)) * (1 + 0.2 * sin(t + Double(i)))))
            }
            let rate = Float(step < 200 ? 1e-3 * t / 200 : 1e-3 * 0.5 * (1 + cos(Double.pi * (t - 200) / 4800)))
            _ = update(&state, .training(.step(TrainingStep(step: step, epoch: step / 700 + 1, loss: loss, imagesPerSecond: 640,
                                                            learningRate: rate, gradientNorms: norms))))
            if step % 203 == 0 { _ = update(&state, .training(.evaluation(step: step, loss: loss * 1.1))) }
        }
        _ = update(&state, .trainingPace(TrainingPace(totalSteps: 5000, stepsPerSecond: 10)))
        let truth = state.inside.filmstripImage!
        for (i, step) in [0, 10, 100, 1000, 1996].enumerated() {
            // A fill that sharpens from grey towards the truth.
            let sharpness = Float(i) / 4
            let pixels = truth.map { 0.4 * (1 - sharpness) + $0 * sharpness }
            _ = update(&state, .filmstripFrame(FilmstripFrame(step: step, pixels: pixels, latest: step == 1996)))
        }
        return state
    }

    func testGradientPaneSnapshots() {
        for (width, height) in [(80, 24), (150, 44)] {
            let state = InsideTrainingTests.insideState(width: width, height: height, gradients: true, filmstrip: false)
            assertSnapshot(snapshotText(view(state)), named: "screen-gradients-\(width)x\(height)")
        }
    }

    func testSmoothedLossAndProgressSnapshots() {
        for (width, height) in [(80, 24), (150, 44)] {
            let state = InsideTrainingTests.insideState(width: width, height: height, gradients: false, filmstrip: false)
            assertSnapshot(snapshotText(view(state)), named: "screen-progress-\(width)x\(height)")
        }
        let ascii = InsideTrainingTests.insideState(width: 80, height: 24, style: .ascii, gradients: false, filmstrip: false)
        assertSnapshot(snapshotText(view(ascii)), named: "screen-progress-80x24-ascii")
    }

    func testFilmstripSnapshots() {
        for (width, height) in [(80, 24), (150, 44)] {
            let state = InsideTrainingTests.insideState(width: width, height: height, gradients: false, filmstrip: true)
            assertSnapshot(snapshotText(view(state)), named: "screen-filmstrip-\(width)x\(height)")
        }
        let both = InsideTrainingTests.insideState(width: 150, height: 44, gradients: true, filmstrip: true)
        assertSnapshot(snapshotText(view(both)), named: "screen-inside-150x44")
        let bothSmall = InsideTrainingTests.insideState(width: 80, height: 24, style: .ascii, gradients: true, filmstrip: true)
        assertSnapshot(snapshotText(view(bothSmall)), named: "screen-inside-80x24-ascii")
    }

    /// Every size from 80×24 to 220×60 places the panes inside the chart's rectangle, never over the panels
    /// or the status block, and keeps the loss chart where there is room for it.
    func testPanesStayInsideTheChartAtEverySize() {
        for width in stride(from: 70, through: 220, by: 10) {
            for height in stride(from: 24, through: 60, by: 4) {
                for (g, m) in [(true, false), (false, true), (true, true)] {
                    let state = InsideTrainingTests.insideState(width: width, height: height, gradients: g, filmstrip: m)
                    let chart = state.layout.chart
                    let panes = InsidePanes(state, chart: chart)
                    for rect in [panes.gradients, panes.filmstrip].compactMap({ $0 }) + [panes.lossChart] where rect.height > 0 {
                        XCTAssertTrue(rect.y >= chart.y && rect.y + rect.height <= chart.y + chart.height
                                      && rect.x >= chart.x && rect.x + rect.width <= chart.x + chart.width,
                                      "\(width)x\(height) \(g) \(m): \(rect) in \(chart)")
                    }
                    if let a = panes.gradients, let b = panes.filmstrip { XCTAssertLessThan(a.y + a.height, b.y + 1, "\(width)x\(height)") }
                    if panes.lossChart.height > 0, let a = panes.gradients ?? panes.filmstrip {
                        XCTAssertTrue(a.y >= panes.lossChart.y + panes.lossChart.height || a.x >= panes.lossChart.x + panes.lossChart.width,
                                      "\(width)x\(height): the panes do not overlap the loss chart")
                    }
                    if m { XCTAssertNotNil(panes.filmstrip, "\(width)x\(height): the filmstrip fits") }
                    if g && !m { XCTAssertNotNil(panes.gradients, "\(width)x\(height): the gradient pane fits") }
                    if height >= 44 && width >= 150 {
                        XCTAssertFalse(panes.lossReplaced, "\(width)x\(height) \(g) \(m): room for the chart in \(chart)")
                    }
                    _ = view(state)   // draws without trapping
                }
            }
        }
    }
}
