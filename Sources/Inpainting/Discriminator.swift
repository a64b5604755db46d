import Datasets
import NeuralCore

/// The adversary of adversarial training (Pathak et al. 2016 §3.2; issue 6 §2): a small DCGAN-style
/// discriminator (Radford et al. 2016: strided convolutions instead of pooling, LeakyReLU 0.2) that scores a
/// 28×28 image as real (high logit) or filled in by the context encoder (low logit).
///
///   disc.0  Conv2d 1→32, 4×4, stride 2, pad 1     [N, 1, 28, 28] → [N, 32, 14, 14], LeakyReLU 0.2
///   disc.2  Conv2d 32→64, 4×4, stride 2, pad 1    → [N, 64, 7, 7], LeakyReLU 0.2
///   (disc.4 is the Flatten)                       → [N, 3136]
///   disc.5  Linear 3136→1                         → [N] logits (the sigmoid lives in the loss)
///
/// Names are those of `nn.Sequential` inside a module attribute `disc` (`scripts/discriminator.py`), so the
/// weights load into PyTorch as they are. Every layer has a bias (PyTorch's default; DCGAN drops them only
/// where batch normalisation follows, and with 3,000-odd weights per layer this network needs none).
public struct Discriminator: Sendable, Equatable {
    public var parameters: ParameterStore

    static let conv1 = Conv2D(inChannels: 1, outChannels: 32, kernelSize: 4, stride: 2, padding: 1, hasBias: true)
    static let conv2 = Conv2D(inChannels: 32, outChannels: 64, kernelSize: 4, stride: 2, padding: 1, hasBias: true)
    static let activation = Activation.leakyReLU(slope: 0.2)
    /// Values per image after each layer: 32·14·14, 64·7·7.
    static let hidden1Size = 32 * 14 * 14
    static let hidden2Size = 64 * 7 * 7
    /// Reads the [N, 64, 7, 7] maps flattened, as [N, 3136, 1, 1].
    static let linear = Linear(inputs: hidden2Size, outputs: 1, hasBias: true)

    /// (name, shape) in state_dict order.
    public static let layout: [(name: String, shape: [Int])] = [
        ("disc.0.weight", conv1.weightShape), ("disc.0.bias", conv1.biasShape),
        ("disc.2.weight", conv2.weightShape), ("disc.2.bias", conv2.biasShape),
        ("disc.5.weight", linear.weightShape), ("disc.5.bias", linear.biasShape),
    ]

    /// PyTorch's default initialisation (U(±1/√fan_in) for weights and biases, see `Initialization`); the
    /// DCGAN paper's N(0, 0.02) was chosen for networks with batch normalisation, which this one has not.
    public init(generator: inout SeededGenerator) {
        var store = ParameterStore(layout: Self.layout)
        let layers: [(prefix: String, layer: any Layer)] = [("disc.0", Self.conv1), ("disc.2", Self.conv2), ("disc.5", Self.linear)]
        for (prefix, layer) in layers { store.initialize(layer, prefix: prefix, generator: &generator) }
        parameters = store
    }

    /// Wraps existing weights; names and shapes must be exactly `layout`.
    public init(parameters: ParameterStore) {
        precondition(parameters.entries.map(\.name) == Self.layout.map(\.name)
                        && parameters.entries.map(\.shape) == Self.layout.map(\.shape),
                     "parameters do not match the discriminator's layout")
        self.parameters = parameters
    }

    private func offset(_ name: String) -> Int { parameters.entry(named: name)!.offset }

    // MARK: Forward

    /// images [count, 784] → workspace.logits [count]. count ≤ workspace.maxBatch.
    public func forward(images: UnsafePointer<Float>, count: Int, workspace ws: DiscriminatorWorkspace) {
        precondition(count >= 1 && count <= ws.maxBatch, "discriminator batch of \(count) outside 1...\(ws.maxBatch)")
        parameters.values.withUnsafeBufferPointer { pb in
            let p = pb.baseAddress!
            Self.conv1.forward(input: images, batch: count, height: 28, width: 28, weight: p + offset("disc.0.weight"),
                               bias: p + offset("disc.0.bias"), output: ws.hidden1, scratch: ws.scratch)
            Self.activation.forward(input: ws.hidden1, output: ws.hidden1, count: count * Self.hidden1Size)
            Self.conv2.forward(input: ws.hidden1, batch: count, height: 14, width: 14, weight: p + offset("disc.2.weight"),
                               bias: p + offset("disc.2.bias"), output: ws.hidden2, scratch: ws.scratch)
            Self.activation.forward(input: ws.hidden2, output: ws.hidden2, count: count * Self.hidden2Size)
            Self.linear.forward(input: ws.hidden2, batch: count, height: 1, width: 1, weight: p + offset("disc.5.weight"),
                                bias: p + offset("disc.5.bias"), output: ws.logits, scratch: ws.scratch)
        }
    }

    // MARK: Backward

