import Foundation
@testable import NeuralCore
import TestSupport
import XCTest

final class AdamTests: XCTestCase {
    /// torch.optim.Adam written out in Double, step by step.
    func referenceAdam(parameters p0: [Double], gradients: [[Double]], lr: Double, beta1: Double, beta2: Double,
                       eps: Double, weightDecay: Double) -> [Double] {
        var p = p0, m = [Double](repeating: 0, count: p0.count), v = m
        for (t, g0) in gradients.enumerated() {
            let step = Double(t + 1)
            for i in p.indices {
                let g = g0[i] + weightDecay * p[i]
                m[i] = beta1 * m[i] + (1 - beta1) * g
                v[i] = beta2 * v[i] + (1 - beta2) * g * g
                let bc1 = 1 - pow(beta1, step), bc2 = 1 - pow(beta2, step)
                p[i] -= (lr / bc1) * m[i] / (v[i].squareRoot() / bc2.squareRoot() + eps)
            }
        }
        return p
    }

    func testMatchesReferenceOverSeveralSteps() {
        var g = SeededGenerator(seed: 40)
        let count = 37
        let p0 = randomFloats(count, &g)
        // Gradients of varying scale, including exact zeros (where eps matters) and large values.
        let grads = (0..<6).map { step in randomFloats(count, &g).enumerated().map { i, x in i % 7 == 0 ? 0 : x * Float(step + 1) * 0.3 } }
        for (hyper, wd) in [(AdamHyperparameters.pytorchDefault, 0.0), (.pathak, 0.0),
                            (AdamHyperparameters(learningRate: 0.01, weightDecay: 0.1), 0.1)] {
            var adam = Adam(parameterCount: count, hyperparameters: hyper)
            var p = p0
            for grad in grads { adam.step(parameters: &p, gradients: grad) }
            let expected = referenceAdam(parameters: p0.map(Double.init), gradients: grads.map { $0.map(Double.init) },
                                         lr: hyper.learningRate, beta1: hyper.beta1, beta2: hyper.beta2,
                                         eps: hyper.epsilon, weightDecay: wd)
            assertClose(p, expected.map { Float($0) }, rtol: 1e-5, atol: 1e-6, "\(hyper)")
            XCTAssertEqual(adam.state.step, grads.count)
        }
    }

    /// The first step moves every parameter with a nonzero gradient by lr·sign(g) (bias correction cancels).
    func testFirstStepIsLearningRateTimesSign() {
        var adam = Adam(parameterCount: 3)
        var p: [Float] = [1, 1, 1]
        adam.step(parameters: &p, gradients: [0.5, -3, 0])
        assertClose(p, [0.999, 1.001, 1], rtol: 0, atol: 1e-6)
    }

    /// The AVX2 kernel (CKernels/Adam.c) and the Swift loop give bit-identical parameters and moments,
    /// including the scalar tail (count not a multiple of 8).
    func testAVX2KernelIsBitIdenticalToSwiftLoop() {
        var g = SeededGenerator(seed: 42)
        let count = 1_003
        let p0 = randomFloats(count, &g)
        let grads = (0..<3).map { s in randomFloats(count, &g).enumerated().map { i, x in i % 5 == 0 ? 0 : x * Float(s + 1) } }
        defer { Adam.usesCKernel = true }
        var results: [(p: [Float], adam: Adam)] = []
        for kernel in [true, false] {
            Adam.usesCKernel = kernel
            var adam = Adam(parameterCount: count), p = p0
            for grad in grads { adam.step(parameters: &p, gradients: grad) }
            results.append((p, adam))
        }
        XCTAssertEqual(results[0].p, results[1].p)
        XCTAssertEqual(results[0].adam, results[1].adam)
    }

