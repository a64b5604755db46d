import Foundation

/// A line chart drawn with Braille characters: each cell holds 2×4 dots (U+2800 + a bit per dot), so a chart
/// of w×h cells has 2w×4h dots of resolution. With `ascii` (no UTF-8, `--ascii`, few colours) it is drawn
/// in ASCII instead: a line series as a line of `'`, `-` and `_` (three heights per cell), dashed ones as
/// markers (`o`, `+`, …) at their points, dotted ones (`Mark.dots`: raw losses under their average) as `.`.
///
/// The series differ by more than colour, so they can be told apart under `NO_COLOR` or by a reader who
/// does not see the colours: in Braille the second and later series are dashed (every other cell column).
///
/// Layout inside its rectangle: y-axis labels in a left gutter, the plot, and one row of x-axis labels
/// (first and last step) under it.
public struct BrailleChart: Sendable {
    /// How a series is drawn. By default the first is a line and the others dashed (markers in ASCII).
    public enum Mark: Sendable, Equatable {
        /// A connected line (in ASCII the `'-_` line).
        case line
        /// Braille: dashed; ASCII: a marker (`o`, `+`, …) at each point.
        case dashed
        /// Single dots at the points, not joined (the raw losses under their moving average); `.` in ASCII.
        case dots
    }

    public struct Series: Sendable {
        public var points: [LossPoint]
        public var style: TextStyle
        /// nil: `.line` for the first series, `.dashed` for the others.
        public var mark: Mark?
        public init(points: [LossPoint], style: TextStyle, mark: Mark? = nil) {
            self.points = points; self.style = style; self.mark = mark
        }
    }

    /// The mark series `index` is drawn with.
    /// (An index past the series, as a legend drawn without data asks, gets the default.)
    func mark(of index: Int) -> Mark {
        (index < series.count ? series[index].mark : nil) ?? (index == 0 ? .line : .dashed)
    }

    public var series: [Series]
    public var logScale: Bool
    public var ascii: Bool

    public init(series: [Series], logScale: Bool, ascii: Bool = false) {
        self.series = series; self.logScale = logScale; self.ascii = ascii
    }

    /// The markers of the second and later series in ASCII.
    static let asciiMarkers: [Unicode.Scalar] = ["o", "+", "x", "#"]

    /// How series `index` looks, for a legend: a solid line for the first, dashes or markers for the rest.
    public func legendSample(_ index: Int) -> String {
        switch mark(of: index) {
        case .line: return ascii ? "-_-" : "\u{2812}\u{2812}\u{2812}"
        case .dashed: return ascii ? String(BrailleChart.asciiMarkers[dashedRank(index) % BrailleChart.asciiMarkers.count])
                                   : "\u{2812} \u{2812}"
        case .dots: return ascii ? "." : "\u{2804}\u{2802}\u{2801}"
        }
    }

    /// Which dashed series this is (0 for the first), so that markers stay `o` for the eval curve whatever
    /// comes before it.
    private func dashedRank(_ index: Int) -> Int { (0..<index).filter { mark(of: $0) == .dashed }.count }

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

