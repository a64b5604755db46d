import Datasets
import Evaluation
import Figures
import Foundation
import Inpainting
import NeuralCore

/// The report's experiments (Hu & Velarde 2016, Figs. 1–7) plus `full` and `architectures`, each one call
/// that trains, measures and draws a figure (issue 6 §1–2). Pure: progress goes through a callback, nothing
/// prints.
public enum ExperimentName: String, CaseIterable, Sendable, Codable, CustomStringConvertible {
    case oneSeven = "one-seven", bias, sevens, digits, position, brightness, mixing, full, adversarial, architectures

    public var description: String { rawValue }

    /// Whether the terminal UI offers it as a preset: `architectures` trains three networks side by side,
    /// which has no single live training to show.
    public var hasPreset: Bool { self != .architectures }

    /// The experiments the UI's preset menu and `tui --preset` offer, in `inpaint experiment list`'s order.
    public static var presets: [ExperimentName] { allCases.filter(\.hasPreset) }

    /// What the experiment picks by digit label, for those that do: their figures are about particular
    /// digits (a 7's strokes, 7s against 9s), which clothes do not have. The others (every class, the
    /// whole split) run on Fashion-MNIST as they are.
    public var digitsItPicks: String? {
        switch self {
        case .oneSeven: "one 7"
        case .bias: "one 7 and a 2"
        case .sevens: "40 sevens"
        case .mixing: "7s and 9s"
        case .digits, .position, .brightness, .full, .adversarial, .architectures: nil
        }
    }

    /// One line saying why the experiment does not run on `dataset`, or nil when it does: the
    /// digit-specific ones refuse Fashion-MNIST instead of training on whatever items carry label 7.
    public func refusal(on dataset: DatasetKind) -> String? {
        guard dataset != .mnist, let picks = digitsItPicks else { return nil }
        return "\(rawValue) is digit-specific (it picks \(picks) by label): run it on MNIST, not \(dataset) "
            + "(without --dataset \(dataset.rawValue))"
    }

    /// One line for `inpaint experiment list`.
    public var summary: String {
        switch self {
        case .oneSeven: "Fig. 1: one 7, the hole at 100 positions; the network fills it wherever it is"
        case .bias: "Fig. 2: with biases the 7 is imprinted in them and the output ignores the input"
        case .sevens: "Fig. 3: 40 sevens, 200 full-batch iterations; hole MSE on unseen 7s vs the mean-7 fill"
        case .digits: "Fig. 4: 20 of each digit, 500 iterations; hole MSE on unseen digits vs biharmonic"
        case .position: "Fig. 5: one channel blends the fill with the masked input; the mask channel removes it"
        case .brightness: "Fig. 6: fill brightness falls as the hole grows; max-normalisation restores it"
        case .mixing: "Fig. 7: trained on 7s and 9s, an ambiguous hole yields a blend of both"
        case .full: "the whole training set with the best recipe (mask channel, 30 epochs, cosine); eval table beside the classical fills"
        case .adversarial: "beyond the report: L2 alone vs L2 + adversarial loss (λ = 0.999); does the fill sharpen?"
        case .architectures: "paper, strided and pooled trained for the same time: quality, speed, size"
        }
    }

    /// `summary`, marked when the experiment runs on MNIST only (`inpaint experiment list`).
    public var listing: String { digitsItPicks == nil ? summary : summary + " [MNIST only]" }
}

/// What an experiment reports while it runs.
public enum ExperimentProgress: Sendable {
    case phase(String)
    /// One optimisation step of `phase`: step is 1-based, loss is the batch's hole loss.
    case step(phase: String, step: Int, of: Int, loss: Float)
}

