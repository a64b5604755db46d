import Datasets
import Dispatch
import Foundation
import Inpainting
import NeuralCore

/// A training run the terminal UI can steer from another thread: `Trainer` and `FullBatchTrainer`.
/// `run()` trains on the calling thread and reports through the events given at construction.
public protocol TrainingControl: AnyObject, Sendable {
    func pause()
    func resume()
    func stepOnce()
    func cancel()
    func setLearningRate(_ lr: Float)
    /// The newest weights, safe to read from any thread.
    var snapshot: ContextEncoder { get }
    @discardableResult func run() -> StopReason
}

extension Trainer: TrainingControl {}

/// An experiment's full-batch training (`FullBatchLoop`, the loop `inpaint experiment` runs), live: the
/// same steps bit for bit, with `Trainer`'s controls and events, so the terminal UI can show a preset
/// training exactly as its experiment does.
///
/// Reports `.step` after every step and `.evaluation` (hole MSE on the preset's held-out digits with fixed
/// holes) every `evaluationEvery` steps and at the end; stops after `recipe.steps`.
public final class FullBatchTrainer: TrainingControl, @unchecked Sendable {
    public let recipe: FullBatchRecipe
    private let events: @Sendable (TrainingEvent) -> Void
    private let evaluationImages: [Float]
    private let evaluationMasks: [Float]
    private let evaluationEvery: Int

    // Training-thread state.
    private var loop: FullBatchLoop
    private let randomHoles: (Int, inout SeededGenerator) -> [Float]

    // Shared state: the controls in `gate`, the published weights guarded by `lock`.
    private let gate = TrainingGate()
    private let lock = NSLock()
    private var published: ContextEncoder

    /// evaluationImages, evaluationMasks: [m, 784] each (m may be 0: no evaluation curve).
    public init(model: ContextEncoder, recipe: FullBatchRecipe, evaluationImages: [Float] = [], evaluationMasks: [Float] = [],
                evaluationEvery: Int = 10, events: @escaping @Sendable (TrainingEvent) -> Void) {
        precondition(evaluationImages.count == evaluationMasks.count, "evaluation images and masks differ in size")
        if case .fixed(let masks) = recipe.holes {
            precondition(masks.count == recipe.images.count, "fixed holes: expected \(recipe.count)×784")
        }
        self.recipe = recipe
        self.events = events
        self.evaluationImages = evaluationImages
        self.evaluationMasks = evaluationMasks
        self.evaluationEvery = max(1, evaluationEvery)
        loop = FullBatchLoop(model: model, images: recipe.images, count: recipe.count, learningRate: recipe.learningRate,
                             seed: recipe.seed)
        randomHoles = ExperimentTraining.randomRectangles(count: recipe.count)
        published = model
    }

    public func pause() { gate.pause() }
    public func resume() { gate.resume() }
    public func stepOnce() { gate.stepOnce() }
    public func cancel() { gate.cancel() }
    public func setLearningRate(_ lr: Float) { gate.setLearningRate(lr) }
    public var snapshot: ContextEncoder { withLock { published } }

    @discardableResult
    public func run() -> StopReason {
        events(.stateChanged(.training))
        var announced = TrainerState.training
        var reason = StopReason.finished
        let started = DispatchTime.now().uptimeNanoseconds
        for step in 0..<recipe.steps {
            guard case .step(let rate) = gate.awaitStep(announced: &announced, announce: { events(.stateChanged($0)) }) else {
                reason = .cancelled; break
            }
            if let rate { loop.learningRate = rate }

            let masks: [Float]
            switch recipe.holes {
            case .fixed(let fixed): masks = fixed
            case .randomRectangles: masks = randomHoles(step, &loop.generator)
            }
            let loss = loop.step(masks: masks)
            guard loss.isFinite else { reason = .nonFiniteLoss(step: step + 1); break }
            let model = loop.model
            withLock { published = model }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
            events(.step(TrainingStep(step: step + 1, epoch: step + 1, loss: loss,
                                      imagesPerSecond: seconds > 0 ? Double((step + 1) * recipe.count) / seconds : 0,
                                      learningRate: loop.learningRate, gradientNorms: loop.gradientNorms)))
            if (step + 1) % evaluationEvery == 0 || step + 1 == recipe.steps { evaluate(step: step + 1) }
        }
        events(.stateChanged(.stopped))
        events(.stopped(reason))
        return reason
    }

    private func evaluate(step: Int) {
        let count = evaluationImages.count / Digit.pixels
        guard count > 0 else { return }
        events(.evaluation(step: step, loss: loop.holeMSE(images: evaluationImages, masks: evaluationMasks, count: count)))
    }

    private func withLock<T>(_ body: () -> T) -> T {
        lock.lock(); defer { lock.unlock() }
        return body()
    }
}
