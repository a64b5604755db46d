import Datasets
import Inpainting

/// The report's comparisons as the terminal UI trains them live, two networks at once (issue 13 §1):
/// `inpaint tui --preset compare-NAME`. Each arm is the single-network preset's own recipe
/// (`ExperimentName.preset`), so an arm trains the same steps as that preset and its experiment.
public enum ComparisonName: String, CaseIterable, Sendable, CustomStringConvertible {
    case position, adversarial, bias, architectures

    public var description: String { rawValue }
    /// The `--preset` value: `compare-position`, …
    public var presetName: String { "compare-\(rawValue)" }

    /// The value of `--preset` that names this comparison, if it is one.
    public init?(presetName: String) {
        guard presetName.hasPrefix("compare-") else { return nil }
        self.init(rawValue: String(presetName.dropFirst("compare-".count)))
    }
}

/// Two networks trained side by side on the same digits, with the names the UI titles their panels with.
public struct ComparisonPreset: Sendable {
    public var name: ComparisonName
    /// The arms, model 0 first; the UI browses arm 0's digits (every arm of a comparison has the same ones).
    public var arms: [ExperimentPreset]
    public var armNames: [String]
    /// nil: alternate single steps; else alternate by training time, each arm until it has trained this many
    /// seconds (`architectures`: equal wall time, as `inpaint experiment architectures` compares them).
    public var secondsEach: Double?
    /// One line on what to look for.
    public var hint: String
}

extension ComparisonName {
    /// The comparison on the context's data (`context.fast` shrinks each arm as for its experiment).
    public func preset(_ context: ExperimentContext) throws(ExperimentError) -> ComparisonPreset {
        switch self {
        case .position:
            // Fig. 5 and its fix: one input channel against the mask as a second channel.
            let one = try ExperimentName.position.preset(context, maskChannel: false)
            let two = try ExperimentName.position.preset(context, maskChannel: true)
            return ComparisonPreset(name: self, arms: [one, two], armNames: ["1 channel", "mask channel"], secondsEach: nil,
                                    hint: "one input channel fills dim (Fig. 5); the mask channel knows where the hole is and fills it fully")
        case .bias:
            // Fig. 2: with biases the training 7 is imprinted in them, so the output hardly moves with the input; without,
            // it moves about three times as much (docs/RESULTS.md: 0.0012 vs 0.0040), though both still draw a 7.
            let with = try ExperimentName.bias.preset(context)
            var without = try ExperimentName.oneSeven.preset(context)
            without.digits = with.digits
            without.labels = with.labels
            without.groups = with.groups
            return ComparisonPreset(name: self, arms: [with, without], armNames: ["with bias", "no bias"], secondsEach: nil,
                                    hint: "n shows the 2 it never saw: both draw the 7 they learned, but with biases the output moves 3x less with the input (Fig. 2)")
        case .adversarial:
            // `inpaint experiment adversarial`'s two arms: the same network, seed, data and steps, L2 alone
            // against L2 + adversarial.
            let adversarial = try ExperimentName.adversarial.preset(context)
            var l2 = adversarial
            if case .minibatch(let images, let count, var options) = l2.training {
                options.adversarial = nil
                l2.training = .minibatch(images: images, count: count, options: options)
            }
            return ComparisonPreset(name: self, arms: [l2, adversarial], armNames: ["L2", "L2+adversarial"], secondsEach: nil,
                                    hint: "L2 alone blurs the fill; with the adversarial loss the strokes get crisper (D: the discriminator's loss)")
        case .architectures:
            // `inpaint experiment architectures`' recipe (batch 64, Adam 1e-3, the report's holes, one worker)
            // for `paper` and `strided`, each for the same wall time; the faster network takes more steps.
            let base = try ExperimentName.adversarial.preset(context)
            func arm(_ architecture: Architecture) -> ExperimentPreset {
                var preset = base
                preset.config = ModelConfig(architecture: architecture)
                if case .minibatch(let images, let count, var options) = preset.training {
                    options.adversarial = nil
                    options.maxSteps = context.fast ? 40 : nil   // nil: until its time is spent
                    preset.training = .minibatch(images: images, count: count, options: options)
                }
                return preset
            }
            return ComparisonPreset(name: self, arms: [arm(.paper), arm(.strided)], armNames: ["paper", "strided"],
                                    secondsEach: context.fast ? nil : context.secondsPerModel,
                                    hint: "equal wall time: strided takes more, cheaper steps; compare the fills and the curves")
        }
    }
}
