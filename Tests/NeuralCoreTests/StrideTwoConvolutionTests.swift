import CKernels
@testable import NeuralCore
import TestSupport
import XCTest

/// The stride-2 4×4 kernels (`StrideTwoConvolution`, Sources/CKernels/ConvStrideTwo.c) against the im2col + BLAS
/// path, pass by pass, and through `checkLayer` against the definition and finite differences.
extension ConvolutionTests {
    /// Conv2D 4×4 s2 p1: (inC, outC, H, W, batch). The strided model's enc.0 (one channel, and two with the mask
    /// channel) and enc.2 at batch 64; odd maps (the input gradient then has one more row or column than twice
    /// the output), the smallest map (2×2 → 1×1), output channels past one block of 16 and not a multiple of it,
    /// one output channel, batch 1, and enough input channels that the images are bordered in several groups.
    static let strideTwoConvShapes: [(c: Int, o: Int, h: Int, w: Int, n: Int)] = [
        (1, 16, 28, 28, 64), (2, 16, 28, 28, 3), (16, 32, 14, 14, 64), (3, 17, 9, 7, 1), (5, 40, 6, 10, 2),
        (37, 5, 2, 2, 3), (16, 1, 14, 14, 2), (70, 20, 14, 13, 3),
    ]

    /// TransposedConv2D 4×4 s2 p1: (inC, outC, h, w, batch) with output 2h × 2w. The decoder's dec.2 and dec.4 at
    /// batch 64, a 1×1 input, partial blocks on either side, and batch 1.
    static let strideTwoTransposedShapes: [(c: Int, o: Int, h: Int, w: Int, n: Int)] = [
        (32, 16, 7, 7, 64), (16, 1, 14, 14, 64), (5, 19, 3, 4, 2), (17, 3, 1, 1, 1), (40, 33, 5, 3, 1),
    ]

    /// Every output of the BLAS path and of the kernels, per pass (forward, dInput, dWeight, dBias), with the
    /// kernels off and on.
    private func strideTwoPasses(_ layer: some ConvolutionPaths, input: [Int], seed: UInt64) -> [[[Float]]] {
        var g = SeededGenerator(seed: seed)
        let x = randomTensor(input, &g), w = randomTensor(layer.weightShape, &g), b = randomTensor(layer.biasShape, &g)
        let (oh, ow) = layer.outputSize(height: input[2], width: input[3])
        let dy = randomTensor([input[0], layer.outChannels, oh, ow], &g)
        var results: [[[Float]]] = []
        for enabled in [false, true] {
            StrideTwoConvolution.isEnabled = enabled
            XCTAssertEqual(layer.usesStrideTwoKernels, enabled)
            let y = layer.forward(x, weight: w, bias: b), back = layer.backward(x, weight: w, dOutput: dy)
            results.append([y.data, back.dInput.data, back.dWeight.data, back.dBias!.data])
        }
        return results
    }

    /// Only the order of summation differs (per output: channels then taps, against OpenBLAS's blocking). Values
    /// are sums of 16·C products of unit-sized factors (dWeight: of N·h·w, up to 12,544 at enc.0's batch of 64),
    /// 1–140 in size; rtol 1e-5 with atol 1e-4 (as for the channels-in-lanes kernels) allows ~1e-5 of that scale.
    /// The largest difference seen was 1.4e-4, on enc.0's dWeight at batch 64 with |dW| up to 98 (1.4e-6 of it);
    /// forward and dInput differ by at most 3.4e-5.
    func testStrideTwoKernelsMatchBLASPath() throws {
        try XCTSkipUnless(ck_conv_s2_supported() != 0, "no AVX2/FMA: the layers keep their BLAS path")
        defer { StrideTwoConvolution.isEnabled = true }
        let passes = ["forward", "dInput", "dWeight", "dBias"]
        for (i, s) in Self.strideTwoConvShapes.enumerated() {
            let conv = Conv2D(inChannels: s.c, outChannels: s.o, kernelSize: 4, stride: 2, padding: 1, hasBias: true)
            let r = strideTwoPasses(conv, input: [s.n, s.c, s.h, s.w], seed: 40 + UInt64(i))
            for (p, pass) in passes.enumerated() {
                assertClose(r[1][p], r[0][p], rtol: 1e-5, atol: 1e-4, "stride-2 conv \(pass) \(s)")
            }
        }
        for (i, s) in Self.strideTwoTransposedShapes.enumerated() {
            let convT = TransposedConv2D(inChannels: s.c, outChannels: s.o, kernelSize: 4, stride: 2, padding: 1,
                                         hasBias: true)
            let r = strideTwoPasses(convT, input: [s.n, s.c, s.h, s.w], seed: 60 + UInt64(i))
            for (p, pass) in passes.enumerated() {
                assertClose(r[1][p], r[0][p], rtol: 1e-5, atol: 1e-4, "stride-2 convT \(pass) \(s)")
            }
        }
    }

