import Datasets
import Dispatch
import NeuralCore

/// The context encoder (Pathak et al. 2016, as simplified for MNIST by Hu & Velarde 2016): an encoder of
/// three convolutions, a channel-wise fully connected bottleneck, and a decoder of three transposed
/// convolutions ending in a sigmoid.
///
/// A value: the weights live in one `ParameterStore` (copy on write), so a snapshot for another thread is a
/// cheap copy until the trainer writes again.
public struct ContextEncoder: Sendable, Equatable {
    public var config: ModelConfig
    public var parameters: ParameterStore

    /// PyTorch's default initialisation (see `Initialization`), in state_dict order, weight then bias.
    public init(config: ModelConfig, generator: inout SeededGenerator) {
        self.config = config
        var store = ParameterStore(layout: config.parameterLayout)
        for stage in config.stages { store.initialize(stage.layer, prefix: stage.name, generator: &generator) }
        self.parameters = store
    }

    /// Wraps existing weights; their names and shapes must be exactly `config.parameterLayout`.
    public init(config: ModelConfig, parameters: ParameterStore) {
        let layout = config.parameterLayout
        precondition(parameters.entries.map(\.name) == layout.map(\.name)
                        && parameters.entries.map(\.shape) == layout.map(\.shape),
                     "parameters do not match the layout of \(config)")
        self.config = config
        self.parameters = parameters
    }
}

/// Activations and scratch for up to `maxBatch` images: what the forward pass writes and the backward pass
/// reads, allocated once so that the training loop allocates nothing. One per thread: not safe to share
/// between two concurrent calls (it is `@unchecked Sendable` only so that it can be handed to a worker).
///
/// `concurrency` > 1 splits each pass over that many Dispatch workers (images for the convolutions,
/// channels for the channel-wise layer), each calling BLAS on its own share; set `BLASThreads` to 1 then,
/// or the two levels of threads oversubscribe the cores. Results equal the serial pass up to the order in
/// which per-worker weight gradients are summed. A single image's forward instead shares each layer's output
/// channels over the workspace's own `WorkerPool` (`singleImageThreads`), bit-identical to the serial pass.
public final class ContextEncoderWorkspace: @unchecked Sendable {
    public let config: ModelConfig
    public let maxBatch: Int
    public let concurrency: Int
    package let stages: [Stage]
    /// Offsets into the parameter store of each stage's weight and (optional) bias.
    package let weightOffsets: [Int]
    package let biasOffsets: [Int?]
    /// [maxBatch, inputChannels, 28, 28]: x ⊙ M (and M).
    package let input: UnsafeMutablePointer<Float>
    /// One buffer per stage, [maxBatch, C, H, W] of that stage's post-activation output (after the pool).
    package let activations: [UnsafeMutablePointer<Float>]
    /// Per stage, where the layer and its activation write: `activations[s]`, or for a pooled stage its own
    /// [maxBatch, layerOutput] buffer that the pool then reads.
    package let layerOutputs: [UnsafeMutablePointer<Float>]
    /// Per pooled stage, [maxBatch, output] flat indices of the winning inputs (relative to each worker's
    /// first image); nil for stages without a pool.
    package let poolArgmax: [UnsafeMutablePointer<Int32>?]
    /// ∂L/∂(layer output before the pool) of a pooled stage: [maxBatch, largest pooled layerOutput].
    package let poolGradient: UnsafeMutablePointer<Float>
    /// Two gradient buffers the backward pass alternates between, each as large as the largest activation.
    package let gradientA: UnsafeMutablePointer<Float>
    package let gradientB: UnsafeMutablePointer<Float>
    /// Per worker: the im2col columns of a chunk of images (`ColumnBatch`) for the widest layer.
    let scratches: [UnsafeMutablePointer<Float>]
    /// Per worker after the first: private weight+bias gradient accumulators for one convolution stage,
    /// summed into the shared gradients when the stage is done.
    let partialGradients: [UnsafeMutablePointer<Float>]
    let partialGradientCount: Int
    private let allocations: [(UnsafeMutablePointer<Float>, Int)]
    private let argmaxAllocations: [(UnsafeMutablePointer<Int32>, Int)]

    public convenience init(config: ModelConfig, maxBatch: Int) {
        self.init(config: config, maxBatch: maxBatch, concurrency: 1)
    }