    /// Splitting the pass over workers gives bit-identical parameters and moments.
    func testConcurrentUpdateIsBitIdentical() {
        var g = SeededGenerator(seed: 41)
        let count = 300_001
        let p0 = randomFloats(count, &g), grad = randomFloats(count, &g)
        for hyper in [AdamHyperparameters.pytorchDefault, .pathak] {
            var serial = Adam(parameterCount: count, hyperparameters: hyper), parallel = serial
            var a = p0, b = p0
            for _ in 0..<2 {
                serial.step(parameters: &a, gradients: grad)
                parallel.step(parameters: &b, gradients: grad, concurrency: 3)
            }
            XCTAssertEqual(a, b)
            XCTAssertEqual(serial, parallel)
        }
    }

    /// The norm-reading step: the same update bit for bit (blocks and slices change nothing), and Σ g² of
    /// every segment as a naive double sum gives it, segments crossing block and slice borders included.
    func testGradientSumsOfSquaresComeFromTheSameBitIdenticalPass() {
        var g = SeededGenerator(seed: 43)
        let count = 200_003
        let p0 = randomFloats(count, &g), grad = randomFloats(count, &g).enumerated().map { i, x in x * Float(1 + i % 3) }
        // Uneven tensors: one tiny, one spanning several blocks and the slice border, one of a single element.
        let segments = [0..<25, 25..<40_000, 40_000..<150_001, 150_001..<150_002, 150_002..<count]
        for hyper in [AdamHyperparameters.pytorchDefault, .pathak] {
            for concurrency in [1, 2, 3] {
                var plain = Adam(parameterCount: count, hyperparameters: hyper), measuring = plain
                var a = p0, b = p0
                plain.step(parameters: &a, gradients: grad, concurrency: concurrency)
                let sums = b.withUnsafeMutableBufferPointer { pb in grad.withUnsafeBufferPointer { gb in
                    measuring.step(parameters: pb.baseAddress!, gradients: gb.baseAddress!, count: count,
                                   concurrency: concurrency, sumsOfSquaresOver: segments)
                } }
                XCTAssertEqual(a, b, "concurrency \(concurrency)")
                XCTAssertEqual(plain, measuring)
                XCTAssertEqual(sums.count, segments.count)
                for (k, range) in segments.enumerated() {
                    let expected = range.map { Double(grad[$0]) * Double(grad[$0]) }.reduce(0, +)
                    XCTAssertEqual(sums[k], expected, accuracy: 1e-5 * expected, "segment \(range), concurrency \(concurrency)")
                }
            }
        }
        // By name from a ParameterStore: the norm is the square root, in the store's order.
        var store = ParameterStore(layout: [(name: "enc.0.weight", shape: [3, 4]), (name: "fc.weight", shape: [5])])
        for i in store.values.indices { store.values[i] = Float(i) }
        var gradients = store.zerosLike()
        for i in gradients.values.indices { gradients.values[i] = i < 12 ? 1 : 2 }
        var adam = Adam(parameterCount: store.values.count)
        let norms = adam.stepReturningGradientNorms(parameters: &store, gradients: gradients)
        XCTAssertEqual(norms.map(\.name), ["enc.0.weight", "fc.weight"])
        XCTAssertEqual(norms[0].norm, 12.0.squareRoot(), accuracy: 1e-12)
        XCTAssertEqual(norms[1].norm, 20.0.squareRoot(), accuracy: 1e-12)
    }

    func testPresetsAndStateRoundTripThroughJSON() throws {
        XCTAssertEqual(AdamHyperparameters.pytorchDefault.learningRate, 1e-3)
        XCTAssertEqual(AdamHyperparameters.pathak.learningRate, 2e-4)
        XCTAssertEqual(AdamHyperparameters.pathak.beta1, 0.5)
        var adam = Adam(parameterCount: 4, hyperparameters: .pathak)
        var p: [Float] = [1, 2, 3, 4]
        adam.step(parameters: &p, gradients: [0.1, 0.2, -0.3, 0.4])
        let decoded = try JSONDecoder().decode(Adam.self, from: JSONEncoder().encode(adam))
        XCTAssertEqual(decoded, adam)
    }
}