        // In Double: the steps come from a log file, and maxStep − minStep overflowed Int for ±2⁶³.
        let stepSpan = max(1, Double(maxStep) - Double(minStep))
        /// A point's position on a grid of `wide`×`high` positions (x from the step, y from the loss, top 0).
        func position(_ p: LossPoint, wide: Int, high: Int) -> (Int, Int) {
            let px = Int(((Double(p.step) - Double(minStep)) / stepSpan * Double(wide - 1)).rounded())
            let fraction = (transform(p.loss) - lowT) / (highT - lowT)
            return (px, Int(((1 - fraction) * Double(high - 1)).rounded()))
        }
        if ascii {
            drawAscii(into: &buffer, x: plotX, y: y, width: plotWidth, height: plotHeight, theme: theme,
                      plotted: plotted, position: position)
        } else {
            drawBraille(into: &buffer, x: plotX, y: y, width: plotWidth, height: plotHeight, theme: theme,
                        plotted: plotted, position: position)
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

    private func drawBraille(into buffer: inout CellBuffer, x plotX: Int, y: Int, width plotWidth: Int,
                             height plotHeight: Int, theme: Theme, plotted: (LossPoint) -> Bool,
                             position: (LossPoint, Int, Int) -> (Int, Int)) {
        let dotsWide = plotWidth * 2, dotsHigh = plotHeight * 4
        // bits[cell] = Braille dot bits; owner[cell] = index of the series that drew last (its colour wins).
        var bits = [UInt8](repeating: 0, count: plotWidth * plotHeight)
        var owner = [Int](repeating: -1, count: plotWidth * plotHeight)
        func dot(_ dx: Int, _ dy: Int, _ s: Int) {
            guard dx >= 0, dy >= 0, dx < dotsWide, dy < dotsHigh else { return }
            // Dashed: the second and later series skip every other cell column.
            if mark(of: s) == .dashed && (dx / 2) % 2 == 1 { return }
            let cell = (dy / 4) * plotWidth + dx / 2
            bits[cell] |= BrailleChart.dotBit(column: dx % 2, row: dy % 4)
            owner[cell] = s
        }
        for (s, line) in series.enumerated() {
            var previous: (Int, Int)? = nil
            for p in line.points where plotted(p) {
                let (dx, dy) = position(p, dotsWide, dotsHigh)
                if mark(of: s) == .dots { dot(dx, dy, s); continue }
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
    }

    /// ASCII: the first series as a line at three heights per cell (`'` top, `-` middle, `_` bottom; `|`
    /// where it crosses a cell vertically), the others as markers at their points, drawn over it.
    private func drawAscii(into buffer: inout CellBuffer, x plotX: Int, y: Int, width plotWidth: Int,
                           height plotHeight: Int, theme: Theme, plotted: (LossPoint) -> Bool,
                           position: (LossPoint, Int, Int) -> (Int, Int)) {
        let levels: [Unicode.Scalar] = ["'", "-", "_"]
        var glyphs = [Unicode.Scalar](repeating: " ", count: plotWidth * plotHeight)
        var owner = [Int](repeating: -1, count: plotWidth * plotHeight)
        for (s, line) in series.enumerated() {
            if mark(of: s) == .line {
                let high = plotHeight * levels.count
                func mark(_ cx: Int, _ sy: Int) {
                    guard cx >= 0, sy >= 0, cx < plotWidth, sy < high else { return }
                    let cell = (sy / levels.count) * plotWidth + cx
                    let glyph = levels[sy % levels.count]
                    glyphs[cell] = owner[cell] == s && glyphs[cell] != glyph ? "|" : glyph
                    owner[cell] = s
                }
                // One height per column, the mean of the points that fall in it: at a cell's resolution the
                // step-to-step noise of the loss would otherwise draw every column as a '|'.
                var sums = [Double](repeating: 0, count: plotWidth), counts = [Int](repeating: 0, count: plotWidth)
                for p in line.points where plotted(p) {
                    let (cx, sy) = position(p, plotWidth, high)
                    guard cx >= 0, cx < plotWidth else { continue }
                    sums[cx] += Double(sy); counts[cx] += 1
                }
                var previous: (Int, Int)? = nil
                for cx in 0..<plotWidth where counts[cx] > 0 {
                    let sy = Int((sums[cx] / Double(counts[cx])).rounded())
                    if let (px, py) = previous { BrailleChart.line(from: (px, py), to: (cx, sy)) { mark($0, $1) } }
                    else { mark(cx, sy) }
                    previous = (cx, sy)
                }
            } else {
                let marker = mark(of: s) == .dots ? "." : BrailleChart.asciiMarkers[dashedRank(s) % BrailleChart.asciiMarkers.count]
                for p in line.points where plotted(p) {
                    let (cx, cy) = position(p, plotWidth, plotHeight)
                    guard cx >= 0, cy >= 0, cx < plotWidth, cy < plotHeight else { continue }
                    glyphs[cy * plotWidth + cx] = marker
                    owner[cy * plotWidth + cx] = s
                }
            }
        }
        for row in 0..<plotHeight {
            for column in 0..<plotWidth {
                let cell = row * plotWidth + column
                let style = owner[cell] >= 0 ? series[owner[cell]].style : theme.dim
                buffer[plotX + column, y + row] = Cell(glyphs[cell], foreground: style.foreground,
                                                       background: style.background, attributes: style.attributes)
            }
        }
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
