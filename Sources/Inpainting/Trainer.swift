import Datasets
import Foundation
import NeuralCore

/// One optimisation step, as reported to listeners.
public struct TrainingStep: Sendable, Equatable {
    public var step: Int
    public var epoch: Int
    public var loss: Float
    public var imagesPerSecond: Double
    public var learningRate: Float
    /// The discriminator's and G's adversarial loss of this step, when training adversarially.
    public var adversarial: AdversarialLosses? = nil
    /// The L2 norm of every tensor's gradient in this step (before the Adam update), by its checkpoint name
    /// (`enc.0.weight`, …, `fc.weight`, …, `dec.4.weight`), in the network's order. Empty when not measured.
    public var gradientNorms: [GradientNorm] = []

    public init(step: Int, epoch: Int, loss: Float, imagesPerSecond: Double, learningRate: Float,
                adversarial: AdversarialLosses? = nil, gradientNorms: [GradientNorm] = []) {
        self.step = step; self.epoch = epoch; self.loss = loss; self.imagesPerSecond = imagesPerSecond
        self.learningRate = learningRate; self.adversarial = adversarial; self.gradientNorms = gradientNorms
    }
}

/// One tensor's gradient norm in a `TrainingStep`.
public struct GradientNorm: Sendable, Equatable {
    public var name: String
    public var norm: Float
    public init(name: String, norm: Float) { self.name = name; self.norm = norm }

    /// The network's order for names read back from JSON (whose objects have none): encoder, channel-wise
    /// layer, decoder; layer index; weight before bias. Unknown names go last, alphabetically.
    static func networkOrder(_ a: String, _ b: String) -> Bool {
        func rank(_ name: String) -> (Int, Int, Int, String) {
            let parts = name.split(separator: ".")
            let part = ["enc": 0, "fc": 1, "dec": 2][parts.first.map(String.init) ?? ""] ?? 3
            let index = parts.count > 2 ? Int(parts[1]) ?? 0 : 0
            let kind = parts.last == "weight" ? 0 : 1
            return (part, index, kind, name)
        }
        return rank(a) < rank(b)
    }
}

public enum TrainerState: String, Sendable, Equatable, Codable {
    case idle, training, paused, stopped
}

public enum StopReason: Sendable, Equatable {
    case finished
    case cancelled
    /// The loss at `step` was NaN or ±Inf; the weights are those of the step before.
    case nonFiniteLoss(step: Int)
    case failed(String)
}

/// What a training run reports. `Codable` as one flat JSON object per event, the lines of
/// `inpaint train --log` that `inpaint watch` reads back as this same type (see `TrainingEventKey`).
public enum TrainingEvent: Sendable, Equatable {
    case step(TrainingStep)
    case evaluation(step: Int, loss: Float)
    case epochFinished(epoch: Int)
    case checkpointWritten(path: String)
    case stateChanged(TrainerState)
    case stopped(StopReason)
}

// MARK: The events as JSON

/// The fields of an event's JSON object: `{"event": "step", "step": 12, "epoch": 1, "loss": 0.031,
/// "images_per_second": 812.5, "learning_rate": 0.001, "grad_norms": {"enc.0.weight": 0.021, …}}` (plus
/// `discriminator_loss` and `adversarial_loss` when training adversarially); `{"event": "evaluation", "step", "loss"}`, `{"event": "epoch", "epoch"}`,
/// `{"event": "checkpoint", "path"}`, `{"event": "state", "state": "paused"}`, `{"event": "stopped",
/// "reason": "finished" | "cancelled" | "non-finite loss" (with "step") | "failed" (with "message")}`.
/// A non-finite number is written as null (JSON has no NaN) and read back as NaN. Fields the reader does not
/// know (the log's `time`) are ignored.
public enum TrainingEventKey: String, CodingKey {
    case event, step, epoch, loss, path, state, reason, message
    case imagesPerSecond = "images_per_second", learningRate = "learning_rate"
    case discriminatorLoss = "discriminator_loss", adversarialLoss = "adversarial_loss"
    case gradientNorms = "grad_norms"
}

