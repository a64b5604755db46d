import Foundation

/// A line chart drawn with Braille characters: each cell holds 2×4 dots (U+2800 + a bit per dot), so a chart
/// of w×h cells has 2w×4h dots of resolution.
///
/// Layout inside its rectangle: y-axis labels in a left gutter, the plot, and one row of x-axis labels
/// (first and last step) under it.
public struct BrailleChart: Sendable {
    public struct Series: Sendable {
        public var points: [LossPoint]
        public var style: TextStyle
        public init(points: [LossPoint], style: TextStyle) { self.points = points; self.style = style }
    }

    public var series: [Series]
    public var logScale: Bool

    public init(series: [Series], logScale: Bool) { self.series = series; self.logScale = logScale }

    /// Width of the y-label gutter: labels like "1.2e-02" plus one space.
    static let gutter = 8

    public func draw(into buffer: inout CellBuffer, x: Int, y: Int, width: Int, height: Int, theme: Theme) {
        let plotX = x + BrailleChart.gutter, plotWidth = width - BrailleChart.gutter, plotHeight = height - 1
        guard plotWidth >= 4, plotHeight >= 2 else { return }
        // Only finite losses can be placed: one infinity made every dot's row NaN, and Int(NaN) traps.
        func plotted(_ p: LossPoint) -> Bool { p.loss.isFinite && (!logScale || p.loss > 0) }
        let all = series.flatMap(\.points).filter(plotted)
        guard let first = all.first else {
            buffer.put("no data yet", x: plotX, y: y + plotHeight / 2, style: theme.dim, maxWidth: plotWidth)
            return
        }
        var minStep = first.step, maxStep = first.step
        var low = first.loss, high = first.loss
        for p in all {
            minStep = min(minStep, p.step); maxStep = max(maxStep, p.step)
            low = min(low, p.loss); high = max(high, p.loss)
        }
        let transform: (Float) -> Double = logScale ? { log10(Double($0)) } : { Double($0) }
        var lowT = transform(low), highT = transform(high)
        if highT - lowT < 1e-12 { lowT -= 0.5; highT += 0.5 }   // a flat line sits in the middle

        let dotsWide = plotWidth * 2, dotsHigh = plotHeight * 4
        // bits[cell] = Braille dot bits; owner[cell] = index of the series that drew last (its colour wins).
        var bits = [UInt8](repeating: 0, count: plotWidth * plotHeight)
        var owner = [Int](repeating: -1, count: plotWidth * plotHeight)
        func dot(_ dx: Int, _ dy: Int, _ s: Int) {
            guard dx >= 0, dy >= 0, dx < dotsWide, dy < dotsHigh else { return }
            let cell = (dy / 4) * plotWidth + dx / 2
            bits[cell] |= BrailleChart.dotBit(column: dx % 2, row: dy % 4)
            owner[cell] = s
        }
        // In Double: the steps come from a log file, and maxStep − minStep overflowed Int for ±2⁶³.
        let stepSpan = max(1, Double(maxStep) - Double(minStep))
        for (s, line) in series.enumerated() {
            var previous: (Int, Int)? = nil
            for p in line.points where plotted(p) {
                let dx = Int(((Double(p.step) - Double(minStep)) / stepSpan * Double(dotsWide - 1)).rounded())
                let fraction = (transform(p.loss) - lowT) / (highT - lowT)
                let dy = Int(((1 - fraction) * Double(dotsHigh - 1)).rounded())
                if let (px, py) = previous { BrailleChart.line(from: (px, py), to: (dx, dy)) { dot($0, $1, s) } }
                else { dot(dx, dy, s) }
                previous = (dx, dy)
            }
        }
        for row in 0..<plotHeight {
            for column in 0..<plotWidth {
                let cell = row * plotWidth + column
                let style = owner[cell] >= 0 ? series[owner[cell]].style : theme.dim
                buffer[plotX + column, y + row] = Cell(Unicode.Scalar(0x2800 + UInt32(bits[cell]))!,
                                                       foreground: style.foreground, background: style.background,
                                                       attributes: style.attributes)
            }
        }
        // Axis labels: top and bottom of the y range, first and last step.
        let untransform: (Double) -> Float = logScale ? { Float(pow(10, $0)) } : { Float($0) }
        buffer.put(BrailleChart.format(untransform(highT)), x: x, y: y, style: theme.dim, maxWidth: BrailleChart.gutter - 1)
        buffer.put(BrailleChart.format(untransform(lowT)), x: x, y: y + plotHeight - 1, style: theme.dim,
                   maxWidth: BrailleChart.gutter - 1)
        buffer.put(logScale ? "log" : "lin", x: x, y: y + plotHeight / 2, style: theme.dim)
        buffer.put(BrailleChart.formatStep(minStep), x: plotX, y: y + plotHeight, style: theme.dim)
        let lastLabel = "step " + BrailleChart.formatStep(maxStep)
        buffer.put(lastLabel, x: plotX + plotWidth - lastLabel.count, y: y + plotHeight, style: theme.dim)
    }

    /// The Unicode Braille bit for dot (column 0–1, row 0–3): dots 1–3 and 4–6 are the upper three rows of
    /// each column, dots 7 and 8 the bottom row (Unicode's 8-dot extension).
    static func dotBit(column: Int, row: Int) -> UInt8 {
        let left: [UInt8] = [0x01, 0x02, 0x04, 0x40], right: [UInt8] = [0x08, 0x10, 0x20, 0x80]
        return column == 0 ? left[row] : right[row]
    }

    /// Bresenham's line between two dots, endpoints included.
    static func line(from a: (Int, Int), to b: (Int, Int), plot: (Int, Int) -> Void) {
        var (x0, y0) = a
        let (x1, y1) = b
        let dx = abs(x1 - x0), dy = -abs(y1 - y0)
        let sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1
        var error = dx + dy
        while true {
            plot(x0, y0)
            if x0 == x1 && y0 == y1 { break }
            let e2 = 2 * error
            if e2 >= dy { error += dy; x0 += sx }
            if e2 <= dx { error += dx; y0 += sy }
        }
    }

    /// A loss label of at most 7 characters: fixed point when readable, else scientific.
    static func format(_ value: Float) -> String {
        if value >= 0.01 && value < 1000 { return String(format: "%.4g", Double(value)) }
        return String(format: "%.1e", Double(value))
    }

    /// Steps as 950, 12.3k, 1.2M.
    static func formatStep(_ step: Int) -> String {
        if step < 10_000 { return "\(step)" }
        if step < 1_000_000 { return String(format: "%.1fk", Double(step) / 1000) }
        return String(format: "%.1fM", Double(step) / 1_000_000)
    }
}
