import Datasets
import Foundation
import Inpainting

/// Draws the whole screen for `state`: a pure function of the state into a cell buffer of the state's size.
public func view(_ state: AppState) -> CellBuffer {
    var buffer = CellBuffer(width: state.screenWidth, height: state.screenHeight)
    buffer.asciiOnly = state.style.ascii
    let theme = Theme.forStyle(state.style)
    let layout = state.layout
    if layout.tooSmall {
        drawTooSmall(into: &buffer, theme: theme)
        return buffer
    }
    drawHeader(state, into: &buffer, theme: theme)
    for placement in layout.panels {
        drawPanel(state, placement, side: layout.side, into: &buffer, theme: theme)
    }
    drawReadouts(state, layout: layout, into: &buffer, theme: theme)
    // The raw training losses as dim dots under their moving average (TensorBoard's smoothing), then eval.
    let chart = BrailleChart(series: [
        .init(points: state.training.trainHistory.points, style: theme.dim, mark: .dots),
        .init(points: LossHistory.exponentialMovingAverage(state.training.trainHistory.points), style: theme.trainSeries, mark: .line),
        .init(points: state.training.evalHistory.points, style: theme.evalSeries),
    ], logScale: state.logScale, ascii: state.style.ascii)
    let inside = InsidePanes(state, chart: LessonPane.chartRect(state))   // the layout's, less the lesson pane's room
    let c = inside.lossChart
    if state.comparison.isActive { drawComparisonChart(state, rect: c, into: &buffer, theme: theme) } else if c.height >= 4 {
        var x = buffer.put("loss ", x: c.x, y: c.y, style: theme.title)
        x = buffer.put(chart.legendSample(1) + " train avg  ", x: x, y: c.y, style: theme.trainSeries)
        x = buffer.put(chart.legendSample(0) + " raw  ", x: x, y: c.y, style: theme.dim)
        buffer.put(chart.legendSample(2) + " eval", x: x, y: c.y, style: theme.evalSeries)
        chart.draw(into: &buffer, x: c.x, y: c.y + 1, width: c.width, height: c.height - 1, theme: theme)
    }
    LessonPane.draw(state, into: &buffer, theme: theme)
    inside.draw(into: &buffer, theme: theme)
    if state.comparison.isActive { drawComparisonStatus(state, rect: layout.status, into: &buffer, theme: theme) }
    else { StatusBlock(state: state).draw(into: &buffer, rect: layout.status, theme: theme) }
    if let row = layout.statusLine { StatusBlock(state: state).drawLine(into: &buffer, row: row, theme: theme) }
    drawKeyLine(state, into: &buffer, row: layout.helpRow, theme: theme)
    if state.showDebug { DebugOverlay.draw(state.frameTimings, into: &buffer, theme: theme) }
    if state.prompt == .presetMenu { PresetMenu.draw(into: &buffer, theme: theme) }
    if state.showHelp { HelpOverlay.draw(into: &buffer, scroll: state.helpScroll, theme: theme) }
    if state.prompt == .confirmQuit { QuitDialog.draw(state, into: &buffer, theme: theme) }
    if state.showReopen { ReopenBox.draw(state, into: &buffer, theme: theme) }
    return buffer
}

private func drawTooSmall(into buffer: inout CellBuffer, theme: Theme) {
    let lines = ["Terminal too small: \(buffer.width)×\(buffer.height).",
                 "Need at least \(Layout.minimumWidth)×\(Layout.minimumHeight).", "q quits."]
    let top = max(0, (buffer.height - lines.count) / 2)
    for (i, line) in lines.enumerated() {
        buffer.put(line, x: max(0, (buffer.width - line.count) / 2), y: top + i,
                   style: i == 0 ? theme.warning : theme.text)
    }
}

private func drawPanel(_ state: AppState, _ placement: PanelPlacement, side: Int,
                       into buffer: inout CellBuffer, theme: Theme) {
    if state.comparison.isActive, drawModelPanel(state, placement, side: side, into: &buffer, theme: theme) { return }
    let width = DigitPanel.size(side: side).width
    let active = state.drag?.panel == placement.kind
    buffer.put(panelTitle(state, placement.kind), x: placement.x, y: placement.y,
               style: active ? theme.accent : theme.title, maxWidth: width)
    let panel: DigitPanel
    switch placement.kind {
    case .classicalFill, .guesses, .features:
        drawOptionalPanel(state, placement, side: side, into: &buffer, theme: theme)
        return
    case .saliency, .topMap:
        drawExplainPanel(state, placement, side: side, into: &buffer, theme: theme)
        return
    case .original:
        panel = DigitPanel(pixels: state.image, side: side)
    case .masked:
        panel = DigitPanel(pixels: state.maskedInput, holeMask: state.mask, side: side)
    case .reconstruction:
        guard let reconstruction = state.reconstruction else {
            buffer.put("(waiting for the model)", x: placement.x, y: placement.digitY + waitingRowOffset(side: side), style: theme.dim,
                       maxWidth: width)
            return
        }
        panel = DigitPanel(pixels: reconstruction, side: side)
    case .composite:
        panel = DigitPanel(pixels: state.composite, side: side)
    case .error:
        // |reconstruction − original| on the hole only; brighter is worse.
        let reconstruction = state.reconstruction ?? state.maskedInput
        panel = DigitPanel(pixels: (0..<Digit.pixels).map { (1 - state.mask[$0]) * abs(reconstruction[$0] - state.image[$0]) },
                           side: side)
    }
    panel.draw(into: &buffer, x: placement.x, y: placement.digitY, style: state.style, theme: theme)
}

/// The row, below a panel's title, for a "(waiting for …)" line: about the digit's middle.
func waitingRowOffset(side: Int) -> Int { side * 3 / 14 }
