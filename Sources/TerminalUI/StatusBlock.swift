import Foundation

/// The training status under the chart: one fact per line, most important first, so a short pane (80×24)
/// keeps the lines that matter.
public struct StatusBlock: Sendable {
    public var state: AppState

    public init(state: AppState) { self.state = state }

    public var lines: [(label: String, value: String)] {
        let t = state.training
        return [
            ("state", t.activity.rawValue),
            ("step", "\(t.step)   epoch \(t.epoch)"),
            ("loss", (t.loss.map { StatusBlock.format($0) } ?? "–")
                + "   eval " + (t.evalLoss.map { StatusBlock.format($0) } ?? "–")),
            ("images/s", t.imagesPerSecond > 0 ? String(format: "%.0f", Double(t.imagesPerSecond)) : "–"),
            ("lr", t.learningRate > 0 ? String(format: "%.2e", Double(t.learningRate)) : "–"),
            ("model", t.modelFile),
            ("data", t.dataset),
        ]
    }

    static func format(_ loss: Float) -> String { String(format: loss < 0.01 ? "%.3e" : "%.5f", Double(loss)) }

    public func draw(into buffer: inout CellBuffer, rect: Rect, theme: Theme) {
        guard rect.height > 0, rect.width > 10 else { return }
        buffer.put("training", x: rect.x, y: rect.y, style: theme.title)
        for (i, line) in lines.prefix(rect.height - 1).enumerated() {
            let y = rect.y + 1 + i
            let x = buffer.put(line.label.padding(toLength: 9, withPad: " ", startingAt: 0), x: rect.x, y: y, style: theme.dim)
            let style = line.label == "state" && state.training.activity == .training ? theme.accent : theme.text
            buffer.put(line.value, x: x, y: y, style: style, maxWidth: rect.x + rect.width - x)
        }
    }
}

/// The one-line key summary and the full overlay shown on `?`.
public enum HelpOverlay {
    public static let helpLine =
        "drag: hole  arrows: move  HJKL: size  r: random  c: clear  n/p: digit  f/t/v: panels  space: pause  ?: help  q: quit"

    public static let entries: [(keys: String, action: String)] = [
        ("drag", "draw the hole on any digit panel; a click moves it there (m: paint / draw)"),
        ("arrows", "move the hole"),
        ("shift+arrows, H J K L", "narrower, taller… resize the hole"),
        ("r / c", "random hole (1/8–1/4 of the digit) / clear the hole"),
        ("m", "mode: rectangle → brush → draw your own digit"),
        ("n / p / g / d", "next / previous / go to number / digit of a class (q in a prompt quits)"),
        ("space / s", "pause or resume training / one step while paused"),
        ("+ / -", "double / halve the learning rate"),
        ("R", "reset the model (asks first)"),
        ("w / l", "save / load weights, Adam state, step and curves (l keeps pause and rate)"),
        ("e / a", "error panel / log or linear loss axis"),
        ("D", "debug overlay: drag latency, network time, cells and bytes per frame"),
        ("f / F", "classical fill panel / next fill (zero, mean, harmonic, biharmonic, telea)"),
        ("t", "classifier's top-3 guesses for the original and the composite"),
        ("v", "the encoder's feature maps: what the network sees of the input"),
        ("x", "train one of the report's experiments (as --preset)"),
        ("? / q", "this help / quit (asks to save unsaved training; HUP/TERM save it)"),
    ]

    public static func draw(into buffer: inout CellBuffer, theme: Theme) {
        let keyWidth = entries.map(\.keys.count).max()! + 2
        let width = min(buffer.width - 2, keyWidth + entries.map(\.action.count).max()! + 4)
        let height = min(buffer.height - 2, entries.count + 4)
        let x = (buffer.width - width) / 2, y = (buffer.height - height) / 2
        let blank = Cell(" ", foreground: theme.overlay.foreground, background: theme.overlay.background,
                         attributes: theme.overlay.attributes)
        buffer.fill(x: x, y: y, width: width, height: height, with: blank)
        var title = theme.overlay
        title.attributes.insert(.bold)
        buffer.put("keys", x: x + 2, y: y + 1, style: title)
        for (i, entry) in entries.prefix(height - 4).enumerated() {
            let row = y + 2 + i
            buffer.put(entry.keys, x: x + 2, y: row, style: title, maxWidth: keyWidth)
            buffer.put(entry.action, x: x + 2 + keyWidth, y: row, style: theme.overlay, maxWidth: width - keyWidth - 3)
        }
        buffer.put("any key closes", x: x + 2, y: y + height - 1, style: theme.overlay, maxWidth: width - 3)
    }
}
