import NeuralCore
import TestSupport
import XCTest

/// `checkLayer` can fail: a layer whose backward is wrong in one gradient, or whose forward departs from the
/// reference, is caught, and by the check that names that part.
final class LayerCheckTests: XCTestCase {
    enum Fault { case dInput, dWeight, dBias, forward }

    /// A correct layer with one part made wrong on purpose.
    struct Miswired<Base: Layer>: Layer {
        var base: Base
        var fault: Fault

        var inChannels: Int { base.inChannels }
        var outChannels: Int { base.outChannels }
        var hasBias: Bool { base.hasBias }
        var weightShape: [Int] { base.weightShape }
        var biasShape: [Int] { base.biasShape }
        var initBound: Float { base.initBound }
        var workSplit: WorkSplit { base.workSplit }
        var summary: String { "miswired \(fault) \(base.summary)" }
        func outputSize(height: Int, width: Int) -> (height: Int, width: Int) { base.outputSize(height: height, width: width) }
        func multiplyAdds(height: Int, width: Int) -> Double { base.multiplyAdds(height: height, width: width) }
        func scratchCount(height: Int, width: Int, maxBatch: Int) -> Int {
            base.scratchCount(height: height, width: width, maxBatch: maxBatch)
        }
        func channelSplitScratchCount(height: Int, width: Int) -> Int { base.channelSplitScratchCount(height: height, width: width) }

        func forward(input: UnsafePointer<Float>, batch: Int, height: Int, width: Int, weight: UnsafePointer<Float>,
                     bias: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>) {
            base.forward(input: input, batch: batch, height: height, width: width, weight: weight, bias: bias, output: output,
                         scratch: scratch)
            if fault == .forward { output[0] += 0.5 }
        }

        func forward(input: UnsafePointer<Float>, batch: Int, height: Int, width: Int, weight: UnsafePointer<Float>,
                     bias: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>, channels: Range<Int>,
                     scratch: UnsafeMutablePointer<Float>) {
            base.forward(input: input, batch: batch, height: height, width: width, weight: weight, bias: bias, output: output,
                         channels: channels, scratch: scratch)
        }

        func backward(input: UnsafePointer<Float>, batch: Int, height: Int, width: Int, weight: UnsafePointer<Float>,
                      dOutput: UnsafePointer<Float>, dInput: UnsafeMutablePointer<Float>?, dWeight: UnsafeMutablePointer<Float>,
                      dBias: UnsafeMutablePointer<Float>?, scratch: UnsafeMutablePointer<Float>) {
            base.backward(input: input, batch: batch, height: height, width: width, weight: weight, dOutput: dOutput,
                          dInput: dInput, dWeight: dWeight, dBias: dBias, scratch: scratch)
            // One entry off by one, as a slipped index would leave it.
            switch fault {
            case .dInput: dInput?[1] += 1
            case .dWeight: dWeight[2] += 1
            case .dBias: dBias?[0] += 1
            case .forward: break
            }
        }

        func backward(input: UnsafePointer<Float>, batch: Int, height: Int, width: Int, weight: UnsafePointer<Float>,
                      dOutput: UnsafePointer<Float>, dInput: UnsafeMutablePointer<Float>?, dWeight: UnsafeMutablePointer<Float>,
                      dBias: UnsafeMutablePointer<Float>?, channels: Range<Int>, scratch: UnsafeMutablePointer<Float>) {
            base.backward(input: input, batch: batch, height: height, width: width, weight: weight, dOutput: dOutput,
                          dInput: dInput, dWeight: dWeight, dBias: dBias, channels: channels, scratch: scratch)
        }
    }

    func testCorrectLayersPass() {
        XCTAssertEqual(layerCheckFailures(Conv2D(inChannels: 2, outChannels: 3, kernelSize: 3, padding: 1, hasBias: true),
                                          input: [2, 2, 5, 5]), [])
        XCTAssertEqual(layerCheckFailures(ChannelWiseLinear(channels: 2, inFeatures: 4, outFeatures: 3, hasBias: true),
                                          input: [2, 2, 4]), [])
    }

    func testAWrongGradientFailsTheCheckThatNamesIt() {
        let layers: [any Layer] = [
            Conv2D(inChannels: 2, outChannels: 3, kernelSize: 3, padding: 1, hasBias: true),
            TransposedConv2D(inChannels: 3, outChannels: 2, kernelSize: 4, stride: 2, padding: 1, hasBias: true),
            Linear(inputs: 6, outputs: 4),
        ]
        let inputs = [[2, 2, 5, 5], [2, 3, 3, 3], [3, 6]]
        for (layer, input) in zip(layers, inputs) {
            for (fault, part) in [(Fault.dInput, "dInput"), (.dWeight, "dWeight"), (.dBias, "dBias")] {
                let failures = miswiredFailures(layer, fault: fault, input: input)
                XCTAssertEqual(failures.count, 1, "\(layer.summary) with a wrong \(part): \(failures)")
                XCTAssertTrue(failures.first?.contains(part) == true, "\(layer.summary): \(failures)")
            }
        }
    }

    func testAForwardThatDepartsFromTheReferenceFails() {
        let conv = Conv2D(inChannels: 1, outChannels: 2, kernelSize: 3, padding: 1)
        let failures = layerCheckFailures(Miswired(base: conv, fault: .forward), input: [1, 1, 4, 4]) { x, w, b in
            conv.forward(x, weight: w, bias: b)
        }
        XCTAssertTrue(failures.contains { $0.contains("forward vs reference") }, "\(failures)")
    }

    /// Opens the existential, so that the wrapper is built over the concrete layer.
    private func miswiredFailures<L: Layer>(_ layer: L, fault: Fault, input: [Int]) -> [String] {
        layerCheckFailures(Miswired(base: layer, fault: fault), input: input)
    }
}
