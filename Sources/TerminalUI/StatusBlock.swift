import Foundation

/// The training status under the chart: one fact per line, most important first, so a short pane (80×24)
/// keeps the lines that matter.
public struct StatusBlock: Sendable {
    public var state: AppState

    public init(state: AppState) { self.state = state }

    public var lines: [(label: String, value: String)] {
        let t = state.training
        let core: [(label: String, value: String)] = [
            ("state", t.activity.rawValue),
            ("step", "\(t.step)   epoch \(t.epoch)"),
            ("loss", (t.loss.map { StatusBlock.format($0) } ?? "–")
                + "   eval " + (t.evalLoss.map { StatusBlock.format($0) } ?? "–")),
            ("images/s", t.imagesPerSecond > 0 ? String(format: "%.0f", Double(t.imagesPerSecond)) : "–"),
            ("lr", t.learningRate > 0 ? String(format: "%.2e", Double(t.learningRate)) : "–"),
            ("model", t.modelFile),
            ("data", t.dataset),
        ]
        return core + probeStatusLines(state)
    }

    static func format(_ loss: Float) -> String { String(format: loss < 0.01 ? "%.3e" : "%.5f", Double(loss)) }

    static let labelWidth = 9

    public func draw(into buffer: inout CellBuffer, rect: Rect, theme: Theme) {
        guard rect.height > 0, rect.width > 10 else { return }
        buffer.put("training", x: rect.x, y: rect.y, style: theme.title)
        let rows = StatusBlock.fitted(lines, valueWidth: rect.width - StatusBlock.labelWidth)
        for (i, line) in rows.prefix(rect.height - 1).enumerated() {
            let y = rect.y + 1 + i
            let x = buffer.put(line.label.padding(toLength: StatusBlock.labelWidth, withPad: " ", startingAt: 0),
                               x: rect.x, y: y, style: theme.dim)
            let style = line.label == "state" && state.training.activity == .training ? theme.accent : theme.text
            buffer.put(line.value, x: x, y: y, style: style, maxWidth: rect.x + rect.width - x)
        }
    }

    /// The lines as rows of a pane whose values get `valueWidth` cells (the narrow side pane beside three
    /// columns of panels has 21): a value too long for it is split at its "   " (the loss and the eval
    /// loss), a file's path keeps its last components, and other text wraps at its spaces onto rows without
    /// a label, so no fact is cut off at the edge (the pane is given the rows: `Layout`).
    static func fitted(_ lines: [(label: String, value: String)], valueWidth: Int) -> [(label: String, value: String)] {
        lines.flatMap { line -> [(label: String, value: String)] in
            guard line.value.count > valueWidth, valueWidth > 0 else { return [line] }
            let pieces = line.value.components(separatedBy: "   ").flatMap { piece -> [String] in
                guard piece.count > valueWidth else { return [piece] }
                if piece.contains("/") && !piece.contains(" ") {
                    var parts = piece.split(separator: "/", omittingEmptySubsequences: false)
                    while parts.count > 1 && parts.joined(separator: "/").count > valueWidth { parts.removeFirst() }
                    return [parts.joined(separator: "/")]
                }
                return HelpOverlay.wrap(piece, width: valueWidth)
            }
            return pieces.enumerated().map { ($0.offset == 0 ? line.label : "", $0.element) }
        }
    }

    /// The presenter layout's one line (no room for the pane): the facts that change, side by side.
    public func drawLine(into buffer: inout CellBuffer, row: Int, theme: Theme) {
        var x = buffer.put("training ", x: 0, y: row, style: theme.title)
        for (i, line) in lines.prefix(5).enumerated() where x < buffer.width {
            let style = i == 0 && state.training.activity == .training ? theme.accent : theme.text
            if i > 0 { x = buffer.put("  \(line.label) ", x: x, y: row, style: theme.dim) }
            x = buffer.put(line.value.replacingOccurrences(of: "   ", with: " "), x: x, y: row, style: style)
        }
    }
}
