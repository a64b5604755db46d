/// A layer with learned weights (and optionally a bias) over a batch of feature maps, in PyTorch's layouts:
/// everything a network's passes, its initialisation and the gradient-check helper need of a layer kind, so
/// that adding a kind is one conformance (`Conv2D`, `TransposedConv2D`, `ChannelWiseLinear`, `Linear`).
///
/// Shapes: x [N, inChannels, H, W] → y [N, outChannels, outH, outW] (`outputSize`); W `weightShape`; b
/// `biasShape`. A layer without a spatial kernel reads each channel's H·W values as its features
/// (`ChannelWiseLinear`), or wants H = W = 1 (`Linear`, whose caller flattens).
///
/// llm.c's conventions: the caller owns every buffer; forward overwrites its output; backward overwrites
/// dInput (nil when the input needs no gradient, e.g. the first layer) and ACCUMULATES (+=) into dWeight and
/// dBias, so that a training step zeroes the gradients once. Every bias pointer is nil exactly when
/// `hasBias` is false.
public protocol Layer: Sendable {
    var inChannels: Int { get }
    var outChannels: Int { get }
    var hasBias: Bool { get }
    var weightShape: [Int] { get }
    var biasShape: [Int] { get }
    /// PyTorch's default initialisation: weight and bias from U(−initBound, initBound), initBound = 1/√fan_in
    /// with fan_in as PyTorch computes it for this layout (see `Initialization`).
    var initBound: Float { get }
    /// How workers share a batch (see `WorkSplit`).
    var workSplit: WorkSplit { get }
    /// "conv 5×5 1→16", "convT 4×4 s2 32→16", "channel-wise 16×784²": a name for profiles.
    var summary: String { get }

    /// An input map of height × width → the output map's size.
    func outputSize(height: Int, width: Int) -> (height: Int, width: Int)
    /// Multiply-adds of one image's forward pass (as `ContextEncoderBenchmark.flopsPerImage` counts them).
    func multiplyAdds(height: Int, width: Int) -> Double
    /// Floats of scratch that the batch forward and backward need for batches of up to `maxBatch` images.
    func scratchCount(height: Int, width: Int, maxBatch: Int) -> Int
    /// Floats of scratch for the channel-range forward and backward (per worker).
    func channelSplitScratchCount(height: Int, width: Int) -> Int

    /// input [N, inC, H, W] → output [N, outC, outH, outW] (overwritten). scratch ≥ scratchCount.
    func forward(input: UnsafePointer<Float>, batch: Int, height: Int, width: Int,
                 weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                 output: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>)

    /// Output channels `channels` only of output [N, outC, outH, outW] (the other channels untouched): the
    /// inference path, where workers share one image by output channel, and the batch forward of a layer whose
    /// `workSplit` is `.channels`. Disjoint ranges may run concurrently, each with its own scratch
    /// (≥ channelSplitScratchCount).
    func forward(input: UnsafePointer<Float>, batch: Int, height: Int, width: Int,
                 weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                 output: UnsafeMutablePointer<Float>, channels: Range<Int>, scratch: UnsafeMutablePointer<Float>)

    /// Given dOutput [N, outC, outH, outW]: dWeight (`weightShape`) += ∂L/∂W, dBias (`biasShape`) += ∂L/∂b,
    /// dInput [N, inC, H, W] = ∂L/∂x (overwritten; nil when not needed). scratch ≥ scratchCount.
    func backward(input: UnsafePointer<Float>, batch: Int, height: Int, width: Int,
                  weight: UnsafePointer<Float>, dOutput: UnsafePointer<Float>,
                  dInput: UnsafeMutablePointer<Float>?, dWeight: UnsafeMutablePointer<Float>,
                  dBias: UnsafeMutablePointer<Float>?, scratch: UnsafeMutablePointer<Float>)

