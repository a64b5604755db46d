/// Telea's fast-marching inpainting (A. Telea, "An Image Inpainting Technique Based on the Fast Marching
/// Method", J. Graphics Tools 9(1), 2004), following OpenCV's `cv::inpaint(..., INPAINT_TELEA)`
/// (modules/photo/src/inpaint.cpp) step for step, so that both give the same pixels:
///
/// 1. Arrays get a one-pixel frame (OpenCV's padded `erows × ecols`); the frame counts as known, with
///    arrival time 1e6, and is never read as an image value.
/// 2. The narrow band is the known pixels 4-adjacent to the hole (time 0). A first fast march runs
///    outwards from it over the known pixels within `radius` (a square dilation) and stores minus the
///    distance there, so the level term below also weighs known pixels by how far they are from the hole.
/// 3. The main march pops band pixels in order of arrival time (ties first in, first out); each hole
///    neighbour gets its time from the Eikonal update and its value from the known pixels in the disc of
///    `radius`: Σ w·I / Σ w with w = |dir · dst · lev| (direction, 1/|r|³ distance, 1/(1+|ΔT|) level),
///    plus OpenCV's normalised first-order gradient term.
///
/// Like OpenCV on an 8-bit image, the work is done in grey levels 0…255 and every filled pixel is rounded
/// to a whole grey level (OpenCV's `saturate_cast<uchar>(sat + 0.5)`) before later pixels read it: the
/// gradient term has a magnitude of about one grey level, so it is only meaningful on that scale.
enum TeleaFill {
    private static let known: UInt8 = 0, band: UInt8 = 1, inside: UInt8 = 2, change: UInt8 = 3

    /// image, mask: [side·side] in [0, 1] (mask 1 = known) → [side·side].
    static func fill(_ image: [Float], mask: [Float], side: Int, radius: Int) -> [Float] {
        precondition(radius >= 1, "Telea radius must be at least 1")
        let rows = side + 2, cols = side + 2
        @inline(__always) func at(_ i: Int, _ j: Int) -> Int { i * cols + j }

        var flags = [UInt8](repeating: known, count: rows * cols)  // OpenCV's `mask` (INSIDE in the hole)
        // 8-bit grey levels, unpadded. Hole pixels start at 0: OpenCV's edge clamping (km, kp below) can
        // read a hole pixel beside the image border, and a fill must not depend on what the hole held.
        var out = (0..<(side * side)).map { mask[$0] == 0 ? 0 : (image[$0] * 255).rounded() }
        var anyHole = false
        for r in 0..<side { for c in 0..<side where mask[r * side + c] == 0 {
            flags[at(r + 1, c + 1)] = inside; anyHole = true
        } }
        guard anyHole else { return image }
        var time = [Float](repeating: 1e6, count: rows * cols)

        // The narrow band: cross dilation of the hole minus the hole, frame excluded.
        var bandCells = [Bool](repeating: false, count: rows * cols)
        for i in 1..<(rows - 1) { for j in 1..<(cols - 1) where flags[at(i, j)] != inside {
            if flags[at(i - 1, j)] == inside || flags[at(i + 1, j)] == inside
                || flags[at(i, j - 1)] == inside || flags[at(i, j + 1)] == inside {
                bandCells[at(i, j)] = true; time[at(i, j)] = 0
            }
        } }

        // Step 2: the outer ring (square dilation by `radius`, minus hole and band, frame excluded).
        var ring = [UInt8](repeating: known, count: rows * cols)
        for i in 1..<(rows - 1) { for j in 1..<(cols - 1) {
            let p = at(i, j)
            guard flags[p] != inside, !bandCells[p] else { continue }
            var near = false
            for k in max(0, i - radius)...min(rows - 1, i + radius) where !near {
                for l in max(0, j - radius)...min(cols - 1, j + radius) where flags[at(k, l)] == inside {
                    near = true; break
                }
            }
            if near { ring[p] = inside }
        } }
        var outward = FIFOHeap()
        for p in 0..<(rows * cols) where bandCells[p] { outward.push(p, 0) }
        while let p = outward.pop() {
            ring[p] = change
            let ii = p / cols, jj = p % cols
            for (i, j) in [(ii - 1, jj), (ii, jj - 1), (ii + 1, jj), (ii, jj + 1)] {
                // OpenCV's bound here is `i > rows`; the frame is never INSIDE, so this is the same.
                if i <= 0 || j <= 0 || i > rows - 1 || j > cols - 1 { continue }
                if ring[at(i, j)] == inside {
                    let d = eikonal(i, j, flags: ring, time: time, cols: cols)
                    time[at(i, j)] = d
                    ring[at(i, j)] = band
                    outward.push(at(i, j), d)
                }
            }
        }
        for p in 0..<(rows * cols) where ring[p] == change { time[p] = -time[p] }

        // Step 3: march into the hole.
        var front = FIFOHeap()
        for p in 0..<(rows * cols) where bandCells[p] { front.push(p, 0) }
        while let p = front.pop() {
            flags[p] = known
            let ii = p / cols, jj = p % cols
            for (i, j) in [(ii - 1, jj), (ii, jj - 1), (ii + 1, jj), (ii, jj + 1)] {
                if i <= 0 || j <= 0 || i > rows - 1 || j > cols - 1 { continue }
                guard flags[at(i, j)] == inside else { continue }
                let dist = eikonal(i, j, flags: flags, time: time, cols: cols)
                time[at(i, j)] = dist
                out[(i - 1) * side + (j - 1)] = interpolate(
                    i, j, radius: radius, flags: flags, time: time, image: out, rows: rows, cols: cols)
                flags[at(i, j)] = band
                front.push(at(i, j), dist)
            }
        }
        return (0..<(side * side)).map { mask[$0] == 0 ? out[$0] / 255 : image[$0] }
    }

