import Datasets
import NeuralCore

/// Adversarial training's recipe (issue 6 §2, after Pathak et al. 2016 §3.2–3.3); nil in `TrainingOptions`
/// turns it off.
///
///   L_G = λ·L_rec + (1 − λ)·L_adv,   L_adv = BCE(D(x̂), real),   x̂ = M ⊙ x + (1 − M) ⊙ G(x ⊙ M)
///   L_D = BCE(D(x), real) + BCE(D(x̂), fake)
///
/// D sees the composite x̂ (the known pixels and the fill), as Pathak et al.'s discriminator sees the
/// filled region in its context, so only the fill can give a fake away.
public struct AdversarialOptions: Sendable, Codable, Equatable {
    /// 1 − λ. Pathak et al. §4 use λ = 0.999, i.e. 0.001.
    public var weight: Float = 0.001
    /// D's own Adam: Pathak et al. §4 (lr 2e-4, β1 0.5, after DCGAN), kept whatever recipe G follows. D's
    /// rate stays constant: a learning-rate schedule applies to G only.
    public var learningRate: Float = 2e-4
    public var beta1: Float = 0.5
    public var beta2: Float = 0.999

    public init(weight: Float = 0.001) { self.weight = weight }

    public var adamHyperparameters: AdamHyperparameters {
        AdamHyperparameters(learningRate: Double(learningRate), beta1: Double(beta1), beta2: Double(beta2))
    }
}

/// The discriminator and its optimizer: the part of a run's state that adversarial training adds (saved
/// in the checkpoint under `disc.*` and `optim.m.disc.*`/`optim.v.disc.*`).
public struct AdversaryState: Sendable, Equatable {
    public var discriminator: Discriminator
    public var optimizer: Adam

    public init(discriminator: Discriminator, optimizer: Adam) {
        self.discriminator = discriminator; self.optimizer = optimizer
    }

    /// A fresh discriminator for a run seeded with `seed` (its own stream, so that turning adversarial
    /// training on leaves G's initialisation, data order and holes exactly as they were).
    public init(options: AdversarialOptions, seed: UInt64) {
        var generator = SeededGenerator(seed: Trainer.mix(seed, 0xD15C))
        let discriminator = Discriminator(generator: &generator)
        self.init(discriminator: discriminator,
                  optimizer: Adam(parameterCount: discriminator.parameters.count, hyperparameters: options.adamHyperparameters))
    }
}

/// What one adversarial step measured, for the events: D's loss (real + fake, ln 4 ≈ 1.386 when D cannot
/// tell them apart) and G's adversarial loss (ln 2 ≈ 0.693 at the same point).
public struct AdversarialLosses: Sendable, Equatable {
    public var discriminator: Float
    public var generator: Float
    public var isFinite: Bool { discriminator.isFinite && generator.isFinite }
}

/// The alternating updates, one call per training step (DCGAN's order, which Pathak et al. follow): D takes
/// one Adam step on real x against the current fill x̂, then G's output gradient gets the adversarial term
/// through the updated D. Lives on the training thread; allocates nothing per step.
final class AdversarialTraining {
    // Two properties rather than one `AdversaryState`, so that Adam can update D's weights in place (one
    // inout access to each).
    private var discriminator: Discriminator
    private var optimizer: Adam
    var state: AdversaryState { AdversaryState(discriminator: discriminator, optimizer: optimizer) }
    let options: AdversarialOptions
    private var gradients: ParameterStore
    private let workspace: DiscriminatorWorkspace
    /// [maxBatch, 784]: x̂ and ∂L_adv/∂x̂.
    private var composite: [Float]
    private var dComposite: [Float]
    private var dLogits: [Float]
    private let real: [Float]
    private let fake: [Float]

    init(options: AdversarialOptions, state: AdversaryState, maxBatch: Int) {
        self.options = options
        discriminator = state.discriminator
        optimizer = state.optimizer
        gradients = state.discriminator.parameters.zerosLike()
        workspace = DiscriminatorWorkspace(maxBatch: maxBatch)
        composite = [Float](repeating: 0, count: maxBatch * Digit.pixels)
        dComposite = composite
        dLogits = [Float](repeating: 0, count: maxBatch)
        real = [Float](repeating: 1, count: maxBatch)
        fake = [Float](repeating: 0, count: maxBatch)
    }

    /// images, masks, output (G's reconstruction ŷ): [count, 784]. dOutput [count, 784] holds ∂L_rec/∂ŷ on
    /// entry and λ·∂L_rec/∂ŷ + (1 − λ)·(1 − M) ⊙ ∂L_adv/∂x̂ on return (x̂ depends on ŷ only in the hole).
    func step(images: UnsafePointer<Float>, masks: UnsafePointer<Float>, output: UnsafePointer<Float>,
              dOutput: UnsafeMutablePointer<Float>, count: Int) -> AdversarialLosses {
        precondition(count <= workspace.maxBatch, "adversarial step: batch of \(count) over \(workspace.maxBatch)")
        let pixels = count * Digit.pixels, weight = options.weight, lambda = 1 - options.weight
        return composite.withUnsafeMutableBufferPointer { xb in
            dComposite.withUnsafeMutableBufferPointer { dxb in dLogits.withUnsafeMutableBufferPointer { dzb in
                real.withUnsafeBufferPointer { ones in fake.withUnsafeBufferPointer { zeros in
                    let xHat = xb.baseAddress!, dxHat = dxb.baseAddress!, dz = dzb.baseAddress!
                    for i in 0..<pixels { xHat[i] = masks[i] * images[i] + (1 - masks[i]) * output[i] }

                    // D: one step on real against fake. x̂ is a constant here (PyTorch's fake.detach()).
                    gradients.zero()
                    var discriminatorLoss: Float = 0
                    gradients.values.withUnsafeMutableBufferPointer { g in
                        for (batch, targets) in [(images, ones.baseAddress!), (UnsafePointer(xHat), zeros.baseAddress!)] {
                            discriminator.forward(images: batch, count: count, workspace: workspace)
                            discriminatorLoss += BinaryCrossEntropy.forward(logits: workspace.logits, targets: targets, count: count)
                            BinaryCrossEntropy.backward(logits: workspace.logits, targets: targets, count: count, dLogits: dz)
                            discriminator.backward(images: batch, dLogits: dz, count: count, gradients: g.baseAddress!,
                                                         dImages: nil, workspace: workspace)
                        }
                    }
                    optimizer.step(parameters: &discriminator.parameters, gradients: gradients)

                    // G: the non-saturating loss −log D(x̂) (Goodfellow et al. 2014), through the updated D.
                    discriminator.forward(images: xHat, count: count, workspace: workspace)
                    let generatorLoss = BinaryCrossEntropy.forward(logits: workspace.logits, targets: ones.baseAddress!, count: count)
                    BinaryCrossEntropy.backward(logits: workspace.logits, targets: ones.baseAddress!, count: count, dLogits: dz)
                    discriminator.backward(images: xHat, dLogits: dz, count: count, gradients: nil, dImages: dxHat,
                                                 workspace: workspace)
                    for i in 0..<pixels {
                        dOutput[i] = lambda * dOutput[i] + weight * (1 - masks[i]) * dxHat[i]
                    }
                    return AdversarialLosses(discriminator: discriminatorLoss, generator: generatorLoss)
                } }
            } }
        }
    }
}