    /// The same, restricted to output channels `channels`: only their gradients are touched, so disjoint ranges
    /// may run concurrently. Only layers whose channels never mix (`workSplit == .channels`) can split so; the
    /// default runs the whole backward and accepts only the whole range.
    func backward(input: UnsafePointer<Float>, batch: Int, height: Int, width: Int,
                  weight: UnsafePointer<Float>, dOutput: UnsafePointer<Float>,
                  dInput: UnsafeMutablePointer<Float>?, dWeight: UnsafeMutablePointer<Float>,
                  dBias: UnsafeMutablePointer<Float>?, channels: Range<Int>, scratch: UnsafeMutablePointer<Float>)
}

/// How a network's passes share a batch between workers.
public enum WorkSplit: Sendable, Equatable {
    /// The layer mixes channels (a convolution): each worker takes whole images, in forward and backward, and
    /// accumulates its own weight gradient, summed over the workers afterwards.
    case images
    /// Channels never mix (the channel-wise layer): each worker takes some channels of the whole batch, in
    /// forward and backward, reads only their weights and writes disjoint parts of every gradient.
    case channels
}

extension Layer {
    /// The whole forward as the channel-range forward over every output channel: what a layer without a
    /// faster whole-batch path needs (`ChannelWiseLinear`, `Linear`; the convolutions have their own).
    public func forward(input: UnsafePointer<Float>, batch: Int, height: Int, width: Int,
                        weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                        output: UnsafeMutablePointer<Float>, scratch: UnsafeMutablePointer<Float>) {
        forward(input: input, batch: batch, height: height, width: width, weight: weight, bias: bias, output: output,
                channels: 0..<outChannels, scratch: scratch)
    }

    public func backward(input: UnsafePointer<Float>, batch: Int, height: Int, width: Int,
                         weight: UnsafePointer<Float>, dOutput: UnsafePointer<Float>,
                         dInput: UnsafeMutablePointer<Float>?, dWeight: UnsafeMutablePointer<Float>,
                         dBias: UnsafeMutablePointer<Float>?, channels: Range<Int>, scratch: UnsafeMutablePointer<Float>) {
        precondition(channels == 0..<outChannels, "\(Self.self) mixes channels: its backward runs only over all \(outChannels), not \(channels)")
        backward(input: input, batch: batch, height: height, width: width, weight: weight, dOutput: dOutput,
                 dInput: dInput, dWeight: dWeight, dBias: dBias, scratch: scratch)
    }

    /// Floats of scratch enough for any batch size.
    public func scratchCount(height: Int, width: Int) -> Int { scratchCount(height: height, width: width, maxBatch: .max) }

    public var weightCount: Int { weightShape.reduce(1, *) }
    public var biasCount: Int { biasShape.reduce(1, *) }

    func checkBias(_ bias: UnsafePointer<Float>?) {
        precondition(hasBias == (bias != nil), "\(Self.self): hasBias is \(hasBias) but bias pointer \(bias == nil ? "absent" : "given")")
    }
}

// MARK: Tensor-level wrappers (allocating; for tests and small code)

extension Layer {
    /// The (height, width) a tensor's trailing axes stand for: [N, C, H, W] → (H, W); [N, C, F] → (1, F);
    /// [N, F] → (1, 1).
    func spatialSize(of x: Tensor) -> (height: Int, width: Int) {
        precondition((2...4).contains(x.rank) && x.shape[1] == inChannels,
                     "\(Self.self): input shape \(x.shape), expected [N, \(inChannels), (H,) (W)]")
        switch x.rank {
        case 4: return (x.shape[2], x.shape[3])
        case 3: return (1, x.shape[2])
        default: return (1, 1)
        }
    }

    /// The output of an input shaped like `x`, with the same rank: [N, outC, outH, outW], [N, outC, outH·outW]
    /// or [N, outC].
    func outputShape(of x: Tensor) -> [Int] {
        let (h, w) = spatialSize(of: x), (oh, ow) = outputSize(height: h, width: w)
        switch x.rank {
        case 4: return [x.shape[0], outChannels, oh, ow]
        case 3: return [x.shape[0], outChannels, oh * ow]
        default: return [x.shape[0], outChannels]
        }
    }

