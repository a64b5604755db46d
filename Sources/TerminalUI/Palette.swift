/// How much colour the terminal can show, decided once at start-up by the driver.
public enum ColorDepth: Sendable, Equatable {
    /// No colour at all (`NO_COLOR`, or a terminal without colours): attributes only.
    case none
    /// 8 or 16 colours: the UI chrome is coloured but digits use the character ramp.
    case basic
    /// 256 colours: digits drawn with half blocks in 26 gray levels.
    case gray256
}

/// The rendering choices the view needs: colour depth and whether everything is drawn in ASCII.
public struct RenderStyle: Sendable, Equatable {
    public var colorDepth: ColorDepth
    /// ASCII only: digits as ` .:-=+*#%@` instead of '▀' half blocks, the loss chart in ASCII markers instead
    /// of Braille, and every other character spelled in ASCII (`x` for `×`, `-` for `—`; `AsciiFallback`),
    /// so not one byte of a frame is 0x80 or above. Forced by `--ascii`, by a locale whose codeset is not
    /// UTF-8 (the terminal would show the bytes of '▀' as three junk characters), and whenever the terminal
    /// has fewer than 256 colours, because a half block without 26 grays shows nothing useful — the chart
    /// and the symbols follow the digits there, so one flag says what the screen is drawn with.
    public var ascii: Bool

    public init(colorDepth: ColorDepth, ascii: Bool = false) {
        self.colorDepth = colorDepth
        self.ascii = ascii || colorDepth != .gray256
    }

    public static let full = RenderStyle(colorDepth: .gray256)
    public static let ascii = RenderStyle(colorDepth: .none, ascii: true)

    /// Picks the style from what the terminal reports, `NO_COLOR` (https://no-color.org: any non-empty value),
    /// `--ascii`, and whether the locale's codeset is UTF-8 (`nl_langinfo(CODESET)`, read by the driver).
    public static func detect(terminalColors: Int, noColor: Bool, asciiFlag: Bool, utf8: Bool) -> RenderStyle {
        let depth: ColorDepth = noColor || terminalColors < 8 ? .none : (terminalColors >= 256 ? .gray256 : .basic)
        return RenderStyle(colorDepth: depth, ascii: asciiFlag || !utf8)
    }
}

/// The 26 gray levels of the xterm-256 palette, darkest first: black (16), the 24 grays 232–255, white (231).
public enum GrayPalette {
    public static let levelCount = 26

    /// Palette index of each level.
    public static let indices: [UInt8] = [16] + (232...255).map { UInt8($0) } + [231]

    /// Intensity 0–255 of each level: xterm's grays are 8 + 10·k (k = 0…23), black 0, white 255.
    public static let intensities: [Int] = [0] + (0..<24).map { 8 + 10 * $0 } + [255]

    /// The level nearest to `value` (0 black … 1 white); values outside [0, 1] are clamped.
    public static func level(for value: Float) -> Int {
        let target = Int((min(max(value, 0), 1) * 255).rounded())
        // Levels are sorted, so the nearest is found by a short walk; 26 entries do not need a search.
        var best = 0
        for level in 1..<levelCount where abs(intensities[level] - target) < abs(intensities[best] - target) {
            best = level
        }
        return best
    }

    public static func color(for value: Float) -> TerminalColor { .index(indices[level(for: value)]) }
}

/// The character ramp for terminals without 256 colours, lightest ink first.
public enum AsciiRamp {
    public static let characters: [Unicode.Scalar] = Array(" .:-=+*#%@".unicodeScalars)

    public static func character(for value: Float) -> Unicode.Scalar {
        let clamped = min(max(value, 0), 1)
        return characters[min(characters.count - 1, Int(clamped * Float(characters.count)))]
    }
}

/// The semantic colours of the UI chrome for each colour depth, so widgets never hard-code palette numbers.
public struct Theme: Sendable, Equatable {
    public var title: TextStyle
    public var text: TextStyle
    public var dim: TextStyle
    public var accent: TextStyle
    public var warning: TextStyle
    /// Hole pixels in the masked-input panel.
    public var hole: TerminalColor
    /// Chart series: training loss and evaluation loss.
    public var trainSeries: TextStyle
    public var evalSeries: TextStyle
    public var overlay: TextStyle

    public static func forStyle(_ style: RenderStyle) -> Theme {
        switch style.colorDepth {
        case .gray256:
            return Theme(title: TextStyle(foreground: .index(255), attributes: .bold),
                         text: .plain, dim: TextStyle(foreground: .index(245)),
                         accent: TextStyle(foreground: .index(81)), warning: TextStyle(foreground: .index(214)),
                         hole: .index(24), trainSeries: TextStyle(foreground: .index(81)),
                         evalSeries: TextStyle(foreground: .index(214)),
                         overlay: TextStyle(foreground: .index(255), background: .index(236)))
        case .basic:
            return Theme(title: TextStyle(attributes: .bold), text: .plain,
                         dim: TextStyle(attributes: .dim), accent: TextStyle(foreground: .index(6)),
                         warning: TextStyle(foreground: .index(3)), hole: .index(4),
                         trainSeries: TextStyle(foreground: .index(6)), evalSeries: TextStyle(foreground: .index(3)),
                         overlay: TextStyle(attributes: .reverse))
        case .none:
            return Theme(title: TextStyle(attributes: .bold), text: .plain, dim: .plain,
                         accent: TextStyle(attributes: .bold), warning: TextStyle(attributes: .bold),
                         hole: .terminalDefault, trainSeries: .plain, evalSeries: TextStyle(attributes: .bold),
                         overlay: TextStyle(attributes: .reverse))
        }
    }
}
