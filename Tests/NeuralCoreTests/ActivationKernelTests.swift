@testable import NeuralCore
import TestSupport
import XCTest

/// The AVX2 activations (CKernels/Activations.c) against the Swift loops, bit for bit: every length around
/// the 8-float vector, unaligned starts, in place and not, with zeros of both signs, subnormals, NaN and infinities.
final class ActivationKernelTests: XCTestCase {
    override func tearDown() { Activation.usesCKernels = true }

    func testKernelsMatchTheSwiftLoopsBitForBit() throws {
        try XCTSkipUnless(Activation.kernelsApply, "no AVX2 on this CPU: the Swift loops are the only path")
        var g = SeededGenerator(seed: 81)
        let specials: [Float] = [0, -0.0, .nan, .infinity, -.infinity, .leastNormalMagnitude / 1024, -.leastNormalMagnitude / 1024]
        for activation in [Activation.relu, .leakyReLU(slope: 0.2), .sigmoid, .identity] {
            for count in [0, 1, 7, 8, 9, 16, 31, 33, 100] {
                for offset in [0, 1, 3] {
                    var x = randomFloats(count + offset, &g, -2, 2)
                    var dy = randomFloats(count + offset, &g, -2, 2)
                    for (k, v) in specials.enumerated() where k + offset < x.count { x[k + offset] = v; dy[x.count - 1 - k] = v }
                    func run(_ kernels: Bool, inPlace: Bool) -> ([UInt32], [UInt32]) {
                        Activation.usesCKernels = kernels
                        var y = x, dx = dy
                        x.withUnsafeBufferPointer { xp in y.withUnsafeMutableBufferPointer { yp in
                            activation.forward(input: inPlace ? UnsafePointer(yp.baseAddress! + offset) : xp.baseAddress! + offset,
                                               output: yp.baseAddress! + offset, count: count)
                        } }
                        // backward through the forward output; in place on dy or into a separate buffer
                        var separate = [Float](repeating: 7, count: dy.count)
                        y.withUnsafeBufferPointer { yp in dy.withUnsafeBufferPointer { gp in
                            dx.withUnsafeMutableBufferPointer { dp in separate.withUnsafeMutableBufferPointer { sp in
                                let target = inPlace ? dp.baseAddress! : sp.baseAddress!
                                activation.backward(output: yp.baseAddress! + offset,
                                                    dOutput: inPlace ? UnsafePointer(dp.baseAddress! + offset) : gp.baseAddress! + offset,
                                                    dInput: target + offset, count: count)
                            } }
                        } }
                        return (y.map(\.bitPattern), (inPlace ? dx : separate).map(\.bitPattern))
                    }
                    for inPlace in [false, true] {
                        let fast = run(true, inPlace: inPlace), reference = run(false, inPlace: inPlace)
                        XCTAssertEqual(fast.0, reference.0, "\(activation) forward, count \(count), offset \(offset), in place \(inPlace)")
                        XCTAssertEqual(fast.1, reference.1, "\(activation) backward, count \(count), offset \(offset), in place \(inPlace)")
                    }
                }
            }
        }
    }
}
