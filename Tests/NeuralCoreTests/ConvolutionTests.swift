@testable import NeuralCore
import TestSupport
import XCTest

/// Conv2D and TransposedConv2D: forward against a direct (definition) loop and finite-difference checks of
/// dInput, dWeight and dBias (both through `checkLayer`), every path against the others, and the adjoint
/// identity between the two.
final class ConvolutionTests: XCTestCase {
    /// (kernel, stride, padding, input side): the paper's 5×5 s1 p2, the strided net's 4×4 s2 p1 and 3×3 s1 p1,
    /// and odd ones (non-square input, padding 0, stride 3).
    static let configurations: [(k: Int, s: Int, p: Int, h: Int, w: Int)] = [
        (5, 1, 2, 7, 7), (4, 2, 1, 8, 8), (3, 1, 1, 5, 6), (3, 2, 0, 7, 9), (2, 3, 1, 8, 7), (1, 1, 0, 4, 3),
    ]

    // MARK: Forward against the definition

    /// y[n,o,oy,ox] = b[o] + Σ W[o,c,i,j] x[n,c,oy·s−p+i, ox·s−p+j]
    func directConv(_ x: Tensor, _ w: Tensor, _ b: Tensor?, stride s: Int, padding p: Int) -> Tensor {
        let (n, c, h, wd) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let (o, kh, kw) = (w.shape[0], w.shape[2], w.shape[3])
        let oh = (h + 2 * p - kh) / s + 1, ow = (wd + 2 * p - kw) / s + 1
        var y = Tensor(shape: [n, o, oh, ow])
        for b0 in 0..<n { for oc in 0..<o { for oy in 0..<oh { for ox in 0..<ow {
            var sum = Double(b?[oc] ?? 0)
            for ic in 0..<c { for i in 0..<kh { for j in 0..<kw {
                let iy = oy * s - p + i, ix = ox * s - p + j
                if iy >= 0 && iy < h && ix >= 0 && ix < wd { sum += Double(w[oc, ic, i, j]) * Double(x[b0, ic, iy, ix]) }
            } } }
            y[b0, oc, oy, ox] = Float(sum)
        } } } }
        return y
    }

    /// y[n,o,iy·s−p+i, ix·s−p+j] += W[c,o,i,j] x[n,c,iy,ix]  (PyTorch ConvTranspose2d's definition)
    func directTransposedConv(_ x: Tensor, _ w: Tensor, _ b: Tensor?, stride s: Int, padding p: Int) -> Tensor {
        let (n, c, h, wd) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let (o, kh, kw) = (w.shape[1], w.shape[2], w.shape[3])
        let oh = (h - 1) * s - 2 * p + kh, ow = (wd - 1) * s - 2 * p + kw
        var y = Tensor(shape: [n, o, oh, ow])
        for b0 in 0..<n { for oc in 0..<o {
            for oy in 0..<oh { for ox in 0..<ow { y[b0, oc, oy, ox] = b?[oc] ?? 0 } }
            for ic in 0..<c { for iy in 0..<h { for ix in 0..<wd { for i in 0..<kh { for j in 0..<kw {
                let yy = iy * s - p + i, xx = ix * s - p + j
                if yy >= 0 && yy < oh && xx >= 0 && xx < ow { y[b0, oc, yy, xx] += w[ic, oc, i, j] * x[b0, ic, iy, ix] }
            } } } } }
        } }
        return y
    }

