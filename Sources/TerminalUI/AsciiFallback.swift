/// ASCII spellings of the few non-ASCII characters the UI's texts use, for terminals whose locale is not
/// UTF-8 (and `--ascii`): there a '×' would arrive as two bytes the terminal shows as two junk characters.
///
/// `CellBuffer.put` spells every text through `text(_:)` when the buffer is ASCII-only, so the messages of
/// other targets (a notice with '…', an experiment's description with 'λ') are covered too; a character
/// without an entry becomes '?'. Single cells (`scalar(_:)`) take the first character of the spelling.
public enum AsciiFallback {
    static let spellings: [Unicode.Scalar: String] = [
        "×": "x", "—": "-", "–": "-", "−": "-", "…": "...", "·": ".", "•": "*", "→": "->", "←": "<-",
        "↑": "^", "↓": "v", "≥": ">=", "≤": "<=", "≈": "~", "±": "+-", "λ": "lambda", "µ": "u", "°": "deg",
        "²": "2", "‘": "'", "’": "'", "“": "\"", "”": "\"", "▏": "|", "▀": "\"", "▄": "_", "█": "#",
        "é": "e", "ä": "a", "ö": "o", "ü": "u",
        "∂": "d", "Σ": "sum ", "╋": "+",
    ]

    /// `text` with every non-ASCII scalar spelled in ASCII.
    public static func text(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { !$0.isASCII }) else { return text }
        var out = ""
        out.unicodeScalars.reserveCapacity(text.unicodeScalars.count)
        for scalar in text.unicodeScalars {
            if scalar.isASCII { out.unicodeScalars.append(scalar) } else { out += spellings[scalar] ?? "?" }
        }
        return out
    }

    /// One cell's worth: the scalar itself if ASCII, else the first character of its spelling, else '?'.
    public static func scalar(_ scalar: Unicode.Scalar) -> Unicode.Scalar {
        if scalar.isASCII { return scalar }
        return spellings[scalar]?.unicodeScalars.first ?? "?"
    }
}
