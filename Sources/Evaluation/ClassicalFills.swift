import Datasets
import Inpainting

/// The classical baselines that issue 4 §2 sets beside the context encoder. Every fill takes an image and
/// a mask, both [side·side] row-major (mask 1 = known, 0 = hole), and returns a full image whose known
/// pixels equal the input's exactly; only hole pixels are computed.
///
/// Border handling for the PDE fills: the Laplacian is the 4-neighbour one with half-sample reflection at
/// the image border (scipy.ndimage's `mode='reflect'`), i.e. a zero normal derivative there; in a row of
/// the system a neighbour outside the image simply does not appear. The biharmonic fill uses the square
/// of that Laplacian, which is exactly the 13-point stencil skimage's `inpaint_biharmonic` builds (it
/// applies `scipy.ndimage.laplace` twice to a unit impulse with reflection), including its border rows;
/// like skimage it clips the result to the range of the known pixels.
public enum ClassicalFill: Sendable, Equatable, Hashable {
    /// Hole pixels become 0 (the network's own input, x ⊙ M).
    case zero
    /// Hole pixels take the mean training image's values ([side·side]).
    case mean([Float])
    /// ∇²u = 0 in the hole, known pixels as Dirichlet data: the smoothest membrane.
    case harmonic
    /// ∇⁴u = 0 in the hole (thin plate), as skimage.restoration.inpaint_biharmonic.
    case biharmonic
    /// Telea (2004) fast-marching fill, as OpenCV's `INPAINT_TELEA`; radius in pixels (OpenCV's
    /// `inpaintRadius`, 3 by default here as in OpenCV's samples).
    case telea(radius: Int)

    /// The five fills of the evaluation table, in the table's order.
    public static func all(meanImage: [Float]) -> [ClassicalFill] {
        [.zero, .mean(meanImage), .harmonic, .biharmonic, .telea(radius: 3)]
    }

    /// A short name for tables and the UI.
    public var name: String {
        switch self {
        case .zero: "zero"
        case .mean: "mean image"
        case .harmonic: "harmonic"
        case .biharmonic: "biharmonic"
        case .telea: "telea"
        }
    }

    /// image, mask: [side·side] → [side·side]. If the mask has no known pixel at all, the PDE fills are
    /// undetermined and return zeros in the hole.
    public func fill(_ image: [Float], mask: [Float], side: Int = Digit.side) -> [Float] {
        precondition(image.count == side * side && mask.count == side * side,
                     "fills expect \(side)×\(side) image and mask, got \(image.count) and \(mask.count)")
        switch self {
        case .zero:
            return zip(image, mask).map { $1 == 0 ? 0 : $0 }
        case .mean(let meanImage):
            precondition(meanImage.count == side * side, "mean image must have \(side * side) pixels")
            return (0..<image.count).map { mask[$0] == 0 ? meanImage[$0] : image[$0] }
        case .harmonic:
            return PoissonFill.solve(image, mask: mask, side: side, order: 1)
        case .biharmonic:
            return PoissonFill.solve(image, mask: mask, side: side, order: 2)
        case .telea(let radius):
            return TeleaFill.fill(image, mask: mask, side: side, radius: radius)
        }
    }
}

/// The linear PDE fills: (−L)^order u = 0 on the hole with L the reflecting 4-neighbour Laplacian.
/// The system matrix is the principal submatrix of the symmetric positive semi-definite (−L)^order on the
/// hole's rows and columns, positive definite as soon as one pixel is known, so a Cholesky solve is exact.
enum PoissonFill {
    static func solve(_ image: [Float], mask: [Float], side: Int, order: Int) -> [Float] {
        var unknownIndex = [Int](repeating: -1, count: side * side)
        var holes: [Int] = []
        for p in 0..<(side * side) where mask[p] == 0 {
            unknownIndex[p] = holes.count
            holes.append(p)
        }
        var out = image
        if holes.isEmpty { return out }
        guard holes.count < side * side else {
            for p in holes { out[p] = 0 }
            return out
        }
        // Row-major unknowns: coupled pixels are at most `order` rows apart, so their unknown indices
        // differ by at most the number of unknowns between them.
        var bandwidth = 0
        var rows: [[(pixel: Int, coefficient: Double)]] = []
        rows.reserveCapacity(holes.count)
        for p in holes {
            let row = stencilRow(pixel: p, side: side, order: order)
            for (q, _) in row where unknownIndex[q] >= 0 {
                bandwidth = max(bandwidth, abs(unknownIndex[q] - unknownIndex[p]))
            }
            rows.append(row)
        }
        var system = BandedCholesky(n: holes.count, bandwidth: bandwidth)
        var rhs = [Double](repeating: 0, count: holes.count)
        for (i, row) in rows.enumerated() {
            for (q, c) in row {
                let j = unknownIndex[q]
                if j < 0 {
                    rhs[i] -= c * Double(image[q])
                } else if j <= i {
                    system.add(c, row: i, column: j)
                }
            }
        }
        guard let u = system.solve(rhs) else {
            preconditionFailure("Poisson fill system not positive definite although a pixel is known")
        }
        // Like skimage, clip to the range of the known pixels: the thin plate overshoots near strokes
        // (the membrane cannot, by the maximum principle, so for it this changes nothing).
        var low = Float.infinity, high = -Float.infinity
        for p in 0..<(side * side) where mask[p] != 0 { low = min(low, image[p]); high = max(high, image[p]) }
        for (i, p) in holes.enumerated() { out[p] = min(high, max(low, Float(u[i]))) }
        return out
    }

    /// Row `pixel` of (−L)^order as (pixel, coefficient) pairs, computed by applying −L `order` times to a
    /// unit impulse on the 5×5 (at most) patch around it; −L is symmetric, so row = column.
    static func stencilRow(pixel: Int, side: Int, order: Int) -> [(pixel: Int, coefficient: Double)] {
        precondition(order >= 1 && order <= 2)
        let r0 = pixel / side, c0 = pixel % side
        let top = max(0, r0 - order), bottom = min(side - 1, r0 + order)
        let left = max(0, c0 - order), right = min(side - 1, c0 + order)
        let h = bottom - top + 1, w = right - left + 1
        var v = [Double](repeating: 0, count: h * w)
        v[(r0 - top) * w + (c0 - left)] = 1
        for _ in 0..<order {
            var next = [Double](repeating: 0, count: h * w)
            for r in 0..<h {
                for c in 0..<w {
                    // (−L v)(p) = Σ over in-image neighbours q of (v(p) − v(q)); patch values outside the
                    // patch are zero because the impulse has not spread that far yet.
                    let ir = r + top, ic = c + left
                    var s = 0.0
                    for (dr, dc) in [(-1, 0), (1, 0), (0, -1), (0, 1)] {
                        let nr = ir + dr, nc = ic + dc
                        guard nr >= 0, nr < side, nc >= 0, nc < side else { continue }
                        let pr = nr - top, pc = nc - left
                        let neighbour = (pr >= 0 && pr < h && pc >= 0 && pc < w) ? v[pr * w + pc] : 0
                        s += v[r * w + c] - neighbour
                    }
                    next[r * w + c] = s
                }
            }
            v = next
        }
        var row: [(pixel: Int, coefficient: Double)] = []
        for r in 0..<h {
            for c in 0..<w where v[r * w + c] != 0 {
                row.append(((r + top) * side + (c + left), v[r * w + c]))
            }
        }
        return row
    }
}