    /// The direct "same" kernel (stride 1, padding k/2) at every row width class it vectorises (1–4 vectors of
    /// 8, with partial last vectors), an odd output-channel count, and the paper's 28×28: conv forward, its
    /// dInput (= the transposed conv of dy with the same weights) and the transposed conv forward.
    func testSameConvolutionsAtWideRowsMatchDefinition() {
        var g = SeededGenerator(seed: 14)
        // Narrow rows too: the layers prefer BLAS there, but the kernel must stay right for them.
        let savedMinimum = DirectConvolution.minimumWidth
        DirectConvolution.minimumWidth = 1
        defer { DirectConvolution.minimumWidth = savedMinimum }
        for (k, h, w) in [(5, 6, 28), (5, 28, 28), (5, 3, 17), (3, 4, 9), (1, 3, 32), (7, 5, 8), (3, 2, 40)] {
            let conv = Conv2D(inChannels: 3, outChannels: 5, kernelSize: k, stride: 1, padding: k / 2, hasBias: true)
            let x = randomTensor([2, 3, h, w], &g), wt = randomTensor(conv.weightShape, &g), b = randomTensor([5], &g)
            assertClose(conv.forward(x, weight: wt, bias: b).data, directConv(x, wt, b, stride: 1, padding: k / 2).data,
                        rtol: 1e-4, atol: 1e-5, "conv k\(k) \(h)×\(w)")
            let dy = randomTensor([2, 5, h, w], &g)
            assertClose(conv.backward(x, weight: wt, dOutput: dy).dInput.data,
                        directTransposedConv(dy, wt, nil, stride: 1, padding: k / 2).data,
                        rtol: 1e-4, atol: 1e-5, "conv dInput k\(k) \(h)×\(w)")
            let convT = TransposedConv2D(inChannels: 5, outChannels: 3, kernelSize: k, stride: 1, padding: k / 2, hasBias: true)
            let bt = randomTensor([3], &g)
            assertClose(convT.forward(dy, weight: wt, bias: bt).data, directTransposedConv(dy, wt, bt, stride: 1, padding: k / 2).data,
                        rtol: 1e-4, atol: 1e-5, "convT k\(k) \(h)×\(w)")
        }
    }

    /// Both backward passes (dInput, dWeight, dBias) through the direct kernels equal the im2col + BLAS path,
    /// at the paper's 28-wide rows and at a partial last vector.
    func testDirectBackwardMatchesBLASPath() {
        var g = SeededGenerator(seed: 15)
        let savedMinimum = DirectConvolution.minimumWidth
        DirectConvolution.minimumWidth = 1
        defer { DirectConvolution.isEnabled = true; DirectConvolution.minimumWidth = savedMinimum }
        for (k, h, w) in [(5, 5, 28), (3, 4, 13)] {
            let conv = Conv2D(inChannels: 3, outChannels: 5, kernelSize: k, stride: 1, padding: k / 2, hasBias: true)
            let convT = TransposedConv2D(inChannels: 5, outChannels: 3, kernelSize: k, stride: 1, padding: k / 2, hasBias: true)
            let x = randomTensor([2, 3, h, w], &g), wt = randomTensor(conv.weightShape, &g)
            let dy = randomTensor([2, 5, h, w], &g), z = randomTensor([2, 5, h, w], &g), dz = randomTensor([2, 3, h, w], &g)
            var results: [[Float]] = []
            for enabled in [true, false] {
                DirectConvolution.isEnabled = enabled
                XCTAssertEqual(conv.usesDirectPath(width: w), enabled)
                let a = conv.backward(x, weight: wt, dOutput: dy), b = convT.backward(z, weight: wt, dOutput: dz)
                results.append(a.dInput.data + a.dWeight.data + a.dBias!.data + b.dInput.data + b.dWeight.data + b.dBias!.data)
            }
            assertClose(results[0], results[1], rtol: 1e-4, atol: 1e-5, "backward k\(k) \(h)×\(w)")
        }
    }

