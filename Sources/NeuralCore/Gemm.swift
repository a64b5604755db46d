import COpenBLAS

// The one call site of cblas in the project. Everything is row-major; `transA`/`transB` say whether the
// stored matrix is read transposed. `referenceSgemm` is the plain-Swift twin the tests compare against.

/// C[m, n] = alpha · op(A)[m, k] · op(B)[k, n] + beta · C[m, n]   (row-major)
///
/// op(A) = A (stored [m, k], lda ≥ k) or Aᵀ (stored [k, m], lda ≥ m); likewise B with ldb; ldc ≥ n.
@inline(__always)
public func sgemm(
    transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
    a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
    beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
) {
    precondition(m >= 0 && n >= 0 && k >= 0, "sgemm: negative size m=\(m) n=\(n) k=\(k)")
    precondition(lda >= max(1, transA ? m : k) && ldb >= max(1, transB ? k : n) && ldc >= max(1, n),
                 "sgemm: leading dimension too small (lda \(lda), ldb \(ldb), ldc \(ldc)) for m=\(m) n=\(n) k=\(k)")
    if m == 0 || n == 0 { return }
    cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
}

/// y[rows(op A)] = alpha · op(A) · x + beta · y, A stored row-major [m, n] (lda ≥ n); op(A) = Aᵀ when `trans`.
@inline(__always)
public func sgemv(
    trans: Bool, m: Int, n: Int, alpha: Float, a: UnsafePointer<Float>, lda: Int,
    x: UnsafePointer<Float>, incx: Int = 1, beta: Float, y: UnsafeMutablePointer<Float>, incy: Int = 1
) {
    precondition(m >= 0 && n >= 0 && lda >= max(1, n), "sgemv: bad sizes m=\(m) n=\(n) lda=\(lda)")
    if m == 0 || n == 0 { return }
    cblas_sgemv(CblasRowMajor, trans ? CblasTrans : CblasNoTrans, Int32(m), Int32(n), alpha, a, Int32(lda),
                x, Int32(incx), beta, y, Int32(incy))
}

/// The plain-Swift twin of `sgemm` (same arguments, same result up to rounding), accumulating in Double.
/// Slow on purpose: it is the reference the BLAS path is tested against.
public func referenceSgemm(
    transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
    a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
    beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
) {
    for i in 0..<m {
        for j in 0..<n {
            var sum = 0.0
            for p in 0..<k {
                let aip = transA ? a[p * lda + i] : a[i * lda + p]
                let bpj = transB ? b[j * ldb + p] : b[p * ldb + j]
                sum += Double(aip) * Double(bpj)
            }
            // BLAS semantics: with beta == 0 the old C is not read (it may hold NaN).
            let old = beta == 0 ? 0 : Double(beta) * Double(c[i * ldc + j])
            c[i * ldc + j] = Float(Double(alpha) * sum + old)
        }
    }
}

/// OpenBLAS's worker-thread count (process-wide). The command line uses all cores; the terminal UI gives
/// training one so that drawing and inference keep the other (issue 4 §1).
public enum BLASThreads {
    public static func set(_ count: Int) {
        precondition(count >= 1, "BLAS thread count must be ≥ 1, got \(count)")
        openblas_set_num_threads(Int32(count))
    }

    public static var current: Int { Int(openblas_get_num_threads()) }
}
