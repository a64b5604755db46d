import NeuralCore

/// What a training run does. `Codable` so that a checkpoint can record the recipe it came from.
public struct TrainingOptions: Sendable, Codable, Equatable {
    /// Images per step (the report does not say; 64 is PyTorch's usual MNIST batch).
    public var batchSize: Int = 64
    public var learningRate: Float = 1e-3
    /// Adam β1/β2/ε: PyTorch's defaults; `pathak` preset is lr 2e-4, β1 0.5 (Pathak et al. §4).
    public var beta1: Float = 0.9
    public var beta2: Float = 0.999
    public var epsilon: Float = 1e-8
    public var seed: UInt64 = 1
    public var loss: ReconstructionLoss = .l2
    /// Weight of the error on known pixels relative to the hole (0 = the report's loss).
    public var knownWeight: Float = 0
    /// Stop after this many steps in total (nil: run until cancelled or `epochs` ends).
    public var maxSteps: Int? = nil
    /// Stop after this many passes over the training images (nil: no limit).
    public var epochs: Int? = nil
    /// Evaluate the fixed held-out batch every this many steps (0: never).
    public var evalEvery: Int = 100
    /// Ask the checkpoint sink to save every this many steps (0: only at the end and on cancel).
    public var checkpointEvery: Int = 0
    /// Which holes to cut while training (`--mask-sampler rect|stroke|mixed`).
    public var maskSampler: MaskSamplerKind = .rect
    /// Dispatch workers for the passes and Adam (`ContextEncoderWorkspace`'s concurrency); pair it with one
    /// BLAS thread. Not part of the recipe (not encoded): it changes only the order in which the workers'
    /// weight gradients are summed, so a bit-exact resume needs the same count.
    public var workers: Int = 1
    /// How the learning rate changes over the run (nil, as in checkpoints from before schedules: constant).
    public var schedule: LearningRateSchedule? = nil
    /// Steps of linear warm-up from 0 to `learningRate` before the schedule starts (nil or 0: none).
    public var warmupSteps: Int? = nil
    /// Adversarial training (`--adversarial`): a discriminator and L = λ·L_rec + (1 − λ)·L_adv (nil: off,
    /// the report's pure reconstruction loss).
    public var adversarial: AdversarialOptions? = nil

    public init() {}

    /// The learning rate at `step` (0-based) of a run of `totalSteps` steps (see `LearningRateSchedule`).
    public func learningRate(base: Float, step: Int, totalSteps: Int?) -> Float {
        (schedule ?? .constant).learningRate(base: base, step: step, totalSteps: totalSteps, warmupSteps: warmupSteps ?? 0)
    }

    // Every field but `workers`, so that checkpoints keep their format.
    enum CodingKeys: String, CodingKey {
        case batchSize, learningRate, beta1, beta2, epsilon, seed, loss, knownWeight, maxSteps, epochs, evalEvery
        case checkpointEvery, maskSampler, schedule, warmupSteps, adversarial
    }

    public var adamHyperparameters: AdamHyperparameters {
        AdamHyperparameters(learningRate: Double(learningRate), beta1: Double(beta1), beta2: Double(beta2),
                            epsilon: Double(epsilon))
    }

    /// Pathak et al.'s Adam settings (lr 2e-4, β1 0.5).
    public static var pathak: TrainingOptions {
        var o = TrainingOptions()
        o.learningRate = 2e-4
        o.beta1 = 0.5
        return o
    }
}

extension MaskSamplerKind: Codable {}
