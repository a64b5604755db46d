import Foundation
import Inpainting
import NeuralCore
import TestSupport
import XCTest

/// Parity with PyTorch (issue 3 §4): the fixtures made by `scripts/make_parity_fixture.py` hold, for four
/// configurations, PyTorch's forward output, hole L2 loss, gradients and parameters after one Adam step,
/// for weights that both sides compute from the same formula (see `formulaWeights`).
final class ParityTests: XCTestCase {
    func testPaperModel() throws { try checkParity("parity_paper") }
    func testPaperModelWithBiasesAndMaskChannel() throws { try checkParity("parity_paper_bias_mask") }
    func testStridedModel() throws { try checkParity("parity_strided") }
    func testPooledModel() throws { try checkParity("parity_pooled") }

    /// The weights of the fixture, by the formula of `scripts/make_parity_fixture.py` (its docstring is the
    /// reference): tensor k, flat index i,
    ///   x = lowbias32((i · 0x9E3779B1 + k · 0x85EBCA77 + 1) mod 2³²),
    ///   w[i] = Float(scale_k · ((2·x) / 2³² − 1))   in Double, rounded once to Float;
    /// k and scale_k come from the fixture's "weights" metadata.
    static func formulaWeights(config: ModelConfig, recipe: [String: [String: Any]]) throws -> ParameterStore {
        try formulaWeights(layout: config.parameterLayout, recipe: recipe)
    }

    /// The same for any layout (the discriminator's in AdversarialParityTests).
    static func formulaWeights(layout: [(name: String, shape: [Int])], recipe: [String: [String: Any]]) throws -> ParameterStore {
        var store = ParameterStore(layout: layout)
        for entry in store.entries {
            let item = try XCTUnwrap(recipe[entry.name], "no recipe for \(entry.name)")
            let k = UInt64(try XCTUnwrap(item["k"] as? Int))
            let scale = try XCTUnwrap(Double(try XCTUnwrap(item["scale"] as? String)))
            store.values.withUnsafeMutableBufferPointer { values in
                for i in 0 ..< entry.count {
                    var x = (UInt64(i) &* 0x9E37_79B1 &+ k &* 0x85EB_CA77 &+ 1) & 0xFFFF_FFFF
                    x ^= x >> 16
                    x = (x &* 0x7FEB_352D) & 0xFFFF_FFFF
                    x ^= x >> 15
                    x = (x &* 0x846C_A68B) & 0xFFFF_FFFF
                    x ^= x >> 16
                    values[entry.offset + i] = Float(scale * ((2.0 * Double(x)) / 4_294_967_296.0 - 1.0))
                }
            }
        }
        return store
    }

