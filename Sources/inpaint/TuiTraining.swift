import Dispatch
import Experiments
import Foundation
import Inpainting
import TerminalUI

/// The background training behind `inpaint tui`: one trainer on a thread of its own, its events translated
/// into UI messages and handed to the main queue.
///
/// A reset or a loaded checkpoint starts a new trainer (a new generation); events from a cancelled one
/// that arrive late are dropped so its last steps cannot overwrite the new curves.
final class TuiTraining {
    /// Makes the trainer for some starting weights: a `Trainer`, or a preset's `FullBatchTrainer`.
    typealias Factory = (ContextEncoder, @escaping @Sendable (TrainingEvent) -> Void) -> any TrainingControl

    private var factory: Factory
    private let post: @Sendable (Message) -> Void
    private(set) var trainer: any TrainingControl
    private var generation = 0
    /// Entered by every training thread while it runs (a restart briefly has two).
    private let running = DispatchGroup()

    init(model: ContextEncoder, factory: @escaping Factory, post: @escaping @Sendable (Message) -> Void) {
        self.factory = factory
        self.post = post
        self.trainer = TuiTraining.makeTrainer(model: model, factory: factory, generation: 0, post: post)
    }

    /// A `Trainer` on `images` ([count, 784]) with the options given.
    convenience init(model: ContextEncoder, images: [Float], count: Int, evaluationImages: [Float], evaluationCount: Int,
                     options: TrainingOptions, post: @escaping @Sendable (Message) -> Void) {
        self.init(model: model, factory: { model, events in
            Trainer(model: model, images: images, count: count, options: options, evaluationImages: evaluationImages,
                    evaluationCount: evaluationCount, events: events)
        }, post: post)
    }

    /// Starts (or, after `restart`, continues with) the current trainer on a thread of its own.
    ///
    /// The thread runs at nice 10 (Linux keeps a nice value per thread): when the drawing thread and the
    /// trainer want the same core, the scheduler gives the drawing thread ~10 times the share (CFS weights
    /// 1024 against 110), so a drag's reconstruction does not wait behind a training step. On an idle
    /// core the trainer runs at full speed. A plain thread rather than a Dispatch worker, because a worker
    /// goes back to the pool (and may later drain the main queue) and an unprivileged process cannot
    /// lower its nice value again.
    func start() {
        let trainer = self.trainer, running = self.running
        running.enter()
        let thread = Thread {
            _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 10)
            trainer.run()
            running.leave()
        }
        thread.name = "inpaint.training"
        thread.start()
    }

    /// Cancels training and waits (at most `seconds`) until every training thread has left its step.
    /// Call before `exit`: exiting runs the C library's and OpenBLAS's teardown, which a thread still inside
    /// a product would crash on (a quit during a step ended with SIGSEGV before this).
    func stop(waitingAtMost seconds: Double) {
        trainer.cancel()
        _ = running.wait(timeout: .now() + seconds)
    }

    /// Switches to another recipe (a preset from the `x` menu) and starts it from `model`.
    func restart(from model: ContextEncoder, factory: @escaping Factory) {
        self.factory = factory
        restart(from: model)
    }

    /// Replaces the weights: cancels the running trainer and starts a new one from `model`, at `learningRate`
    /// when given (set before its first step) instead of the recipe's.
    func restart(from model: ContextEncoder, learningRate: Float? = nil) {
        trainer.cancel()
        generation += 1
        TuiTraining.currentGeneration = generation
        trainer = TuiTraining.makeTrainer(model: model, factory: factory, generation: generation, post: post)
        if let learningRate { trainer.setLearningRate(learningRate) }
        post(.training(.reset))
        post(.modelUpdated(revision: TuiTraining.nextModelRevision()))
        start()
    }

    private static func makeTrainer(model: ContextEncoder, factory: Factory, generation: Int,
                                    post: @escaping @Sendable (Message) -> Void) -> any TrainingControl {
        factory(model) { event in
            // The generation check runs on the main queue, where `generation` lives.
            DispatchQueue.main.async {
                guard let current = TuiTraining.currentGeneration, current == generation else { return }
                for message in TuiTraining.messages(for: event) { post(message) }
                if case .step = event { post(.modelUpdated(revision: TuiTraining.nextModelRevision())) }
            }
        }
    }

    /// The generation whose events count, and a counter of weight updates (it must keep growing across
    /// resets, so it is not the step). Both live on the main queue.
    nonisolated(unsafe) static var currentGeneration: Int? = 0
    nonisolated(unsafe) private static var modelRevision = 0
    static func nextModelRevision() -> Int { modelRevision += 1; return modelRevision }

    static func messages(for event: TrainingEvent) -> [Message] {
        switch event {
        case .step(let s):
            return [.training(.step(step: s.step, epoch: s.epoch, loss: s.loss, imagesPerSecond: Float(s.imagesPerSecond),
                                    learningRate: s.learningRate))]
        case .evaluation(let step, let loss):
            return [.training(.evaluation(step: step, loss: loss))]
        case .epochFinished(let epoch):
            return [.training(.epochFinished(epoch: epoch))]
        case .checkpointWritten(let path):
            return [.training(.checkpointWritten(path: path))]
        case .stateChanged(let state):
            let activity: TrainingActivity
            switch state {
            case .idle: activity = .idle
            case .training: activity = .training
            case .paused: activity = .paused
            case .stopped: activity = .stopped
            }
            return [.training(.activity(activity))]
        case .stopped(let reason):
            switch reason {
            case .finished, .cancelled: return [.training(.activity(.stopped))]
            case .nonFiniteLoss(let step): return [.training(.activity(.stopped)), .notice("training stopped: loss not finite at step \(step)")]
            case .failed(let why): return [.training(.activity(.stopped)), .notice("training failed: \(why)")]
            }
        }
    }
}