    public init(config: ModelConfig, maxBatch: Int, concurrency: Int) {
        precondition(maxBatch >= 1, "workspace maxBatch must be ≥ 1, got \(maxBatch)")
        precondition(concurrency >= 1, "workspace concurrency must be ≥ 1, got \(concurrency)")
        self.config = config
        self.maxBatch = maxBatch
        self.concurrency = concurrency
        self.singleImageThreads = concurrency
        let stages = config.stages
        self.stages = stages
        let layout = ParameterStore(layout: config.parameterLayout)
        weightOffsets = stages.map { layout.entry(named: "\($0.name).weight")!.offset }
        biasOffsets = stages.map { layout.entry(named: "\($0.name).bias")?.offset }
        var allocations: [(UnsafeMutablePointer<Float>, Int)] = []
        func allocate(_ count: Int) -> UnsafeMutablePointer<Float> {
            let p = UnsafeMutablePointer<Float>.allocate(capacity: max(count, 1))
            p.initialize(repeating: 0, count: max(count, 1))
            allocations.append((p, max(count, 1)))
            return p
        }
        input = allocate(maxBatch * config.inputChannels * Digit.pixels)
        let activations = stages.map { allocate(maxBatch * $0.outputSize) }
        self.activations = activations
        layerOutputs = stages.indices.map { stages[$0].isPooled ? allocate(maxBatch * stages[$0].layerOutputSize) : activations[$0] }
        var argmaxAllocations: [(UnsafeMutablePointer<Int32>, Int)] = []
        poolArgmax = stages.map { stage in
            guard stage.isPooled else { return nil }
            let p = UnsafeMutablePointer<Int32>.allocate(capacity: maxBatch * stage.outputSize)
            p.initialize(repeating: 0, count: maxBatch * stage.outputSize)
            argmaxAllocations.append((p, maxBatch * stage.outputSize))
            return p
        }
        self.argmaxAllocations = argmaxAllocations
        poolGradient = allocate(maxBatch * (stages.filter(\.isPooled).map(\.layerOutputSize).max() ?? 0))
        let largest = stages.map { max($0.inputSize, $0.outputSize) }.max()!
        gradientA = allocate(maxBatch * largest)
        gradientB = allocate(maxBatch * largest)
        let scratchCount = stages.map { $0.scratchCount(maxBatch: maxBatch) }.max()!
        scratches = (0..<concurrency).map { _ in allocate(scratchCount) }
        // Stages split by image only: a layer split by channel writes disjoint gradients and needs no private copy.
        let partialCount = stages.map { stage -> Int in
            stage.layer.workSplit == .channels ? 0 : stage.layer.weightCount + stage.layer.biasCount
        }.max()!
        partialGradientCount = partialCount
        partialGradients = (1..<concurrency).map { _ in allocate(partialCount) }
        self.allocations = allocations
    }

    deinit {
        for (p, n) in allocations { p.deinitialize(count: n); p.deallocate() }
        for (p, n) in argmaxAllocations { p.deinitialize(count: n); p.deallocate() }
    }

    /// The float16 and int8 copies of the channel-wise weights for `InferencePrecision.float16` and `.int8`, and
    /// the parameters each was made from (kept, so that the next call sees whether they changed; a snapshot's
    /// storage is shared, not copied). One of each, so that a caller alternating precisions converts once.
    private var half: (source: ParameterStore, weights: HalfPrecisionWeights)?
    private var int8: (source: ParameterStore, weights: Int8Weights)?

    /// The float16 weights at `offset..<offset + count` of `parameters`, converted once per parameter set: the
    /// comparison is cheap both when the parameters are the same snapshot (shared storage) and when training
    /// moved them (the first weights differ).
    func halfPrecisionWeights(of parameters: ParameterStore, offset: Int, count: Int) -> HalfPrecisionWeights {
        if let half, half.source == parameters, half.weights.count == count { return half.weights }
        let weights = parameters.values.withUnsafeBufferPointer { HalfPrecisionWeights($0.baseAddress! + offset, count: count) }
        half = (parameters, weights)
        return weights
    }

    /// Input rows per int8 scale (`Int8Weights.blockRows`); other values only to measure the choice.
    package var int8BlockRows = Int8Weights.defaultBlockRows

