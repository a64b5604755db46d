import Dispatch
import Experiments
import Foundation
import Inpainting

/// The background training behind `inpaint tui`: one trainer on a thread of its own, whose events go
/// unchanged into the runtime's inbox, tagged with the trainer's generation.
///
/// A reset or a loaded checkpoint starts a new trainer (a new generation); the runtime drops events of an
/// older generation that arrive late, so a cancelled trainer's last steps cannot overwrite the new curves.
/// Used from one thread (the runtime's); only the trainers run elsewhere.
public final class BackgroundTraining {
    /// Makes the trainer for some starting weights, continuing a saved run when given one (its step, Adam's
    /// moments, its seed: `Trainer(resumeFrom:)`): a `Trainer`, or a preset's `FullBatchTrainer` (which takes
    /// only the weights).
    public typealias Factory = (ContextEncoder, TrainingCheckpoint?, @escaping @Sendable (TrainingEvent) -> Void)
        -> any TrainingControl

    private var factory: Factory
    private let inbox: TrainingInbox
    private(set) var trainer: any TrainingControl
    /// Which trainer's events count: grows with every restart.
    private(set) var generation = 0
    /// Entered by every training thread while it runs (a restart briefly has two).
    private let running = DispatchGroup()

    init(model: ContextEncoder, resume: TrainingCheckpoint? = nil, factory: @escaping Factory, inbox: TrainingInbox) {
        self.factory = factory
        self.inbox = inbox
        self.trainer = BackgroundTraining.makeTrainer(model: model, resume: resume, factory: factory, generation: 0,
                                                      inbox: inbox)
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
        let trainer = self.trainer
        BackgroundTraining.startThread(named: "inpaint.training", in: running) { trainer.run() }
    }

    /// Runs `body` on a new thread at nice 10 (why: `start`), inside `group` until it returns.
    static func startThread(named name: String, in group: DispatchGroup, _ body: @escaping @Sendable () -> Void) {
        group.enter()
        let thread = Thread {
            _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 10)
            body()
            group.leave()
        }
        thread.name = name
        thread.start()
    }

    /// Cancels training and waits (at most `seconds`) until every training thread has left its step.
    /// Call before `exit`: exiting runs the C library's and OpenBLAS's teardown, which a thread still inside
    /// a product would crash on (a quit during a step ended with SIGSEGV before this).
    func stop(waitingAtMost seconds: Double) {
        trainer.cancel()
        _ = running.wait(timeout: .now() + seconds)
    }

    /// What a stopped trainer leaves: its weights, and (a `Trainer` whose thread has finished) everything
    /// needed to continue it bit for bit.
    struct Stopped {
        var model: ContextEncoder
        /// nil: a `FullBatchTrainer`, or a thread still inside its step when the wait ran out.
        var checkpoint: TrainingCheckpoint?
    }

    /// Cancels the trainer, waits (at most `seconds`) for its thread to leave `run()`, and takes its state.
    /// `Trainer.checkpoint()` is read only after the thread has finished (the group's wait orders it after
    /// the thread's last write), never while it trains.
    func stopAndTake(waitingAtMost seconds: Double) -> Stopped {
        trainer.cancel()
        let finished = running.wait(timeout: .now() + seconds) == .success
        guard finished, let trainer = trainer as? Trainer else { return Stopped(model: trainer.snapshot, checkpoint: nil) }
        let checkpoint = trainer.checkpoint()
        return Stopped(model: checkpoint.model, checkpoint: checkpoint)
    }

    /// Switches to another recipe (a preset from the `x` menu) and starts it from `model`.
    func restart(from model: ContextEncoder, factory: @escaping Factory) {
        self.factory = factory
        restart(from: model)
    }

    /// Replaces the weights: cancels the running trainer and starts a new one from `model`, at `learningRate`
    /// when given (set before its first step) instead of the recipe's.
    ///
    /// - resume: continue that run (its step, Adam's moments) instead of starting at step 0.
    /// - paused: the new trainer waits for `resume()` (or single steps) before its first step.
    func restart(from model: ContextEncoder, resume: TrainingCheckpoint? = nil, learningRate: Float? = nil,
                 paused: Bool = false) {
        trainer.cancel()
        generation += 1
        trainer = BackgroundTraining.makeTrainer(model: model, resume: resume, factory: factory, generation: generation,
                                                 inbox: inbox)
        if let learningRate { trainer.setLearningRate(learningRate) }
        if paused { trainer.pause() }
        start()
    }

    private static func makeTrainer(model: ContextEncoder, resume: TrainingCheckpoint?, factory: Factory, generation: Int,
                                    inbox: TrainingInbox) -> any TrainingControl {
        factory(model, resume) { event in inbox.put(event, generation: generation) }
    }
}

/// Training events on their way from the trainers' threads to the runtime's: a locked queue, and a call
/// (`onNews`) that tells the runtime's owner to come and take them.
final class TrainingInbox: @unchecked Sendable {
    private let lock = NSLock()
    private var pending: [(generation: Int, event: TrainingEvent)] = []
    private var news: (@Sendable () -> Void)?

    var onNews: (@Sendable () -> Void)? {
        get { lock.withLock { news } }
        set { lock.withLock { news = newValue } }
    }

    func put(_ event: TrainingEvent, generation: Int) {
        let news = lock.withLock {
            pending.append((generation, event))
            return self.news
        }
        news?()
    }

    func take() -> [(generation: Int, event: TrainingEvent)] {
        lock.withLock {
            defer { pending.removeAll() }
            return pending
        }
    }
}
