import Figures

/// The colours a 256-colour xterm shows for the palette indices the UI asks for (xterm's defaults, as in
/// its `256colres.h` and `XTerm-col.ad`), and for the terminal's own colours.
public enum XtermPalette {
    /// 0–15: xterm's default basic and bright colours.
    static let basic: [(UInt8, UInt8, UInt8)] = [
        (0, 0, 0), (205, 0, 0), (0, 205, 0), (205, 205, 0), (0, 0, 238), (205, 0, 205), (0, 205, 205), (229, 229, 229),
        (127, 127, 127), (255, 0, 0), (0, 255, 0), (255, 255, 0), (92, 92, 255), (255, 0, 255), (0, 255, 255), (255, 255, 255),
    ]
    /// The 6×6×6 cube's levels (16–231): 0, then 95 + 40·k.
    static let cubeLevels: [UInt8] = [0, 95, 135, 175, 215, 255]

    /// The RGB of palette entry `index`: 16 + 36r + 6g + b in the cube, 232 + k the greys 8 + 10k.
    public static func rgb(_ index: UInt8) -> (UInt8, UInt8, UInt8) {
        switch index {
        case 0..<16: return basic[Int(index)]
        case 16..<232:
            let i = Int(index) - 16
            return (cubeLevels[i / 36], cubeLevels[(i / 6) % 6], cubeLevels[i % 6])
        default:
            let grey = UInt8(8 + 10 * (Int(index) - 232))
            return (grey, grey, grey)
        }
    }

    /// The terminal's own colours (`TerminalColor.terminalDefault`): light grey on black, as a dark terminal
    /// (tmux's and most emulators' default theme) shows the UI; xterm's colour 7 on colour 0.
    public static let defaultForeground = basic[7]
    public static let defaultBackground = basic[0]
}

/// The screen as a picture: a pure function from a `CellBuffer` to RGB pixels (and PNG bytes), drawn with
/// the project's own bitmap font, for `S` and `inpaint tui --screenshot`.
///
/// Each cell is `cellWidth`×`cellHeight` pixels (6×12, times `scale`): square pixels for the half blocks
/// that draw the digits (a cell holds two), and room for a 5×7 glyph with descenders. Colours are the
/// cells' palette indices as a 256-colour xterm shows them (`XtermPalette`); reverse swaps them, dim mixes
/// the foreground halfway to the background, bold strikes twice (and brightens the basic colours 0–7 to
/// 8–15, as xterm's `boldColors` does), underline draws the cell's bottom row. Block elements (U+2580–259F),
/// box drawing (U+2500–257F) and Braille (U+2800–28FF) are drawn from the cell's geometry, so they join
/// their neighbours as on a terminal.
public enum ScreenImage {
    public static let cellWidth = 6
    public static let cellHeight = 12
    /// The glyph's top row inside the cell: two rows above the capitals, a row below the descenders.
    static let glyphTop = 2

    /// The RGB image of `buffer`: (width·6·scale) × (height·12·scale) pixels.
    public static func render(_ buffer: CellBuffer, scale: Int = 1) -> PNGImage {
        precondition(scale >= 1, "scale must be at least 1, found \(scale)")
        precondition(buffer.width > 0 && buffer.height > 0, "an empty buffer has no picture")
        var canvas = Canvas(width: buffer.width * cellWidth * scale, height: buffer.height * cellHeight * scale, scale: scale)
        for y in 0..<buffer.height {
            for x in 0..<buffer.width {
                canvas.draw(buffer[x, y], originX: x * cellWidth, originY: y * cellHeight)
            }
        }
        return PNGImage(width: canvas.width, height: canvas.height, channels: 3, pixels: canvas.pixels)
    }

    /// The PNG file's bytes for `buffer`.
    public static func png(_ buffer: CellBuffer, scale: Int = 1) -> [UInt8] { render(buffer, scale: scale).encoded() }

    /// The screen's characters, one line per row, trailing blanks dropped (the text twin of the PNG).
    public static func text(_ buffer: CellBuffer) -> String {
        var out = ""
        for y in 0..<buffer.height {
            var line = String.UnicodeScalarView()
            for x in 0..<buffer.width { line.append(buffer[x, y].character) }
            var text = String(line)
            while text.last == " " { text.removeLast() }
            out += text + "\n"
        }
        return out
    }

