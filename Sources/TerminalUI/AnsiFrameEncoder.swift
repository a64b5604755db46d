/// Turns each new frame into the bytes an xterm-compatible terminal needs to show it, given what the
/// previous frames left on screen: only the cells that changed, with the fewest colour changes.
///
/// Why not ncurses' doupdate: on every change of colour pair ncurses sends both `ESC[38;5;Nm` and
/// `ESC[48;5;Nm` (22 bytes), and the cells of a digit panel almost all differ from their left neighbour,
/// so a drag frame cost ~25 bytes per changed cell. Here a cell costs one SGR with only the parts that
/// differ from the pen (often none), because a half-block cell has several spellings that look the same:
/// '▀' (fg upper, bg lower) is '▄' with the colours swapped, and a cell whose halves match is a space on
/// that background or '█' in that foreground, whatever the other colour is. Palette colours look the
/// same as foreground and background; the terminal's default colours do not, so they are never swapped.
///
/// Pure: it writes nothing itself. It assumes ECMA-48/xterm sequences (CUP, CUF, SGR with 38;5/48;5 for
/// palette colours above 15), which every terminal with 256 colours understands; with `.none` it sends
/// no colour at all.
public struct AnsiFrameEncoder: Sendable {
    /// The SGR state the terminal is in after our last write.
    struct Pen: Equatable, Sendable {
        var foreground: TerminalColor
        var background: TerminalColor
        var attributes: CellAttributes
        static let reset = Pen(foreground: .terminalDefault, background: .terminalDefault, attributes: [])
    }

    public var colorDepth: ColorDepth
    /// Nothing but ASCII leaves the encoder (`RenderStyle.ascii`, e.g. a locale without UTF-8): no '█' or
    /// '▄' respellings, and a non-ASCII cell that reached it anyway is sent as its `AsciiFallback`.
    public var asciiOnly: Bool
    /// The logical frame the screen shows (nil: unknown, repaint everything).
    private var screen: CellBuffer?
    private var pen: Pen?
    /// Where the cursor is (nil: unknown, e.g. after writing the last column).
    private var cursor: (x: Int, y: Int)?

    /// Cells written by the last `encode`.
    public private(set) var lastCellCount = 0

    public init(colorDepth: ColorDepth, asciiOnly: Bool = false) {
        self.colorDepth = colorDepth
        self.asciiOnly = asciiOnly
    }

    /// The screen may hold anything (resize, resume, someone else wrote): the next frame repaints it all.
    public mutating func invalidate() {
        screen = nil
        pen = nil
        cursor = nil
    }

