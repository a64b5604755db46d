/// A text picture of a cell buffer for golden-file tests and for reading a screen in a bug report.
///
/// First the characters, one line per row; then, after a `--- colours` line, each row's colours run-length
/// encoded as `fg/bg[attrs]×count` (`d` = terminal default, numbers = xterm-256 indices, attrs b r d u).
public func snapshotText(_ buffer: CellBuffer) -> String {
    var out = ""
    for y in 0..<buffer.height {
        var line = ""
        for x in 0..<buffer.width { line.unicodeScalars.append(buffer[x, y].character) }
        out += line + "\n"
    }
    out += "--- colours\n"
    for y in 0..<buffer.height {
        var runs: [String] = []
        var current: String? = nil
        var count = 0
        for x in 0..<buffer.width {
            let key = styleKey(buffer[x, y])
            if key == current { count += 1; continue }
            if let current { runs.append("\(current)×\(count)") }
            current = key
            count = 1
        }
        if let current { runs.append("\(current)×\(count)") }
        out += "\(y): " + runs.joined(separator: " ") + "\n"
    }
    return out
}

private func styleKey(_ cell: Cell) -> String {
    func colour(_ c: TerminalColor) -> String {
        switch c { case .terminalDefault: return "d"; case .index(let i): return "\(i)" }
    }
    var attrs = ""
    if cell.attributes.contains(.bold) { attrs += "b" }
    if cell.attributes.contains(.reverse) { attrs += "r" }
    if cell.attributes.contains(.dim) { attrs += "d" }
    if cell.attributes.contains(.underline) { attrs += "u" }
    return colour(cell.foreground) + "/" + colour(cell.background) + (attrs.isEmpty ? "" : "[\(attrs)]")
}