    /// Given dLogits [count] and the activations of the matching `forward` (same images, same workspace):
    /// gradients (the parameters' flat layout) += ∂L/∂θ when given; dImages [count, 784] = ∂L/∂images
    /// (overwritten) when given, which is how the adversarial loss reaches the context encoder.
    public func backward(images: UnsafePointer<Float>, dLogits: UnsafePointer<Float>, count: Int,
                         gradients: UnsafeMutablePointer<Float>?, dImages: UnsafeMutablePointer<Float>?,
                         workspace ws: DiscriminatorWorkspace) {
        precondition(count >= 1 && count <= ws.maxBatch, "discriminator batch of \(count) outside 1...\(ws.maxBatch)")
        // The generator's step needs only dImages: the weight gradients then go to a buffer nobody reads.
        let g = gradients ?? ws.discardedGradients
        parameters.values.withUnsafeBufferPointer { pb in
            let p = pb.baseAddress!
            Self.linear.backward(input: ws.hidden2, batch: count, height: 1, width: 1, weight: p + offset("disc.5.weight"),
                                 dOutput: dLogits, dInput: ws.dHidden2, dWeight: g + offset("disc.5.weight"),
                                 dBias: g + offset("disc.5.bias"), scratch: ws.scratch)
            Self.activation.backward(output: ws.hidden2, dOutput: ws.dHidden2, dInput: ws.dHidden2, count: count * Self.hidden2Size)
            Self.conv2.backward(input: ws.hidden1, batch: count, height: 14, width: 14, weight: p + offset("disc.2.weight"),
                                dOutput: ws.dHidden2, dInput: ws.dHidden1, dWeight: g + offset("disc.2.weight"),
                                dBias: g + offset("disc.2.bias"), scratch: ws.scratch)
            Self.activation.backward(output: ws.hidden1, dOutput: ws.dHidden1, dInput: ws.dHidden1, count: count * Self.hidden1Size)
            Self.conv1.backward(input: images, batch: count, height: 28, width: 28, weight: p + offset("disc.0.weight"),
                                dOutput: ws.dHidden1, dInput: dImages, dWeight: g + offset("disc.0.weight"),
                                dBias: g + offset("disc.0.bias"), scratch: ws.scratch)
        }
    }
}

/// Activations, their gradients and scratch for up to `maxBatch` images, allocated once. One per thread.
public final class DiscriminatorWorkspace: @unchecked Sendable {
    public let maxBatch: Int
    /// [maxBatch, 32, 14, 14] and [maxBatch, 64, 7, 7], after LeakyReLU.
    let hidden1: UnsafeMutablePointer<Float>
    let hidden2: UnsafeMutablePointer<Float>
    /// [maxBatch]: the output of the last forward pass.
    public let logits: UnsafeMutablePointer<Float>
    let dHidden1: UnsafeMutablePointer<Float>
    let dHidden2: UnsafeMutablePointer<Float>
    /// One image's im2col columns for the wider convolution.
    let scratch: UnsafeMutablePointer<Float>
    /// Weight gradients of a backward pass that wants only the input's gradient.
    let discardedGradients: UnsafeMutablePointer<Float>
    private let allocations: [(UnsafeMutablePointer<Float>, Int)]

    public init(maxBatch: Int) {
        precondition(maxBatch >= 1, "discriminator workspace maxBatch must be ≥ 1, got \(maxBatch)")
        self.maxBatch = maxBatch
        var allocations: [(UnsafeMutablePointer<Float>, Int)] = []
        func allocate(_ count: Int) -> UnsafeMutablePointer<Float> {
            let p = UnsafeMutablePointer<Float>.allocate(capacity: count)
            p.initialize(repeating: 0, count: count)
            allocations.append((p, count))
            return p
        }
        hidden1 = allocate(maxBatch * Discriminator.hidden1Size)
        hidden2 = allocate(maxBatch * Discriminator.hidden2Size)
        logits = allocate(maxBatch)
        dHidden1 = allocate(maxBatch * Discriminator.hidden1Size)
        dHidden2 = allocate(maxBatch * Discriminator.hidden2Size)
        scratch = allocate(max(Discriminator.conv1.scratchCount(height: 28, width: 28),
                               Discriminator.conv2.scratchCount(height: 14, width: 14)))
        discardedGradients = allocate(ParameterStore(layout: Discriminator.layout).count)
        self.allocations = allocations
    }

    deinit {
        for (p, n) in allocations { p.deinitialize(count: n); p.deallocate() }
    }
}

// MARK: Array-level wrappers (allocating; for tests and small code)

extension Discriminator {
    /// images [count, 784] → logits [count].
    public func logits(images: [Float], count: Int) -> [Float] {
        precondition(images.count == count * Digit.pixels, "discriminator: expected \(count)×784 images, got \(images.count)")
        let ws = DiscriminatorWorkspace(maxBatch: count)
        images.withUnsafeBufferPointer { forward(images: $0.baseAddress!, count: count, workspace: ws) }
        return Array(UnsafeBufferPointer(start: ws.logits, count: count))
    }

    /// images [count, 784], dLogits [count] → (∂L/∂θ in the parameters' layout, ∂L/∂images [count, 784]).
    public func gradients(images: [Float], dLogits: [Float], count: Int) -> (parameters: ParameterStore, images: [Float]) {
        precondition(images.count == count * Digit.pixels && dLogits.count == count, "discriminator: expected \(count)×784 images and \(count) dLogits")
        let ws = DiscriminatorWorkspace(maxBatch: count)
        var g = parameters.zerosLike()
        var dx = [Float](repeating: 0, count: images.count)
        images.withUnsafeBufferPointer { x in dLogits.withUnsafeBufferPointer { dz in
            g.values.withUnsafeMutableBufferPointer { gp in dx.withUnsafeMutableBufferPointer { dxp in
                forward(images: x.baseAddress!, count: count, workspace: ws)
                backward(images: x.baseAddress!, dLogits: dz.baseAddress!, count: count, gradients: gp.baseAddress!,
                         dImages: dxp.baseAddress!, workspace: ws)
            } }
        } }
        return (g, dx)
    }
}
