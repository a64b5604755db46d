import Datasets
import NeuralCore

/// What the encoder hands to the channel-wise layer for one image: the output of its last convolution
/// after the LeakyReLU, i.e. exactly the bottleneck's input. The terminal UI shows these maps to teach
/// what the encoder sees.
public struct EncoderFeatures: Sendable, Equatable {
    /// 16 for `paper` (16×28×28), 64 for `strided` (64×7×7).
    public var channels: Int
    public var height: Int
    public var width: Int
    /// [channels, height, width], row-major.
    public var values: [Float]

    public init(channels: Int, height: Int, width: Int, values: [Float]) {
        precondition(values.count == channels * height * width,
                     "encoder features: \(values.count) values for \(channels)×\(height)×\(width)")
        self.channels = channels; self.height = height; self.width = width; self.values = values
    }

    /// Map `channel`: [height·width].
    public func map(_ channel: Int) -> [Float] {
        Array(values[(channel * height * width)..<((channel + 1) * height * width)])
    }
}

extension ContextEncoder {
    /// image, mask: [784] (mask 1 known / 0 hole) → the encoder's output [C, H, W] for this network.
    /// Runs the same forward pass as `reconstruct` and reads the activation it stored, so the values are
    /// the pass's own intermediate, not a re-implementation of it.
    public func encoderFeatures(image: [Float], mask: [Float], workspace: ContextEncoderWorkspace) -> EncoderFeatures {
        precondition(image.count == Digit.pixels && mask.count == Digit.pixels, "encoderFeatures: expected 784 + 784 floats")
        image.withUnsafeBufferPointer { x in
            mask.withUnsafeBufferPointer { m in
                forward(images: x.baseAddress!, masks: m.baseAddress!, count: 1, workspace: workspace)
            }
        }
        return workspace.encoderOutput(image: 0)
    }

    /// Convenience: allocates a one-image workspace.
    public func encoderFeatures(image: [Float], mask: [Float]) -> EncoderFeatures {
        encoderFeatures(image: image, mask: mask, workspace: ContextEncoderWorkspace(config: config, maxBatch: 1))
    }
}

extension ContextEncoderWorkspace {
    /// The stage whose output is the encoder's: the last one before the channel-wise bottleneck.
    var encoderStage: Int {
        let bottleneck = stages.firstIndex { $0.layer is ChannelWiseLinear }
        precondition(bottleneck != nil && bottleneck! > 0, "the network has no encoder before a bottleneck")
        return bottleneck! - 1
    }

    /// After a forward pass: image `n`'s encoder output, [C, H, W].
    public func encoderOutput(image n: Int) -> EncoderFeatures {
        precondition(n >= 0 && n < maxBatch, "image \(n) outside the workspace's batch of \(maxBatch)")
        let stage = stages[encoderStage]
        let size = stage.outputSize
        let start = activations[encoderStage] + n * size
        return EncoderFeatures(channels: stage.output.channels, height: stage.output.height, width: stage.output.width,
                               values: Array(UnsafeBufferPointer(start: start, count: size)))
    }
}
