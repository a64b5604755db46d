import Datasets
import NeuralCore

#if canImport(Glibc)
import Glibc
#endif

/// Free-form holes as random thick polylines, after DeepFill v2's training masks (Yu et al., ICCV 2019,
/// "Free-Form Image Inpainting with Gated Convolution", the `brush_stroke_mask` of their code), scaled
/// from 256×256 to 28×28 and held to the same hole area as the report's rectangles.
///
/// Exact procedure: draw a target area T uniformly from `minArea…maxArea`. Then paint strokes until the
/// hole reaches T: each stroke starts at a uniform point of the image with a brush width uniform in
/// `minWidth…maxWidth` pixels and up to `4…maxVertices` vertices (DeepFill v2's 4…12); each segment turns
/// by `meanAngle ± angleRange` (DeepFill v2's 2π/5 ± 2π/15, alternating sides) and is
/// `normal(r, r/2)` long, clipped to `[0, 2r]`, with `r = √(2·side²)/8` (their average radius rule), its
/// end clipped to the image. A pixel is in the hole when its centre lies within width/2 of a segment
/// (a capsule: round caps and joints, like their circles at vertices). Painting stops as soon as the
/// area reaches T; a hole that overshoots `maxArea` is thrown away and drawn again.
public struct StrokeHoleSampler: Sendable, Equatable {
    public var side: Int = Digit.side
    public var minArea: Int = 98
    public var maxArea: Int = 196
    /// Brush widths in pixels: DeepFill v2's 12…40 of 256 scaled to 28 is 1.3…4.4; 2…4 keeps strokes
    /// at least as thick as a pen line of MNIST (our choice).
    public var minWidth: Double = 2
    public var maxWidth: Double = 4
    public var maxVertices: Int = 12
    public var meanAngle: Double = 2 * Double.pi / 5
    public var angleRange: Double = 2 * Double.pi / 15

    public init() {}

    /// A mask [side·side]: 1 known, 0 hole, with `minArea ≤ hole pixels ≤ maxArea`.
    public func sample(using rng: inout SeededGenerator) -> [Float] {
        precondition(minArea > 0 && minArea <= maxArea && maxArea < side * side, "bad stroke sampler area bounds")
        precondition(minWidth > 0 && minWidth <= maxWidth && maxVertices >= 4, "bad stroke sampler brush")
        // Overshoot past maxArea needs one segment to add more than maxArea − T pixels; with the defaults
        // a redraw is needed in a few percent of draws, so 10,000 failures mean impossible parameters.
        for _ in 0..<10_000 {
            if let mask = attempt(&rng) { return mask }
        }
        preconditionFailure("stroke sampler cannot reach \(minArea)…\(maxArea) hole pixels with these brushes")
    }

    private func attempt(_ rng: inout SeededGenerator) -> [Float]? {
        let target = minArea + rng.index(below: maxArea - minArea + 1)
        var hole = [Bool](repeating: false, count: side * side)
        var area = 0
        let s = Double(side)
        let averageRadius = (2 * s * s).squareRoot() / 8
        while area < target {
            let width = minWidth + (maxWidth - minWidth) * unit(&rng)
            let vertices = 4 + rng.index(below: maxVertices - 4 + 1)
            var x = s * unit(&rng), y = s * unit(&rng)
            var heading = 2 * Double.pi * unit(&rng)
            for j in 0..<vertices where area < target {
                let turn = meanAngle - angleRange + 2 * angleRange * unit(&rng)
                heading += j % 2 == 0 ? turn : -turn
                let length = min(max(averageRadius + averageRadius / 2 * normal(&rng), 0), 2 * averageRadius)
                let nx = min(max(x + length * cos(heading), 0), s)
                let ny = min(max(y + length * sin(heading), 0), s)
                area += paintCapsule(&hole, from: (x, y), to: (nx, ny), radius: width / 2)
                x = nx; y = ny
            }
        }
        guard area <= maxArea else { return nil }
        return hole.map { $0 ? 0 : 1 }
    }

    /// Marks every pixel whose centre is within `radius` of the segment; returns how many were new.
    private func paintCapsule(_ hole: inout [Bool], from a: (Double, Double), to b: (Double, Double),
                              radius: Double) -> Int {
        let (ax, ay) = a, (bx, by) = b
        let dx = bx - ax, dy = by - ay
        let lengthSquared = dx * dx + dy * dy
        let rowLow = max(0, Int((min(ay, by) - radius).rounded(.down)))
        let rowHigh = min(side - 1, Int((max(ay, by) + radius).rounded(.up)))
        let colLow = max(0, Int((min(ax, bx) - radius).rounded(.down)))
        let colHigh = min(side - 1, Int((max(ax, bx) + radius).rounded(.up)))
        guard rowLow <= rowHigh, colLow <= colHigh else { return 0 }
        var added = 0
        for r in rowLow...rowHigh {
            for c in colLow...colHigh where !hole[r * side + c] {
                let px = Double(c) + 0.5, py = Double(r) + 0.5
                let t = lengthSquared > 0 ? min(max(((px - ax) * dx + (py - ay) * dy) / lengthSquared, 0), 1) : 0
                let ex = px - (ax + t * dx), ey = py - (ay + t * dy)
                if ex * ex + ey * ey <= radius * radius {
                    hole[r * side + c] = true
                    added += 1
                }
            }
        }
        return added
    }

    @inline(__always) private func unit(_ rng: inout SeededGenerator) -> Double {
        Double(rng.next() >> 11) * 0x1.0p-53
    }

    @inline(__always) private func normal(_ rng: inout SeededGenerator) -> Double { Double(rng.normal()) }
}