    /// The bytes that turn the screen from the previous frame into `frame`, except inside `held`: there
    /// the screen keeps showing what it shows (nothing is sent), and the first frame that no longer holds
    /// the rectangle sends whatever differs by then (`SlowLinkDrag`: over a thin link the panels that
    /// change everywhere wait for the release). A frame after `invalidate` or a resize ignores `held`.
    public mutating func encode(_ frame: CellBuffer, holding held: [Rect] = []) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(4096)
        let previous: CellBuffer
        var holding = false
        if let screen, screen.width == frame.width, screen.height == frame.height {
            previous = screen
            holding = !held.isEmpty
        } else {
            // Reset the pen and clear (to the default background), then draw what is not blank.
            append("\u{1B}[0m\u{1B}[2J", to: &out)
            pen = .reset
            cursor = nil
            previous = CellBuffer(width: frame.width, height: frame.height)
        }
        var count = 0
        // What the screen shows after this frame: `frame`, with the held cells as they were.
        var shown = frame
        for y in 0..<frame.height {
            let heldHere = holding ? held.filter { y >= $0.y && y < $0.y + $0.height } : []
            for x in 0..<frame.width {
                let cell = frame[x, y]
                if cell == previous[x, y] { continue }
                if !heldHere.isEmpty && heldHere.contains(where: { x >= $0.x && x < $0.x + $0.width }) {
                    shown[x, y] = previous[x, y]
                    continue
                }
                count += 1
                moveCursor(to: (x, y), into: &out)
                let (glyph, target) = cheapestSpelling(of: cell)
                setPen(target, into: &out)
                appendScalar(glyph, to: &out)
                // After the last column the terminal is in its pending-wrap state; after a character whose
                // width a terminal may judge differently (East Asian "ambiguous": —, ×, …) the column is
                // not certain. Either way the next cell is placed absolutely.
                cursor = x + 1 < frame.width && AnsiFrameEncoder.hasCertainWidth(glyph) ? (x + 1, y) : nil
            }
        }
        screen = shown
        lastCellCount = count
        return out
    }

    // MARK: cursor

    private mutating func moveCursor(to target: (x: Int, y: Int), into out: inout [UInt8]) {
        if let cursor, cursor == target { return }
        if let cursor, cursor.y == target.y, target.x > cursor.x {
            let skip = target.x - cursor.x
            append(skip == 1 ? "\u{1B}[C" : "\u{1B}[\(skip)C", to: &out)
        } else {
            append(target.x == 0 ? "\u{1B}[\(target.y + 1)H" : "\u{1B}[\(target.y + 1);\(target.x + 1)H", to: &out)
        }
        cursor = target
    }

    // MARK: colours

    /// A wanted pen: nil colours are "any" (the glyph does not show them).
    private struct Want { var glyph: Unicode.Scalar; var fg: TerminalColor?; var bg: TerminalColor? }

    private func cheapestSpelling(of cell: Cell) -> (Unicode.Scalar, Pen) {
        let fg = colorDepth == .none ? .terminalDefault : cell.foreground
        let bg = colorDepth == .none ? .terminalDefault : cell.background
        if asciiOnly {
            let glyph = AsciiFallback.scalar(cell.character)
            let blank = glyph == " " && cell.attributes.isEmpty   // a blank shows no foreground
            return (glyph, resolve(Want(glyph: glyph, fg: blank ? nil : fg, bg: bg), attributes: cell.attributes))
        }
        var options = [Want(glyph: cell.character, fg: fg, bg: bg)]
        if cell.attributes.isEmpty {
            func isPalette(_ c: TerminalColor) -> Bool { if case .index = c { return true } else { return false } }
            if cell.character == " " {
                options = [Want(glyph: " ", fg: nil, bg: bg)]
                if isPalette(bg) { options.append(Want(glyph: "█", fg: bg, bg: nil)) }
            } else if cell.character == "▀" && isPalette(fg) && isPalette(bg) {
                if fg == bg {
                    options = [Want(glyph: " ", fg: nil, bg: bg), Want(glyph: "█", fg: fg, bg: nil)]
                } else {
                    options.append(Want(glyph: "▄", fg: bg, bg: fg))
                }
            }
        }
        var best: (cost: Int, glyph: Unicode.Scalar, pen: Pen)?
        for option in options {
            let target = resolve(option, attributes: cell.attributes)
            let cost = sgr(from: pen, to: target).count
            if best == nil || cost < best!.cost { best = (cost, option.glyph, target) }
        }
        return (best!.glyph, best!.pen)
    }

    /// The pen an option needs: "any" colours keep the pen's, unless the attributes force a reset (which
    /// makes them the default).
    private func resolve(_ want: Want, attributes: CellAttributes) -> Pen {
        let keep = pen.map { $0.attributes == attributes } ?? false
        return Pen(foreground: want.fg ?? (keep ? pen!.foreground : .terminalDefault),
                   background: want.bg ?? (keep ? pen!.background : .terminalDefault),
                   attributes: attributes)
    }

    private mutating func setPen(_ target: Pen, into out: inout [UInt8]) {
        let sequence = sgr(from: pen, to: target)
        if !sequence.isEmpty { append(sequence, to: &out) }
        pen = target
    }

    /// The shortest SGR sequence from `current` (nil: unknown) to `target`; empty when nothing changes.
    func sgr(from current: Pen?, to target: Pen) -> String {
        var parameters: [String] = []
        var from = current
        if from == nil || from!.attributes != target.attributes {
            // Attributes can only be switched off by a reset, so a change of attributes starts over.
            parameters.append("0")
            if target.attributes.contains(.bold) { parameters.append("1") }
            if target.attributes.contains(.dim) { parameters.append("2") }
            if target.attributes.contains(.underline) { parameters.append("4") }
            if target.attributes.contains(.reverse) { parameters.append("7") }
            from = Pen(foreground: .terminalDefault, background: .terminalDefault, attributes: target.attributes)
        }
        if from!.foreground != target.foreground { parameters.append(colorParameter(target.foreground, background: false)) }
        if from!.background != target.background { parameters.append(colorParameter(target.background, background: true)) }
        return parameters.isEmpty ? "" : "\u{1B}[" + parameters.joined(separator: ";") + "m"
    }

    private func colorParameter(_ color: TerminalColor, background: Bool) -> String {
        switch color {
        case .terminalDefault: return background ? "49" : "39"
        case .index(let i) where i < 8: return "\((background ? 40 : 30) + Int(i))"
        case .index(let i) where i < 16: return "\((background ? 100 : 90) + Int(i) - 8)"
        case .index(let i): return (background ? "48;5;" : "38;5;") + "\(i)"
        }
    }

    /// ASCII, the block elements and Braille: one column in every terminal the 256-colour UI runs in.
    static func hasCertainWidth(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x80 || (0x2580...0x259F).contains(scalar.value) || (0x2800...0x28FF).contains(scalar.value)
    }

    // MARK: bytes

    private func append(_ text: String, to out: inout [UInt8]) { out.append(contentsOf: text.utf8) }

    private func appendScalar(_ scalar: Unicode.Scalar, to out: inout [UInt8]) {
        UTF8.encode(scalar) { out.append($0) }
    }
}