/// A tensor's name as a key of the `grad_norms` object.
private struct TensorNameKey: CodingKey {
    var stringValue: String
    init(stringValue: String) { self.stringValue = stringValue }
    var intValue: Int? { nil }
    init?(intValue: Int) { nil }
}

extension KeyedEncodingContainer where K == TrainingEventKey {
    /// `value`, or null when it is NaN or infinite.
    fileprivate mutating func encodeFinite<F: BinaryFloatingPoint & Encodable>(_ value: F, forKey key: K) throws {
        if value.isFinite { try encode(value, forKey: key) } else { try encodeNil(forKey: key) }
    }
}

extension KeyedDecodingContainer where K == TrainingEventKey {
    /// The number at `key`; NaN when it is null.
    fileprivate func decodeFinite<F: BinaryFloatingPoint & Decodable>(_ type: F.Type, forKey key: K) throws -> F {
        try decodeNil(forKey: key) ? .nan : decode(F.self, forKey: key)
    }

    /// A step or epoch count, refused outside 0…`limit` (the most a run can reach, `TrainingOptions`), so
    /// that a damaged log line (`"step": 9223372036854775807`) is skipped by the reader instead of
    /// overflowing the chart's arithmetic.
    fileprivate func decodeCount(forKey key: K, limit: Int = TrainingOptions.maximumSteps) throws -> Int {
        let value = try decode(Int.self, forKey: key)
        guard (0...limit).contains(value) else {
            throw DecodingError.dataCorruptedError(forKey: key, in: self, debugDescription: "\(key.stringValue) \(value) outside 0…\(limit)")
        }
        return value
    }
}

extension TrainingStep: Codable {
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: TrainingEventKey.self)
        step = try c.decodeCount(forKey: .step)
        epoch = c.contains(.epoch) ? try c.decodeCount(forKey: .epoch, limit: TrainingOptions.maximumSteps) : 0
        loss = try c.decodeFinite(Float.self, forKey: .loss)
        imagesPerSecond = try c.decodeIfPresent(Double.self, forKey: .imagesPerSecond) ?? 0
        learningRate = try c.decodeIfPresent(Float.self, forKey: .learningRate) ?? 0
        if c.contains(.discriminatorLoss) || c.contains(.adversarialLoss) {
            adversarial = AdversarialLosses(
                discriminator: c.contains(.discriminatorLoss) ? try c.decodeFinite(Float.self, forKey: .discriminatorLoss) : .nan,
                generator: c.contains(.adversarialLoss) ? try c.decodeFinite(Float.self, forKey: .adversarialLoss) : .nan)
        }
        if c.contains(.gradientNorms) {
            let norms = try c.nestedContainer(keyedBy: TensorNameKey.self, forKey: .gradientNorms)
            gradientNorms = try norms.allKeys.map { key in
                GradientNorm(name: key.stringValue, norm: try norms.decodeNil(forKey: key) ? .nan : norms.decode(Float.self, forKey: key))
            }.sorted { GradientNorm.networkOrder($0.name, $1.name) }
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: TrainingEventKey.self)
        try c.encode(step, forKey: .step)
        try c.encode(epoch, forKey: .epoch)
        try c.encodeFinite(loss, forKey: .loss)
        try c.encodeFinite(imagesPerSecond, forKey: .imagesPerSecond)
        try c.encodeFinite(learningRate, forKey: .learningRate)
        if let adversarial {
            try c.encodeFinite(adversarial.discriminator, forKey: .discriminatorLoss)
            try c.encodeFinite(adversarial.generator, forKey: .adversarialLoss)
        }
        if !gradientNorms.isEmpty {
            var norms = c.nestedContainer(keyedBy: TensorNameKey.self, forKey: .gradientNorms)
            for entry in gradientNorms {
                let key = TensorNameKey(stringValue: entry.name)
                if entry.norm.isFinite { try norms.encode(entry.norm, forKey: key) } else { try norms.encodeNil(forKey: key) }
            }
        }
    }
}