    /// The layers choose the kernels only for 4×4, stride 2, padding 1, and not with `DirectConvolution` off.
    func testStrideTwoKernelsApplyOnlyToTheirShape() throws {
        try XCTSkipUnless(ck_conv_s2_supported() != 0, "no AVX2/FMA: the layers keep their BLAS path")
        XCTAssertTrue(Conv2D(inChannels: 1, outChannels: 16, kernelSize: 4, stride: 2, padding: 1).usesStrideTwoKernels)
        XCTAssertFalse(Conv2D(inChannels: 1, outChannels: 16, kernelSize: 4, stride: 2, padding: 0).usesStrideTwoKernels)
        XCTAssertFalse(Conv2D(inChannels: 1, outChannels: 16, kernelSize: 3, stride: 2, padding: 1).usesStrideTwoKernels)
        XCTAssertFalse(Conv2D(inChannels: 1, outChannels: 16, kernelSize: 4, stride: 1, padding: 1).usesStrideTwoKernels)
        DirectConvolution.isEnabled = false
        defer { DirectConvolution.isEnabled = true }
        XCTAssertFalse(Conv2D(inChannels: 1, outChannels: 16, kernelSize: 4, stride: 2, padding: 1).usesStrideTwoKernels)
    }

    /// The kernels through `checkLayer`: forward against the definition, the channel-range forward, and dInput,
    /// dWeight, dBias against finite differences, on an odd map and on the transposed layer with 2 outputs.
    func testStrideTwoLayersAgainstDefinitionAndFiniteDifferences() throws {
        try XCTSkipUnless(ck_conv_s2_supported() != 0, "no AVX2/FMA: testConv2D covers the BLAS path")
        checkLayer(Conv2D(inChannels: 3, outChannels: 18, kernelSize: 4, stride: 2, padding: 1, hasBias: true),
                   input: [2, 3, 7, 9], seed: 70) { self.directConv($0, $1, $2, stride: 2, padding: 1) }
        checkLayer(TransposedConv2D(inChannels: 3, outChannels: 2, kernelSize: 4, stride: 2, padding: 1, hasBias: true),
                   input: [2, 3, 4, 3], seed: 71) { self.directTransposedConv($0, $1, $2, stride: 2, padding: 1) }
    }

    /// The transposed forward cut to a few output channels (the single-image forward split over workers, which
    /// the UI and `fill` run) equals the whole layer's bit for bit, although fewer than 8 output channels take
    /// the adjoint's columns-in-lanes tile and more take its channels-in-lanes tile: dec.2's 16 outputs in
    /// parts of 4 and of 1, and 19 outputs in parts across a 16-channel block.
    func testStrideTwoAdjointIsExactUnderChannelSplits() throws {
        try XCTSkipUnless(ck_conv_s2_supported() != 0, "no AVX2/FMA: the layers keep their BLAS path")
        var g = SeededGenerator(seed: 72)
        for (c, o, side, cuts) in [(32, 16, 7, [0, 4, 8, 12, 16]), (32, 16, 7, Array(0...16)), (5, 19, 3, [0, 3, 17, 19])] {
            let convT = TransposedConv2D(inChannels: c, outChannels: o, kernelSize: 4, stride: 2, padding: 1, hasBias: true)
            let x = randomTensor([1, c, side, side], &g), w = randomTensor(convT.weightShape, &g), b = randomTensor([o], &g)
            let whole = convT.forward(x, weight: w, bias: b)
            var parts = [Float](repeating: 0, count: whole.count)
            for (low, high) in zip(cuts, cuts.dropFirst()) {
                let part = convT.forward(x, weight: w, bias: b, channels: low..<high)
                parts = zip(parts, part.data).map { $0 + $1 }  // each range's output is zero elsewhere
            }
            XCTAssertEqual(parts, whole.data, "convT \(c)→\(o) in parts \(cuts)")
        }
    }
}
