import Evaluation
import Inpainting

/// A classical fill the comparison panel can show (`ClassicalFill`, with the mean image supplied by the
/// state). `F` steps through them in this order.
public enum FillMethod: String, Sendable, Equatable, CaseIterable {
    case zero, mean, harmonic, biharmonic, telea

    public var next: FillMethod {
        let all = FillMethod.allCases
        return all[(all.firstIndex(of: self)! + 1) % all.count]
    }

    /// The fill itself; `meanImage` [784] is used by `.mean` only.
    func fill(meanImage: [Float]) -> ClassicalFill {
        switch self {
        case .zero: .zero
        case .mean: .mean(meanImage)
        case .harmonic: .harmonic
        case .biharmonic: .biharmonic
        case .telea: .telea(radius: 3)   // OpenCV's usual inpaintRadius, as in `inpaint eval`
        }
    }

    /// The name `ClassicalFill` gives it ("mean image", "telea"…).
    public var title: String { self == .mean ? "mean image" : rawValue }
}

/// One of the classifier's guesses: a digit and its probability.
public struct Guess: Sendable, Equatable {
    public var digit: Int
    public var probability: Float
    public init(digit: Int, probability: Float) { self.digit = digit; self.probability = probability }
}

/// The optional panels (issue 5 "What the screen shows"): which are on, and what they show.
///
/// The classical fill is computed inside `update` (pure and fast: a banded solve of at most 784 unknowns);
/// the classifier and the encoder need weights, so they are effects the runtime answers with messages.
public struct OptionalPanels: Sendable, Equatable {
    public var showFill = false
    public var fillMethod = FillMethod.harmonic
    /// [784] the current input filled by `fillMethod` (known pixels kept); nil while the panel is off.
    public var fill: [Float]?
    /// [784] the library's mean digit, computed the first time the mean fill is shown.
    public var meanImage: [Float]?

    public var showGuesses = false
    /// Top-3 for the original and for the composite, from the reconstruction with `guessesRevision`;
    /// nil until the first answer.
    public var guesses: Guesses?
    public var guessesRevision = -1
    /// Set when the runtime answered that it has no classifier (no `assets/classifier.safetensors`).
    public var noClassifier = false

    public var showFeatures = false
    /// The encoder's output for the input with `featuresRevision`.
    public var features: EncoderFeatures?
    public var featuresRevision = -1

    public init() {}

    /// The panels that are on, in the order the layout places them after the four main ones.
    public var shown: [PanelKind] {
        (showFill ? [.classicalFill] : []) + (showGuesses ? [.guesses] : []) + (showFeatures ? [.features] : [])
    }
}

/// The classifier's most probable digits for the original and for the composite, most probable first.
public struct Guesses: Sendable, Equatable {
    public var original: [Guess]
    public var composite: [Guess]
    public init(original: [Guess], composite: [Guess]) { self.original = original; self.composite = composite }
}