extension StopReason: Codable {
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: TrainingEventKey.self)
        switch try c.decode(String.self, forKey: .reason) {
        case "finished": self = .finished
        case "cancelled": self = .cancelled
        case "non-finite loss": self = .nonFiniteLoss(step: try c.decodeCount(forKey: .step))
        case "failed": self = .failed(try c.decodeIfPresent(String.self, forKey: .message) ?? "")
        case let other:
            throw DecodingError.dataCorruptedError(forKey: .reason, in: c, debugDescription: "unknown stop reason \"\(other)\"")
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: TrainingEventKey.self)
        switch self {
        case .finished: try c.encode("finished", forKey: .reason)
        case .cancelled: try c.encode("cancelled", forKey: .reason)
        case .nonFiniteLoss(let step): try c.encode("non-finite loss", forKey: .reason); try c.encode(step, forKey: .step)
        case .failed(let message): try c.encode("failed", forKey: .reason); try c.encode(message, forKey: .message)
        }
    }
}

extension TrainingEvent: Codable {
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: TrainingEventKey.self)
        switch try c.decode(String.self, forKey: .event) {
        case "step": self = .step(try TrainingStep(from: decoder))
        case "evaluation":
            self = .evaluation(step: try c.decodeCount(forKey: .step), loss: try c.decodeFinite(Float.self, forKey: .loss))
        case "epoch": self = .epochFinished(epoch: try c.decodeCount(forKey: .epoch))
        case "checkpoint": self = .checkpointWritten(path: try c.decode(String.self, forKey: .path))
        case "state": self = .stateChanged(try c.decode(TrainerState.self, forKey: .state))
        case "stopped": self = .stopped(try StopReason(from: decoder))
        case let other:
            throw DecodingError.dataCorruptedError(forKey: .event, in: c, debugDescription: "unknown event \"\(other)\"")
        }
    }

    /// One flat object: the payload's fields beside `event` (the step's own fields for `.step`).
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: TrainingEventKey.self)
        switch self {
        case .step(let step):
            try c.encode("step", forKey: .event)
            try step.encode(to: encoder)
        case .evaluation(let step, let loss):
            try c.encode("evaluation", forKey: .event); try c.encode(step, forKey: .step); try c.encodeFinite(loss, forKey: .loss)
        case .epochFinished(let epoch):
            try c.encode("epoch", forKey: .event); try c.encode(epoch, forKey: .epoch)
        case .checkpointWritten(let path):
            try c.encode("checkpoint", forKey: .event); try c.encode(path, forKey: .path)
        case .stateChanged(let state):
            try c.encode("state", forKey: .event); try c.encode(state, forKey: .state)
        case .stopped(let reason):
            try c.encode("stopped", forKey: .event)
            try reason.encode(to: encoder)
        }
    }
}

/// Everything needed to continue a run bit for bit: the weights, the optimizer state and the step count.
/// The data order and the holes are derived from (seed, step), so no generator state has to be saved.
public struct TrainingCheckpoint: Sendable {
    public var model: ContextEncoder
    public var optimizer: Adam
    public var step: Int
    public var options: TrainingOptions
    /// The discriminator and its Adam, when `options.adversarial` is on (nil: a fresh one from the seed).
    public var adversary: AdversaryState? = nil
}

/// Trains a context encoder on a set of images, on whatever thread calls `run()`, and reports through
/// `events` (called on that thread; forward them to your own queue).
///
/// Control (`pause`, `resume`, `stepOnce`, `cancel`, `setLearningRate`) and `snapshot` are safe from any
/// thread. The data order of epoch e is a shuffle seeded by (seed, e) and the holes of step s are drawn
/// from a generator seeded by (seed, s), so a run resumed from a checkpoint at step s continues exactly as
/// if it had never stopped.
public final class Trainer: @unchecked Sendable {
    public let options: TrainingOptions
    private let events: @Sendable (TrainingEvent) -> Void
    private let images: [Float]
    private let imageCount: Int
    private let evaluationImages: [Float]
    private let evaluationMasks: [Float]
    private let evaluationCount: Int
    private let sampler: MaskSampler
    /// Called on the training thread to save; returns the path written (for the event).
    private let checkpointSink: (@Sendable (TrainingCheckpoint) throws -> String)?