    /// The int8 weights of `layer`, whose float32 weights start at `offset` of `parameters`, quantised once per
    /// parameter set (as `halfPrecisionWeights`).
    func int8Weights(of parameters: ParameterStore, offset: Int, layer: ChannelWiseLinear) -> Int8Weights {
        if let int8, int8.source == parameters, int8.weights.channels == layer.channels,
           int8.weights.inFeatures == layer.inFeatures, int8.weights.outFeatures == layer.outFeatures,
           int8.weights.blockRows == min(int8BlockRows, layer.inFeatures) { return int8.weights }
        let weights = parameters.values.withUnsafeBufferPointer {
            Int8Weights($0.baseAddress! + offset, channels: layer.channels, inFeatures: layer.inFeatures,
                        outFeatures: layer.outFeatures, blockRows: int8BlockRows)
        }
        int8 = (parameters, weights)
        return weights
    }

    /// The channel-wise layer `layer` of the stage whose weights start at `offset`, with its weights in a
    /// reduced `precision` (.float16 or .int8), for the channels `channels` of `count` images.
    /// Returns a pass that runs it over the channels given: input [count, C, inF] → output [count, C, outF].
    func reducedPrecisionForward(_ layer: ChannelWiseLinear, precision: InferencePrecision, parameters: ParameterStore,
                                 offset: Int) -> (_ input: UnsafePointer<Float>, _ count: Int, _ bias: UnsafePointer<Float>?,
                                                  _ output: UnsafeMutablePointer<Float>, _ channels: Range<Int>) -> Void {
        switch precision {
        case .float16:
            let half = halfPrecisionWeights(of: parameters, offset: offset, count: layer.weightCount)
            return { input, count, bias, output, channels in
                half.withUnsafeBufferPointer { h in
                    layer.forward(input: input, batch: count, halfWeight: h.baseAddress!, bias: bias, output: output,
                                  channelRange: channels)
                }
            }
        case .int8:
            let weights = int8Weights(of: parameters, offset: offset, layer: layer)
            return { input, count, bias, output, channels in
                layer.forward(input: input, batch: count, int8Weights: weights, bias: bias, output: output, channelRange: channels)
            }
        case .float32:
            preconditionFailure("reducedPrecisionForward: float32 runs the layer's own forward")
        }
    }

    /// The network's output for the last forward pass: [count, 1, 28, 28].
    package var output: UnsafeMutablePointer<Float> { activations.last! }
    package var scratch: UnsafeMutablePointer<Float> { scratches[0] }

    /// Threads a single-image forward uses, 1...concurrency (default: concurrency). With more than one, each
    /// layer's output channels are shared out over a `WorkerPool` the workspace starts at the first such
    /// forward and keeps (its helpers sleep between calls); 1 is the serial pass. Batches ignore it.
    /// `ModelReconstructor` lowers it to 1 when its measurements say two threads lose (training on the other core).
    public var singleImageThreads: Int {
        didSet {
            precondition((1...concurrency).contains(singleImageThreads),
                         "singleImageThreads must be in 1...\(concurrency), got \(singleImageThreads)")
        }
    }

    /// The helpers of single-image forwards, concurrency − 1 threads; nil with concurrency 1, or when the
    /// threads could not be started (the forward then splits over Dispatch workers as batches do).
    package private(set) lazy var singleImagePool: WorkerPool? =
        concurrency > 1 ? WorkerPool(helpers: concurrency - 1, spinNanoseconds: singleImageSpinNanoseconds) : nil

    /// How long the pool's helpers spin after each job before they sleep; read when the pool starts (for
    /// `inpaint bench --forward-only`, which compares spins).
    package var singleImageSpinNanoseconds = WorkerPool.defaultSpinNanoseconds

    /// Runs body(range, worker) over `count` items split into at most `concurrency` contiguous ranges.
    func split(_ count: Int, _ body: (Range<Int>, Int) -> Void) { split(count, workers: concurrency, body) }

    /// The same with at most `workers` (≤ concurrency) ranges.
    func split(_ count: Int, workers: Int, _ body: (Range<Int>, Int) -> Void) {
        let workers = min(workers, concurrency, count)
        if workers <= 1 { body(0..<count, 0); return }
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            body((count * w / workers)..<(count * (w + 1) / workers), w)
        }
    }
}
