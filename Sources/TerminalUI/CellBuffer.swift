/// A width×height grid of cells: what one frame of the screen should look like.
///
/// Views draw into it; the driver compares it with the previous frame and writes only the changed runs,
/// which is what keeps a drag frame to a few hundred bytes.
public struct CellBuffer: Equatable, Sendable {
    public let width: Int
    public let height: Int
    /// Row-major: cell (x, y) is `cells[y * width + x]`.
    public private(set) var cells: [Cell]

    public init(width: Int, height: Int, fill: Cell = .blank) {
        precondition(width >= 0 && height >= 0, "negative buffer size \(width)×\(height)")
        self.width = width
        self.height = height
        self.cells = [Cell](repeating: fill, count: width * height)
    }

    /// Out-of-range reads give a blank cell and writes are dropped, so widgets can clip by construction.
    public subscript(x: Int, y: Int) -> Cell {
        get { contains(x: x, y: y) ? cells[y * width + x] : .blank }
        set { if contains(x: x, y: y) { cells[y * width + x] = newValue } }
    }

    public func contains(x: Int, y: Int) -> Bool { x >= 0 && y >= 0 && x < width && y < height }

    /// Writes `text` from (x, y) to the right, one scalar per cell, clipped at `maxWidth` and the edge.
    /// Returns the column after the last cell written.
    @discardableResult
    public mutating func put(_ text: String, x: Int, y: Int, style: TextStyle = .plain,
                             maxWidth: Int = Int.max) -> Int {
        var column = x
        for scalar in text.unicodeScalars {
            if column - x >= maxWidth { break }
            self[column, y] = Cell(scalar, foreground: style.foreground, background: style.background,
                                   attributes: style.attributes)
            column += 1
        }
        return column
    }

    /// Fills the rectangle with `cell`, clipped to the buffer.
    public mutating func fill(x: Int, y: Int, width w: Int, height h: Int, with cell: Cell) {
        for row in max(0, y)..<max(max(0, y), min(height, y + h)) {
            for column in max(0, x)..<max(max(0, x), min(width, x + w)) { cells[row * width + column] = cell }
        }
    }

    /// A horizontal run of cells that differ from the previous frame.
    public struct Run: Equatable, Sendable {
        public var x: Int
        public var y: Int
        public var cells: [Cell]
    }

    /// The runs of cells in `self` that differ from `previous`, row by row, left to right.
    ///
    /// Unchanged gaps of at most `bridge` cells are folded into the run: rewriting two same cells costs
    /// fewer bytes than the cursor-movement sequence that would skip them (`ESC[row;colH` is 6–8 bytes).
    /// A `previous` of another size (or nil) means every cell changed.
    public func changes(since previous: CellBuffer?, bridge: Int = 3) -> [Run] {
        guard let previous, previous.width == width, previous.height == height else {
            return (0..<height).map { y in Run(x: 0, y: y, cells: Array(cells[y * width..<(y + 1) * width])) }
        }
        var runs: [Run] = []
        for y in 0..<height {
            let base = y * width
            var x = 0
            while x < width {
                if cells[base + x] == previous.cells[base + x] { x += 1; continue }
                let start = x
                var end = x + 1   // one past the last changed cell
                var probe = end
                while probe < width {
                    if cells[base + probe] != previous.cells[base + probe] {
                        end = probe + 1
                    } else if probe - end >= bridge {
                        break
                    }
                    probe += 1
                }
                runs.append(Run(x: start, y: y, cells: Array(cells[base + start..<base + end])))
                x = end
            }
        }
        return runs
    }
}
