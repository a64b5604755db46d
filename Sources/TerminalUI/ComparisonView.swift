import Datasets
import Foundation

/// How a comparison is drawn: each model's reconstruction and composite titled with its name, a curve per
/// model in the chart (colour and mark: model 0 a solid line, model 1 dashed / `o`, model 2 `+`, the
/// discriminator after them), and a status block with each model's numbers.
enum ComparisonView {
    /// The chart style of model `index`: the usual training colour for model 0, then the eval colour, then
    /// a third; under `NO_COLOR` the marks alone tell them apart (`BrailleChart`).
    static func seriesStyle(_ index: Int, theme: Theme, style: RenderStyle) -> TextStyle {
        switch index {
        case 0: return theme.trainSeries
        case 1: return theme.evalSeries
        default: return style.colorDepth == .gray256 ? TextStyle(foreground: .index(170)) : theme.accent
        }
    }

    /// A name cut to `width` characters for a legend or a title.
    static func short(_ name: String, _ width: Int) -> String {
        name.count <= width ? name : String(name.prefix(max(1, width - 1))) + "…"
    }

    /// The numbers under a model's panel title: this digit's hole MSE. The per-panel numbers (PSNR, fill
    /// brightness) are computed from (original, mask, fill) and belong here, one call per model.
    static func panelNumbers(_ state: AppState, model: Int) -> String? {
        // Below 5e-4 four decimals would read 0.0000 or 0.0002 for errors 10× apart (`compare-bias`'s 7).
        state.holeMSE(ofModel: model).map { "mse " + String(format: $0 > 0 && $0 < 5e-4 ? "%.1e" : "%.4f", Double($0)) }
    }
}

/// A comparison's reconstruction, composite or error panel for `placement.model`; false for any other panel.
func drawModelPanel(_ state: AppState, _ placement: PanelPlacement, side: Int, into buffer: inout CellBuffer,
                    theme: Theme) -> Bool {
    let index = placement.model
    guard [.reconstruction, .composite, .error].contains(placement.kind), index < state.comparison.count,
          let name = state.modelName(index) else { return false }
    let width = DigitPanel.size(side: side).width
    let active = state.drag?.panel == placement.kind && state.drag?.model == index
    let kind = placement.kind == .reconstruction ? "recon" : placement.kind == .composite ? "composite" : "error"
    var title = "\(name) \(kind)"
    if placement.kind == .composite, let numbers = ComparisonView.panelNumbers(state, model: index) {
        title = "\(ComparisonView.short(name, max(4, width - numbers.count - 1))) \(numbers)"
    }
    let style = ComparisonView.seriesStyle(index, theme: theme, style: state.style)
    buffer.put(ComparisonView.short(title, width), x: placement.x, y: placement.y,
               style: active ? theme.accent : TextStyle(foreground: style.foreground, attributes: .bold), maxWidth: width)
    let pixels: [Float]
    switch placement.kind {
    case .reconstruction:
        guard let reconstruction = state.reconstruction(ofModel: index) else {
            buffer.put("(waiting for the model)", x: placement.x, y: placement.digitY + waitingRowOffset(side: side),
                       style: theme.dim, maxWidth: width)
            return true
        }
        pixels = reconstruction
    case .composite:
        pixels = state.composite(ofModel: index)
    default:
        let reconstruction = state.reconstruction(ofModel: index) ?? state.maskedInput
        pixels = (0..<Digit.pixels).map { (1 - state.mask[$0]) * abs(reconstruction[$0] - state.image[$0]) }
    }
    DigitPanel(pixels: pixels, side: side).draw(into: &buffer, x: placement.x, y: placement.digitY, style: state.style,
                                                theme: theme)
    return true
}