    /// The channels-in-lanes kernels (maps narrower than `DirectConvolution.minimumWidth`) equal the im2col + BLAS
    /// path in forward, dInput, dWeight and dBias of both layer kinds: the strided model's 7×7 enc.4 and dec.0 shapes
    /// at batch 64, 14×14, non-square maps, output channels that are not a multiple of 16 (partial lane blocks),
    /// odd input channels, k = 1, 5, 7, batch 1, and enough channels that the images are padded in several groups.
    func testChannelLanesMatchBLASPath() {
        var g = SeededGenerator(seed: 16)
        defer { DirectConvolution.channelLanesEnabled = true }
        let shapes: [(c: Int, o: Int, k: Int, h: Int, w: Int, n: Int)] = [
            (32, 64, 3, 7, 7, 64), (64, 32, 3, 7, 7, 5), (5, 19, 3, 14, 14, 2), (37, 8, 3, 7, 7, 7), (3, 17, 5, 6, 9, 1),
            (16, 33, 1, 7, 7, 4), (7, 16, 7, 7, 7, 3), (70, 20, 3, 14, 13, 3), (1, 1, 3, 1, 16, 2),
        ]
        for s in shapes {
            let conv = Conv2D(inChannels: s.c, outChannels: s.o, kernelSize: s.k, stride: 1, padding: s.k / 2, hasBias: true)
            let convT = TransposedConv2D(inChannels: s.c, outChannels: s.o, kernelSize: s.k, stride: 1, padding: s.k / 2,
                                         hasBias: true)
            let x = randomTensor([s.n, s.c, s.h, s.w], &g), dy = randomTensor([s.n, s.o, s.h, s.w], &g)
            let w = randomTensor(conv.weightShape, &g), wT = randomTensor(convT.weightShape, &g)
            let b = randomTensor([s.o], &g), bT = randomTensor([s.o], &g)
            var results: [[Float]] = []
            for enabled in [true, false] {
                DirectConvolution.channelLanesEnabled = enabled
                XCTAssertEqual(conv.usesChannelLanes(width: s.w), enabled, "\(s)")
                XCTAssertEqual(convT.usesChannelLanes(width: s.w), enabled, "\(s)")
                let y = conv.forward(x, weight: w, bias: b), back = conv.backward(x, weight: w, dOutput: dy)
                let yT = convT.forward(x, weight: wT, bias: bT), backT = convT.backward(x, weight: wT, dOutput: dy)
                results.append(y.data + back.dInput.data + back.dWeight.data + back.dBias!.data
                    + yT.data + backT.dInput.data + backT.dWeight.data + backT.dBias!.data)
            }
            // Only the order of summation differs (per output: channels then taps, against OpenBLAS's blocking). The
            // sums run over hundreds to thousands of unit-sized products, so outputs are ~10 in size and a near-zero
            // one may differ by ~1e-5 absolute: atol 1e-4 is 1e-5 of that scale.
            assertClose(results[0], results[1], rtol: 1e-5, atol: 1e-4, "channel lanes \(s)")
        }
    }

    func testTransposedConvOutputSizesMatchPyTorch() {
        // (in − 1)·s − 2p + k: the strided decoder 7 → 14 → 28, the paper's 28 → 28.
        XCTAssertTrue(TransposedConv2D(inChannels: 32, outChannels: 16, kernelSize: 4, stride: 2, padding: 1)
            .outputSize(height: 7, width: 7) == (14, 14))
        XCTAssertTrue(TransposedConv2D(inChannels: 16, outChannels: 16, kernelSize: 5, stride: 1, padding: 2)
            .outputSize(height: 28, width: 28) == (28, 28))
        XCTAssertEqual(TransposedConv2D(inChannels: 16, outChannels: 1, kernelSize: 5).weightShape, [16, 1, 5, 5])
    }

    // MARK: Gradients

    /// Forward against the definition, the channel-range forward, dInput, dWeight and dBias (`checkLayer`), with a
    /// bias and, at the paper's shape, without.
    func testConv2D() {
        for (i, cfg) in Self.configurations.enumerated() {
            checkLayer(Conv2D(inChannels: 2, outChannels: 3, kernelSize: cfg.k, stride: cfg.s, padding: cfg.p, hasBias: true),
                       input: [2, 2, cfg.h, cfg.w], seed: 12 + UInt64(i)) { self.directConv($0, $1, $2, stride: cfg.s, padding: cfg.p) }
        }
        checkLayer(Conv2D(inChannels: 2, outChannels: 3, kernelSize: 5, padding: 2), input: [2, 2, 7, 7], seed: 19) {
            self.directConv($0, $1, $2, stride: 1, padding: 2)
        }
    }

    /// The same for the transposed convolution, on input sides that some convolution produces.
    func testTransposedConv2D() {
        for (i, cfg) in Self.configurations.enumerated() {
            let convT = TransposedConv2D(inChannels: 3, outChannels: 2, kernelSize: cfg.k, stride: cfg.s, padding: cfg.p, hasBias: true)
            // Pick the input side as the conv output side so the pair is consistent.
            let (h, w) = Conv2D(inChannels: 2, outChannels: 3, kernelSize: cfg.k, stride: cfg.s, padding: cfg.p)
                .outputSize(height: cfg.h, width: cfg.w)
            guard convT.outputSize(height: h, width: w) == (cfg.h, cfg.w) else { continue }  // floor lost a row
            checkLayer(convT, input: [2, 3, h, w], seed: 22 + UInt64(i)) {
                self.directTransposedConv($0, $1, $2, stride: cfg.s, padding: cfg.p)
            }
        }
        checkLayer(TransposedConv2D(inChannels: 3, outChannels: 2, kernelSize: 5, padding: 2), input: [2, 3, 7, 7], seed: 29) {
            self.directTransposedConv($0, $1, $2, stride: 1, padding: 2)
        }
    }

