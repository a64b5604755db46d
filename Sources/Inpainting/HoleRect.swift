import Datasets
import NeuralCore

/// An axis-aligned rectangular hole: rows `top ..< top+height`, columns `left ..< left+width`.
///
/// Mask convention (used everywhere in the project): `M = 1` for known pixels, `0` for the hole; the
/// network's input is `x ⊙ M`.
public struct HoleRect: Sendable, Equatable, Hashable, Codable {
    public var top: Int
    public var left: Int
    public var height: Int
    public var width: Int

    public init(top: Int, left: Int, height: Int, width: Int) {
        self.top = top; self.left = left; self.height = height; self.width = width
    }

    public var area: Int { height * width }

    /// True when the rectangle is non-empty and lies inside a side×side image.
    /// Compares by subtraction, never `top + height`, so that a masks file's `9223372036854775807` is
    /// refused instead of overflowing.
    public func fits(side: Int = Digit.side) -> Bool {
        height > 0 && width > 0 && top >= 0 && left >= 0 && top < side && left < side
            && height <= side - top && width <= side - left
    }

    public func contains(row: Int, column: Int) -> Bool {
        row >= top && row < top + height && column >= left && column < left + width
    }

    /// The mask M for this hole: [side·side], 1 outside the rectangle, 0 inside.
    public func mask(side: Int = Digit.side) -> [Float] {
        var m = [Float](repeating: 1, count: side * side)
        for r in max(0, top)..<min(side, top + height) {
            for c in max(0, left)..<min(side, left + width) { m[r * side + c] = 0 }
        }
        return m
    }
}
