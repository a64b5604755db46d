import Datasets
import Dispatch
import Foundation
import Inpainting
import NeuralCore
import TerminalUI

/// The one place the terminal UI's effects are carried out: every `Effect` that `update` returns comes here
/// (`perform`), and everything the outside world has to say (training events, lines appended to a followed
/// log, a rewritten checkpoint) comes back from `poll`, both as `Message`s for `update`.
///
/// A drag's mask arrives here as `.reconstruct` and leaves as `.reconstructed` (the network runs in
/// `ModelReconstructor`); a training step's `TrainingEvent` goes from the trainer's thread into an inbox here
/// and leaves, unchanged, as `.training(event)`.
///
/// Not thread-safe: call `perform` and `poll` from one thread (the driver's main queue, or a test). Training
/// runs on threads of its own; `onNews` says, from any thread, when `poll` has something new.
public final class UIRuntime {
    /// The network that answers `.reconstruct`, `.classify` and `.encodeFeatures` (with the newest weights).
    public let inference: ModelReconstructor
    /// How long the last `perform` spent in the network for its `.reconstruct` (nil: it had none).
    public private(set) var lastReconstructMilliseconds: Double?

    private let mode: Mode
    private var training: BackgroundTraining?
    private let inbox = TrainingInbox()
    private var modelRevision = 0

    private enum Mode {
        case explore(Exploration)
        case watch(RunWatch)
    }

    /// The rate `inpaint tui` fine-tunes a model that arrives trained at (the bundled one, `--model`, a loaded
    /// checkpoint), measured in the commit that set it: at 1e-3 with fresh Adam moments the bundled model's
    /// held-out loss rose from 0.039 to 0.043 in the first thousand steps; at 1e-4 it stayed at 0.039.
    public static let fineTuneLearningRate: Float = 1e-4

    /// `inpaint tui`: the UI's own model, trained in the background by `exploration.training` once
    /// `startTraining()` is called (nil: `--no-train`, or no training data).
    public init(inference: ModelReconstructor, exploring exploration: Exploration) {
        self.inference = inference
        self.mode = .explore(exploration)
    }

    /// `inpaint watch`: a run started elsewhere, followed through its JSON-lines log; its checkpoint (given, or
    /// the last one the log names) is reloaded whenever it is rewritten. Nothing here controls that run.
    public init(inference: ModelReconstructor, watching log: String, checkpoint: String?) {
        self.inference = inference
        self.mode = .watch(RunWatch(log: log, checkpoint: checkpoint))
    }

    /// Called from any thread when training has news for `poll`. Set it before `startTraining()`.
    public var onNews: (@Sendable () -> Void)? {
        get { inbox.onNews }
        set { inbox.onNews = newValue }
    }

    // MARK: effects

    /// Carries out `effects` and returns the answers, in order, for `update`. Of several `.reconstruct`
    /// (a burst of drag motions read in one go) only the newest input is run, and likewise for the panels'
    /// questions; `.quit` is the driver's and is ignored here.
    public func perform(_ effects: [Effect]) -> [Message] {
        lastReconstructMilliseconds = nil
        var answers: [Message] = []
        var lastReconstruct: Effect?
        var panelQuestions: [Effect] = []
        for effect in effects {
            switch effect {
            case .reconstruct: lastReconstruct = effect
            case .encodeFeatures, .classify: panelQuestions.append(effect)
            case .quit: break
            default: answers += control(effect)
            }
        }
        guard lastReconstruct != nil || !panelQuestions.isEmpty else { return answers }
        let network = newestNetwork()   // once: the maps are read from the reconstruction's own pass
        if case .reconstruct(let revision, let image, let mask)? = lastReconstruct {
            let began = DispatchTime.now().uptimeNanoseconds
            let pixels = network.reconstruct(image: image, mask: mask)
            lastReconstructMilliseconds = Double(DispatchTime.now().uptimeNanoseconds &- began) / 1_000_000
            answers.append(.reconstructed(revision: revision, pixels: pixels))
        }
        return answers + PanelAnswers.answer(PanelAnswers.newest(panelQuestions), using: network)
    }

