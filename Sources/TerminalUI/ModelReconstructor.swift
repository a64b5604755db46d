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
    /// float16 by default: a drag asks for a reconstruction per mouse motion, and the float16 channel-wise
    /// weights stay in cache between them (a new training snapshot costs one conversion).
    public var precision: InferencePrecision

    public init(model: ContextEncoder, precision: InferencePrecision = .float16) {
        self.model = model
        self.precision = precision
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
                                      into: o.baseAddress!, workspace: workspace, precision: precision)
                }
            }
        }
        return output
    }
}
