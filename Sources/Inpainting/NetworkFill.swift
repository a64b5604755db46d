import Datasets
import NeuralCore

/// What `fill` returns for each image.
public enum FillOutput: String, CaseIterable, Sendable {
    /// The network's whole output image.
    case reconstruction
    /// Known pixels from the input, the hole from the network: M ⊙ x + (1 − M) ⊙ y.
    case composite
}

extension ContextEncoder {
    /// Fills the holes of many images, `batchSize` at a time (one workspace, reused), with the channel-wise
    /// weights in `precision`.
    ///
    /// images, masks: [count, 784] (mask 1 known, 0 hole) → [count, 784].
    public func fill(images: [Float], masks: [Float], count: Int, output: FillOutput, batchSize: Int = 64,
                     precision: InferencePrecision = .float32) -> [Float] {
        precondition(images.count == count * Digit.pixels && masks.count == images.count, "images and masks must be [count, 784]")
        precondition(batchSize > 0, "batch size must be positive")
        var result = [Float](repeating: 0, count: images.count)
        guard count > 0 else { return result }
        let workspace = ContextEncoderWorkspace(config: config, maxBatch: min(batchSize, count))
        images.withUnsafeBufferPointer { x in
            masks.withUnsafeBufferPointer { m in
                result.withUnsafeMutableBufferPointer { y in
                    var start = 0
                    while start < count {
                        let n = min(batchSize, count - start)
                        let offset = start * Digit.pixels
                        reconstruct(images: x.baseAddress! + offset, masks: m.baseAddress! + offset, count: n,
                                    into: y.baseAddress! + offset, workspace: workspace, precision: precision)
                        start += n
                    }
                    if output == .composite {
                        for i in 0 ..< y.count { y[i] = m[i] * x[i] + (1 - m[i]) * y[i] }
                    }
                }
            }
        }
        return result
    }
}