    /// The inference network with the trainer's newest weights (a cheap copy-on-write snapshot).
    private func newestNetwork() -> ModelReconstructor {
        if let training { inference.model = training.trainer.snapshot }
        return inference
    }

    private func control(_ effect: Effect) -> [Message] {
        switch mode {
        case .watch:
            return [.notice("watching: training runs elsewhere and is not controlled from here")]
        case .explore(let exploration):
            return control(effect, exploration)
        }
    }

    private func control(_ effect: Effect, _ exploration: Exploration) -> [Message] {
        let trainingOff = Message.notice("training is off (--no-train)")
        switch effect {
        case .pauseTraining:
            guard let training else { return [trainingOff] }
            training.trainer.pause()
            return []
        case .resumeTraining:
            guard let training else { return [trainingOff] }
            training.trainer.resume()
            return []
        case .stepTraining:
            guard let training else { return [trainingOff] }
            training.trainer.stepOnce()
            return []
        case .setLearningRate(let rate):
            training?.trainer.setLearningRate(rate)
            return []
        case .resetModel:
            var generator = SeededGenerator(seed: UInt64(DispatchTime.now().uptimeNanoseconds))
            let fresh = ContextEncoder(config: inference.model.config, generator: &generator)
            return replaceModel(with: fresh, learningRate: exploration.learningRate ?? TrainingOptions().learningRate)
                + [.notice("model reset to fresh random weights"), .modelUpdated(revision: nextModelRevision())]
        case .saveCheckpoint:
            let current = training?.trainer.snapshot ?? inference.model
            do {
                try Checkpoint(model: current, dataset: exploration.dataset.location.dataset).write(to: exploration.savePath)
                return [.notice("saved \(exploration.savePath.path)")]
            } catch {
                return [.notice("save failed: \(error)")]
            }
        case .loadCheckpoint:
            var answers: [Message]
            do {
                let loaded = try Checkpoint.read(contentsOf: exploration.savePath)
                answers = replaceModel(with: loaded.model, learningRate: exploration.learningRate ?? UIRuntime.fineTuneLearningRate)
                    + [.notice(loaded.dataset.mismatchNotice("model", file: exploration.savePath.lastPathComponent,
                                                             wanted: exploration.dataset.location.dataset)
                               ?? "loaded \(exploration.savePath.path)")]
            } catch {
                answers = [.notice("load failed: \(error)")]
            }
            return answers + [.modelUpdated(revision: nextModelRevision())]
        case .startPreset(let name):
            do {
                let run = try PresetRun(name: name, dataset: exploration.dataset, seed: exploration.seed, maskChannel: false)
                let fresh = run.freshModel()
                guard let training else {
                    inference.model = fresh
                    return [.presetStarted(run.start), .notice("\(name): a fresh network, not training (--no-train)"),
                            .modelUpdated(revision: nextModelRevision())]
                }
                training.restart(from: fresh, factory: run.factory)
                return restarted() + [.presetStarted(run.start)]
            } catch {
                return [.notice("\(name): \(error)")]
            }
        case .reconstruct, .classify, .encodeFeatures, .quit:
            return []
        }
    }

    /// New weights: a restart of the training from them, or (not training) the inference network's own.
    private func replaceModel(with model: ContextEncoder, learningRate: Float) -> [Message] {
        guard let training else {
            inference.model = model
            return []
        }
        training.restart(from: model, learningRate: learningRate)
        return restarted()
    }

    /// What the UI hears when training starts over: the curves restart and the weights changed.
    private func restarted() -> [Message] { [.trainingReset, .modelUpdated(revision: nextModelRevision())] }

    /// A counter of weight changes for `.modelUpdated`; it keeps growing across resets, so it is not the step.
    private func nextModelRevision() -> Int {
        modelRevision += 1
        return modelRevision
    }