    private func checkParity(_ name: String) throws {
        let url = try XCTUnwrap(Bundle.module.url(forResource: name, withExtension: "safetensors", subdirectory: "Fixtures"),
                                "fixture \(name).safetensors missing; run scripts/make_parity_fixture.py")
        let fixture = try SafetensorsFile.read(contentsOf: url)
        func tensor(_ key: String) throws -> Tensor { try XCTUnwrap(fixture.tensors[key], "\(name): no \(key)") }

        let python = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(try XCTUnwrap(fixture.metadata["config"]).utf8)) as? [String: Any])
        let config = ModelConfig(
            architecture: try XCTUnwrap(Architecture(rawValue: try XCTUnwrap(python["architecture"] as? String))),
            bias: try XCTUnwrap(python["bias"] as? Bool),
            maskChannel: try XCTUnwrap(python["mask_channel"] as? Bool),
            kernelSize: try XCTUnwrap(python["kernel_size"] as? Int))
        let recipe = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(try XCTUnwrap(fixture.metadata["weights"]).utf8)) as? [String: [String: Any]])
        let parameters = try Self.formulaWeights(config: config, recipe: recipe)
        XCTAssertEqual(Set(recipe.keys), Set(parameters.names), "\(name): PyTorch's state_dict names differ from ours")
        let model = ContextEncoder(config: config, parameters: parameters)

        let images = try tensor("images"), masks = try tensor("masks")
        let count = images.shape[0]

        // Forward.
        let output = model.reconstruct(images: images.data, masks: masks.data, count: count)
        assertClose(output, try tensor("reconstruction").data, rtol: 1e-4, atol: 1e-6, "\(name): reconstruction")

        // Loss and gradients.
        let workspace = ContextEncoderWorkspace(config: config, maxBatch: count)
        var gradients = parameters.zerosLike()
        let loss = images.data.withUnsafeBufferPointer { x in
            masks.data.withUnsafeBufferPointer { m in
                model.lossAndGradients(images: x.baseAddress!, masks: m.baseAddress!, count: count, loss: .l2, knownWeight: 0,
                                       gradients: &gradients, workspace: workspace)
            }
        }
        assertClose([loss], try tensor("loss").data, rtol: 1e-5, atol: 0, "\(name): loss")

        var sampled: [String: [Int]] = [:]
        for entry in gradients.entries {
            let mine = gradients.tensor(named: entry.name)!.data
            if let reference = fixture.tensors["grad.\(entry.name)"] {
                XCTAssertEqual(reference.shape, entry.shape, "\(name): grad.\(entry.name) shape")
                assertClose(mine, reference.data, rtol: 1e-4, atol: 1e-5 * maxAbs(reference.data), "\(name): grad.\(entry.name)")
            } else {
                let index = try tensor("sample.\(entry.name).index").data.map { Int($0) }
                sampled[entry.name] = index
                let reference = try tensor("grad.\(entry.name).sample").data
                assertClose(index.map { mine[$0] }, reference, rtol: 1e-4, atol: 1e-5 * maxAbs(reference), "\(name): grad.\(entry.name) samples")
                let sum = mine.reduce(0.0) { $0 + Double($1) }, sumOfSquares = mine.reduce(0.0) { $0 + Double($1) * Double($1) }
                assertClose([Float(sumOfSquares)], try tensor("grad.\(entry.name).sumsq").data, rtol: 1e-4, atol: 0, "\(name): sum of squares of grad.\(entry.name)")
                // The plain sum cancels (terms of both signs), so it is compared against the sum of magnitudes.
                let magnitude = Float(mine.reduce(0.0) { $0 + abs(Double($1)) })
                assertClose([Float(sum)], try tensor("grad.\(entry.name).sum").data, rtol: 0, atol: 1e-5 * magnitude, "\(name): sum of grad.\(entry.name)")
            }
        }

        // One Adam step (torch.optim.Adam defaults, lr 1e-3). Adam works element by element, so it is fed
        // PyTorch's own gradients (the sampled ones for the FC): with ours, an element whose gradient is
        // near ε = 1e-8 turns a 1e-4 gradient difference into a visible step difference that is not
        // Adam's fault.
        var before: [Float] = [], referenceGradients: [Float] = [], expected: [Float] = []
        for entry in parameters.entries {
            let values = parameters.tensor(named: entry.name)!.data
            if let index = sampled[entry.name] {
                before += index.map { values[$0] }
                referenceGradients += try tensor("grad.\(entry.name).sample").data
                expected += try tensor("adam.\(entry.name).sample").data
            } else {
                before += values
                referenceGradients += try tensor("grad.\(entry.name)").data
                expected += try tensor("adam.\(entry.name)").data
            }
        }
        var adam = Adam(parameterCount: before.count, hyperparameters: AdamHyperparameters(learningRate: 1e-3))
        var after = before
        adam.step(parameters: &after, gradients: referenceGradients)
        assertClose(after, expected, rtol: 1e-6, atol: 1e-8, "\(name): parameters after one Adam step")
        XCTAssertGreaterThan(zip(after, before).filter { $0 != $1 }.count, before.count / 2, "\(name): Adam moved the weights")
    }

    private func maxAbs(_ values: [Float]) -> Float { values.reduce(0) { max($0, abs($1)) } }
}
