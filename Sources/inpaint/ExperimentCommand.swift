import ArgumentParser
import Datasets
import Evaluation
import Experiments
import FileIO
import Foundation
import Inpainting
import NeuralCore

extension ExperimentName: ExpressibleByArgument {}

/// `inpaint experiment list` and `inpaint experiment NAME`: the report's figures (issue 6 §1), each trained,
/// measured and drawn into DIR as figure.png, numbers.json and loss.svg.
struct ExperimentCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "experiment",
        abstract: "Reproduce one of the report's experiments: train, measure, write a figure and its numbers.",
        discussion: "NAME is one of: list, \(ExperimentName.allCases.map(\.rawValue).joined(separator: ", ")). "
            + "`list` prints them with what each shows. With --dataset fashion, digits, position, brightness, full, "
            + "adversarial and architectures run on Fashion-MNIST; the digit-specific ones (one-seven, bias, sevens, "
            + "mixing, marked [MNIST only]) say so and stop.")

    @Argument(help: "An experiment, or `list`.")
    var name: String

    @OptionGroup var dataOptions: DataOptions

    @Option(help: "Seed for the initial weights and the training holes.")
    var seed: UInt64 = 1

    @Option(help: "Output folder (default: experiments/NAME).")
    var out: String?

    @Option(help: "Network: paper (the report's), strided or pooled.")
    var architecture: Architecture = .paper

    @Option(help: "architectures only: seconds of training per network (equal wall-clock time).")
    var seconds: Double = 180

    @Option(help: "adversarial only: the weight 1 − λ of the adversarial term (default 0.001, Pathak et al.'s λ = 0.999).")
    var adversarialWeight: Float?

    @Flag(help: "Few steps and images: seconds instead of minutes (what the test suite runs).")
    var fast = false

    func validate() throws {
        if name != "list" && ExperimentName(rawValue: name) == nil {
            throw ValidationError("NAME: expected list or one of \(ExperimentName.allCases.map(\.rawValue).joined(separator: ", ")), found \(name)")
        }
        guard seconds > 0, seconds.isFinite else { throw ValidationError("--seconds must be a positive number, found \(seconds)") }
        if let adversarialWeight {
            guard name == ExperimentName.adversarial.rawValue else {
                throw ValidationError("--adversarial-weight applies to the adversarial experiment only, not \(name)")
            }
            guard adversarialWeight > 0 && adversarialWeight < 1 else {
                throw ValidationError("--adversarial-weight must be between 0 and 1 (exclusive), found \(adversarialWeight)")
            }
        }
    }

    func run() throws {
        guard let experiment = ExperimentName(rawValue: name) else {
            for e in ExperimentName.allCases { print("\(e.rawValue.padding(toLength: 14, withPad: " ", startingAt: 0)) \(e.listing)") }
            return
        }
        // Before the data loads: a digit-specific experiment says so in one line instead of running on clothes.
        if let refusal = experiment.refusal(on: dataOptions.dataset) { throw ExperimentError(refusal) }
        let dataset = try dataOptions.load()
        guard let train = dataset.train, let test = dataset.test else {
            throw DataError("--data \(dataset.location.directory.path)", "expected a training and a test split")
        }
        let directory = URL(fileURLWithPath: out ?? "experiments/\(experiment.rawValue)", isDirectory: true)
        let progress = ExperimentProgressPrinter()
        var context = ExperimentContext(train: train, test: test, seed: seed, fast: fast, architecture: architecture,
                                        secondsPerModel: seconds, dataset: dataset.location.dataset, progress: progress.report)
        // The bundled digit classifier scores composites where an experiment reports accuracy (adversarial,
        // architectures); without one (an installed binary) that column is left out.
        let classifierName = DigitClassifier.assetFileName(for: dataset.location.dataset)
        context.classifier = try DigitClassifier.bundled(for: dataset.location.dataset)
        if experiment == .architectures && context.classifier == nil {
            let missing = AssetsLocator().notFoundDescription(classifierName)
            FileHandle.standardError.write(Data("\(classifierName): \(missing): accuracy not reported\n".utf8))
        }
        context.adversarialWeight = adversarialWeight
        // `full` trains on two Dispatch workers (its recipe fixes two); each must call a one-thread BLAS, or the
        // two workers' BLAS threads oversubscribe the cores (as `train` does). The others train on one worker
        // and let BLAS use every core.
        if experiment == .full { BLASThreads.set(1) }
        let result = try experiment.run(context)
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            try Data(result.json()).write(to: directory.appendingPathComponent("numbers.json"))
        } catch {
            throw DataError("--out \(directory.path)", "a writable folder (\(error.localizedDescription))")
        }
        try result.figure.write(to: directory.appendingPathComponent("figure.png"))
        try result.lossCurves?.write(to: directory.appendingPathComponent("loss.svg"))
        print("\(experiment.rawValue) (seed \(seed)\(fast ? ", fast" : "")):")
        for (key, value) in result.numbers { print("  \(key.padding(toLength: 36, withPad: " ", startingAt: 0)) \(format(value))") }
        for claim in result.claims { print("  [\(claim.holds ? "holds" : "fails")] \(claim.statement)") }
        print("wrote \(directory.path)/figure.png, numbers.json, loss.svg")
    }

    private func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e12 ? String(Int(value)) : String(format: "%.4f", value)
    }
}

/// Progress on stderr: a phase line, then one line every 10 % of a phase's steps.
private final class ExperimentProgressPrinter {
    func report(_ event: ExperimentProgress) {
        switch event {
        case .phase(let text):
            FileHandle.standardError.write(Data("\(text)\n".utf8))
        case .step(let phase, let step, let total, let loss):
            if step == total || step % max(1, total / 10) == 0 {
                FileHandle.standardError.write(Data("  \(phase): step \(step)/\(total), loss \(String(format: "%.4f", loss))\n".utf8))
            }
        }
    }
}
