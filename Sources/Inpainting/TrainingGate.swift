import Foundation

/// The controls both trainers offer (`TrainingControl`): pause, single steps, cancellation and a new
/// learning rate, set from any thread and taken up by the training loop between steps.
public final class TrainingGate: @unchecked Sendable {
    private let condition = NSCondition()
    private var isPaused = false
    private var pendingSingleSteps = 0
    private var isCancelled = false
    private var requestedLearningRate: Float?

    public init() {}

    /// Pause after the current step.
    public func pause() { withLock { isPaused = true } }
    public func resume() { withLock { isPaused = false; condition.broadcast() } }
    public func stepOnce() { withLock { pendingSingleSteps += 1; condition.broadcast() } }
    public func cancel() { withLock { isCancelled = true; condition.broadcast() } }
    public func setLearningRate(_ lr: Float) { withLock { requestedLearningRate = lr } }
    public var isPausedNow: Bool { withLock { isPaused } }

    /// What the loop does next.
    public enum Next {
        case cancelled
        /// Take one step, at `newLearningRate` from now on when one was set since the last step.
        case step(newLearningRate: Float?)
    }

    /// Called by the training loop before every step: waits while paused (unless a single step was asked
    /// for), and reports `.paused` when it starts waiting and `.training` when it resumes. `announced` is the
    /// state last reported; events go out without the lock held, so a listener may call back into the trainer.
    public func awaitStep(announced: inout TrainerState, announce: (TrainerState) -> Void) -> Next {
        condition.lock()
        while isPaused && pendingSingleSteps == 0 && !isCancelled {
            if announced != .paused {
                announced = .paused
                condition.unlock(); announce(.paused); condition.lock()
                continue
            }
            condition.wait()
        }
        if isCancelled { condition.unlock(); return .cancelled }
        let pausedNow = isPaused
        if pausedNow { pendingSingleSteps -= 1 }
        let rate = requestedLearningRate
        requestedLearningRate = nil
        condition.unlock()
        if !pausedNow && announced == .paused { announced = .training; announce(.training) }
        return .step(newLearningRate: rate)
    }

    private func withLock<T>(_ body: () -> T) -> T {
        condition.lock(); defer { condition.unlock() }
        return body()
    }
}
