import NeuralCore

/// Where a training run stands, saved in a checkpoint's metadata as JSON (key `inpaint.training`).
///
/// Meant to grow: every field decodes with a default when absent, so a new field (add it with a default
/// and decode it with `decodeIfPresent`) never breaks older checkpoints, and `notes` holds small extras
/// without a format change.
public struct TrainingState: Codable, Sendable, Equatable {
    /// Optimizer steps taken (one step = one batch).
    public var step: Int
    /// Completed passes over the training set.
    public var epoch: Int
    /// The seed the run started from (initialisation, shuffling and masks derive from it).
    public var seed: UInt64
    /// Adam's hyper-parameters as last used (a run may change the learning rate while it goes).
    public var optimizer: AdamHyperparameters
    public var loss: LossSummary
    /// The recipe the run follows (batch, learning rate, loss, sampler, …), so `--resume` can repeat it.
    public var options: TrainingOptions?
    /// Free-form extras (dataset name, host, …).
    public var notes: [String: String]

    public init(step: Int = 0, epoch: Int = 0, seed: UInt64 = 0, optimizer: AdamHyperparameters = .pytorchDefault,
                loss: LossSummary = LossSummary(), options: TrainingOptions? = nil, notes: [String: String] = [:]) {
        self.step = step; self.epoch = epoch; self.seed = seed
        self.optimizer = optimizer; self.loss = loss; self.options = options; self.notes = notes
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = TrainingState()
        step = try c.decodeIfPresent(Int.self, forKey: .step) ?? defaults.step
        epoch = try c.decodeIfPresent(Int.self, forKey: .epoch) ?? defaults.epoch
        seed = try c.decodeIfPresent(UInt64.self, forKey: .seed) ?? defaults.seed
        optimizer = try c.decodeIfPresent(AdamHyperparameters.self, forKey: .optimizer) ?? defaults.optimizer
        loss = try c.decodeIfPresent(LossSummary.self, forKey: .loss) ?? defaults.loss
        options = try c.decodeIfPresent(TrainingOptions.self, forKey: .options)
        notes = try c.decodeIfPresent([String: String].self, forKey: .notes) ?? defaults.notes
    }
}

/// A short history of the losses: the latest values, the best evaluation, and a thinned curve (a few
/// hundred points at most, so the metadata stays small) that a viewer can redraw.
public struct LossSummary: Codable, Sendable, Equatable {
    public struct Point: Codable, Sendable, Equatable {
        public var step: Int
        public var training: Float?
        public var evaluation: Float?
        public init(step: Int, training: Float? = nil, evaluation: Float? = nil) {
            self.step = step; self.training = training; self.evaluation = evaluation
        }
    }

    public var lastTraining: Float?
    public var lastEvaluation: Float?
    public var bestEvaluation: Float?
    public var curve: [Point]

    public init(lastTraining: Float? = nil, lastEvaluation: Float? = nil, bestEvaluation: Float? = nil, curve: [Point] = []) {
        self.lastTraining = lastTraining; self.lastEvaluation = lastEvaluation
        self.bestEvaluation = bestEvaluation; self.curve = curve
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        lastTraining = try c.decodeIfPresent(Float.self, forKey: .lastTraining)
        lastEvaluation = try c.decodeIfPresent(Float.self, forKey: .lastEvaluation)
        bestEvaluation = try c.decodeIfPresent(Float.self, forKey: .bestEvaluation)
        curve = try c.decodeIfPresent([Point].self, forKey: .curve) ?? []
    }
}

extension LossSummary {
    /// The most points `note` keeps: past it, every other point is dropped, so a long run's curve stays a
    /// few hundred points (the metadata small) and still spans the whole run.
    public static let curveCapacity = 600

    /// Follows a run's events as `train --out` and the terminal UI record them: the latest losses, the best
    /// evaluation, a training point every `every` steps and every evaluation.
    public mutating func note(_ event: TrainingEvent, every: Int = 10) {
        switch event {
        case .step(let s):
            lastTraining = s.loss
            if s.step % every == 0 { append(.init(step: s.step, training: s.loss)) }
        case .evaluation(let step, let loss):
            lastEvaluation = loss
            bestEvaluation = min(bestEvaluation ?? loss, loss)
            append(.init(step: step, evaluation: loss))
        default:
            break
        }
    }

    private mutating func append(_ point: Point) {
        curve.append(point)
        if curve.count > Self.curveCapacity {
            curve = curve.enumerated().filter { $0.offset % 2 == 1 }.map(\.element)
        }
    }
}
