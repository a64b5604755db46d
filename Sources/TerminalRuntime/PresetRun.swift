import Datasets
import Experiments
import FileIO
import Inpainting
import NeuralCore
import TerminalUI

/// `inpaint tui --preset NAME` (or the `x` menu): an experiment of `inpaint experiment` trained live in the
/// UI, on the experiment's own data with its recipe (`ExperimentPreset`), browsing the digits that make its point.
public struct PresetRun {
    public let preset: ExperimentPreset
    public let seed: UInt64

    /// Throws a `DataError` naming `--preset` when the data has no training or no test split.
    public init(name: ExperimentName, dataset: Dataset, seed: UInt64, maskChannel: Bool) throws {
        guard let train = dataset.train, let test = dataset.test else {
            throw DataError("--preset \(name)", "expected a training and a test split in \(dataset.location.directory.path)")
        }
        self.seed = seed
        preset = try name.preset(ExperimentContext(train: train, test: test, seed: seed, dataset: dataset.location.dataset),
                                 maskChannel: maskChannel)
    }

    public var library: DigitLibrary {
        DigitLibrary(name: preset.name.rawValue, images: preset.digits, labels: preset.labels,
                     groups: preset.groups.map { DigitGroup(name: $0.name, range: $0.range) }, dataset: preset.dataset)
    }

    /// The experiment's starting weights: the same seed and initialisation as `inpaint experiment NAME`.
    public func freshModel() -> ContextEncoder {
        var generator = SeededGenerator(seed: seed)
        return ContextEncoder(config: preset.config, generator: &generator)
    }

    public var learningRate: Float {
        switch preset.training {
        case .fullBatch(let recipe): recipe.learningRate
        case .minibatch(_, _, let options): options.learningRate
        }
    }

    /// What the training line of the status block says about the data.
    public var dataLabel: String {
        switch preset.training {
        case .fullBatch(let recipe):
            "\(preset.name): \(recipe.count) images, full batch, \(recipe.steps) steps"
        case .minibatch(_, let count, let options):
            "\(preset.name): \(count) images, batch \(options.batchSize), \(totalSteps ?? 0) steps"
        }
    }

    /// The steps the preset trains for: its full-batch steps, or its minibatch run's step limit, else its
    /// epochs times the steps per epoch (`full`: 30 epochs of the training split).
    public var totalSteps: Int? {
        switch preset.training {
        case .fullBatch(let recipe): recipe.steps
        case .minibatch(_, let count, let options):
            options.maxSteps ?? options.epochs.map { $0 * ((count + options.batchSize - 1) / options.batchSize) }
        }
    }

    /// The status block's model line for the preset's fresh network.
    public var modelLabel: String { "fresh \(preset.config.architecture.rawValue) (seed \(seed))" }

    /// The header's word on the preset's network: its shape, freshly initialised (never "bundled").
    public var identity: ModelIdentity { ModelIdentity(config: preset.config, origin: .fresh) }

    /// Makes the preset's trainer for some starting weights (a reset or a loaded checkpoint starts over).
    public var factory: BackgroundTraining.Factory {
        let preset = self.preset
        return { model, resume, events in
            switch preset.training {
            case .fullBatch(let recipe):
                // The full-batch loop restarts from the weights: its holes come from a generator it does not save.
                return FullBatchTrainer(model: resume?.model ?? model, recipe: recipe, evaluationImages: preset.evaluationImages,
                                        evaluationMasks: preset.evaluationMasks, events: events)
            case .minibatch(let images, let count, let options):
                return Trainer(model: model, images: images, count: count, options: options,
                               evaluationImages: preset.evaluationImages, evaluationCount: preset.evaluationCount,
                               resumeFrom: resume, events: events)
            }
        }
    }

    /// What the UI shows when the `x` menu switches to this preset.
    public var start: PresetStart {
        PresetStart(name: preset.name, library: library, initialHole: preset.initialHole, hint: preset.hint,
                    dataLabel: dataLabel, learningRate: learningRate)
    }

    /// The preset's name in the header, its first hole, and its hint as the first notice.
    public func apply(to state: inout AppState) {
        state.preset = preset.name.rawValue
        if let hole = preset.initialHole {
            state.hole = hole
            state.mask = hole.mask()
        }
        state.notice = preset.hint
        state.lesson = .forPreset(preset.name, lookFor: preset.hint)
        state.training.dataset = dataLabel
    }
}
