/// A width×height grid of cells: what one frame of the screen should look like.
///
/// Views draw into it; `AnsiFrameEncoder` compares it with the previous frame and sends only the cells
/// that changed.
public struct CellBuffer: Equatable, Sendable {
    public let width: Int
    public let height: Int
    /// Row-major: cell (x, y) is `cells[y * width + x]`.
    public private(set) var cells: [Cell]
    /// ASCII only (`RenderStyle.ascii`): every character written is spelled in ASCII (`AsciiFallback`), so a
    /// widget needs no second spelling of its texts and nothing non-ASCII slips through from another target.
    public var asciiOnly = false

    public init(width: Int, height: Int, fill: Cell = .blank) {
        precondition(width >= 0 && height >= 0, "negative buffer size \(width)×\(height)")
        self.width = width
        self.height = height
        self.cells = [Cell](repeating: fill, count: width * height)
    }

    /// Out-of-range reads give a blank cell and writes are dropped, so widgets can clip by construction.
    public subscript(x: Int, y: Int) -> Cell {
        get { contains(x: x, y: y) ? cells[y * width + x] : .blank }
        set {
            guard contains(x: x, y: y) else { return }
            var cell = newValue
            if asciiOnly && !cell.character.isASCII { cell.character = AsciiFallback.scalar(cell.character) }
            cells[y * width + x] = cell
        }
    }

    public func contains(x: Int, y: Int) -> Bool { x >= 0 && y >= 0 && x < width && y < height }

    /// Writes `text` from (x, y) to the right, one scalar per cell, clipped at `maxWidth` and the edge.
    /// Returns the column after the last cell written.
    @discardableResult
    public mutating func put(_ text: String, x: Int, y: Int, style: TextStyle = .plain,
                             maxWidth: Int = Int.max) -> Int {
        var column = x
        for scalar in (asciiOnly ? AsciiFallback.text(text) : text).unicodeScalars {
            if column - x >= maxWidth { break }
            self[column, y] = Cell(scalar, foreground: style.foreground, background: style.background,
                                   attributes: style.attributes)
            column += 1
        }
        return column
    }

    /// Fills the rectangle with `cell`, clipped to the buffer.
    public mutating func fill(x: Int, y: Int, width w: Int, height h: Int, with cell: Cell) {
        var cell = cell
        if asciiOnly { cell.character = AsciiFallback.scalar(cell.character) }
        for row in max(0, y)..<max(max(0, y), min(height, y + h)) {
            for column in max(0, x)..<max(max(0, x), min(width, x + w)) { cells[row * width + column] = cell }
        }
    }
}