    /// x [N, inC, H, W] (or [N, inC, F], [N, inC]), W (`weightShape`), b (`biasShape`)? → y of `outputShape`.
    /// With `channels`, only those output channels are computed (the others stay zero).
    public func forward(_ x: Tensor, weight: Tensor, bias: Tensor? = nil, channels: Range<Int>? = nil) -> Tensor {
        precondition(weight.shape == weightShape, "\(Self.self): weight shape \(weight.shape), expected \(weightShape)")
        precondition(bias == nil || bias!.shape == biasShape, "\(Self.self): bias shape \(bias!.shape), expected \(biasShape)")
        let (h, w) = spatialSize(of: x), n = x.shape[0]
        var y = Tensor(shape: outputShape(of: x))
        var scratch = [Float](repeating: 0, count: max(scratchCount(height: h, width: w, maxBatch: n),
                                                       channelSplitScratchCount(height: h, width: w)))
        x.data.withUnsafeBufferPointer { xp in weight.data.withUnsafeBufferPointer { wp in
            withOptionalPointer(bias?.data) { bp in
                y.data.withUnsafeMutableBufferPointer { yp in scratch.withUnsafeMutableBufferPointer { sp in
                    if let channels {
                        forward(input: xp.baseAddress!, batch: n, height: h, width: w, weight: wp.baseAddress!, bias: bp,
                                output: yp.baseAddress!, channels: channels, scratch: sp.baseAddress!)
                    } else {
                        forward(input: xp.baseAddress!, batch: n, height: h, width: w, weight: wp.baseAddress!, bias: bp,
                                output: yp.baseAddress!, scratch: sp.baseAddress!)
                    }
                } }
            }
        } }
        return y
    }

    /// Gradients for one call (not accumulated): dInput (x's shape), dWeight, dBias (nil without bias).
    /// With `channels`, the channel-range backward (`workSplit == .channels` layers only split so).
    public func backward(_ x: Tensor, weight: Tensor, dOutput: Tensor, channels: Range<Int>? = nil)
        -> (dInput: Tensor, dWeight: Tensor, dBias: Tensor?) {
        precondition(dOutput.shape == outputShape(of: x), "\(Self.self): dOutput shape \(dOutput.shape), expected \(outputShape(of: x))")
        let (h, w) = spatialSize(of: x), n = x.shape[0]
        var dx = Tensor(shape: x.shape), dw = Tensor(shape: weightShape)
        var db: [Float]? = hasBias ? [Float](repeating: 0, count: biasCount) : nil
        var scratch = [Float](repeating: 0, count: max(scratchCount(height: h, width: w, maxBatch: n),
                                                       channelSplitScratchCount(height: h, width: w)))
        x.data.withUnsafeBufferPointer { xp in weight.data.withUnsafeBufferPointer { wp in dOutput.data.withUnsafeBufferPointer { gp in
            dx.data.withUnsafeMutableBufferPointer { dxp in dw.data.withUnsafeMutableBufferPointer { dwp in
                withOptionalMutablePointer(&db) { dbp in scratch.withUnsafeMutableBufferPointer { sp in
                    if let channels {
                        backward(input: xp.baseAddress!, batch: n, height: h, width: w, weight: wp.baseAddress!,
                                 dOutput: gp.baseAddress!, dInput: dxp.baseAddress!, dWeight: dwp.baseAddress!,
                                 dBias: dbp, channels: channels, scratch: sp.baseAddress!)
                    } else {
                        backward(input: xp.baseAddress!, batch: n, height: h, width: w, weight: wp.baseAddress!,
                                 dOutput: gp.baseAddress!, dInput: dxp.baseAddress!, dWeight: dwp.baseAddress!,
                                 dBias: dbp, scratch: sp.baseAddress!)
                    }
                } }
            } }
        } } }
        return (dx, dw, db.map { Tensor(shape: biasShape, data: $0) })
    }
}
