/// A terminal colour as the view asks for it; the driver turns (foreground, background) into a colour pair.
///
/// `index` is an xterm-256 palette index (0–15 the basic colours, 16–231 the 6×6×6 cube, 232–255 grays).
public enum TerminalColor: Hashable, Sendable {
    /// The terminal's own foreground or background (`use_default_colors`, colour −1).
    case terminalDefault
    case index(UInt8)

    /// The number ncurses expects: −1 for the default, else the palette index.
    public var cursesNumber: Int {
        switch self {
        case .terminalDefault: return -1
        case .index(let i): return Int(i)
        }
    }
}

/// Text attributes that every terminal understands.
public struct CellAttributes: OptionSet, Hashable, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    public static let bold = CellAttributes(rawValue: 1 << 0)
    public static let reverse = CellAttributes(rawValue: 1 << 1)
    public static let dim = CellAttributes(rawValue: 1 << 2)
    public static let underline = CellAttributes(rawValue: 1 << 3)
}

/// One character cell: a single-width Unicode scalar with its colours and attributes.
///
/// A scalar rather than a `Character` keeps `Cell` trivially copyable and cheap to compare, which matters
/// because every frame compares every cell with the previous frame.
public struct Cell: Hashable, Sendable {
    public var character: Unicode.Scalar
    public var foreground: TerminalColor
    public var background: TerminalColor
    public var attributes: CellAttributes

    public init(_ character: Unicode.Scalar = " ", foreground: TerminalColor = .terminalDefault,
                background: TerminalColor = .terminalDefault, attributes: CellAttributes = []) {
        self.character = character
        self.foreground = foreground
        self.background = background
        self.attributes = attributes
    }

    public static let blank = Cell()
}

/// The look of a piece of text: colours and attributes without the character.
public struct TextStyle: Hashable, Sendable {
    public var foreground: TerminalColor
    public var background: TerminalColor
    public var attributes: CellAttributes

    public init(foreground: TerminalColor = .terminalDefault, background: TerminalColor = .terminalDefault,
                attributes: CellAttributes = []) {
        self.foreground = foreground
        self.background = background
        self.attributes = attributes
    }

    public static let plain = TextStyle()
}
