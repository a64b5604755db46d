import Dispatch
import Foundation
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

    // Shared state, guarded by `condition`.
    private let condition = NSCondition()
    private var isPaused = false
    private var pendingSingleSteps = 0
    private var isCancelled = false
    private var requestedLearningRate: Float?
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

    public func pause() { withLock { isPaused = true } }
    public func resume() { withLock { isPaused = false; condition.broadcast() } }
    public func stepOnce() { withLock { pendingSingleSteps += 1; condition.broadcast() } }
    public func cancel() { withLock { isCancelled = true; condition.broadcast() } }
    public func setLearningRate(_ lr: Float) { withLock { requestedLearningRate = lr } }
    public var snapshot: ContextEncoder { withLock { published } }

    @discardableResult
    public func run() -> StopReason {
        events(.stateChanged(.training))
        var announced = TrainerState.training
        var reason = StopReason.finished
        let started = DispatchTime.now().uptimeNanoseconds
        for step in 0..<recipe.steps {
            condition.lock()
            while isPaused && pendingSingleSteps == 0 && !isCancelled {
                if announced != .paused {
                    announced = .paused
                    condition.unlock(); events(.stateChanged(.paused)); condition.lock()
                    continue
                }
                condition.wait()
            }
            let cancelled = isCancelled
            let pausedNow = isPaused
            if pausedNow && !cancelled { pendingSingleSteps -= 1 }
            let rate = requestedLearningRate
            requestedLearningRate = nil
            condition.unlock()
            if cancelled { reason = .cancelled; break }
            if !pausedNow && announced == .paused { announced = .training; events(.stateChanged(.training)) }
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
                                      learningRate: loop.learningRate)))
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
        condition.lock(); defer { condition.unlock() }
        return body()
    }
}
