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
        drawPanel(state, placement, scale: layout.scale, into: &buffer, theme: theme)
    }
    let chart = BrailleChart(series: [
        .init(points: state.training.trainHistory.points, style: theme.trainSeries),
        .init(points: state.training.evalHistory.points, style: theme.evalSeries),
    ], logScale: state.logScale, ascii: state.style.ascii)
    let c = layout.chart
    if c.height >= 4 {
        var x = buffer.put("loss ", x: c.x, y: c.y, style: theme.title)
        x = buffer.put(chart.legendSample(0) + " train  ", x: x, y: c.y, style: theme.trainSeries)
        buffer.put(chart.legendSample(1) + " eval", x: x, y: c.y, style: theme.evalSeries)
        chart.draw(into: &buffer, x: c.x, y: c.y + 1, width: c.width, height: c.height - 1, theme: theme)
    }
    StatusBlock(state: state).draw(into: &buffer, rect: layout.status, theme: theme)
    drawBottomLine(state, into: &buffer, row: layout.helpRow, theme: theme)
    if state.showDebug { DebugOverlay.draw(state.frameTimings, into: &buffer, theme: theme) }
    if state.showHelp { HelpOverlay.draw(into: &buffer, theme: theme) }
    if state.prompt == .confirmQuit { QuitDialog.draw(state, into: &buffer, theme: theme) }
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

private func drawHeader(_ state: AppState, into buffer: inout CellBuffer, theme: Theme) {
    var x = buffer.put("inpaint", x: 0, y: 0, style: theme.title)
    if let preset = state.preset { x = buffer.put(" · \(preset)", x: x, y: 0, style: theme.accent) }
    let digit: String
    if let index = state.digitIndex {
        let label = state.library.labels[index]
        let group = state.library.groupName(of: index).map { ", \($0)" } ?? ""
        let kind = state.library.dataset
        digit = "  \(kind.itemNoun) \(index + 1)/\(state.library.count)" + (label >= 0 ? " (\(kind.classPhrase(label))\(group))" : "")
    } else {
        digit = "  your drawing"
    }
    x = buffer.put(digit, x: x, y: 0, style: theme.text)
    let hole: String
    if let h = state.hole {
        // Fixed-width numbers, so a drag rewrites only the digits that changed, not the rest of the line.
        hole = String(format: "  hole %2d×%-2d at row %2d, col %2d", h.height, h.width, h.top, h.left)
    } else {
        let holes = state.mask.reduce(0) { $0 + ($1 < 0.5 ? 1 : 0) }
        hole = holes == 0 ? "  no hole" : "  hole \(holes) px painted"
    }
    x = buffer.put(hole, x: x, y: 0, style: theme.dim)
    x = buffer.put("  mode: \(state.mode.rawValue)", x: x, y: 0, style: theme.accent)
    let hidden = state.layout.hiddenPanels
    if !hidden.isEmpty {
        buffer.put("  too small for: " + hidden.map(\.title).joined(separator: ", "), x: x, y: 0, style: theme.warning)
    }
}

private func drawPanel(_ state: AppState, _ placement: PanelPlacement, scale: Int,
                       into buffer: inout CellBuffer, theme: Theme) {
    let width = DigitPanel.size(scale: scale).width
    let active = state.drag?.panel == placement.kind
    buffer.put(panelTitle(state, placement.kind), x: placement.x, y: placement.y,
               style: active ? theme.accent : theme.title, maxWidth: width)
    let panel: DigitPanel
    switch placement.kind {
    case .classicalFill, .guesses, .features:
        drawOptionalPanel(state, placement, scale: scale, into: &buffer, theme: theme)
        return
    case .original:
        panel = DigitPanel(pixels: state.image, scale: scale)
    case .masked:
        panel = DigitPanel(pixels: state.maskedInput, holeMask: state.mask, scale: scale)
    case .reconstruction:
        guard let reconstruction = state.reconstruction else {
            buffer.put("(waiting for the model)", x: placement.x, y: placement.digitY + 6 * scale, style: theme.dim,
                       maxWidth: width)
            return
        }
        panel = DigitPanel(pixels: reconstruction, scale: scale)
    case .composite:
        panel = DigitPanel(pixels: state.composite, scale: scale)
    case .error:
        // |reconstruction − original| on the hole only; brighter is worse.
        let reconstruction = state.reconstruction ?? state.maskedInput
        panel = DigitPanel(pixels: (0..<Digit.pixels).map { (1 - state.mask[$0]) * abs(reconstruction[$0] - state.image[$0]) },
                           scale: scale)
    }
    panel.draw(into: &buffer, x: placement.x, y: placement.digitY, style: state.style, theme: theme)
}

private func drawBottomLine(_ state: AppState, into buffer: inout CellBuffer, row: Int, theme: Theme) {
    let text: String
    var style = theme.dim
    switch state.prompt {
    case .goToIndex(let typed)?:
        text = "go to digit (1–\(state.library.count), Enter, Esc cancels, q quits): \(typed)▏"
        style = theme.accent
    case .digitClass?:
        text = "random digit of class: press 0–9 (any other key cancels, q quits)"
        style = theme.accent
    case .confirmQuit?:
        text = "quit: s saves and quits, n quits without saving, Esc stays"
        style = theme.warning
    case .confirmReset?:
        text = "reset the model to fresh random weights? y to confirm, any other key keeps it"
        style = theme.warning
    case .presetMenu?:
        text = presetMenuLine
        style = theme.accent
    case nil:
        if let notice = state.notice {
            text = notice
            style = theme.warning
        } else {
            text = HelpOverlay.helpLine
        }
    }
    buffer.put(text, x: 0, y: row, style: style, maxWidth: buffer.width)
}
