import Datasets
import Experiments
import FileIO
import Inpainting
import NeuralCore
import TerminalUI

/// `inpaint tui --preset compare-NAME`: a comparison of the report (`ComparisonPreset`) trained live, each
/// arm from the same fresh weights and with the same recipe as its single-network preset (`PresetRun`),
/// the arms taking turns on the training core (`AlternatingTraining`).
public struct ComparisonRun {
    public let comparison: ComparisonPreset
    public let arms: [PresetRun]

    /// Throws a `DataError` naming `--preset` when the data has no training or no test split.
    public init(name: ComparisonName, dataset: Dataset, seed: UInt64) throws {
        guard let train = dataset.train, let test = dataset.test else {
            throw DataError("--preset \(name.presetName)", "expected a training and a test split in \(dataset.location.directory.path)")
        }
        comparison = try name.preset(ExperimentContext(train: train, test: test, seed: seed, dataset: dataset.location.dataset))
        arms = comparison.arms.map { PresetRun(arm: $0, seed: seed) }
    }

    /// The digits every arm is shown: the first arm's.
    public var library: DigitLibrary { arms[0].library }
    public var names: [String] { comparison.armNames }
    /// Each arm's starting weights (`PresetRun.freshModel`, the experiment's seed).
    public func freshModels() -> [ContextEncoder] { arms.map { $0.freshModel() } }

    /// How the arms take turns, with `--lr` for every one of them when given.
    public func plan(learningRate: Float?) -> ComparedModels.Plan {
        ComparedModels.Plan(factories: arms.map(\.factory),
                            turns: comparison.secondsEach.map { .time(secondsEach: $0) } ?? .steps,
                            learningRate: learningRate)
    }

    /// The status block's data line: the first arm's data and how the turns go.
    public var dataLabel: String {
        let turns = comparison.secondsEach.map { "\(Int($0)) s each, turns by time" } ?? "turns by step"
        return "\(arms[0].dataLabel) · \(turns)"
    }

    /// What the UI shows when the `x` menu switches to this comparison (`.comparisonStarted`).
    public var start: ComparisonStart {
        ComparisonStart(name: comparison.name, firstArm: arms[0].start, names: names, hint: comparison.hint, dataLabel: dataLabel)
    }

    /// The comparison's name in the header, its first hole, its hint as the first notice, the models' names.
    public func apply(to state: inout AppState) {
        arms[0].apply(to: &state)
        state.showComparison(comparison.name, names: names, hint: comparison.hint, dataLabel: dataLabel)
    }
}

extension PresetRun {
    /// One arm of a comparison: a preset made by `ComparisonName.preset`, run as `--preset` runs its own.
    init(arm: ExperimentPreset, seed: UInt64) {
        self.preset = arm
        self.seed = seed
    }
}