    // Training-thread state.
    private var model: ContextEncoder
    private var gradients: ParameterStore
    private var optimizer: Adam
    private var step: Int
    private let workspace: ContextEncoderWorkspace
    private let adversary: AdversarialTraining?
    private var batchImages: [Float]
    private var batchMasks: [Float]
    private var order: [Int] = []
    private var orderEpoch = -1

    // Shared state: the controls in `gate`, the published weights guarded by `lock`.
    private let gate = TrainingGate()
    private let lock = NSLock()
    /// The rate the schedule scales (the options' rate until `setLearningRate` changes it).
    private var baseLearningRate: Float
    private var published: ContextEncoder
    private var publishedStep: Int
    private var snapshotWanted = false

    /// images: count×784 in [0, 1]. evaluationImages: a fixed held-out set (evaluationCount×784), scored
    /// with holes drawn once from `seed`, so its loss is comparable from step to step.
    public init(model: ContextEncoder, images: [Float], count: Int, options: TrainingOptions,
                evaluationImages: [Float] = [], evaluationCount: Int = 0,
                resumeFrom checkpoint: TrainingCheckpoint? = nil,
                checkpointSink: (@Sendable (TrainingCheckpoint) throws -> String)? = nil,
                events: @escaping @Sendable (TrainingEvent) -> Void) {
        precondition(count > 0 && images.count == count * Digit.pixels, "images: expected \(count)×784 values, got \(images.count)")
        precondition(evaluationImages.count == evaluationCount * Digit.pixels, "evaluation images: expected \(evaluationCount)×784")
        precondition(options.batchSize > 0, "batch size must be positive")
        self.options = options
        self.events = events
        self.images = images
        self.imageCount = count
        self.sampler = MaskSampler(kind: options.maskSampler)
        self.checkpointSink = checkpointSink
        let start = checkpoint?.model ?? model
        self.model = start
        self.gradients = start.parameters.zerosLike()
        self.optimizer = checkpoint?.optimizer
            ?? Adam(parameterCount: start.parameters.count, hyperparameters: options.adamHyperparameters)
        self.step = checkpoint?.step ?? 0
        self.workspace = ContextEncoderWorkspace(config: start.config, maxBatch: max(options.batchSize, min(evaluationCount, 256)),
                                                    concurrency: max(1, options.workers))
        self.adversary = options.adversarial.map { recipe in
            AdversarialTraining(options: recipe, state: checkpoint?.adversary ?? AdversaryState(options: recipe, seed: options.seed),
                                maxBatch: options.batchSize)
        }
        self.batchImages = [Float](repeating: 0, count: options.batchSize * Digit.pixels)
        self.batchMasks = [Float](repeating: 0, count: options.batchSize * Digit.pixels)
        self.evaluationImages = evaluationImages
        self.evaluationCount = evaluationCount
        var evalRNG = SeededGenerator(seed: Trainer.mix(options.seed, 0xE7A1))
        self.evaluationMasks = MaskSampler(kind: options.maskSampler).sampleMasks(count: evaluationCount, using: &evalRNG)
        self.published = start
        self.publishedStep = checkpoint?.step ?? 0
        self.baseLearningRate = options.learningRate
    }

    // MARK: Control, from any thread

    /// Pause after the current step; the training thread reports `.stateChanged(.paused)` when it stops.
    public func pause() { gate.pause() }
    public func resume() { gate.resume() }
    public func stepOnce() { gate.stepOnce() }
    public func cancel() { gate.cancel() }
    public func setLearningRate(_ lr: Float) { gate.setLearningRate(lr) }
    public var isPausedNow: Bool { gate.isPausedNow }

    /// The newest weights. Reading marks the snapshot as wanted, so the trainer publishes a fresh copy after
    /// its next step; while nobody reads, steps update the weights in place and copy nothing.
    public var snapshot: ContextEncoder {
        withLock { snapshotWanted = true; return published }
    }
    /// The step the current `snapshot` belongs to.
    public var snapshotStep: Int { withLock { publishedStep } }