    /// The colours a cell is drawn with: (ink, paper).
    public static func colours(of cell: Cell) -> (ink: RGB, paper: RGB) {
        func resolve(_ colour: TerminalColor, default fallback: (UInt8, UInt8, UInt8), bold: Bool) -> RGB {
            switch colour {
            case .terminalDefault: return RGB(fallback)
            // xterm's boldColors: bold text in a basic colour shows its bright twin.
            case .index(let i): return RGB(XtermPalette.rgb(bold && i < 8 ? i + 8 : i))
            }
        }
        var ink = resolve(cell.foreground, default: XtermPalette.defaultForeground, bold: cell.attributes.contains(.bold))
        var paper = resolve(cell.background, default: XtermPalette.defaultBackground, bold: false)
        if cell.attributes.contains(.reverse) { swap(&ink, &paper) }
        if cell.attributes.contains(.dim) { ink = ink.mixed(with: paper) }
        return (ink, paper)
    }

    /// An 8-bit RGB colour.
    public struct RGB: Equatable, Sendable {
        public var r: UInt8, g: UInt8, b: UInt8
        public init(_ r: UInt8, _ g: UInt8, _ b: UInt8) { self.r = r; self.g = g; self.b = b }
        init(_ c: (UInt8, UInt8, UInt8)) { self.init(c.0, c.1, c.2) }
        var bytes: [UInt8] { [r, g, b] }
        /// Halfway to `other`, rounded up.
        func mixed(with other: RGB) -> RGB {
            func mid(_ a: UInt8, _ b: UInt8) -> UInt8 { UInt8((Int(a) + Int(b) + 1) / 2) }
            return RGB(mid(r, other.r), mid(g, other.g), mid(b, other.b))
        }
    }
}

/// The pixels being drawn, addressed in unscaled cell coordinates (`scale` pixels per unit).
private struct Canvas {
    let width: Int, height: Int, scale: Int
    var pixels: [UInt8]

    init(width: Int, height: Int, scale: Int) {
        self.width = width; self.height = height; self.scale = scale
        pixels = [UInt8](repeating: 0, count: width * height * 3)
    }

    /// Fills the unscaled rectangle (x, y, w, h) with `colour`.
    mutating func fill(_ x: Int, _ y: Int, _ w: Int, _ h: Int, _ colour: ScreenImage.RGB) {
        guard w > 0, h > 0 else { return }
        for row in (y * scale)..<((y + h) * scale) {
            var i = (row * width + x * scale) * 3
            for _ in 0..<(w * scale) {
                pixels[i] = colour.r; pixels[i + 1] = colour.g; pixels[i + 2] = colour.b
                i += 3
            }
        }
    }

    mutating func draw(_ cell: Cell, originX x0: Int, originY y0: Int) {
        let (ink, paper) = ScreenImage.colours(of: cell)
        let w = ScreenImage.cellWidth, h = ScreenImage.cellHeight
        fill(x0, y0, w, h, paper)
        let scalar = cell.character
        switch scalar.value {
        case 0x20: break
        case 0x2580...0x259F: drawBlock(scalar.value, x0, y0, ink)
        case 0x2500...0x257F where BoxDrawing.arms[scalar] != nil: drawBox(BoxDrawing.arms[scalar]!, x0, y0, ink)
        case 0x2800...0x28FF: drawBraille(UInt8(scalar.value - 0x2800), x0, y0, ink)
        default:
            let rows = BitmapFont.textGlyph(scalar)
                ?? BitmapFont.glyph("\u{FFFF}") + [".....", "....."]   // the font's hollow box: a missing glyph shows
            let strikes = cell.attributes.contains(.bold) ? [0, 1] : [0]
            for (r, row) in rows.enumerated() {
                for (c, mark) in row.enumerated() where mark == "#" {
                    for dx in strikes where c + dx < w { fill(x0 + c + dx, y0 + ScreenImage.glyphTop + r, 1, 1, ink) }
                }
            }
        }
        if cell.attributes.contains(.underline) { fill(x0, y0 + h - 1, w, 1, ink) }
    }

