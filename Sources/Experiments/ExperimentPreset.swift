import Datasets
import Inpainting

/// An experiment as the terminal UI runs it (issue 6 §1: "the terminal UI offers the same as presets"):
/// the experiment's own data and recipe, trained live, with the digits that make its figure's point to
/// browse. Built from the same setup functions the experiment's `run` uses, so the two cannot drift apart.
public struct ExperimentPreset: Sendable {
    /// How the preset trains.
    public enum Training: Sendable {
        /// The experiment's full-batch loop (`FullBatchTrainer`): every step sees all images.
        case fullBatch(FullBatchRecipe)
        /// `Trainer` on these images with these options (`full`: the whole training split).
        case minibatch(images: [Float], count: Int, options: TrainingOptions)
    }

    /// A run of digits to browse, with what they are ("training 7s", "unseen test 7s").
    public struct Group: Sendable, Equatable {
        public var name: String
        public var range: Range<Int>
    }

    public var name: ExperimentName
    public var config: ModelConfig
    public var training: Training
    /// [n, 784] the digits to browse, with labels and groups, in the order they are shown.
    public var digits: [Float]
    public var labels: [Int]
    public var groups: [Group]
    /// The hole the UI starts with (nil: the UI's usual one).
    public var initialHole: HoleRect?
    /// [m, 784] held-out images and their fixed holes, scored during training for the second loss curve.
    public var evaluationImages: [Float]
    public var evaluationMasks: [Float]
    public var evaluationCount: Int { evaluationMasks.count / Digit.pixels }
    /// One line on what to do and what to look for.
    public var hint: String
    /// What the digits are (the context's data set), so the UI names their classes.
    public var dataset: DatasetKind = .mnist

    /// The group digit `index` belongs to.
    public func group(of index: Int) -> Group? { groups.first { $0.range.contains(index) } }
}

/// What `FullBatchTrainer` runs: `steps` full-batch Adam steps on `images` with `holes`.
public struct FullBatchRecipe: Sendable {
    public enum Holes: Sendable {
        /// The same holes every step ([count, 784]): `one-seven` and `bias` pin 100 positions.
        case fixed([Float])
        /// A fresh rectangle of 1/8–1/4 of the image per image per step (the report's holes).
        case randomRectangles
    }

    public var images: [Float]
    public var count: Int
    public var holes: Holes
    public var steps: Int
    public var learningRate: Float
    public var seed: UInt64
}

extension ExperimentName {
    /// This experiment's preset on the context's data (context.fast shrinks it as for the experiment).
    /// `maskChannel` overrides the network's input for the experiments that do not fix it (position,
    /// brightness, sevens, digits, mixing, full): the UI's way to show Fig. 5's fix beside Fig. 5.
    /// The digit-specific ones (`refusal(on:)`) throw their one line on any data set but MNIST.
    public func preset(_ context: ExperimentContext, maskChannel: Bool = false) throws(ExperimentError) -> ExperimentPreset {
        if let refusal = refusal(on: context.dataset) { throw ExperimentError(refusal) }
        var preset = try presetOnItsData(context, maskChannel: maskChannel)
        preset.dataset = context.dataset
        return preset
    }

