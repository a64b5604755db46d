import Datasets
import NeuralCore

/// What one reconstructed pixel depends on: the value the network gives it, the gradient of that value with
/// respect to every input pixel (saliency), and which of the encoder's feature maps carries most of it.
/// The channel-wise layer lets every position see every other; this makes that visible.
public struct PixelExplanation: Sendable, Equatable {
    /// The explained pixel, row-major in 0..<784.
    public var pixel: Int
    /// reconstruction[pixel]: the network's output there, before compositing with the known pixels.
    public var value: Float
    /// The whole reconstruction [784] of the same forward pass.
    public var reconstruction: [Float]
    /// ∂ reconstruction[pixel] / ∂ (x ⊙ M)[q] for q in 0..<784: the network's first input channel.
    public var inputGradient: [Float]
    /// ∂ reconstruction[pixel] / ∂ M[q] through the mask channel (the second input channel), holding x ⊙ M
    /// fixed; nil for a model without the mask channel.
    public var maskChannelGradient: [Float]?
    /// Per encoder feature map c (the channel-wise layer's input a): Σ_q a[c, q] · ∂ reconstruction[pixel] /
    /// ∂ a[c, q], the first-order share of the value that flows through that map (gradient × activation).
    public var featureContributions: [Float]
    /// The map with the largest |contribution| and its activations [featureHeight × featureWidth].
    public var topFeature: Int
    public var topFeatureMap: [Float]
    public var featureHeight: Int
    public var featureWidth: Int
}

extension ContextEncoder {
    /// One forward pass and one backward pass of the single output pixel `pixel` (∂y[p]/∂y = one-hot), in
    /// float32 with the current weights. image, mask: [784] (mask 1 known, 0 hole). The weight gradients of
    /// that pass are computed and discarded (the passes accumulate them); nothing in the model changes.
    public func explain(image: [Float], mask: [Float], pixel: Int,
                        workspace: ContextEncoderWorkspace? = nil) -> PixelExplanation {
        let ws = workspace ?? ContextEncoderWorkspace(config: config, maxBatch: 1)
        var gradients = parameters.zerosLike()
        return gradients.values.withUnsafeMutableBufferPointer { g in
            explain(image: image, mask: mask, pixel: pixel, workspace: ws, weightGradientSink: g.baseAddress!)
        }
    }

    /// The pass itself. The layers' backward always accumulates weight gradients, so they need somewhere to
    /// go: `weightGradientSink` (parameters.count floats) receives them and is never read, so a caller may
    /// keep one sink for every call without zeroing it (`PixelExplainer`).
    func explain(image: [Float], mask: [Float], pixel: Int, workspace ws: ContextEncoderWorkspace,
                 weightGradientSink: UnsafeMutablePointer<Float>) -> PixelExplanation {
        let pixels = Digit.pixels
        precondition(image.count == pixels && mask.count == pixels, "explain: expected 784 pixels and 784 mask values")
        precondition((0..<pixels).contains(pixel), "explain: pixel \(pixel) outside 0..<\(pixels)")
        precondition(ws.config == config, "workspace was made for \(ws.config), model is \(config)")
        image.withUnsafeBufferPointer { x in mask.withUnsafeBufferPointer { m in
            forward(images: x.baseAddress!, masks: m.baseAddress!, count: 1, workspace: ws)
        } }
        let reconstruction = Array(UnsafeBufferPointer(start: ws.output, count: pixels))
        ws.gradientA.update(repeating: 0, count: pixels)
        ws.gradientA[pixel] = 1

        // The channel-wise layer's stage: its input is the encoder's last feature maps.
        let fcStage = ws.stages.firstIndex { $0.layer is ChannelWiseLinear }
        var featureGradient: [Float] = []
        var inputGradient: [Float] = [], maskGradient: [Float]? = nil
        let dInput = backward(count: 1, gradients: weightGradientSink, workspace: ws, inputGradient: true) { stage, dx in
            if stage == fcStage {
                featureGradient = Array(UnsafeBufferPointer(start: dx, count: ws.stages[stage].inputSize))
            }
        }!
        inputGradient = Array(UnsafeBufferPointer(start: dInput, count: pixels))
        if config.maskChannel { maskGradient = Array(UnsafeBufferPointer(start: dInput + pixels, count: pixels)) }

        var contributions: [Float] = [], top = 0, topMap: [Float] = [], size = (height: 0, width: 0)
        if let fcStage, fcStage > 0 {
            let stage = ws.stages[fcStage], mapSize = stage.input.height * stage.input.width
            size = (stage.input.height, stage.input.width)
            let activations = UnsafePointer(ws.activations[fcStage - 1])
            contributions = (0..<stage.input.channels).map { c in
                var sum: Double = 0
                for q in 0..<mapSize { sum += Double(activations[c * mapSize + q]) * Double(featureGradient[c * mapSize + q]) }
                return Float(sum)
            }
            top = contributions.indices.max { abs(contributions[$0]) < abs(contributions[$1]) } ?? 0
            topMap = Array(UnsafeBufferPointer(start: activations + top * mapSize, count: mapSize))
        }
        return PixelExplanation(pixel: pixel, value: reconstruction[pixel], reconstruction: reconstruction,
                                inputGradient: inputGradient, maskChannelGradient: maskGradient,
                                featureContributions: contributions, topFeature: top, topFeatureMap: topMap,
                                featureHeight: size.height, featureWidth: size.width)
    }
}

/// `ContextEncoder.explain` for many calls in a row (the terminal UI's explain mode asks once per pointer
/// motion): one workspace and one weight-gradient sink, allocated once per architecture, instead of a fresh
/// `parameters.zerosLike()` (~39 MB for `paper`: 16 maps × 784² channel-wise weights) and workspace per call.
///
/// The sink takes the weight gradients the backward pass accumulates and is never read or zeroed: the input
/// gradient does not depend on it, so the answer is the same as `explain`'s, bit for bit (`ExplainTests`).
/// Not thread-safe (scratch memory): one thread at a time.
public final class PixelExplainer {
    public private(set) var config: ModelConfig
    private var workspace: ContextEncoderWorkspace
    private var weightGradientSink: [Float]

    public init(config: ModelConfig) {
        self.config = config
        workspace = ContextEncoderWorkspace(config: config, maxBatch: 1)
        weightGradientSink = []
    }

    /// image, mask: [784] (mask 1 known, 0 hole); pixel in 0..<784. The model's weights are read, not kept.
    public func explain(_ model: ContextEncoder, image: [Float], mask: [Float], pixel: Int) -> PixelExplanation {
        if model.config != config {
            config = model.config
            workspace = ContextEncoderWorkspace(config: config, maxBatch: 1)
            weightGradientSink = []
        }
        let count = model.parameters.values.count
        if weightGradientSink.count != count { weightGradientSink = [Float](repeating: 0, count: count) }
        return weightGradientSink.withUnsafeMutableBufferPointer { sink in
            model.explain(image: image, mask: mask, pixel: pixel, workspace: workspace, weightGradientSink: sink.baseAddress!)
        }
    }
}
