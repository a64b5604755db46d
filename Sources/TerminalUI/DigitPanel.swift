import Datasets
import Inpainting

/// Draws a 28×28 digit into a cell buffer, resampled to `side`×`side` pixels.
///
/// With half blocks each cell shows two pixels stacked vertically: '▀' with the foreground set to the upper
/// pixel and the background to the lower one, so a digit of side N takes N columns × N/2 rows (28×14 at
/// scale 1, 56×28 at scale 2). In the ASCII fallback a cell shows the mean of its two pixels as one ramp
/// character. Sides that are not a multiple of 28 (1.5× = 42 on a big screen, 18 to fit four panels in
/// 80×24) are resampled by area: each output pixel is the mean of the source pixels it covers, weighted by
/// how much of it each covers (`DigitResampling`), so a whole scale repeats pixels exactly and a fraction
/// blends at most two neighbours per axis.
public struct DigitPanel: Sendable {
    /// [784] grey levels in [0, 1], row-major.
    public var pixels: [Float]
    /// [784] mask (1 known, 0 hole) whose hole is tinted; nil draws the digit as it is.
    public var holeMask: [Float]?
    /// Pixels per side after resampling (even, at least 2): 28 × scale.
    public var side: Int

    public init(pixels: [Float], holeMask: [Float]? = nil, side: Int = Digit.side) {
        precondition(pixels.count == Digit.pixels, "digit has \(pixels.count) pixels, expected 784")
        precondition(holeMask == nil || holeMask!.count == Digit.pixels, "mask must have 784 entries")
        precondition(side >= 2 && side % 2 == 0, "side must be even and at least 2, found \(side)")
        self.pixels = pixels
        self.holeMask = holeMask
        self.side = side
    }

    public init(pixels: [Float], holeMask: [Float]? = nil, scale: Int) {
        precondition(scale >= 1, "scale must be at least 1")
        self.init(pixels: pixels, holeMask: holeMask, side: Digit.side * scale)
    }

    /// Cells covered by a digit of `side` pixels: side columns × side/2 rows.
    public static func size(side: Int) -> (width: Int, height: Int) { (side, side / 2) }
    public static func size(scale: Int) -> (width: Int, height: Int) { size(side: Digit.side * scale) }

    public func draw(into buffer: inout CellBuffer, x: Int, y: Int, style: RenderStyle, theme: Theme) {
        let (width, height) = DigitPanel.size(side: side)
        let shown = DigitResampling.resample(pixels, side: side)
        // A pixel is drawn as hole when most of what it covers is hole.
        let hole = holeMask.map { DigitResampling.resample($0, side: side).map { $0 < 0.5 } }
        for cy in 0..<height {
            for cx in 0..<width {
                let upper = (2 * cy) * side + cx, lower = upper + side
                let upperHole = hole?[upper] ?? false, lowerHole = hole?[lower] ?? false
                if style.ascii {
                    // '/' is not on the ramp, so the hole reads as a hole and not as ink.
                    buffer[x + cx, y + cy] = upperHole || lowerHole
                        ? Cell("/", attributes: style.colorDepth == .none ? [] : [.dim])
                        : Cell(AsciiRamp.character(for: (shown[upper] + shown[lower]) / 2))
                } else {
                    buffer[x + cx, y + cy] = Cell("▀", foreground: upperHole ? theme.hole : GrayPalette.color(for: shown[upper]),
                                                  background: lowerHole ? theme.hole : GrayPalette.color(for: shown[lower]))
                }
            }
        }
    }

    /// The digit pixels under cell (cx, cy) of a panel of `side` pixels, relative to the panel's top-left
    /// corner: every source row and column the cell's two half-cells cover (one row and column at scale 1
    /// and up; two or three when the digit is shrunk). Nil outside the panel.
    public static func pixels(atCellX cx: Int, cellY cy: Int, side: Int) -> (rows: ClosedRange<Int>, columns: ClosedRange<Int>)? {
        let (width, height) = size(side: side)
        guard cx >= 0, cy >= 0, cx < width, cy < height else { return nil }
        return (DigitResampling.sourceRange(2 * cy, count: 2, side: side),
                DigitResampling.sourceRange(cx, count: 1, side: side))
    }

    /// The point of the digit, in source pixels (row, column; centres at +0.5), at the middle of the lower
    /// half of cell (cx, cy): where a brush stroke through that cell lands.
    public static func brushCentre(cellX cx: Int, cellY cy: Int, side: Int) -> (row: Float, column: Float) {
        let perCell = Float(Digit.side) / Float(side)
        return (Float(2 * cy + 1) * perCell, (Float(cx) + 0.5) * perCell)
    }
}

/// Area resampling of a 28×28 digit to side×side: output pixel i of `side` spans source coordinates
/// [28i/side, 28(i+1)/side), and its value is the mean of the source pixels under that span weighted by
/// overlap. Separable (rows, then columns). Weights are exact ratios of integers, so a whole scale copies
/// each source value unchanged and the snapshots at scales 1, 2, 3 are the plain repeated pixels.
public enum DigitResampling {
    /// For each of the `side` output positions along one axis: the source indices it covers and their weights
    /// (summing to 1).
    static func weights(side: Int) -> [[(index: Int, weight: Float)]] {
        // In units of 1/side of a source pixel: output i covers [28i, 28i + 28), source j covers [side·j, side·j + side).
        (0..<side).map { i in
            let start = Digit.side * i, end = start + Digit.side
            return (start / side...(end - 1) / side).map { j in
                let overlap = min(end, side * (j + 1)) - max(start, side * j)
                return (j, Float(overlap) / Float(Digit.side))
            }
        }
    }

    /// [784] → [side·side], row-major.
    public static func resample(_ pixels: [Float], side: Int) -> [Float] {
        if side == Digit.side { return pixels }
        let w = weights(side: side)
        // Columns first: [28 rows, side columns].
        var wide = [Float](repeating: 0, count: Digit.side * side)
        for r in 0..<Digit.side {
            for (c, taps) in w.enumerated() {
                var sum: Float = 0
                for tap in taps { sum += tap.weight * pixels[r * Digit.side + tap.index] }
                wide[r * side + c] = sum
            }
        }
        var out = [Float](repeating: 0, count: side * side)
        for (r, taps) in w.enumerated() {
            for c in 0..<side {
                var sum: Float = 0
                for tap in taps { sum += tap.weight * wide[tap.index * side + c] }
                out[r * side + c] = sum
            }
        }
        return out
    }

    /// The source pixels that `count` consecutive output positions from `first` cover along one axis.
    public static func sourceRange(_ first: Int, count: Int, side: Int) -> ClosedRange<Int> {
        let start = Digit.side * first, end = Digit.side * (first + count)
        return (start / side)...((end - 1) / side)
    }
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
