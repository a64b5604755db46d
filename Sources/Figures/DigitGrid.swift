import Datasets

/// A figure: a grid of digits with optional captions, row labels and title, rendered to an RGB PNG.
///
/// Digits are drawn as MNIST stores them (white ink on black), each pixel a `scale`×`scale` block; a
/// cell may carry a mask, whose hole is tinted red so the reader sees where the network had to fill in.
public struct DigitGrid: Sendable {
    public struct Cell: Sendable {
        /// [side·side] grey levels in [0, 1].
        public var pixels: [Float]
        public var caption: String?
        /// [side·side], 1 known, 0 hole; nil draws no tint.
        public var mask: [Float]?

        public init(pixels: [Float], caption: String? = nil, mask: [Float]? = nil) {
            self.pixels = pixels; self.caption = caption; self.mask = mask
        }
    }

    public var columns: Int
    public var cells: [Cell]
    public var side: Int = Digit.side
    /// Screen pixels per digit pixel (3 makes 84×84 digits: readable in any viewer).
    public var scale: Int = 3
    public var title: String?
    /// One label per row, drawn to the left of the row.
    public var rowLabels: [String]?

    public init(columns: Int, cells: [Cell], title: String? = nil, rowLabels: [String]? = nil, scale: Int = 3) {
        precondition(columns > 0 && scale > 0, "a grid needs at least one column and a positive scale")
        self.columns = columns; self.cells = cells; self.title = title; self.rowLabels = rowLabels
        self.scale = scale
    }

    public var rows: Int { max(1, (cells.count + columns - 1) / columns) }

    static let background: [UInt8] = [255, 255, 255]
    static let ink: [UInt8] = [0, 0, 0]
    static let holeTint: [Float] = [1, 0.25, 0.25]
    static let margin = 6
    static let gap = 4

    /// Renders the grid.
    public func render() -> PNGImage {
        let cellSize = side * scale
        let font = BitmapFont.glyphHeight
        let hasCaptions = cells.contains { $0.caption?.isEmpty == false }
        let captionHeight = hasCaptions ? font + 3 : 0
        let labelWidth = (rowLabels ?? []).map { BitmapFont.width(of: $0) }.max().map { $0 + Self.gap } ?? 0
        let titleHeight = title == nil ? 0 : 2 * font + 6
        let gridWidth = columns * cellSize + (columns - 1) * Self.gap
        let width = 2 * Self.margin + labelWidth + max(gridWidth, title.map { BitmapFont.width(of: $0, scale: 2) } ?? 0)
        let rowHeight = cellSize + captionHeight
        let height = 2 * Self.margin + titleHeight + rows * rowHeight + (rows - 1) * Self.gap
        var image = PNGImage(width: width, height: height, channels: 3, fill: Self.background)

        if let title { BitmapFont.draw(title, into: &image, x: Self.margin, y: Self.margin, colour: Self.ink, scale: 2) }
        let top = Self.margin + titleHeight
        for row in 0..<rows {
            let y0 = top + row * (rowHeight + Self.gap)
            if let labels = rowLabels, row < labels.count {
                BitmapFont.draw(labels[row], into: &image, x: Self.margin, y: y0 + (cellSize - font) / 2, colour: Self.ink)
            }
            for column in 0..<columns {
                let index = row * columns + column
                guard index < cells.count else { break }
                let x0 = Self.margin + labelWidth + column * (cellSize + Self.gap)
                draw(cells[index], into: &image, x: x0, y: y0)
                if let caption = cells[index].caption {
                    let cx = x0 + max(0, (cellSize - BitmapFont.width(of: caption)) / 2)
                    BitmapFont.draw(caption, into: &image, x: cx, y: y0 + cellSize + 2, colour: Self.ink)
                }
            }
        }
        return image
    }

    private func draw(_ cell: Cell, into image: inout PNGImage, x: Int, y: Int) {
        precondition(cell.pixels.count == side * side, "a cell needs \(side * side) pixels")
        precondition(cell.mask.map { $0.count == side * side } ?? true, "a cell's mask needs \(side * side) values")
        for r in 0..<side {
            for c in 0..<side {
                let v = min(max(cell.pixels[r * side + c], 0), 1)
                var rgb: [Float] = [v, v, v]
                if let mask = cell.mask, mask[r * side + c] == 0 {
                    // Blend 35 % towards red: dark holes read as dark red, filled ink as pink.
                    rgb = zip(rgb, Self.holeTint).map { 0.65 * $0 + 0.35 * $1 }
                }
                let colour = rgb.map { UInt8(($0 * 255).rounded()) }
                for dy in 0..<scale {
                    for dx in 0..<scale { image.set(x: x + c * scale + dx, y: y + r * scale + dy, colour) }
                }
            }
        }
    }
}
