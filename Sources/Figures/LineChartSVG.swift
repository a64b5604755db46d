import FileIO
import Foundation

/// A plain SVG line chart for loss curves (issue 6 §3): one polyline per series, axes with tick labels,
/// a legend; optional log-scale y. Text only, so any browser or image viewer shows it and git diffs it.
public struct LineChartSVG: Sendable {
    public struct Series: Sendable {
        public var name: String
        /// (x, y) points; non-finite values (and y ≤ 0 on a log axis) are skipped.
        public var points: [(x: Double, y: Double)]
        public init(name: String, points: [(x: Double, y: Double)]) { self.name = name; self.points = points }
    }

    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var series: [Series]
    public var logY: Bool
    public var width = 640
    public var height = 400

    public init(title: String, xLabel: String, yLabel: String, series: [Series], logY: Bool = false) {
        self.title = title; self.xLabel = xLabel; self.yLabel = yLabel; self.series = series; self.logY = logY
    }

    /// Colour-blind-safe palette (Okabe & Ito, 2008).
    static let palette = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000"]

    public func render() -> String {
        let left = 70.0, right = 20.0, top = 40.0, bottom = 50.0
        let plotW = Double(width) - left - right, plotH = Double(height) - top - bottom
        let usable = series.map { s in
            s.points.filter { $0.x.isFinite && $0.y.isFinite && (!logY || $0.y > 0) }
        }
        let all = usable.flatMap { $0 }
        let ty: (Double) -> Double = logY ? { log10($0) } : { $0 }
        var (x0, x1) = (all.map(\.x).min() ?? 0, all.map(\.x).max() ?? 1)
        var (y0, y1) = (all.map { ty($0.y) }.min() ?? 0, all.map { ty($0.y) }.max() ?? 1)
        if x1 <= x0 { x1 = x0 + 1 }
        if y1 <= y0 { y1 = y0 + 1 }
        if !logY && y0 > 0 && y0 < 0.5 * y1 { y0 = 0 }  // losses read best from zero when they are close to it
        let px: (Double) -> Double = { left + ($0 - x0) / (x1 - x0) * plotW }
        let py: (Double) -> Double = { top + plotH - (ty($0) - y0) / (y1 - y0) * plotH }

        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(width)" height="\(height)" font-family="sans-serif" font-size="12">
            <rect width="100%" height="100%" fill="white"/>
            <text x="\(Int(left))" y="24" font-size="15">\(escape(title))</text>
            <rect x="\(fmt(left))" y="\(fmt(top))" width="\(fmt(plotW))" height="\(fmt(plotH))" fill="none" stroke="#888"/>

            """
        for i in 0...4 {
            let fx = x0 + (x1 - x0) * Double(i) / 4
            let x = px(fx)
            svg += "<line x1=\"\(fmt(x))\" y1=\"\(fmt(top + plotH))\" x2=\"\(fmt(x))\" y2=\"\(fmt(top + plotH + 4))\" stroke=\"#888\"/>"
            svg += "<text x=\"\(fmt(x))\" y=\"\(fmt(top + plotH + 18))\" text-anchor=\"middle\">\(tick(fx))</text>\n"
            let fy = y0 + (y1 - y0) * Double(i) / 4
            let y = top + plotH - plotH * Double(i) / 4
            let label = logY ? tick(pow(10, fy)) : tick(fy)
            svg += "<line x1=\"\(fmt(left - 4))\" y1=\"\(fmt(y))\" x2=\"\(fmt(left + plotW))\" y2=\"\(fmt(y))\" stroke=\"#eee\"/>"
            svg += "<text x=\"\(fmt(left - 8))\" y=\"\(fmt(y + 4))\" text-anchor=\"end\">\(label)</text>\n"
        }
        svg += "<text x=\"\(fmt(left + plotW / 2))\" y=\"\(height - 10)\" text-anchor=\"middle\">\(escape(xLabel))</text>\n"
        svg += "<text transform=\"translate(16 \(fmt(top + plotH / 2))) rotate(-90)\" text-anchor=\"middle\">"
            + "\(escape(yLabel + (logY ? " (log)" : "")))</text>\n"
        for (i, points) in usable.enumerated() where !points.isEmpty {
            let colour = Self.palette[i % Self.palette.count]
            let path = points.map { "\(fmt(px($0.x))),\(fmt(py($0.y)))" }.joined(separator: " ")
            svg += "<polyline fill=\"none\" stroke=\"\(colour)\" stroke-width=\"1.5\" points=\"\(path)\"/>\n"
            let ly = top + 14 + Double(i) * 16
            svg += "<line x1=\"\(fmt(left + plotW - 150))\" y1=\"\(fmt(ly - 4))\" x2=\"\(fmt(left + plotW - 130))\" "
                + "y2=\"\(fmt(ly - 4))\" stroke=\"\(colour)\" stroke-width=\"2\"/>"
            svg += "<text x=\"\(fmt(left + plotW - 124))\" y=\"\(fmt(ly))\">\(escape(series[i].name))</text>\n"
        }
        svg += "</svg>\n"
        return svg
    }

    /// Writes the SVG atomically.
    public func write(to url: URL) throws(DataError) {
        try AtomicFile.write(text: render(), to: url)
    }

    private func fmt(_ v: Double) -> String { String(format: "%.1f", v) }

    private func tick(_ v: Double) -> String {
        let a = abs(v)
        if a == 0 { return "0" }
        if a >= 10_000 || a < 0.001 { return String(format: "%.1e", v) }
        if a >= 100 { return String(format: "%.0f", v) }
        if a >= 1 { return String(format: "%.2g", v) == String(format: "%.0f", v) ? String(format: "%.0f", v) : String(format: "%.1f", v) }
        return String(format: "%.3g", v)
    }

    private func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }
}
