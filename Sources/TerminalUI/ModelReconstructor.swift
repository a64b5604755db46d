import Inpainting

/// Runs the context encoder on one digit for the UI, reusing one workspace so a drag motion allocates only
/// its output array.
///
/// Not thread-safe (the workspace is scratch memory): the driver uses it from the main queue only. Assign
/// `model` before each call to use the newest training snapshot; the copy is cheap (copy on write).
public final class ModelReconstructor: Reconstructor {
    public var model: ContextEncoder {
        didSet {
            if model.config != workspace.config { workspace = ContextEncoderWorkspace(config: model.config, maxBatch: 1) }
        }
    }
    private var workspace: ContextEncoderWorkspace

    public init(model: ContextEncoder) {
        self.model = model
        self.workspace = ContextEncoderWorkspace(config: model.config, maxBatch: 1)
    }

    /// image, mask: [784] → [784].
    public func reconstruct(image: [Float], mask: [Float]) -> [Float] {
        precondition(image.count == Digit.pixels && mask.count == Digit.pixels, "reconstruct: expected 784 + 784 floats")
        var output = [Float](repeating: 0, count: Digit.pixels)
        image.withUnsafeBufferPointer { x in
            mask.withUnsafeBufferPointer { m in
                output.withUnsafeMutableBufferPointer { o in
                    model.reconstruct(images: x.baseAddress!, masks: m.baseAddress!, count: 1,
                                      into: o.baseAddress!, workspace: workspace)
                }
            }
        }
        return output
    }
}
