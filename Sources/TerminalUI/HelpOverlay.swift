/// The overlay shown on `?`: every key, in a box that fits the terminal. Actions wrap to the box's width,
/// and when the rows do not all fit (80×24 holds 18 of them) the box scrolls: ↑/↓ a row, space a page
/// (`AppState.helpScroll`, moved by `update`), and its title says which rows are shown.
public enum HelpOverlay {
    public static let entries: [(keys: String, action: String)] = [
        ("drag", "draw the hole on any digit panel; a click moves it there (m: paint / draw)"),
        ("arrows", "move the hole"),
        ("shift+arrows, H J K L", "narrower, taller… resize the hole"),
        ("r / c", "random hole (1/8–1/4 of the digit) / clear the hole"),
        ("u / U", "undo / redo the last hole, stroke or drawing (a drag is one; a new digit starts afresh)"),
        ("m", "mode: rectangle → brush → draw your own digit"),
        ("n / p / g / d", "next / previous / go to number / digit of a class (q in a prompt quits)"),
        ("space / s", "pause or resume training / one step while paused"),
        ("+ / -", "double / halve the learning rate"),
        ("R", "reset the model (asks first); fresh paper+mask weights train with --recipe fast"),
        ("w / l", "save / load weights, Adam state, step and curves, asking for the file (l keeps pause and rate)"),
        ("e / a", "error panel / log or linear loss axis"),
        ("z", "presenter layout: the digits as large as the terminal holds (z again: back)"),
        ("D", "debug overlay: drag latency, network time, cells and bytes per frame"),
        ("f / F", "classical fill panel / next fill (zero, mean, harmonic, biharmonic, telea)"),
        ("t", "classifier's top-3 guesses for the original and the composite"),
        ("v", "the encoder's feature maps: what the network sees of the input"),
        ("x", "train one of the report's experiments (as --preset), or a comparison of two networks (a-d)"),
        ("Tab", "comparing models (--model A --model B, --preset compare-…): the next model's panels where not all fit"),
        ("o", "lesson pane: what to look for, the report's figure, what each panel on screen means"),
        ("G", "gradient pane: each tensor's gradient norm (log bars, sparklines) and the learning-rate schedule"),
        ("M", "filmstrip: this digit and hole filled at steps 0, 10, 100, 1k… of the run, and now"),
        ("S / C", "save the screen as PNG and text / the command line that reopens this view"),
        ("i / E", "pixel cursor (arrows move it; Esc leaves) / explain the pixel: saliency and top map"),
        ("? / q", "this help / quit (asks to save unsaved training; HUP/TERM save it)"),
    ]

    /// The box on a screen of the given size and the rows inside it (keys on an entry's first row only).
    struct Box {
        var x: Int, y: Int, width: Int, height: Int
        var keyWidth: Int
        var rows: [(keys: String, text: String)]
        /// Rows shown at once: below the title, above a blank bottom row. How to scroll and close is the
        /// key line's, not repeated in the box (at 80×24 the two sat on adjacent rows saying the same).
        var visible: Int { max(1, height - 3) }
        var maxScroll: Int { max(0, rows.count - visible) }
    }

    static func box(screenWidth: Int, screenHeight: Int) -> Box {
        let keyWidth = entries.map(\.keys.count).max()! + 2
        let width = max(keyWidth + 12, min(screenWidth - 2, keyWidth + entries.map(\.action.count).max()! + 4))
        let textWidth = width - keyWidth - 3
        var wrapped: [(keys: String, text: String)] = []
        for entry in entries {
            for (i, line) in wrap(entry.action, width: textWidth).enumerated() { wrapped.append((i == 0 ? entry.keys : "", line)) }
        }
        let height = min(screenHeight - 2, wrapped.count + 3)
        return Box(x: (screenWidth - width) / 2, y: (screenHeight - height) / 2, width: width, height: height,
                   keyWidth: keyWidth, rows: wrapped)
    }

    /// How far the help can scroll on this screen, and a page's worth of rows (for `update`).
    public static func maxScroll(screenWidth: Int, screenHeight: Int) -> Int {
        box(screenWidth: screenWidth, screenHeight: screenHeight).maxScroll
    }
    public static func pageRows(screenWidth: Int, screenHeight: Int) -> Int {
        box(screenWidth: screenWidth, screenHeight: screenHeight).visible
    }

    /// Words of `text` in lines of at most `width` characters (a longer word is cut).
    static func wrap(_ text: String, width: Int) -> [String] {
        var lines: [String] = [], line = ""
        for word in text.split(separator: " ") {
            if line.isEmpty { line = String(word) } else if line.count + 1 + word.count <= width { line += " " + word } else {
                lines.append(line)
                line = String(word)
            }
        }
        lines.append(line)
        return lines.map { String($0.prefix(width)) }
    }

    public static func draw(into buffer: inout CellBuffer, scroll: Int = 0, theme: Theme) {
        let box = box(screenWidth: buffer.width, screenHeight: buffer.height)
        let first = min(max(0, scroll), box.maxScroll)
        let blank = Cell(" ", foreground: theme.overlay.foreground, background: theme.overlay.background,
                         attributes: theme.overlay.attributes)
        buffer.fill(x: box.x, y: box.y, width: box.width, height: box.height, with: blank)
        var title = theme.overlay
        title.attributes.insert(.bold)
        let scrolls = box.maxScroll > 0
        buffer.put(scrolls ? "keys (\(first + 1)-\(min(box.rows.count, first + box.visible)) of \(box.rows.count))" : "keys",
                   x: box.x + 2, y: box.y + 1, style: title, maxWidth: box.width - 3)
        for (i, row) in box.rows.dropFirst(first).prefix(box.visible).enumerated() {
            let y = box.y + 2 + i
            buffer.put(row.keys, x: box.x + 2, y: y, style: title, maxWidth: box.keyWidth)
            buffer.put(row.text, x: box.x + 2 + box.keyWidth, y: y, style: theme.overlay, maxWidth: box.width - box.keyWidth - 3)
        }
    }
}