    // MARK: news

    /// What happened since the last call: the current trainer's events (those of a trainer replaced by a
    /// reset or a load are dropped, so its last steps cannot overwrite the new curves), then, when watching,
    /// the log's new events and a reload of the checkpoint when it was rewritten.
    public func poll() -> [Message] {
        var messages: [Message] = []
        var stepped = false
        let current = training?.generation
        for (generation, event) in inbox.take() where generation == current {
            messages.append(.training(event))
            if case .step = event { stepped = true }
        }
        if stepped { messages.append(.modelUpdated(revision: nextModelRevision())) }
        if case .watch(let watch) = mode {
            messages += watch.newEvents().map { .training($0) }
            if let (model, path) = watch.rewrittenCheckpoint() {
                inference.model = model
                messages += [.modelUpdated(revision: nextModelRevision()), .notice("reloaded \(path)")]
            }
        }
        return messages
    }

    // MARK: training

    /// Starts the background training (if the exploration has one). Call it after the first frame: the
    /// trainer's gradients and Adam moments are three more copies of the weights to allocate and zero,
    /// which doubled the first-frame time when they came first.
    public func startTraining() {
        guard case .explore(let exploration) = mode, let plan = exploration.training, training == nil else { return }
        let training = BackgroundTraining(model: inference.model, factory: plan.factory, inbox: inbox)
        if let rate = plan.learningRate { training.trainer.setLearningRate(rate) }
        self.training = training
        training.start()
    }

    /// Cancels training and waits (at most `seconds`) until its threads have left their step. Call it
    /// before the process exits: exiting runs OpenBLAS's teardown, which a thread inside a product crashes on.
    public func stop(waitingAtMost seconds: Double) {
        training?.stop(waitingAtMost: seconds)
    }

    /// True while a background trainer exists (`startTraining()` was called with a plan).
    public var isTraining: Bool { training != nil }
}

/// What `inpaint tui` explores: where `w`/`l` save and load, the data presets are cut from, and what trains.
public struct Exploration {
    /// Where `w` saves and `l` loads a checkpoint.
    public var savePath: URL
    /// `--lr`: the rate after a reset or a load (default: 1e-3 after a reset, the fine-tuning rate after a load).
    public var learningRate: Float?
    /// The data and seed the `x` menu's presets are made from.
    public var dataset: Dataset
    public var seed: UInt64
    /// The background training; nil: none (`--no-train`, or no training split).
    public var training: TrainingPlan?

    public init(savePath: URL, learningRate: Float?, dataset: Dataset, seed: UInt64, training: TrainingPlan?) {
        self.savePath = savePath; self.learningRate = learningRate; self.dataset = dataset; self.seed = seed
        self.training = training
    }
}

/// The background training of `inpaint tui`: how to make its trainer for some starting weights.
public struct TrainingPlan {
    public var factory: BackgroundTraining.Factory
    /// Set before the first step instead of the recipe's rate (a preset with `--lr`); nil: the recipe's.
    public var learningRate: Float?

    public init(factory: @escaping BackgroundTraining.Factory, learningRate: Float? = nil) {
        self.factory = factory
        self.learningRate = learningRate
    }

    /// A `Trainer` on `images` ([count, 784]) with `options`, scored on `evaluationImages` ([evaluationCount, 784]).
    public static func trainer(images: [Float], count: Int, evaluationImages: [Float], evaluationCount: Int,
                               options: TrainingOptions) -> TrainingPlan {
        TrainingPlan(factory: { model, events in
            Trainer(model: model, images: images, count: count, options: options, evaluationImages: evaluationImages,
                    evaluationCount: evaluationCount, events: events)
        })
    }

    /// A preset's own trainer (`FullBatchTrainer` or `Trainer`, as `inpaint experiment` trains it).
    public static func preset(_ run: PresetRun, learningRate: Float?) -> TrainingPlan {
        TrainingPlan(factory: run.factory, learningRate: learningRate)
    }
}
