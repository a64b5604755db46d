@testable import Inpainting
import NeuralCore
import TestSupport
import XCTest

/// The classifier's same-padding convolution against a direct formula and finite differences.
final class ClassifierConvTests: XCTestCase {
    let (n, cin, cout, h, w, k) = (2, 3, 4, 5, 6, 3)

    func conv(_ x: [Float], _ wt: [Float], _ b: [Float]) -> [Float] {
        var y = [Float](repeating: 0, count: n * cout * h * w)
        SameConv2D.forward(&y, x, wt, b, batch: n, inChannels: cin, outChannels: cout, height: h, width: w, kernel: k)
        return y
    }

    func testForwardMatchesTheDefinition() {
        var g = SeededGenerator(seed: 31)
        let x = (0..<(n * cin * h * w)).map { _ in g.normal() }
        let wt = (0..<(cout * cin * k * k)).map { _ in g.normal() }
        let b = (0..<cout).map { _ in g.normal() }
        let y = conv(x, wt, b)
        // y[1, 2, 0, 5]: top-right corner, so taps outside the image read zero padding.
        var expected = b[2]
        for ci in 0..<cin { for kh in 0..<k { for kw in 0..<k {
            let r = 0 + kh - 1, c = 5 + kw - 1
            if r >= 0 && r < h && c >= 0 && c < w {
                expected += wt[((2 * cin + ci) * k + kh) * k + kw] * x[((1 * cin + ci) * h + r) * w + c]
            }
        } } }
        XCTAssertEqual(y[((1 * cout + 2) * h + 0) * w + 5], expected, accuracy: 1e-5)
    }

    func testBackwardMatchesFiniteDifferences() {
        var g = SeededGenerator(seed: 32)
        let x = (0..<(n * cin * h * w)).map { _ in g.normal() }
        let wt = (0..<(cout * cin * k * k)).map { _ in g.normal() }
        let b = (0..<cout).map { _ in g.normal() }
        let r = (0..<(n * cout * h * w)).map { _ in g.normal() }
        func loss(_ x: [Float], _ wt: [Float], _ b: [Float]) -> Double {
            zip(conv(x, wt, b), r).reduce(0) { $0 + Double($1.0) * Double($1.1) }
        }
        var dx = [Float](repeating: 0, count: x.count), dw = [Float](repeating: 0, count: wt.count)
        var db = [Float](repeating: 0, count: b.count)
        SameConv2D.backward(dx: &dx, dweight: &dw, dbias: &db, dy: r, x: x, weight: wt, batch: n,
                            inChannels: cin, outChannels: cout, height: h, width: w, kernel: k)
        func numeric(_ v: [Float], _ f: ([Float]) -> Double) -> [Float] {
            var v = v
            return (0..<v.count).map { i in
                let keep = v[i]
                v[i] = keep + 1e-2; let up = f(v)
                v[i] = keep - 1e-2; let down = f(v)
                v[i] = keep
                return Float((up - down) / 2e-2)
            }
        }
        // The loss is linear in each argument, so central differences are exact up to round-off.
        assertClose(dx, numeric(x) { loss($0, wt, b) }, rtol: 1e-3, atol: 1e-3, "dx")
        assertClose(dw, numeric(wt) { loss(x, $0, b) }, rtol: 1e-3, atol: 1e-3, "dweight")
        assertClose(db, numeric(b) { loss(x, wt, $0) }, rtol: 1e-3, atol: 1e-3, "dbias")
    }
}
