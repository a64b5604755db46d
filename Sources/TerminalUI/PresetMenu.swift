import Experiments

/// The `x` menu: a row per preset, numbered as the key that starts it, with what it trains; in a box
/// narrower than the summaries (80 columns) each takes two rows, which with the frame is 22 of 80×24's 24,
/// so every preset can be read and picked there. A shorter screen gets one row each, cut at the edge.
public enum PresetMenu {
    static let title = "train an experiment from a fresh network (as inpaint tui --preset NAME)"
    static let footer = "1-9 trains it, any other key cancels"

    /// The menu's rows for a box whose text gets `textWidth` cells: the number and name, then what the
    /// preset trains, wrapped to a second row (indented under the text) when `wrap` and it is too long.
    public static func rows(textWidth: Int, wrap: Bool) -> [String] {
        let nameWidth = ExperimentName.presets.map(\.rawValue.count).max()! + 2
        let indent = String(repeating: " ", count: 3 + nameWidth)
        return ExperimentName.presets.enumerated().flatMap { i, name -> [String] in
            let head = "\(i + 1)  " + name.rawValue.padding(toLength: nameWidth, withPad: " ", startingAt: 0)
            let lines = HelpOverlay.wrap(name.summary, width: max(1, textWidth - head.count))
            guard wrap, lines.count > 1 else { return [head + name.summary] }
            return [head + lines[0], indent + lines.dropFirst().joined(separator: " ")]
        }
    }

    public static func draw(into buffer: inout CellBuffer, theme: Theme) {
        let natural = rows(textWidth: .max, wrap: false)
        let width = min(buffer.width - 2, max(title.count, natural.map(\.count).max()!) + 4)
        // Two rows a preset when the box is narrower than the summaries and the screen has the rows for it.
        let wrapped = rows(textWidth: width - 3, wrap: true)
        let rows = wrapped.count + 4 <= buffer.height - 2 ? wrapped : natural
        let height = min(buffer.height - 2, rows.count + 4)
        let x = (buffer.width - width) / 2, y = max(1, (buffer.height - height) / 2)
        let blank = Cell(" ", foreground: theme.overlay.foreground, background: theme.overlay.background,
                         attributes: theme.overlay.attributes)
        buffer.fill(x: x, y: y, width: width, height: height, with: blank)
        var bold = theme.overlay
        bold.attributes.insert(.bold)
        buffer.put(title, x: x + 2, y: y + 1, style: bold, maxWidth: width - 3)
        for (i, row) in rows.prefix(height - 4).enumerated() {
            let number = buffer.put(String(row.prefix(1)), x: x + 2, y: y + 2 + i, style: bold)
            buffer.put(String(row.dropFirst()), x: number, y: y + 2 + i, style: theme.overlay, maxWidth: x + width - 1 - number)
        }
        buffer.put(footer, x: x + 2, y: y + height - 1, style: theme.overlay, maxWidth: width - 3)
    }
}