    /// A consistent copy of everything needed to continue: call only from the training thread (e.g. inside
    /// an event handler) or after `run()` returned.
    /// The recipe's learning rate is the base rate in use (`setLearningRate` changes it), so a run resumed from
    /// this continues at the rate it had, wherever its schedule stands.
    public func checkpoint() -> TrainingCheckpoint {
        var recipe = options
        recipe.learningRate = baseLearningRate
        return TrainingCheckpoint(model: model, optimizer: optimizer, step: step, options: recipe, adversary: adversary?.state)
    }

    // MARK: The loop

    public var stepsPerEpoch: Int { (imageCount + options.batchSize - 1) / options.batchSize }

    /// Runs until cancelled, `maxSteps`/`epochs` is reached, or the loss stops being finite; returns why.
    @discardableResult
    public func run() -> StopReason {
        var announced = TrainerState.training
        events(.stateChanged(.training))
        var windowStart = DispatchTime.now().uptimeNanoseconds
        var windowImages = 0
        var reason: StopReason = .finished
        loop: while true {
            if let limit = options.maxSteps, step >= limit { reason = .finished; break }
            if let epochs = options.epochs, step >= epochs * stepsPerEpoch { reason = .finished; break }
            // Wait while paused, unless a single step was asked for.
            guard case .step(let lr) = gate.awaitStep(announced: &announced, announce: { events(.stateChanged($0)) }) else {
                reason = .cancelled; break loop
            }
            if let lr { baseLearningRate = lr }
            let totalSteps = options.maxSteps ?? options.epochs.map { $0 * stepsPerEpoch }
            optimizer.hyperparameters.learningRate =
                Double(options.learningRate(base: baseLearningRate, step: step, totalSteps: totalSteps))

            let epoch = step / stepsPerEpoch
            let n = fillBatch(step: step)
            gradients.zero()
            let adversary = self.adversary
            var adversarialLosses: AdversarialLosses? = nil
            let loss = batchImages.withUnsafeBufferPointer { x in
                batchMasks.withUnsafeBufferPointer { m in
                    model.lossAndGradients(images: x.baseAddress!, masks: m.baseAddress!, count: n,
                                           loss: options.loss, knownWeight: options.knownWeight,
                                           gradients: &gradients, workspace: workspace) { output, dOutput in
                        adversarialLosses = adversary?.step(images: x.baseAddress!, masks: m.baseAddress!, output: output,
                                                            dOutput: dOutput, count: n)
                    }
                }
            }
            // (A non-finite adversarial loss has already moved D; the file on disk keeps the last good state.)
            guard loss.isFinite, adversarialLosses?.isFinite ?? true else { reason = .nonFiniteLoss(step: step + 1); break }
            // The gradient norms come out of Adam's own pass over the gradients (no second read of 39 MB).
            let norms = optimizer.stepReturningGradientNorms(parameters: &model.parameters, gradients: gradients,
                                                             concurrency: max(1, options.workers))
            step += 1
            publishIfWanted()

            windowImages += n
            let now = DispatchTime.now().uptimeNanoseconds
            let seconds = Double(now - windowStart) / 1e9
            let rate = seconds > 0 ? Double(windowImages) / seconds : 0
            if seconds > 2 { windowStart = now; windowImages = 0 }
            events(.step(TrainingStep(step: step, epoch: epoch + 1, loss: loss, imagesPerSecond: rate,
                                      learningRate: Float(optimizer.hyperparameters.learningRate),
                                      adversarial: adversarialLosses,
                                      gradientNorms: norms.map { GradientNorm(name: $0.name, norm: Float($0.norm)) })))
            if options.evalEvery > 0, evaluationCount > 0, step % options.evalEvery == 0 {
                events(.evaluation(step: step, loss: evaluationLoss()))
            }
            if step % stepsPerEpoch == 0 { events(.epochFinished(epoch: step / stepsPerEpoch)) }
            if options.checkpointEvery > 0, step % options.checkpointEvery == 0 { saveCheckpoint() }
        }
        withLock { published = model; publishedStep = step }
        // After a NaN/Inf loss the file on disk keeps the last good weights: no save. A final save that
        // fails is the run's outcome: reporting "finished" would claim a model that is not on disk.
        if case .nonFiniteLoss = reason {} else if step > 0, let failure = saveCheckpoint(final: true) {
            reason = .failed(failure)
        }
        events(.stateChanged(.stopped))
        events(.stopped(reason))
        return reason
    }