/// Data and knobs shared by every experiment.
public struct ExperimentContext {
    public var train: MNISTSplit
    public var test: MNISTSplit
    public var seed: UInt64
    /// Fewer steps and images: seconds, for the test suite; the claims are checked with looser margins.
    public var fast: Bool
    /// The network for experiments that do not fix one (the report's `paper` by default).
    public var architecture: Architecture
    /// `architectures`: wall-clock seconds of training per network (ignored by `fast`, which counts steps).
    public var secondsPerModel: Double
    public var progress: (ExperimentProgress) -> Void
    /// Scores composites for the experiments that report classifier accuracy (nil: not reported). Set by
    /// the caller (`inpaint experiment` loads the bundled one), so the experiments read no files themselves.
    public var classifier: DigitClassifier? = nil
    /// The adversarial experiment's 1 − λ (nil: Pathak et al.'s 0.001).
    public var adversarialWeight: Float? = nil
    /// What `train` and `test` are: the digit-specific experiments refuse anything but MNIST
    /// (`ExperimentName.refusal(on:)`).
    public var dataset: DatasetKind

    public init(train: MNISTSplit, test: MNISTSplit, seed: UInt64 = 1, fast: Bool = false,
                architecture: Architecture = .paper, secondsPerModel: Double = 180, classifier: DigitClassifier? = nil,
                dataset: DatasetKind = .mnist, progress: @escaping (ExperimentProgress) -> Void = { _ in }) {
        self.train = train; self.test = test; self.seed = seed; self.fast = fast; self.dataset = dataset
        self.architecture = architecture; self.secondsPerModel = secondsPerModel; self.classifier = classifier
        self.progress = progress
    }
}

/// A qualitative claim of the report and whether our numbers bear it out.
public struct ExperimentClaim: Sendable, Codable, Equatable {
    public var statement: String
    public var holds: Bool
}

/// Everything an experiment produced: numbers (for the JSON), claims, a figure and loss curves.
public struct ExperimentResult: Sendable {
    public var name: ExperimentName
    public var seed: UInt64
    public var fast: Bool
    /// Named numbers in the order they were measured.
    public var numbers: [(key: String, value: Double)] = []
    /// The report's or PyTorch's numbers to set beside ours (issue 6 §1), by the same keys.
    public var anchors: [(key: String, value: Double)] = []
    public var claims: [ExperimentClaim] = []
    public var figure: PNGImage
    public var lossCurves: LineChartSVG?

    public subscript(key: String) -> Double? { numbers.first { $0.key == key }?.value }

    /// The JSON written beside the figure: keys sorted, so that reruns diff cleanly.
    public func json() -> Data {
        struct Document: Encodable {
            var experiment: String, seed: UInt64, fast: Bool
            var numbers: [String: Double], anchors: [String: Double], claims: [ExperimentClaim]
        }
        let doc = Document(experiment: name.rawValue, seed: seed, fast: fast,
                           numbers: Dictionary(numbers.map { ($0.key, $0.value.isFinite ? $0.value : -1) }, uniquingKeysWith: { a, _ in a }),
                           anchors: Dictionary(anchors.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a }),
                           claims: claims)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return (try? encoder.encode(doc)) ?? Data()
    }
}

/// An experiment that cannot run on the data it was given (too few digits of a class, no test split…).
public struct ExperimentError: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

extension ExperimentName {
    /// Trains, measures and draws.
    public func run(_ context: ExperimentContext) throws(ExperimentError) -> ExperimentResult {
        if let refusal = refusal(on: context.dataset) { throw ExperimentError(refusal) }
        return switch self {
        case .oneSeven: try OneSevenExperiment.runOneSeven(context)
        case .bias: try OneSevenExperiment.runBias(context)
        case .sevens: try SubsetExperiment.sevens.run(context)
        case .digits: try SubsetExperiment.digits.run(context)
        case .position: try PositionExperiment.run(context)
        case .brightness: try BrightnessExperiment.run(context)
        case .mixing: try MixingExperiment.run(context)
        case .full: try FullExperiment.run(context)
        case .adversarial: try AdversarialExperiment.run(context)
        case .architectures: try ArchitecturesExperiment.run(context)
        }
    }
}
