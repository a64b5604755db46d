import Foundation

/// A brush position in pixel units (pixel centres at row + 0.5, column + 0.5), the last one of a drag.
public struct BrushPoint: Sendable, Equatable {
    public var row: Float
    public var column: Float
    public init(row: Float, column: Float) { self.row = row; self.column = column }
}

/// The brushes of the brush and draw modes (`m`).
///
/// Draw mode inks like an MNIST digit. Measured on the first 1,000 MNIST test digits: the brightest pixel
/// is 1.0 (mean 0.9996), a row crosses a stroke in a run of 3 pixels ≥ 0.5 (median; mean 3.73), and 48 % of
/// the ink (pixels ≥ 0.1) is ≥ 0.9, the rest the soft edge. A dab is 1.0 within `inkCore` pixels of its
/// centre and falls off as a Gaussian (σ = `inkEdge`) beyond; ink is the maximum of the dabs, never their
/// sum, so going over a stroke again does not widen it. With these values straight strokes at random angles
/// give runs of 3 (median; mean 3.66) and 48 % of the ink ≥ 0.9 (`BrushTests` checks the same statistics).
/// A drag dabs every half pixel along the way from its last position, so a fast drag draws a line, not dots.
enum Brush {
    static let inkCore: Float = 0.8
    static let inkEdge: Float = 0.55
    /// Beyond this distance a dab adds less than 0.04.
    static let inkRadius: Float = 2.2
    /// The hole brush's radius (brush mode).
    static let holeRadius: Float = 1.6
    /// Dabs along a drag are at most this far apart (pixels).
    static let spacing: Float = 0.5

    /// The ink of a draw-mode dab at squared distance `d2` (pixels²) from its centre, in [0, 1].
    static func ink(distanceSquared d2: Float) -> Float {
        let d = d2.squareRoot()
        guard d > inkCore else { return 1 }
        let edge = (d - inkCore) / inkEdge
        return exp(-edge * edge / 2)
    }

    /// The dab centres from `last` (the drag's previous position, nil at its start) to `point`, `point` included.
    static func centres(from last: BrushPoint?, to point: BrushPoint) -> [BrushPoint] {
        guard let last else { return [point] }
        let dr = point.row - last.row, dc = point.column - last.column
        let steps = Int((max(abs(dr), abs(dc)) / spacing).rounded(.up))
        guard steps > 0 else { return [point] }
        return (1...steps).map { i in
            let t = Float(i) / Float(steps)
            return BrushPoint(row: last.row + dr * t, column: last.column + dc * t)
        }
    }
}

/// The dab centres of the drag's stroke up to `centre`, remembering `centre` as its last position.
func strokeCentres(_ state: inout AppState, to centre: (row: Float, column: Float)) -> [(row: Float, column: Float)] {
    let point = BrushPoint(row: centre.row, column: centre.column)
    let points = Brush.centres(from: state.drag?.lastBrush, to: point)
    state.drag?.lastBrush = point
    return points.map { ($0.row, $0.column) }
}