    /// Hole loss (the training loss, knownWeight 0) of the current weights on the fixed held-out set.
    public func evaluationLoss() -> Float {
        guard evaluationCount > 0 else { return .nan }
        let chunk = min(evaluationCount, 256)
        var output = [Float](repeating: 0, count: chunk * Digit.pixels)
        var sums = MaskedErrorSums()
        var start = 0
        while start < evaluationCount {
            let n = min(chunk, evaluationCount - start)
            evaluationImages.withUnsafeBufferPointer { x in
                evaluationMasks.withUnsafeBufferPointer { m in
                    output.withUnsafeMutableBufferPointer { y in
                        let images = x.baseAddress! + start * Digit.pixels, masks = m.baseAddress! + start * Digit.pixels
                        model.reconstruct(images: images, masks: masks, count: n, into: y.baseAddress!, workspace: workspace)
                        sums += options.loss.errorSums(prediction: y.baseAddress!, target: images, mask: masks,
                                                       count: n * Digit.pixels)
                    }
                }
            }
            start += n
        }
        return Float(sums.holeMean)
    }

    // MARK: Internals

    /// Copies the images of `step` and draws their holes; returns the batch size (the last batch of an
    /// epoch may be smaller, as with PyTorch's DataLoader without drop_last).
    private func fillBatch(step: Int) -> Int {
        let epoch = step / stepsPerEpoch
        if epoch != orderEpoch {
            var rng = SeededGenerator(seed: Trainer.mix(options.seed, UInt64(epoch) &+ 0x5EED))
            order = rng.permutation(count: imageCount)
            orderEpoch = epoch
        }
        let first = (step % stepsPerEpoch) * options.batchSize
        let n = min(options.batchSize, imageCount - first)
        var rng = SeededGenerator(seed: Trainer.mix(options.seed, UInt64(step) | (1 << 40)))
        images.withUnsafeBufferPointer { src in
            batchImages.withUnsafeMutableBufferPointer { dst in
                for b in 0..<n {
                    let from = order[first + b] * Digit.pixels
                    (dst.baseAddress! + b * Digit.pixels).update(from: src.baseAddress! + from, count: Digit.pixels)
                }
            }
        }
        for b in 0..<n {
            let mask = sampler.sample(using: &rng).mask()
            batchMasks.replaceSubrange((b * Digit.pixels)..<((b + 1) * Digit.pixels), with: mask)
        }
        return n
    }

    private func publishIfWanted() {
        lock.lock()
        if snapshotWanted {
            published = model  // shares storage until the next step writes: one copy per read at most
            publishedStep = step
            snapshotWanted = false
        }
        lock.unlock()
    }

    /// Writes a checkpoint through the sink; returns why it failed, or nil. A failed periodic save is
    /// reported as an event and training goes on (the next save may succeed); the final one's failure is
    /// returned to `run()`, which stops with it instead of announcing a second stop.
    @discardableResult
    private func saveCheckpoint(final: Bool = false) -> String? {
        guard let sink = checkpointSink else { return nil }
        do {
            let path = try sink(checkpoint())
            events(.checkpointWritten(path: path))
            return nil
        } catch {
            let failure = "checkpoint not written: \(error)"
            if !final { events(.stopped(.failed(failure))) }
            return failure
        }
    }

    private func withLock<T>(_ body: () -> T) -> T {
        lock.lock(); defer { lock.unlock() }
        return body()
    }

    /// Derives an independent seed from (seed, salt) (SplitMix64 finaliser).
    static func mix(_ seed: UInt64, _ salt: UInt64) -> UInt64 {
        var z = seed &+ salt &* 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
