import Datasets
import Inpainting

/// Draws a 28×28 digit into a cell buffer.
///
/// With half blocks each cell shows two pixels stacked vertically: '▀' with the foreground set to the upper
/// pixel and the background to the lower one, so a digit takes 28×14 cells at scale 1 and 28s×14s at scale s
/// (each pixel s columns wide and s half-rows tall). In the ASCII fallback a cell shows the mean of its two
/// pixels as one ramp character.
public struct DigitPanel: Sendable {
    /// [784] grey levels in [0, 1], row-major.
    public var pixels: [Float]
    /// [784] mask (1 known, 0 hole) whose hole is tinted; nil draws the digit as it is.
    public var holeMask: [Float]?
    public var scale: Int

    public init(pixels: [Float], holeMask: [Float]? = nil, scale: Int = 1) {
        precondition(pixels.count == Digit.pixels, "digit has \(pixels.count) pixels, expected 784")
        precondition(holeMask == nil || holeMask!.count == Digit.pixels, "mask must have 784 entries")
        precondition(scale >= 1, "scale must be at least 1")
        self.pixels = pixels
        self.holeMask = holeMask
        self.scale = scale
    }

    /// Cells covered at a given scale: 28s columns × 14s rows.
    public static func size(scale: Int) -> (width: Int, height: Int) { (Digit.side * scale, Digit.side / 2 * scale) }

    public func draw(into buffer: inout CellBuffer, x: Int, y: Int, style: RenderStyle, theme: Theme) {
        let (width, height) = DigitPanel.size(scale: scale)
        for cy in 0..<height {
            let upperRow = (2 * cy) / scale, lowerRow = (2 * cy + 1) / scale
            for cx in 0..<width {
                let column = cx / scale
                let upper = upperRow * Digit.side + column, lower = lowerRow * Digit.side + column
                let upperHole = holeMask.map { $0[upper] < 0.5 } ?? false
                let lowerHole = holeMask.map { $0[lower] < 0.5 } ?? false
                buffer[x + cx, y + cy] = style.ascii
                    ? asciiCell(upper: upper, lower: lower, hole: upperHole || lowerHole, style: style)
                    : Cell("▀", foreground: upperHole ? theme.hole : GrayPalette.color(for: pixels[upper]),
                           background: lowerHole ? theme.hole : GrayPalette.color(for: pixels[lower]))
            }
        }
    }

    private func asciiCell(upper: Int, lower: Int, hole: Bool, style: RenderStyle) -> Cell {
        if hole {
            // '/' is not on the ramp, so the hole reads as a hole and not as ink.
            return Cell("/", attributes: style.colorDepth == .none ? [] : [.dim])
        }
        return Cell(AsciiRamp.character(for: (pixels[upper] + pixels[lower]) / 2))
    }

    /// The pixel under cell (cx, cy) relative to the panel's top-left corner, or nil outside the panel.
    /// The row is the upper of the cell's two pixel rows (a mouse reports cells, not half cells).
    public static func pixel(atCellX cx: Int, cellY cy: Int, scale: Int) -> (row: Int, column: Int)? {
        let (width, height) = size(scale: scale)
        guard cx >= 0, cy >= 0, cx < width, cy < height else { return nil }
        return ((2 * cy) / scale, cx / scale)
    }

    /// The last pixel row that cell row `cy` shows (its lower half).
    public static func lowerPixelRow(cellY cy: Int, scale: Int) -> Int { (2 * cy + 1) / scale }
}

/// A heat colour for the error panel: dark (no error) to bright red-yellow (large error), from the
/// xterm-256 cube's red ramp.
public enum HeatPalette {
    static let indices: [UInt8] = [16, 52, 88, 124, 160, 196, 202, 208, 214, 220, 226]

    public static func color(for value: Float) -> TerminalColor {
        let clamped = min(max(value, 0), 1)
        return .index(indices[min(indices.count - 1, Int(clamped * Float(indices.count)))])
    }
}