    /// The value of hole pixel (i, j) (padded coordinates) from the known pixels in its disc.
    private static func interpolate(_ i: Int, _ j: Int, radius: Int, flags: [UInt8], time: [Float],
                                    image out: [Float], rows: Int, cols: Int) -> Float {
        let side = cols - 2
        @inline(__always) func f(_ k: Int, _ l: Int) -> Bool { flags[k * cols + l] != inside }
        @inline(__always) func t(_ k: Int, _ l: Int) -> Float { time[k * cols + l] }
        @inline(__always) func img(_ r: Int, _ c: Int) -> Float { out[r * side + c] }
        // One-sided or central differences of the arrival time, wherever the neighbours are known.
        let gradTx = difference(after: f(i, j + 1), before: f(i, j - 1), central: { (t(i, j + 1) - t(i, j - 1)) * 0.5 },
                                forward: { t(i, j + 1) - t(i, j) }, backward: { t(i, j) - t(i, j - 1) })
        let gradTy = difference(after: f(i + 1, j), before: f(i - 1, j), central: { (t(i + 1, j) - t(i - 1, j)) * 0.5 },
                                forward: { t(i + 1, j) - t(i, j) }, backward: { t(i, j) - t(i - 1, j) })
        var ia: Float = 0, jx: Float = 0, jy: Float = 0, s: Float = 1e-20
        for k in (i - radius)...(i + radius) {
            // Image-row indices clamped at the first and last rows, as OpenCV's km/kp.
            let km = k - 1 + (k == 1 ? 1 : 0), kp = k - 1 - (k == rows - 2 ? 1 : 0)
            for l in (j - radius)...(j + radius) {
                let lm = l - 1 + (l == 1 ? 1 : 0), lp = l - 1 - (l == cols - 2 ? 1 : 0)
                guard k > 0, l > 0, k < rows - 1, l < cols - 1 else { continue }
                guard f(k, l), (l - j) * (l - j) + (k - i) * (k - i) <= radius * radius else { continue }
                let ry = Float(i - k), rx = Float(j - l)
                let length2 = rx * rx + ry * ry
                let dst = Float(1.0 / (Double(length2) * Double(length2).squareRoot()))
                let lev = Float(1.0 / (1 + Double(abs(t(k, l) - t(i, j)))))
                var dir = rx * gradTx + ry * gradTy
                if abs(dir) <= 0.01 { dir = 0.000001 }
                let w = abs(dst * lev * dir)
                // OpenCV's image gradient (its central difference carries a factor 2, kept for parity).
                let gradIx = difference(after: f(k, l + 1), before: f(k, l - 1), central: { (img(km, lp + 1) - img(km, lm - 1)) * 2 },
                                        forward: { img(km, lp + 1) - img(km, lm) }, backward: { img(km, lp) - img(km, lm - 1) })
                let gradIy = difference(after: f(k + 1, l), before: f(k - 1, l), central: { (img(kp + 1, lm) - img(km - 1, lm)) * 2 },
                                        forward: { img(kp + 1, lm) - img(km, lm) }, backward: { img(kp, lm) - img(km - 1, lm) })
                ia += w * img(k - 1, l - 1)
                jx -= w * (gradIx * rx)
                jy -= w * (gradIy * ry)
                s += w
            }
        }
        let sat = ia / s + (jx + jy) / ((jx * jx + jy * jy).squareRoot() + 1e-20)
        // saturate_cast<uchar>(sat + 0.5): the half added in double, then cvRound (ties to even).
        let level = (Double(sat) + 0.5).rounded(.toNearestOrEven)
        return level.isNaN ? 0 : Float(min(255, max(0, level)))
    }

