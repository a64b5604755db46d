import ArgumentParser
import Datasets
import Evaluation
import Experiments
import Foundation
import Inpainting
import TerminalRuntime
import TerminalUI

/// `--preset`'s value: one of the report's experiments (`inpaint experiment list`), or a comparison that
/// trains two networks side by side (`compare-position`, `compare-adversarial`, `compare-bias`,
/// `compare-architectures`).
enum TuiPreset: ExpressibleByArgument, Equatable {
    case experiment(ExperimentName)
    case comparison(ComparisonName)

    init?(argument: String) {
        if let comparison = ComparisonName(presetName: argument) { self = .comparison(comparison) }
        else if let experiment = ExperimentName(rawValue: argument) { self = .experiment(experiment) }
        else { return nil }
    }

    /// The name `--preset` takes for it (what the reopen line writes back).
    var argument: String {
        switch self {
        case .experiment(let name): name.rawValue
        case .comparison(let name): name.presetName
        }
    }

    static var allValueStrings: [String] {
        ExperimentName.presets.map(\.rawValue) + ComparisonName.allCases.map(\.presetName)
    }
}

extension TuiCommand {
    /// The most models side by side (three fit from about 170 columns; `Layout` shows one at a time below).
    static let maximumModels = 3

    /// `--preset` when it names one experiment.
    var experiment: ExperimentName? { if case .experiment(let name)? = preset { name } else { nil } }
    /// `--preset` when it names a comparison.
    var comparisonName: ComparisonName? { if case .comparison(let name)? = preset { name } else { nil } }

    /// The first `--model`, with `bundled` meaning the bundled model (unless a file of that name exists).
    var firstModelPath: String? { model.first.flatMap { TuiCommand.isBundled($0) ? nil : $0 } }

    static func isBundled(_ path: String) -> Bool { path == "bundled" && !FileManager.default.fileExists(atPath: path) }

    func validateComparison() throws {
        guard model.count <= TuiCommand.maximumModels else {
            throw ValidationError("--model: at most \(TuiCommand.maximumModels) models side by side, found \(model.count)")
        }
        if model.count > 1 && preset != nil {
            throw ValidationError("--model: expected one file with --preset (a preset trains one model), found \(model.count)")
        }
        if let comparisonName {
            if !model.isEmpty {
                throw ValidationError("--model: \(comparisonName.presetName) trains its own fresh networks; leave --model out")
            }
            if maskChannel {
                throw ValidationError("--mask-channel: \(comparisonName.presetName) sets each network's input itself")
            }
        }
    }

    /// A comparison preset's networks and training, or the second and third `--model`, put into the runtime
    /// (`UIRuntime.compared`) and the state (`AppState.comparison`): each model's name, curves and notice.
    func attachComparison(_ run: ComparisonRun?, to runtime: UIRuntime, state: inout AppState, start: StartingModel,
                          dataset: DatasetKind, classifier: DigitClassifier?) throws {
        if let run {
            let models = run.freshModels()
            runtime.inference.model = models[0]
            run.apply(to: &state)
            state.training.learningRate = lr ?? run.arms[0].learningRate
            runtime.compared = ComparedModels(others: models.dropFirst().map { ModelReconstructor(model: $0, classifier: classifier) },
                                              plan: noTrain ? nil : run.plan(learningRate: lr))
            if noTrain { state.notice = "\(run.comparison.name.presetName): fresh networks, not training (--no-train)" }
            return
        }
        guard model.count > 1 else { return }
        var names = [TuiCommand.displayName(model[0])]
        var others: [ModelReconstructor] = []
        var saved: [TrainingState] = []
        for path in model.dropFirst() {
            let checkpoint: Checkpoint
            do {
                checkpoint = TuiCommand.isBundled(path)
                    ? try Checkpoint.read(contentsOf: try Checkpoint.bundledModel(for: dataset))
                    : try Checkpoint.read(contentsOf: URL(fileURLWithPath: path))
            } catch {
                throw ValidationError("--model \(path): \(error)")
            }
            names.append(TuiCommand.displayName(path))
            others.append(ModelReconstructor(model: checkpoint.model, classifier: classifier))
            saved.append(checkpoint.training)
        }
        // Two files of one name in different folders: their paths tell them apart.
        if Set(names).count < names.count { names = model }
        state.comparison = ModelComparison(names: names, title: "\(names.count) models")
        if state.training.trainHistory.points.isEmpty, let own = start.checkpoint?.training, !own.loss.curve.isEmpty {
            _ = update(&state, .trainingRestored(own))
        }
        for (i, training) in saved.enumerated() { state.comparison.restore(model: i + 1, training) }
        state.training.modelFile = names.joined(separator: " vs ")
        let note = "comparing \(names.count) models as saved: training is off"
        state.notice = state.notice.map { "\(note) · \($0)" } ?? note
        runtime.compared = ComparedModels(others: others, plan: nil)
    }

    /// A model's name in panel titles: its file name without `.safetensors`, or `bundled`.
    static func displayName(_ path: String) -> String {
        if isBundled(path) { return "bundled" }
        let name = URL(fileURLWithPath: path).lastPathComponent
        return name.hasSuffix(".safetensors") ? String(name.dropLast(".safetensors".count)) : name
    }
}
