import Foundation

/// The gradient pane (`G`): for every tensor of the network (by its checkpoint name, `enc.0.weight`, …,
/// `fc.weight`, …) the L2 norm of its gradient at the newest step as a bar on one log scale shared by all
/// tensors (so a layer whose gradient vanishes stands out) and a sparkline of its whole run on its own log
/// scale (so its trend shows), with the value; above them the learning rate of every step: the schedule, as a
/// curve when there is room, else as a sparkline.
///
/// ConvNetJS shows per-layer gradients the same way; the numbers come from each step's `gradient_norms`
/// (`TrainingStep.gradientNorms`, also in `train --log`'s `grad_norms`).
struct GradientPane {
    let state: AppState

    /// Rows of the learning-rate chart when there is room for one (under a row that names it): 4 rows of plot
    /// and the step axis.
    static let rateChartRows = 5
    /// The narrowest bar and sparkline worth drawing.
    static let minimumBar = 4

    static let sparkGlyphs: [Unicode.Scalar] = ["▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]
    static let asciiSparkGlyphs: [Unicode.Scalar] = ["_", ".", ",", "-", "=", "+", "*", "#"]
    /// Eighths of a cell, for the bars' ends.
    static let barEighths: [Unicode.Scalar] = ["▏", "▎", "▍", "▌", "▋", "▊", "▉", "█"]

    /// The rows the pane needs for `state`: at least a title, the rate and two tensors; at most every tensor
    /// under a rate chart.
    static func rows(for state: AppState) -> (minimum: Int, wanted: Int) {
        let tensors = max(1, state.inside.gradients.names.count)
        return (4, 2 + rateChartRows + tensors)
    }

    func draw(into buffer: inout CellBuffer, rect: Rect, theme: Theme) {
        guard rect.height > 0, rect.width > 0 else { return }
        let history = state.inside.gradients
        let names = history.names
        let range = GradientPane.decades(names.compactMap { history.latest[$0] })
        var title = "gradient L2 norm per tensor"
        if let range { title += String(format: ", bars 1e%+03d…1e%+03d", range.lowerBound, range.upperBound) }
        buffer.put(title, x: rect.x, y: rect.y, style: theme.title, maxWidth: rect.width)
        var y = rect.y + 1
        let bottom = rect.y + rect.height

        // The learning rate: a chart when every tensor still fits under it, else one row.
        let rates = state.inside.learningRates.points
        let nameWidth = min(14, max(4, names.map(\.count).max() ?? 0))
        if rect.height - 2 - GradientPane.rateChartRows >= names.count, !rates.isEmpty {
            var x = buffer.put("learning rate ", x: rect.x, y: y, style: theme.dim)
            if let last = rates.last { x = buffer.put(String(format: "%.2e", Double(last.loss)), x: x, y: y, style: theme.text) }
            buffer.put("  (the schedule, by step)", x: x, y: y, style: theme.dim, maxWidth: rect.x + rect.width - x)
            // The rate is a schedule, not a loss: a linear axis shows a cosine decay as the cosine it is.
            let chart = BrailleChart(series: [.init(points: rates, style: theme.evalSeries, mark: .line)], logScale: false,
                                     ascii: state.style.ascii)
            chart.draw(into: &buffer, x: rect.x, y: y + 1, width: rect.width, height: GradientPane.rateChartRows, theme: theme)
            y += 1 + GradientPane.rateChartRows
        } else if y < bottom {
            drawRow(into: &buffer, x: rect.x, y: y, width: rect.width, nameWidth: nameWidth, name: "lr", curve: rates,
                    latest: rates.last?.loss, range: nil, logScale: false, theme: theme)
            y += 1
        }

        guard !names.isEmpty else {
            if y < bottom {
                let why = state.training.step > 0 ? "(this trainer reports no gradient norms)" : "(from the first training step)"
                buffer.put(why, x: rect.x, y: y, style: theme.dim, maxWidth: rect.width)
            }
            return
        }
        // Too few rows for every tensor: the weights first (biases matter less), then as many as fit.
        let rows = bottom - y
        var shown = names
        if shown.count > rows { shown = names.filter { $0.hasSuffix(".weight") } + names.filter { !$0.hasSuffix(".weight") } }
        let hidden = max(0, shown.count - rows)
        if hidden > 0 { shown = Array(shown.prefix(rows - 1)) }
        for name in shown {
            drawRow(into: &buffer, x: rect.x, y: y, width: rect.width, nameWidth: nameWidth, name: name,
                    curve: history.curves[name]?.points ?? [], latest: history.latest[name], range: range, logScale: true,
                    theme: theme)
            y += 1
        }
        if hidden > 0 {
            buffer.put("+\(hidden + 1) more (a taller terminal shows them)", x: rect.x, y: y, style: theme.dim, maxWidth: rect.width)
        }
    }

    /// One row: the name, the bar (when `range` is given: the newest value on the shared log scale), the
    /// sparkline of `curve` and the newest value.
    private func drawRow(into buffer: inout CellBuffer, x: Int, y: Int, width: Int, nameWidth: Int, name: String,
                         curve: [LossPoint], latest: Float?, range: ClosedRange<Int>?, logScale: Bool, theme: Theme) {
        let valueWidth = 8
        let shownName = name.count > nameWidth ? String(name.suffix(nameWidth)) : name
        buffer.put(shownName, x: x, y: y, style: theme.dim)
        let free = width - nameWidth - 1 - valueWidth - 1
        guard free >= GradientPane.minimumBar else {
            if let latest { buffer.put(GradientPane.format(latest), x: x + nameWidth + 1, y: y, style: theme.text, maxWidth: width - nameWidth - 1) }
            return
        }
        var column = x + nameWidth + 1
        var sparkWidth = free
        if let range {
            let barWidth = free >= 2 * GradientPane.minimumBar + 1 ? (free - 1) * 2 / 5 : free
            drawBar(into: &buffer, x: column, y: y, width: barWidth, value: latest, range: range, theme: theme)
            column += barWidth + 1
            sparkWidth = free - barWidth - 1
        }
        if sparkWidth >= GradientPane.minimumBar {
            let glyphs = GradientPane.sparkline(curve, width: sparkWidth, logScale: logScale, ascii: state.style.ascii)
            buffer.put(String(glyphs.map(Character.init)), x: column, y: y, style: theme.trainSeries)
        }
        if let latest {
            let text = GradientPane.format(latest)
            buffer.put(text, x: x + width - text.count, y: y, style: theme.text)
        }
    }

    private func drawBar(into buffer: inout CellBuffer, x: Int, y: Int, width: Int, value: Float?,
                         range: ClosedRange<Int>, theme: Theme) {
        let fraction = value.map { GradientPane.barFraction($0, range: range) } ?? 0
        let eighths = Int((fraction * Double(width * 8)).rounded())
        for i in 0..<width {
            let filled = min(8, max(0, eighths - i * 8))
            let glyph: Unicode.Scalar = state.style.ascii ? (filled >= 4 ? "#" : ".")
                : filled == 0 ? "\u{2591}" : GradientPane.barEighths[filled - 1]
            buffer[x + i, y] = Cell(glyph, foreground: filled == 0 ? theme.dim.foreground : theme.accent.foreground,
                                    attributes: filled == 0 ? theme.dim.attributes : theme.accent.attributes)
        }
    }

    /// Where `value` sits on the log scale from 10^lower to 10^upper, in [0, 1] (0 for zero or less).
    static func barFraction(_ value: Float, range: ClosedRange<Int>) -> Double {
        guard value > 0, value.isFinite else { return 0 }
        let span = Double(max(1, range.upperBound - range.lowerBound))
        return min(1, max(0, (log10(Double(value)) - Double(range.lowerBound)) / span))
    }

    /// The whole decades that hold `values` (the positive, finite ones): 10^floor(log min) to 10^ceil(log max),
    /// at least one decade wide. Nil when there is none.
    static func decades(_ values: [Float]) -> ClosedRange<Int>? {
        let logs = values.filter { $0 > 0 && $0.isFinite }.map { log10(Double($0)) }
        guard let low = logs.min(), let high = logs.max() else { return nil }
        let lower = Int(low.rounded(.down))
        return lower...max(lower + 1, Int(high.rounded(.up)))
    }

    /// `curve` as `width` glyphs: its points spread over the columns by step, each column the mean of its
    /// points (of their logarithms on a log scale), scaled from the curve's own lowest to highest; columns
    /// without a point repeat the one before; a flat curve sits in the middle.
    static func sparkline(_ curve: [LossPoint], width: Int, logScale: Bool, ascii: Bool) -> [Unicode.Scalar] {
        let glyphs = ascii ? asciiSparkGlyphs : sparkGlyphs
        let points = curve.filter { $0.loss.isFinite && (!logScale || $0.loss > 0) }
        guard width > 0, let first = points.first, let last = points.last else { return Array(repeating: " ", count: max(0, width)) }
        let value: (Float) -> Double = logScale ? { log10(Double($0)) } : { Double($0) }
        var sums = [Double](repeating: 0, count: width), counts = [Int](repeating: 0, count: width)
        let span = max(1, Double(last.step) - Double(first.step))
        // Fewer points than columns: one column per point, from the left (the line grows as training goes).
        let columns = min(width, points.count)
        for (i, p) in points.enumerated() {
            let column = points.count <= width ? i
                : min(columns - 1, Int((Double(p.step) - Double(first.step)) / span * Double(columns - 1) + 0.5))
            sums[column] += value(p.loss); counts[column] += 1
        }
        var means: [Double] = []
        for c in 0..<columns { means.append(counts[c] > 0 ? sums[c] / Double(counts[c]) : (means.last ?? value(first.loss))) }
        let low = means.min()!, high = means.max()!
        return (0..<width).map { c in
            guard c < columns else { return " " }
            let level = high - low < 1e-12 ? glyphs.count / 2 - 1
                : Int(((means[c] - low) / (high - low) * Double(glyphs.count - 1)).rounded())
            return glyphs[level]
        }
    }

    /// A norm in 8 cells at most: 1.23e-04, 0.0312, 12.5.
    static func format(_ value: Float) -> String {
        if value == 0 { return "0" }
        if value >= 0.01 && value < 1000 { return String(format: "%.3g", Double(value)) }
        return String(format: "%.2e", Double(value))
    }
}