    /// The Eikonal update of OpenCV's `FastMarching_solve`, minimised over the four quadrants.
    private static func eikonal(_ i: Int, _ j: Int, flags: [UInt8], time: [Float], cols: Int) -> Float {
        func solve(_ i1: Int, _ j1: Int, _ i2: Int, _ j2: Int) -> Float {
            let a11 = Double(time[i1 * cols + j1]), a22 = Double(time[i2 * cols + j2])
            let m12 = min(a11, a22)
            let known1 = flags[i1 * cols + j1] != inside, known2 = flags[i2 * cols + j2] != inside
            let sol: Double
            if known1 && known2 {
                sol = abs(a11 - a22) >= 1 ? 1 + m12 : (a11 + a22 + (2 - (a11 - a22) * (a11 - a22)).squareRoot()) * 0.5
            } else if known1 {
                sol = 1 + a11
            } else if known2 {
                sol = 1 + a22
            } else {
                sol = 1 + m12
            }
            return Float(sol)
        }
        return min(min(solve(i - 1, j, i, j - 1), solve(i + 1, j, i, j - 1)),
                   min(solve(i - 1, j, i, j + 1), solve(i + 1, j, i, j + 1)))
    }
}

/// A binary min-heap on (time, insertion order): OpenCV's priority queue pops equal times first in,
/// first out, and the fill depends on that order.
struct FIFOHeap {
    private var items: [(time: Float, order: Int, cell: Int)] = []
    private var counter = 0

    private static func less(_ a: (time: Float, order: Int, cell: Int), _ b: (time: Float, order: Int, cell: Int)) -> Bool {
        a.time < b.time || (a.time == b.time && a.order < b.order)
    }

    mutating func push(_ cell: Int, _ time: Float) {
        items.append((time, counter, cell)); counter += 1
        var c = items.count - 1
        while c > 0 {
            let parent = (c - 1) / 2
            guard Self.less(items[c], items[parent]) else { break }
            items.swapAt(c, parent); c = parent
        }
    }

    mutating func pop() -> Int? {
        guard let top = items.first else { return nil }
        let last = items.removeLast()
        if !items.isEmpty {
            items[0] = last
            var p = 0
            while true {
                let l = 2 * p + 1, r = l + 1
                var m = p
                if l < items.count && Self.less(items[l], items[m]) { m = l }
                if r < items.count && Self.less(items[r], items[m]) { m = r }
                if m == p { break }
                items.swapAt(p, m); p = m
            }
        }
        return top.cell
    }
}

/// OpenCV's difference along one axis (photo/src/inpaint.cpp): central where the neighbours after and before
/// are both known, one-sided where only one is, 0 where neither is.
@inline(__always)
private func difference(after: Bool, before: Bool, central: () -> Float, forward: () -> Float,
                        backward: () -> Float) -> Float {
    if after { return before ? central() : forward() }
    return before ? backward() : 0
}
