import Inpainting
import TerminalUI
import TestSupport
import XCTest

/// The views as golden text files (characters plus run-length colours; see `snapshotText`).
final class ViewSnapshotTests: XCTestCase {
    func testDigitPanelHalfBlocksWithHole() {
        var buffer = CellBuffer(width: 28, height: 14)
        let hole = HoleRect(top: 10, left: 6, height: 8, width: 10)
        DigitPanel(pixels: TestDigits.ring(), holeMask: hole.mask()).draw(
            into: &buffer, x: 0, y: 0, style: .full, theme: .forStyle(.full))
        assertSnapshot(snapshotText(buffer), named: "digit-panel-hole")
    }

    func testDigitPanelScaleTwo() {
        var buffer = CellBuffer(width: 56, height: 28)
        DigitPanel(pixels: TestDigits.seven(), scale: 2).draw(into: &buffer, x: 0, y: 0, style: .full,
                                                              theme: .forStyle(.full))
        assertSnapshot(snapshotText(buffer), named: "digit-panel-scale2")
    }

    func testDigitPanelAsciiRamp() {
        var buffer = CellBuffer(width: 28, height: 14)
        let hole = HoleRect(top: 4, left: 4, height: 6, width: 8)
        DigitPanel(pixels: TestDigits.ring(), holeMask: hole.mask()).draw(
            into: &buffer, x: 0, y: 0, style: .ascii, theme: .forStyle(.ascii))
        assertSnapshot(snapshotText(buffer), named: "digit-panel-ascii")
    }

    func testChartLinearAndLog() {
        let state = TestDigits.busyState()
        let theme = Theme.forStyle(.full)
        for log in [false, true] {
            var buffer = CellBuffer(width: 50, height: 12)
            BrailleChart(series: [.init(points: state.training.trainHistory.points, style: theme.trainSeries),
                                  .init(points: state.training.evalHistory.points, style: theme.evalSeries)],
                         logScale: log).draw(into: &buffer, x: 0, y: 0, width: 50, height: 12, theme: theme)
            assertSnapshot(snapshotText(buffer), named: log ? "chart-log" : "chart-linear")
        }
    }

    func testStatusBlock() {
        var buffer = CellBuffer(width: 44, height: 10)
        StatusBlock(state: TestDigits.busyState()).draw(into: &buffer, rect: Rect(x: 0, y: 0, width: 44, height: 10),
                                                        theme: .forStyle(.full))
        assertSnapshot(snapshotText(buffer), named: "status-block")
    }

    func testWholeScreen120x40() {
        assertSnapshot(snapshotText(view(TestDigits.busyState())), named: "screen-120x40")
    }

    func testWholeScreen80x24Ascii() {
        let state = TestDigits.busyState(width: 80, height: 24, style: .ascii)
        assertSnapshot(snapshotText(view(state)), named: "screen-80x24-ascii")
    }

    func testWholeScreenWideRow() {
        assertSnapshot(snapshotText(view(TestDigits.busyState(width: 170, height: 30))), named: "screen-170x30")
    }

    func testHelpOverlay() {
        var state = TestDigits.busyState()
        _ = update(&state, .key(.character("?")))
        assertSnapshot(snapshotText(view(state)), named: "screen-help")
    }

    func testMinimumSizeMessage() {
        let state = TestDigits.busyState(width: 50, height: 20)
        XCTAssertTrue(state.layout.tooSmall)
        assertSnapshot(snapshotText(view(state)), named: "screen-too-small")
    }
}

/// Issue 15: the chart must draw whatever steps and losses it is handed (they come from a log file).
final class ChartExtremesTests: XCTestCase {
    func testExtremeStepsAndLossesDrawWithoutTrapping() {
        let theme = Theme.forStyle(.full)
        let extremes: [[LossPoint]] = [
            [LossPoint(step: .min, loss: 0.2), LossPoint(step: .max, loss: 0.1)],
            [LossPoint(step: 0, loss: 0.2), LossPoint(step: .max, loss: 0.1), LossPoint(step: 5, loss: .infinity)],
            [LossPoint(step: 1, loss: .greatestFiniteMagnitude), LossPoint(step: 2, loss: -.greatestFiniteMagnitude)],
            [LossPoint(step: 1, loss: .nan)],
        ]
        for points in extremes {
            for log in [false, true] {
                var buffer = CellBuffer(width: 50, height: 12)
                BrailleChart(series: [.init(points: points, style: theme.trainSeries)], logScale: log)
                    .draw(into: &buffer, x: 0, y: 0, width: 50, height: 12, theme: theme)
                XCTAssertFalse(snapshotText(buffer).isEmpty)
            }
        }
    }
}
