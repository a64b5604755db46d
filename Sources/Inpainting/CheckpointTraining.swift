import Datasets
import NeuralCore

// The bridge between the trainer's in-memory state and the checkpoint file, so that `train --out`,
// `train --resume` and the terminal UI's save/load all write and read the same thing.

extension Checkpoint {
    /// A trainer's state as a checkpoint: weights, Adam's moments and hyper-parameters, step, seed and the
    /// recipe (`TrainingOptions`); `epoch` and `loss` are what the caller tracked from the events, `dataset`
    /// what the images were.
    public init(_ state: TrainingCheckpoint, epoch: Int = 0, loss: LossSummary = LossSummary(), notes: [String: String] = [:],
                dataset: DatasetKind = .mnist) {
        let training = TrainingState(step: state.step, epoch: epoch, seed: state.options.seed,
                                     optimizer: state.optimizer.hyperparameters, loss: loss, options: state.options,
                                     notes: notes)
        self.init(model: state.model, training: training, optimizer: state.optimizer.state,
                  discriminator: state.adversary?.discriminator, discriminatorOptimizer: state.adversary?.optimizer.state,
                  dataset: dataset)
    }

    /// What `Trainer(resumeFrom:)` needs. `options` defaults to the recipe saved in the checkpoint (else
    /// `TrainingOptions()`); a checkpoint without Adam's moments (e.g. from `inpaint init` or PyTorch)
    /// resumes with fresh moments at its step count.
    public func trainingCheckpoint(options: TrainingOptions? = nil) -> TrainingCheckpoint {
        let recipe = options ?? training.options ?? TrainingOptions()
        var adam = Adam(parameterCount: model.parameters.count, hyperparameters: recipe.adamHyperparameters)
        if let optimizer {
            adam.state = optimizer
        } else {
            adam.state.step = training.step
        }
        // The discriminator resumes when the recipe trains adversarially; without one saved, the trainer
        // draws a fresh one from the seed.
        let adversary = recipe.adversarial.flatMap { adversarial in
            discriminator.map { discriminator in
                var discriminatorAdam = Adam(parameterCount: discriminator.parameters.count,
                                             hyperparameters: adversarial.adamHyperparameters)
                if let discriminatorOptimizer { discriminatorAdam.state = discriminatorOptimizer }
                return AdversaryState(discriminator: discriminator, optimizer: discriminatorAdam)
            }
        }
        return TrainingCheckpoint(model: model, optimizer: adam, step: training.step, options: recipe, adversary: adversary)
    }
}