    /// Weight and bias gradients accumulate (+=) across calls; the input gradient is overwritten.
    func testPointerBackwardAccumulatesWeightGradients() {
        var g = SeededGenerator(seed: 14)
        let conv = Conv2D(inChannels: 1, outChannels: 2, kernelSize: 3, padding: 1, hasBias: true)
        let x = randomTensor([1, 1, 4, 4], &g), w = randomTensor(conv.weightShape, &g), r = randomTensor([1, 2, 4, 4], &g)
        let once = conv.backward(x, weight: w, dOutput: r)
        var dw = [Float](repeating: 0, count: w.count), db = [Float](repeating: 0, count: 2)
        var dx = [Float](repeating: 99, count: x.count), scratch = [Float](repeating: 0, count: conv.scratchCount(height: 4, width: 4))
        for _ in 0..<2 {
            conv.backward(input: x.data, batch: 1, height: 4, width: 4, weight: w.data, dOutput: r.data, dInput: &dx,
                          dWeight: &dw, dBias: &db, scratch: &scratch)
        }
        assertClose(dw, once.dWeight.data.map { 2 * $0 })
        assertClose(db, once.dBias!.data.map { 2 * $0 })
        assertClose(dx, once.dInput.data)
    }

    // MARK: Adjoint

    /// ⟨conv(x), y⟩ = ⟨x, convᵀ(y)⟩ when both use the same weights W [out, in, kh, kw] (a Conv2D's weight
    /// is a valid ConvTranspose2d weight for the reverse direction).
    func testConvAndTransposedConvAreAdjoint() {
        var g = SeededGenerator(seed: 15)
        for cfg in Self.configurations {
            let conv = Conv2D(inChannels: 3, outChannels: 4, kernelSize: cfg.k, stride: cfg.s, padding: cfg.p)
            let convT = TransposedConv2D(inChannels: 4, outChannels: 3, kernelSize: cfg.k, stride: cfg.s, padding: cfg.p)
            XCTAssertEqual(conv.weightShape, convT.weightShape)
            let (oh, ow) = conv.outputSize(height: cfg.h, width: cfg.w)
            guard convT.outputSize(height: oh, width: ow) == (cfg.h, cfg.w) else { continue }
            let w = randomTensor(conv.weightShape, &g)
            let x = randomTensor([2, 3, cfg.h, cfg.w], &g), y = randomTensor([2, 4, oh, ow], &g)
            let lhs = projection(conv.forward(x, weight: w).data, y.data)
            let rhs = projection(x.data, convT.forward(y, weight: w).data)
            XCTAssertEqual(lhs, rhs, accuracy: 1e-4 * max(1, abs(lhs)), "adjoint \(cfg)")
        }
    }

    /// im2col and col2im are adjoint: ⟨im2col(x), c⟩ = ⟨x, col2im(c)⟩.
    func testIm2ColAndCol2ImAreAdjoint() {
        var g = SeededGenerator(seed: 16)
        for cfg in Self.configurations {
            let geometry = ConvGeometry(channels: 2, height: cfg.h, width: cfg.w, kernelH: cfg.k, kernelW: cfg.k,
                                        stride: cfg.s, padding: cfg.p)
            let x = randomFloats(geometry.imageSize, &g), c = randomFloats(geometry.columnsSize, &g)
            var cols = [Float](repeating: .nan, count: geometry.columnsSize)
            var back = [Float](repeating: 0, count: geometry.imageSize)
            im2col(geometry, image: x, columns: &cols)
            col2im(geometry, columns: c, image: &back)
            XCTAssertEqual(projection(cols, c), projection(x, back), accuracy: 1e-4, "im2col adjoint \(cfg)")
        }
    }
}
