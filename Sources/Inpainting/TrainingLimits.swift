import NeuralCore

// Bounds on what a run may ask for, shared by `train`'s flags and the recipe a checkpoint records, so that a
// typo (`--batch 1000000`) or a damaged file (`"batchSize": -1`) is refused in one line before anything is
// allocated, instead of trapping on an overflow or hanging in a gigabyte allocation.

extension TrainingOptions {
    /// Images per step at most. The paper model keeps about 0.4 MB of activations per image in a step, so
    /// 8,192 images already need over 3 GB; nothing in the project uses more than 512.
    public static let maximumBatchSize = 8_192
    /// Steps (and Adam steps) at most: a billion steps is years at the measured 12 steps/s, and it keeps
    /// `epochs × stepsPerEpoch`, the schedules and Adam's bias corrections far from overflow.
    public static let maximumSteps = 1_000_000_000
    /// Epochs at most (100,000 passes over the 60,000 MNIST images is 6·10⁹ images, far past any budget).
    public static let maximumEpochs = 100_000

    /// The first problem with this recipe, or nil: what `--resume` checks before trusting a checkpoint's
    /// recorded options as it would check the flags they came from.
    public var recipeProblem: String? {
        func unit(_ x: Float) -> Bool { x >= 0 && x < 1 }
        func positive(_ x: Float) -> Bool { x > 0 && x.isFinite }
        if !(1...Self.maximumBatchSize).contains(batchSize) {
            return "batch size \(batchSize), expected 1…\(Self.maximumBatchSize)"
        }
        if !positive(learningRate) { return "learning rate \(learningRate), expected a positive number" }
        if !unit(beta1) || !unit(beta2) { return "Adam betas \(beta1), \(beta2), expected each in [0, 1)" }
        if !positive(epsilon) { return "Adam epsilon \(epsilon), expected a positive number" }
        if !(knownWeight >= 0 && knownWeight.isFinite) { return "known weight \(knownWeight), expected a non-negative number" }
        if let maxSteps, !(1...Self.maximumSteps).contains(maxSteps) {
            return "maximum steps \(maxSteps), expected 1…\(Self.maximumSteps)"
        }
        if let epochs, !(1...Self.maximumEpochs).contains(epochs) {
            return "epochs \(epochs), expected 1…\(Self.maximumEpochs)"
        }
        if evalEvery < 0 || checkpointEvery < 0 { return "eval/checkpoint interval \(evalEvery)/\(checkpointEvery), expected ≥ 0" }
        if let warmupSteps, !(0...Self.maximumSteps).contains(warmupSteps) {
            return "warm-up steps \(warmupSteps), expected 0…\(Self.maximumSteps)"
        }
        if let adversarial {
            if !(adversarial.weight > 0 && adversarial.weight < 1) {
                return "adversarial weight \(adversarial.weight), expected between 0 and 1 (exclusive)"
            }
            if !positive(adversarial.learningRate) || !unit(adversarial.beta1) || !unit(adversarial.beta2) {
                return "discriminator Adam lr \(adversarial.learningRate), betas \(adversarial.beta1), \(adversarial.beta2), "
                    + "expected a positive rate and betas in [0, 1)"
            }
        }
        return nil
    }
}

extension Checkpoint {
    /// Checks what `--resume` will trust: the step counters and the recorded recipe. Throws one line naming
    /// `file` and the field ("…: recorded recipe has batch size 0, expected 1…8192").
    public func validateForResume(file: String) throws(CheckpointError) {
        let limit = TrainingOptions.maximumSteps
        if !(0...limit).contains(training.step) {
            throw CheckpointError(file: file, detail: "recorded step \(training.step), expected 0…\(limit)")
        }
        for (name, state) in [("optimizer", optimizer), ("discriminator optimizer", discriminatorOptimizer)] {
            if let state, !(0...limit).contains(state.step) {
                throw CheckpointError(file: file, detail: "recorded \(name) step \(state.step), expected 0…\(limit)")
            }
        }
        if let problem = training.options?.recipeProblem {
            throw CheckpointError(file: file, detail: "recorded recipe has \(problem)")
        }
    }
}
