/// Solves A·u = b for a symmetric positive definite band matrix by Cholesky factorisation (A = L·Lᵀ),
/// in Double. Used by the harmonic and biharmonic fills, whose systems have one unknown per hole pixel
/// (≤ 196 for the project's masks) and couple pixels at most two rows apart, so with the unknowns in
/// row-major order the bandwidth is small (≤ 2·hole width + 2) and the solve costs n·bw² instead of n³/3.
struct BandedCholesky {
    let n: Int
    let bandwidth: Int
    /// Lower band, row-major: element (i, j) with i − bandwidth ≤ j ≤ i lives at i·(bandwidth+1) + (i − j).
    private var band: [Double]

    init(n: Int, bandwidth: Int) {
        precondition(n >= 0 && bandwidth >= 0)
        self.n = n
        self.bandwidth = bandwidth
        band = [Double](repeating: 0, count: n * (bandwidth + 1))
    }

    /// Adds `value` to A(i, j) for j ≤ i (only the lower triangle is stored; callers add each symmetric
    /// pair once, from the row with the larger index).
    mutating func add(_ value: Double, row i: Int, column j: Int) {
        precondition(j <= i && i - j <= bandwidth, "entry (\(i), \(j)) outside the lower band \(bandwidth)")
        band[i * (bandwidth + 1) + (i - j)] += value
    }

    /// Factorises in place and solves; returns nil if A is not positive definite (e.g. a hole that leaves
    /// no known pixel, where the fill is undetermined).
    mutating func solve(_ rhs: [Double]) -> [Double]? {
        precondition(rhs.count == n)
        let w = bandwidth + 1
        for j in 0..<n {
            var diagonal = band[j * w]
            for k in max(0, j - bandwidth)..<j { let l = band[j * w + (j - k)]; diagonal -= l * l }
            guard diagonal > 0 else { return nil }
            let pivot = diagonal.squareRoot()
            band[j * w] = pivot
            for i in (j + 1)..<min(n, j + bandwidth + 1) {
                var s = band[i * w + (i - j)]
                for k in max(0, i - bandwidth)..<j { s -= band[i * w + (i - k)] * band[j * w + (j - k)] }
                band[i * w + (i - j)] = s / pivot
            }
        }
        var y = rhs
        for i in 0..<n {  // L·y = b
            var s = y[i]
            for k in max(0, i - bandwidth)..<i { s -= band[i * w + (i - k)] * y[k] }
            y[i] = s / band[i * w]
        }
        for i in stride(from: n - 1, through: 0, by: -1) {  // Lᵀ·u = y
            var s = y[i]
            for k in (i + 1)..<min(n, i + bandwidth + 1) { s -= band[k * w + (k - i)] * y[k] }
            y[i] = s / band[i * w]
        }
        return y
    }
}