    private func presetOnItsData(_ context: ExperimentContext, maskChannel: Bool) throws(ExperimentError) -> ExperimentPreset {
        let architecture = context.architecture
        let plain = ModelConfig(architecture: architecture, maskChannel: maskChannel)
        func recipe(_ images: [Float], _ count: Int, _ holes: FullBatchRecipe.Holes, _ steps: Int, _ rate: Float) -> ExperimentPreset.Training {
            .fullBatch(FullBatchRecipe(images: images, count: count, holes: holes, steps: steps, learningRate: rate,
                                       seed: context.seed))
        }
        /// Held-out digits with the fixed holes of `inpaint eval` (seed 0), at most `limit` of them.
        func evaluation(_ images: [Float], _ count: Int, limit: Int = 100) -> ([Float], [Float]) {
            let n = min(count, limit)
            return (Array(images[0..<(n * Digit.pixels)]), ExperimentTraining.fixedMasks(count: n))
        }

        switch self {
        case .oneSeven, .bias:
            let s = try OneSevenExperiment.setup(context)
            let set = OneSevenExperiment.trainingSet(s)
            let held = s.heldOutHoles
            let withBias = self == .bias
            // The 7 at the positions between the training ones: the evaluation curve is the figure's claim.
            let evalImages = Array([[Float]](repeating: s.seven, count: held.count).joined())
            return ExperimentPreset(
                name: self, config: ModelConfig(architecture: architecture, bias: withBias),
                training: recipe(set.images, set.count, .fixed(set.masks), s.steps, OneSevenExperiment.learningRate),
                digits: withBias ? s.seven + s.other : s.seven, labels: withBias ? [7, 2] : [7],
                groups: [.init(name: "the one training 7", range: 0..<1)]
                    + (withBias ? [.init(name: "a 2 it never saw", range: 1..<2)] : []),
                initialHole: held[held.count / 2], evaluationImages: evalImages,
                evaluationMasks: held.flatMap { $0.mask() },
                hint: withBias
                    ? "biases on: the 7 gets imprinted in them. Press n for the 2: the output stays a 7 (Fig. 2)"
                    : "one 7, holes at \(set.count) positions: move the hole with the arrows, it is filled anywhere (Fig. 1)")

        case .sevens, .digits:
            let experiment = self == .sevens ? SubsetExperiment.sevens : SubsetExperiment.digits
            let s = try experiment.setup(context)
            let n = s.train.labels.count, m = s.unseen.labels.count
            let (evalImages, evalMasks) = evaluation(s.unseen.images, m)
            return ExperimentPreset(
                name: self, config: plain,
                training: recipe(s.train.images, n, .randomRectangles, s.steps, s.learningRate),
                digits: s.train.images + s.unseen.images, labels: s.train.labels + s.unseen.labels,
                groups: [.init(name: "training", range: 0..<n), .init(name: "unseen test", range: n..<(n + m))],
                initialHole: nil, evaluationImages: evalImages, evaluationMasks: evalMasks,
                hint: "\(n) training digits, full batch: browse past them (n, g \(n + 1)) to the unseen ones, "
                    + "where the fill is worse (Fig. \(self == .sevens ? 3 : 4))")

        case .position, .brightness:
            let s = try PositionExperiment.digitsSetup(context, phase: rawValue)
            let unseen = PositionExperiment.unseenDigits(context)
            let n = s.train.labels.count, m = unseen.labels.count
            guard m > 0 else { throw ExperimentError("\(rawValue): expected test digits, found none") }
            let (evalImages, evalMasks) = evaluation(unseen.images, m)
            let hint: String
            if self == .position {
                hint = maskChannel
                    ? "mask as a second channel: the network knows where the hole is and fills it fully (Fig. 5's fix)"
                    : "one input channel: the fill stays dim like the masked input (Fig. 5); try --mask-channel"
            } else {
                hint = "grow the hole (J, L or shift+arrows): the fill gets darker as the hole grows (Fig. 6)"
            }
            return ExperimentPreset(
                name: self, config: plain,
                training: recipe(s.train.images, n, .randomRectangles, s.steps, s.learningRate),
                digits: unseen.images + s.train.images, labels: unseen.labels + s.train.labels,
                groups: [.init(name: "unseen test", range: 0..<m), .init(name: "training", range: m..<(m + n))],
                initialHole: self == .brightness ? BrightnessExperiment.hole(side: 16) : nil,
                evaluationImages: evalImages, evaluationMasks: evalMasks, hint: hint)

        case .mixing:
            let s = try MixingExperiment.setup(context)
            let unseen = context.test.upTo(context.fast ? 10 : 100, of: [7, 9])
            let n = s.train.labels.count, m = unseen.labels.count
            guard m > 0 else { throw ExperimentError("mixing: expected test 7s and 9s, found none") }
            let shown = min(m, 100)
            let evalImages = Array(unseen.images[0..<(shown * Digit.pixels)])
            return ExperimentPreset(
                name: self, config: plain,
                training: recipe(s.train.images, n, .randomRectangles, s.steps, s.learningRate),
                digits: unseen.images + s.train.images, labels: unseen.labels + s.train.labels,
                groups: [.init(name: "unseen test", range: 0..<m), .init(name: "training", range: m..<(m + n))],
                initialHole: s.hole, evaluationImages: evalImages,
                evaluationMasks: Array([[Float]](repeating: s.hole.mask(), count: shown).joined()),
                hint: "trained on 7s and 9s; the hole covers where they differ: the fill is a blend of both (Fig. 7)")

        case .full, .adversarial:
            var options = TrainingOptions()
            var config = plain
            if self == .full {
                // The best recipe, live: what `inpaint experiment full` runs and the bundled model was made with.
                (config, options) = FullExperiment.recipe(architecture: architecture, seed: context.seed, fast: context.fast)
                options.workers = 1   // the UI keeps the other core for drawing and inference
            } else {
                options.seed = context.seed
                // The experiment's adversarial arm, live.
                options.adversarial = AdversarialOptions(weight: context.adversarialWeight ?? AdversarialOptions().weight)
                options.maxSteps = context.fast ? AdversarialExperiment.fastSteps : AdversarialExperiment.steps
            }
            let stepsPerEpoch = (context.train.count + options.batchSize - 1) / options.batchSize
            let totalSteps = options.maxSteps ?? (options.epochs ?? 0) * stepsPerEpoch
            let test = context.test
            guard test.count > 0 else { throw ExperimentError("full: expected a test split, found none") }
            let (evalImages, evalMasks) = evaluation(Array(test.images.pixels), test.count, limit: 256)
            return ExperimentPreset(
                name: self, config: config,
                training: .minibatch(images: Array(context.train.images.pixels), count: context.train.count, options: options),
                digits: Array(test.images.pixels), labels: (0..<test.count).map { test.label(at: $0) },
                groups: [.init(name: "test", range: 0..<test.count)], initialHole: nil,
                evaluationImages: evalImages, evaluationMasks: evalMasks,
                hint: self == .adversarial
                    ? "L2 + adversarial loss (weight \(options.adversarial!.weight)): the fill's strokes get crisper than with L2 alone (`inpaint experiment adversarial` compares both)"
                    : "the whole training set, batch \(options.batchSize), \(totalSteps) steps, mask channel, cosine decay: the best recipe (the bundled model's)")

        case .architectures:
            throw ExperimentError("architectures trains three networks side by side and has no preset; run `inpaint experiment architectures`")
        }
    }
}