/// The loss chart of a comparison: each model's training curve (its held-out one where it has no training
/// points, as a checkpoint made elsewhere may), and the discriminator's loss of an adversarial arm.
func drawComparisonChart(_ state: AppState, rect c: Rect, into buffer: inout CellBuffer, theme: Theme) {
    guard c.height >= 4 else { return }
    var series: [BrailleChart.Series] = []
    var labels: [String] = []
    for index in 0..<state.comparison.count {
        let train = index == 0 ? state.training.trainHistory : state.comparison.others[index - 1].trainHistory
        let eval = index == 0 ? state.training.evalHistory : state.comparison.others[index - 1].evalHistory
        series.append(.init(points: train.points.isEmpty ? eval.points : train.points,
                            style: ComparisonView.seriesStyle(index, theme: theme, style: state.style)))
        labels.append(state.comparison.names[index])
    }
    if let d = state.comparison.discriminatorModel {
        series.append(.init(points: state.comparison.discriminatorHistory.points, style: theme.dim))
        labels.append("D of \(state.comparison.names[d])")
    }
    let chart = BrailleChart(series: series, logScale: state.logScale, ascii: state.style.ascii)
    // The legend on the title row: as many entries as fit, each name cut to share the width.
    var x = buffer.put("loss ", x: c.x, y: c.y, style: theme.title)
    let each = max(6, (c.width - 5) / max(1, labels.count))
    for (i, label) in labels.enumerated() {
        let sample = chart.legendSample(i)
        let entry = sample + " " + ComparisonView.short(label, each - sample.count - 3)
        guard x + entry.count <= c.x + c.width else { break }
        x = buffer.put(entry + "  ", x: x, y: c.y, style: series[i].style)
    }
    chart.draw(into: &buffer, x: c.x, y: c.y + 1, width: c.width, height: c.height - 1, theme: theme)
}

/// The status block of a comparison: the shared state and rate, then per model its name, step, losses and
/// this digit's hole MSE.
func drawComparisonStatus(_ state: AppState, rect: Rect, into buffer: inout CellBuffer, theme: Theme) {
    guard rect.height > 0, rect.width > 10 else { return }
    let t = state.training
    buffer.put("training", x: rect.x, y: rect.y, style: theme.title)
    var rows: [(text: String, style: TextStyle)] = [
        ("state " + t.activity.rawValue + (t.learningRate > 0 ? String(format: "   lr %.1e", Double(t.learningRate)) : ""),
         t.activity == .training ? theme.accent : theme.text),
    ]
    func number(_ value: Float?) -> String { value.map { StatusBlock.format($0) } ?? "–" }
    for index in 0..<state.comparison.count {
        let view = index == 0 ? nil : state.comparison.others[index - 1]
        let step = view?.step ?? t.step
        let loss = index == 0 ? t.loss : view?.loss
        let eval = index == 0 ? t.evalLoss : view?.evalLoss
        let style = ComparisonView.seriesStyle(index, theme: theme, style: state.style)
        let marker = BrailleChart(series: [], logScale: true, ascii: state.style.ascii).legendSample(index)
        rows.append(("\(marker) \(state.comparison.names[index])", TextStyle(foreground: style.foreground, attributes: .bold)))
        rows.append(("  step \(step)  loss \(number(loss))", theme.text))
        rows.append(("  eval \(number(eval))  hole \(number(state.holeMSE(ofModel: index)))", theme.text))
    }
    if let d = state.comparison.discriminatorModel, let last = state.comparison.discriminatorHistory.last {
        rows.append(("D of \(state.comparison.names[d]): \(number(last.loss))", theme.dim))
    }
    rows.append(("data " + t.dataset, theme.dim))
    for (i, row) in rows.prefix(rect.height - 1).enumerated() {
        buffer.put(row.text, x: rect.x, y: rect.y + 1 + i, style: row.style, maxWidth: rect.width)
    }
}

/// The header's note on the models: which one shows when not all fit, and the key that shows the next.
func comparisonHeaderPart(_ state: AppState) -> HeaderLine.Part? {
    guard state.comparison.isActive else { return nil }
    let layout = state.layout
    let count = state.comparison.count
    guard !layout.hiddenModels.isEmpty else { return nil }
    let shown = min(state.comparison.shownModel, count - 1)
    let name = state.comparison.names[shown]
    return HeaderLine.Part(forms: ["  model \(shown + 1)/\(count): \(name) (Tab: next)",
                                   "  model \(shown + 1)/\(count) \(ComparisonView.short(name, 12)) (Tab)",
                                   "  model \(shown + 1)/\(count) (Tab)"], role: .warning)
}
