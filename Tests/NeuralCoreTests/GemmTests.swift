import NeuralCore
import TestSupport
import XCTest

final class GemmTests: XCTestCase {
    /// BLAS and the plain-Swift twin agree for every transpose combination, odd sizes, padded leading
    /// dimensions, and alpha/beta other than 1/0.
    func testSgemmMatchesReferenceForAllTransposes() {
        var g = SeededGenerator(seed: 1)
        for (m, n, k) in [(1, 1, 1), (3, 5, 7), (17, 9, 33), (64, 31, 5)] {
            for transA in [false, true] {
                for transB in [false, true] {
                    let lda = (transA ? m : k) + 3, ldb = (transB ? k : n) + 2, ldc = n + 1
                    let a = randomFloats((transA ? k : m) * lda, &g)
                    let b = randomFloats((transB ? n : k) * ldb, &g)
                    let c0 = randomFloats(m * ldc, &g)
                    var fast = c0, slow = c0
                    a.withUnsafeBufferPointer { ap in b.withUnsafeBufferPointer { bp in
                        fast.withUnsafeMutableBufferPointer { cp in
                            sgemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: 0.7, a: ap.baseAddress!, lda: lda,
                                  b: bp.baseAddress!, ldb: ldb, beta: -0.5, c: cp.baseAddress!, ldc: ldc)
                        }
                        slow.withUnsafeMutableBufferPointer { cp in
                            referenceSgemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: 0.7, a: ap.baseAddress!, lda: lda,
                                           b: bp.baseAddress!, ldb: ldb, beta: -0.5, c: cp.baseAddress!, ldc: ldc)
                        }
                    } }
                    assertClose(fast, slow, rtol: 1e-4, atol: 1e-5, "m=\(m) n=\(n) k=\(k) transA=\(transA) transB=\(transB)")
                }
            }
        }
    }

    func testSgemvMatchesReference() {
        var g = SeededGenerator(seed: 2)
        let (m, n, lda) = (13, 7, 9)
        let a = randomFloats(m * lda, &g)
        for trans in [false, true] {
            let xCount = trans ? m : n, yCount = trans ? n : m
            let x = randomFloats(xCount, &g), y0 = randomFloats(yCount, &g)
            var fast = y0, slow = y0
            a.withUnsafeBufferPointer { ap in x.withUnsafeBufferPointer { xp in
                fast.withUnsafeMutableBufferPointer { yp in
                    sgemv(trans: trans, m: m, n: n, alpha: 1.5, a: ap.baseAddress!, lda: lda, x: xp.baseAddress!, beta: 0.5, y: yp.baseAddress!)
                }
                // The same product as a gemm with one column: op(A)[rows, cols] · x[cols, 1]
                slow.withUnsafeMutableBufferPointer { yp in
                    referenceSgemm(transA: trans, transB: false, m: yCount, n: 1, k: xCount, alpha: 1.5, a: ap.baseAddress!, lda: lda,
                                   b: xp.baseAddress!, ldb: 1, beta: 0.5, c: yp.baseAddress!, ldc: 1)
                }
            } }
            assertClose(fast, slow, rtol: 1e-4, atol: 1e-5, "trans=\(trans)")
        }
    }

    func testBLASThreadCountRoundTrips() {
        let before = BLASThreads.current
        XCTAssertGreaterThanOrEqual(before, 1)
        BLASThreads.set(1)
        XCTAssertEqual(BLASThreads.current, 1)
        BLASThreads.set(before)
        XCTAssertEqual(BLASThreads.current, before)
    }
}