    /// U+2580–259F: eighth blocks, halves, quadrants and the three shades (as xterm stipples them).
    private mutating func drawBlock(_ code: UInt32, _ x0: Int, _ y0: Int, _ ink: ScreenImage.RGB) {
        let w = ScreenImage.cellWidth, h = ScreenImage.cellHeight
        func lower(_ eighths: Int) { let rows = (h * eighths + 4) / 8; fill(x0, y0 + h - rows, w, rows, ink) }
        func left(_ eighths: Int) { fill(x0, y0, max(1, (w * eighths + 4) / 8), h, ink) }
        func quadrants(_ ul: Bool, _ ur: Bool, _ ll: Bool, _ lr: Bool) {
            if ul { fill(x0, y0, w / 2, h / 2, ink) }
            if ur { fill(x0 + w / 2, y0, w - w / 2, h / 2, ink) }
            if ll { fill(x0, y0 + h / 2, w / 2, h - h / 2, ink) }
            if lr { fill(x0 + w / 2, y0 + h / 2, w - w / 2, h - h / 2, ink) }
        }
        func shade(_ inked: (Int, Int) -> Bool) {
            for y in 0..<h { for x in 0..<w where inked(x, y) { fill(x0 + x, y0 + y, 1, 1, ink) } }
        }
        switch code {
        case 0x2580: fill(x0, y0, w, h / 2, ink)                       // ▀ upper half
        case 0x2581...0x2588: lower(Int(code - 0x2580))                // ▁…█ lower eighths, full block
        case 0x2589...0x258F: left(Int(0x2590 - code))                 // ▉…▏ left eighths
        case 0x2590: fill(x0 + w / 2, y0, w - w / 2, h, ink)           // ▐ right half
        case 0x2591: shade { x, y in x % 2 == 0 && y % 2 == 0 }        // ░ a quarter of the pixels
        case 0x2592: shade { x, y in (x + y) % 2 == 0 }                // ▒ half
        case 0x2593: shade { x, y in !(x % 2 == 1 && y % 2 == 1) }     // ▓ three quarters
        case 0x2594: fill(x0, y0, w, max(1, h / 8), ink)               // ▔ upper eighth
        case 0x2595: fill(x0 + w - 1, y0, 1, h, ink)                   // ▕ right eighth
        case 0x2596: quadrants(false, false, true, false)
        case 0x2597: quadrants(false, false, false, true)
        case 0x2598: quadrants(true, false, false, false)
        case 0x2599: quadrants(true, false, true, true)
        case 0x259A: quadrants(true, false, false, true)
        case 0x259B: quadrants(true, true, true, false)
        case 0x259C: quadrants(true, true, false, true)
        case 0x259D: quadrants(false, true, false, false)
        case 0x259E: quadrants(false, true, true, false)
        default: quadrants(false, true, true, true)                    // 0x259F ▟
        }
    }

    /// A box-drawing character: arms from the cell's centre to its edges, light (1 unit), heavy (2) or
    /// double (two light lines 3 units apart), each reaching across the lines it meets, so that corners
    /// close and neighbouring cells join.
    private mutating func drawBox(_ arms: BoxDrawing.Arms, _ x0: Int, _ y0: Int, _ ink: ScreenImage.RGB) {
        let w = ScreenImage.cellWidth, h = ScreenImage.cellHeight
        let cx = w / 2 - 1, cy = h / 2 - 1   // the light lines' column and row
        /// The units a line of `weight` covers across itself, around `centre`.
        func span(_ weight: BoxDrawing.Weight, _ centre: Int) -> [Range<Int>] {
            switch weight {
            case .none: return []
            case .light: return [centre..<centre + 1]
            case .heavy: return [centre..<centre + 2]
            case .double: return [centre - 1..<centre, centre + 2..<centre + 3]
            }
        }
        /// Where the lines of the crossing arms begin and end (the centre line when there are none).
        func extent(_ a: BoxDrawing.Weight, _ b: BoxDrawing.Weight, _ centre: Int) -> Range<Int> {
            let spans = span(a, centre) + span(b, centre)
            guard let low = spans.map(\.lowerBound).min(), let high = spans.map(\.upperBound).max() else { return centre..<centre + 1 }
            return low..<high
        }
        let across = extent(arms.left, arms.right, cy), along = extent(arms.up, arms.down, cx)
        for line in span(arms.up, cx) { fill(x0 + line.lowerBound, y0, line.count, across.upperBound, ink) }
        for line in span(arms.down, cx) { fill(x0 + line.lowerBound, y0 + across.lowerBound, line.count, h - across.lowerBound, ink) }
        for line in span(arms.left, cy) { fill(x0, y0 + line.lowerBound, along.upperBound, line.count, ink) }
        for line in span(arms.right, cy) { fill(x0 + along.lowerBound, y0 + line.lowerBound, w - along.lowerBound, line.count, ink) }
    }

