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
        for stage in config.stages {
            store.initializeUniform("\(stage.name).weight", bound: stage.layer.initBound, generator: &generator)
            if config.bias {
                store.initializeUniform("\(stage.name).bias", bound: stage.layer.initBound, generator: &generator)
            }
        }
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
public final class ContextEncoderWorkspace: @unchecked Sendable {
    public let config: ModelConfig
    public let maxBatch: Int
    let stages: [Stage]
    /// Offsets into the parameter store of each stage's weight and (optional) bias.
    let weightOffsets: [Int]
    let biasOffsets: [Int?]
    /// [maxBatch, inputChannels, 28, 28]: x ⊙ M (and M).
    let input: UnsafeMutablePointer<Float>
    /// One buffer per stage, [maxBatch, C, H, W] of that stage's post-activation output.
    let activations: [UnsafeMutablePointer<Float>]
    /// Two gradient buffers the backward pass alternates between, each as large as the largest activation.
    let gradientA: UnsafeMutablePointer<Float>
    let gradientB: UnsafeMutablePointer<Float>
    /// One image's im2col columns for the widest layer.
    let scratch: UnsafeMutablePointer<Float>
    private let allocations: [(UnsafeMutablePointer<Float>, Int)]

    public init(config: ModelConfig, maxBatch: Int) {
        precondition(maxBatch >= 1, "workspace maxBatch must be ≥ 1, got \(maxBatch)")
        self.config = config
        self.maxBatch = maxBatch
        stages = config.stages
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
        activations = stages.map { allocate(maxBatch * $0.outputSize) }
        let largest = stages.map { max($0.inputSize, $0.outputSize) }.max()!
        gradientA = allocate(maxBatch * largest)
        gradientB = allocate(maxBatch * largest)
        scratch = allocate(stages.map(\.scratchCount).max()!)
        self.allocations = allocations
    }

    deinit {
        for (p, n) in allocations { p.deinitialize(count: n); p.deallocate() }
    }

    /// The network's output for the last forward pass: [count, 1, 28, 28].
    var output: UnsafeMutablePointer<Float> { activations.last! }
}
