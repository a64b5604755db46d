import Foundation

/// The training status under the chart: one fact per line, most important first, so a short pane (80×24)
/// keeps the lines that matter.
public struct StatusBlock: Sendable {
    public var state: AppState

    public init(state: AppState) { self.state = state }

    public var lines: [(label: String, value: String)] {
        let t = state.training
        let progress = TrainingProgress.line(step: t.step, activity: t.activity, pace: state.inside.pace)
        var lines: [(label: String, value: String)] = [
            ("state", t.activity.rawValue),
            ("step", "\(t.step)   epoch \(t.epoch)"),
            ("loss", (t.loss.map { StatusBlock.format($0) } ?? "–")
                + "   eval " + (t.evalLoss.map { StatusBlock.format($0) } ?? "–")),
            ("images/s", t.imagesPerSecond > 0 ? String(format: "%.0f", Double(t.imagesPerSecond)) : "–"),
        ]
        if let progress { lines.append(("progress", progress)) }
        lines += [
            ("lr", t.learningRate > 0 ? String(format: "%.2e", Double(t.learningRate)) : "–"),
            ("model", t.modelFile),
            ("data", t.dataset),
        ]
        return lines + probeStatusLines(state)
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

/// The progress line: how long the run still takes, from the runtime's measured rate (`TrainingPace`).
public enum TrainingProgress {
    /// Seconds until `total` at `stepsPerSecond` from `step`; 0 once there; nil when the end or the rate is
    /// not known (or the rate is not a positive number).
    public static func timeLeft(step: Int, total: Int?, stepsPerSecond: Double?) -> Double? {
        guard let total else { return nil }
        if step >= total { return 0 }
        guard let rate = stepsPerSecond, rate.isFinite, rate > 0 else { return nil }
        return Double(total - step) / rate
    }

    /// 42s, 3m 20s, 2h 05m, 3d 04h: two units at most, the larger first.
    public static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "–" }
        let s = Int(max(0, seconds).rounded(.up))
        if s < 60 { return "\(s)s" }
        if s < 3600 { return String(format: "%dm %02ds", s / 60, s % 60) }
        if s < 86_400 { return String(format: "%dh %02dm", s / 3600, (s % 3600) / 60) }
        return String(format: "%dd %02dh", s / 86_400, (s % 86_400) / 3600)
    }

    static func rate(_ stepsPerSecond: Double) -> String {
        String(format: stepsPerSecond >= 100 ? "%.0f" : stepsPerSecond >= 10 ? "%.1f" : "%.2f", stepsPerSecond)
    }

    /// The status block's `progress` value (step N of the total, the time left at the measured rate, the
    /// rate), or nil when nothing is known of the pace (no line then).
    static func line(step: Int, activity: TrainingActivity, pace: TrainingPace) -> String? {
        let rate = pace.stepsPerSecond.flatMap { $0.isFinite && $0 > 0 ? $0 : nil }
        guard pace.totalSteps != nil || rate != nil else { return nil }
        let speed = rate.map { "   \(TrainingProgress.rate($0)) steps/s" } ?? ""
        guard let total = pace.totalSteps else { return "no end set" + speed }
        let percent = Int((Double(min(step, total)) / Double(max(1, total)) * 100).rounded(.down))
        let done = "\(step)/\(total) (\(percent)%)"
        if step >= total { return done + " done" }
        switch activity {
        case .paused: return done + " paused"
        case .stopped, .idle: return done + speed
        case .training, .watching: break
        }
        guard let left = timeLeft(step: step, total: total, stepsPerSecond: rate) else { return done + " measuring…" }
        return done + " \(duration(left)) left" + speed
    }
}