    /// A Braille pattern: dots 1–8 (bits 0–7) as 2×2 squares on a 2×4 grid, 1 unit apart.
    private mutating func drawBraille(_ bits: UInt8, _ x0: Int, _ y0: Int, _ ink: ScreenImage.RGB) {
        // (column, row) of dots 1…8 in the Unicode order: 1 2 3 down the left, 4 5 6 down the right, 7 8 below.
        let dots = [(0, 0), (0, 1), (0, 2), (1, 0), (1, 1), (1, 2), (0, 3), (1, 3)]
        for (bit, (column, row)) in dots.enumerated() where bits & (1 << bit) != 0 {
            fill(x0 + 1 + 3 * column, y0 + 1 + 3 * row, 2, 2, ink)
        }
    }
}

/// Which arms each box-drawing character has, and how heavy they are.
enum BoxDrawing {
    enum Weight { case none, light, heavy, double }
    struct Arms { var up: Weight, down: Weight, left: Weight, right: Weight }

    static let arms: [Unicode.Scalar: Arms] = {
        var table: [Unicode.Scalar: Arms] = [:]
        // (character, up, down, left, right): l light, h heavy, d double, - none.
        let spec: [(Unicode.Scalar, String)] = [
            ("─", "--ll"), ("━", "--hh"), ("│", "ll--"), ("┃", "hh--"),
            ("┄", "--ll"), ("┅", "--hh"), ("┆", "ll--"), ("┇", "hh--"), ("┈", "--ll"), ("┉", "--hh"), ("┊", "ll--"), ("┋", "hh--"),
            ("┌", "-l-l"), ("┐", "-ll-"), ("└", "l--l"), ("┘", "l-l-"),
            ("┏", "-h-h"), ("┓", "-hh-"), ("┗", "h--h"), ("┛", "h-h-"),
            ("├", "ll-l"), ("┤", "lll-"), ("┬", "-lll"), ("┴", "l-ll"), ("┼", "llll"),
            ("┣", "hh-h"), ("┫", "hhh-"), ("┳", "-hhh"), ("┻", "h-hh"), ("╋", "hhhh"),
            ("═", "--dd"), ("║", "dd--"), ("╔", "-d-d"), ("╗", "-dd-"), ("╚", "d--d"), ("╝", "d-d-"),
            ("╠", "dd-d"), ("╣", "ddd-"), ("╦", "-ddd"), ("╩", "d-dd"), ("╬", "dddd"),
            ("╭", "-l-l"), ("╮", "-ll-"), ("╯", "l-l-"), ("╰", "l--l"),
            ("╴", "--l-"), ("╵", "l---"), ("╶", "---l"), ("╷", "-l--"),
            ("╸", "--h-"), ("╹", "h---"), ("╺", "---h"), ("╻", "-h--"),
        ]
        func weight(_ c: Character) -> Weight { c == "l" ? .light : c == "h" ? .heavy : c == "d" ? .double : .none }
        for (scalar, arms) in spec {
            let w = arms.map(weight)
            table[scalar] = Arms(up: w[0], down: w[1], left: w[2], right: w[3])
        }
        return table
    }()
}
