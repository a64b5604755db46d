import Datasets
import Dispatch
import Experiments
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
    /// Where `S` writes `inpaint-screen-N.png` and `.txt` (default: the current folder at the time).
    public var screenshotFolder = URL(fileURLWithPath: ".")

    private let mode: Mode
    private var training: BackgroundTraining?
    /// Models 1… of a comparison, and a comparison preset's alternating training (nil: one model).
    public var compared: ComparedModels? { didSet { compared?.onNews = inbox.onNews } }
    private let inbox = TrainingInbox()
    /// Explain mode's backward passes and the group means, on a queue of their own (`ProbeAnswers`).
    private let probes = ProbeAnswers()
    private var modelRevision = 0
    /// A drag's weights: while training runs, each new snapshot costs the int8 reconstructor a quantisation
    /// of every channel-wise weight (9.8 M for the paper network, several ms, more than the pass itself), and
    /// the trainer publishes one after every step that follows a read. So a changed input (a drag motion)
    /// keeps the weights taken less than `dragWeightsInterval` seconds ago; the same input with newer weights
    /// (the tick's refresh) always takes the newest. `poll` says `.modelUpdated` once weights held back are
    /// due, so a drag that ends just then (or training that pauses) is still shown with the newest weights.
    public static let dragWeightsInterval = 0.2
    private var weightsTakenAt = -Double.infinity
    private var weightsHeldBack = false
    private var lastReconstructInput: (image: [Float], mask: [Float])?

    // What a save writes beside the trainer's own state, followed through the current trainer's events.
    private var history = LossSummary()
    private var lastStep = 0
    private var epoch = 0
    /// True once the current weights took a step that is not on disk.
    private var trainedSinceSave = false
    /// Whether the user paused training (`space`): a trainer restarted by a save or a load stays paused.
    private var paused = false
    /// The base rate last asked for (`+`/`-`, a load, `--lr`): the trainer takes it up at its next step, so a
    /// trainer stopped before that step still owes it. nil: the trainer's own.
    private var requestedRate: Float?
    /// The file `w` last saved to or `l` loaded from by a name typed at the prompt (nil: `--save`'s); quitting
    /// saves there too.
    private var checkpointFile: URL?

    // Training seen from inside (`UIRuntime+Inside.swift`): the pace and the filmstrip.
    var paceMeter = TrainingPaceMeter()
    var sentPace = (pace: TrainingPace(), time: -Double.infinity)
    var filmstrip = FilmstripRecorder()
    /// `inpaint watch`: the step of the checkpoint last reloaded, and the log's steps per epoch once known.
    var watchedCheckpointStep: Int?
    var watchedStepsPerEpoch: Int?
    /// Seconds on a clock that only goes forward: measures the pace and spaces the filmstrip's newest frames.
    public var clock: () -> Double = { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }
    var watchedLogStep = 0
    var watchedRecipe: TrainingState?
    /// `inpaint watch`: the data set browsed here (a reloaded checkpoint of other data says so).
    var watchedDataset: DatasetKind = .mnist
    /// The step of the weights in use (nil in `watch` before a checkpoint was read).
    var currentWeightsStep: Int? {
        switch mode {
        case .watch: return watchedCheckpointStep
        case .explore: return (training?.trainer as? Trainer)?.snapshotStep ?? lastStep
        }
    }
    var lastStepForInside: Int { lastStep }
    func newestNetworkForInside() -> ModelReconstructor { newestNetwork() }

    /// The checkpoint note that says the terminal UI wrote a file (so reopening it takes up its rate).
    public static let writerNote = (key: "written by", value: "inpaint tui")

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
    /// `dataset`: what this UI browses; a reloaded checkpoint trained on other data says so, as `l` does.
    public init(inference: ModelReconstructor, watching log: String, checkpoint: String?, dataset: DatasetKind = .mnist) {
        self.inference = inference
        self.mode = .watch(RunWatch(log: log, checkpoint: checkpoint))
        self.watchedDataset = dataset
        self.filmstrip = FilmstripRecorder(latestInterval: 0)   // one frame per reloaded checkpoint
    }

    /// Called from any thread when training has news for `poll`. Set it before `startTraining()`.
    public var onNews: (@Sendable () -> Void)? {
        get { inbox.onNews }
        set { inbox.onNews = newValue; compared?.onNews = newValue }
    }

    // MARK: effects

    /// Carries out `effects` and returns the answers, in order, for `update`. Of several `.reconstruct`
    /// (a burst of drag motions read in one go) only the newest input is run, and likewise for the panels'
    /// questions; `.quit` and `.quitWithoutSaving` are the driver's (then `finish`) and are ignored here.
    public func perform(_ effects: [Effect]) -> [Message] {
        lastReconstructMilliseconds = nil
        var answers: [Message] = []
        var lastReconstruct: Effect?
        var panelQuestions: [Effect] = []
        var probeQuestions: [Effect] = []
        for effect in effects {
            switch effect {
            case .reconstruct: lastReconstruct = effect
            case .encodeFeatures, .classify: panelQuestions.append(effect)
            case .explain, .measureGroups: probeQuestions.append(effect)
            case .quit, .quitWithoutSaving: break
            case .filmstripSubject(let image, let mask): answers += fixFilmstrip(image: image, mask: mask)
            case .saveScreenshot(let screen): answers.append(ScreenshotFiles.save(screen, in: screenshotFolder))
            default: answers += control(effect)
            }
        }
        if !probeQuestions.isEmpty { probes.ask(probeQuestions, model: newestNetwork().model, onNews: inbox.onNews) }
        guard lastReconstruct != nil || !panelQuestions.isEmpty else { return answers }
        let network: ModelReconstructor   // once: the maps are read from the reconstruction's own pass
        if case .reconstruct(_, let image, let mask)? = lastReconstruct, let last = lastReconstructInput,
           last.image != image || last.mask != mask, clock() - weightsTakenAt < Self.dragWeightsInterval {
            network = inference
            weightsHeldBack = training != nil || compared != nil
        } else {
            network = newestNetwork()
        }
        if case .reconstruct(let revision, let image, let mask)? = lastReconstruct {
            lastReconstructInput = (image, mask)
            let began = DispatchTime.now().uptimeNanoseconds
            let pixels = network.reconstruct(image: image, mask: mask)
            lastReconstructMilliseconds = Double(DispatchTime.now().uptimeNanoseconds &- began) / 1_000_000
            answers.append(.reconstructed(revision: revision, pixels: pixels))
            answers += compared?.reconstruct(revision: revision, image: image, mask: mask) ?? []
        }
        return answers + PanelAnswers.answer(PanelAnswers.newest(panelQuestions), using: network)
    }

    /// The inference network with the trainer's newest weights (a cheap copy-on-write snapshot).
    private func newestNetwork() -> ModelReconstructor {
        if let training { inference.model = training.trainer.snapshot }
        if let primary = compared?.newestPrimary() { inference.model = primary }
        weightsTakenAt = clock()
        weightsHeldBack = false
        return inference
    }

    private func control(_ effect: Effect) -> [Message] {
        switch mode {
        case .watch:
            return [.notice("watching: training runs elsewhere and is not controlled from here")]
        case .explore(let exploration):
            if let compared {
                // A comparison that trains gives way to another experiment from the x menu, as a preset does:
                // its networks were fresh and are never saved, so nothing is lost.
                switch effect {
                case .startComparison(let name) where compared.trains:
                    compared.stop(waitingAtMost: 30)
                    return startComparison(name, exploration, trains: true)
                case .startPreset(let name) where compared.trains:
                    compared.stop(waitingAtMost: 30)
                    self.compared = nil
                    return startPreset(name, exploration, trains: true)
                default:
                    return compared.control(effect)
                }
            }
            return control(effect, exploration)
        }
    }

    private func control(_ effect: Effect, _ exploration: Exploration) -> [Message] {
        let trainingOff = Message.notice("training is off (--no-train)")
        switch effect {
        case .pauseTraining:
            guard let training else { return [trainingOff] }
            training.trainer.pause()
            paused = true
            return []
        case .resumeTraining:
            guard let training else { return [trainingOff] }
            training.trainer.resume()
            paused = false
            return []
        case .stepTraining:
            guard let training else { return [trainingOff] }
            training.trainer.stepOnce()
            return []
        case .setLearningRate(let rate):
            training?.trainer.setLearningRate(rate)
            requestedRate = rate
            return []
        case .resetModel:
            var generator = SeededGenerator(seed: UInt64(DispatchTime.now().uptimeNanoseconds))
            let fresh = ContextEncoder(config: inference.model.config, generator: &generator)
            // Fresh weights of the recipe's network train with the recipe (`train --recipe fast`): a run
            // with an end, its cosine schedule and warm-up, instead of the constant rate that fine-tunes.
            let answers: [Message], notice: String
            if let training, let recipe = exploration.training?.freshRun, recipe.config == fresh.config,
               exploration.learningRate == nil {
                training.restart(from: fresh, factory: recipe.factory)
                paceMeter.totalSteps = recipe.totalSteps
                answers = restarted() + startedOver(label: "fresh weights, --recipe \(recipe.name) (R)")
                notice = "model reset to fresh random weights, training with --recipe \(recipe.name) "
                    + "(\(recipe.totalSteps.map { "\($0) steps" } ?? "no end"))"
            } else {
                let rate = exploration.learningRate ?? TrainingOptions().learningRate
                answers = replaceModel(with: fresh, learningRate: rate) + startedOver(label: "fresh random weights (R)", rate: rate)
                notice = "model reset to fresh random weights"
            }
            return answers + [.modelIdentity(ModelIdentity(config: fresh.config, origin: .fresh)), .notice(notice),
                              .modelUpdated(revision: nextModelRevision())]
        case .saveCheckpoint(let path):
            let url = UIRuntime.fileURL(path)
            let (saved, answers) = save(to: url)
            return answers + (saved ? becameCurrent(url, as: path, exploration) : [])
        case .loadCheckpoint(let path):
            let url = UIRuntime.fileURL(path)
            do {
                let loaded = try Checkpoint.read(contentsOf: url)
                return load(loaded, from: url, exploration) + becameCurrent(url, as: path, exploration)
                    + [.modelIdentity(ModelIdentity(config: loaded.model.config, origin: .file(path))),
                       .modelUpdated(revision: nextModelRevision())]
            } catch {
                // A missing, unreadable or damaged file: one line, and the model stays as it was.
                return [.notice("load failed: \(error)"), .modelUpdated(revision: nextModelRevision())]
            }
        case .startPreset(let name):
            return startPreset(name, exploration, trains: training != nil)
        case .startComparison(let name):
            return startComparison(name, exploration, trains: training != nil)
        case .reconstruct, .classify, .encodeFeatures, .quit, .quitWithoutSaving, .filmstripSubject, .saveScreenshot,
             .explain, .measureGroups:
            return []
        }
    }

    /// `x` and a comparison: the session's own training stops (as a preset's switch drops it, unsaved) and the
    /// comparison's fresh networks take over, model 0 in `inference` and the others in `compared`, taking
    /// turns as `--preset compare-…` has them (not training under `--no-train`).
    /// Experiment `name` from a fresh network, trained with its recipe by the session's trainer, or by a new
    /// one when the trainer gave way to a comparison (`trains` without `training`); `trains` false: shown untrained.
    private func startPreset(_ name: ExperimentName, _ exploration: Exploration, trains: Bool) -> [Message] {
        let run: PresetRun
        do { run = try PresetRun(name: name, dataset: exploration.dataset, seed: exploration.seed, maskChannel: false) }
        catch { return [.notice("\(name): \(error)")] }
        let fresh = run.freshModel()
        guard trains else {
            inference.model = fresh
            return [.presetStarted(run.start), .notice("\(name): a fresh network, not training (--no-train)"),
                    .modelLabel(run.modelLabel), .modelIdentity(run.identity), .modelUpdated(revision: nextModelRevision())]
        }
        if let training {
            training.restart(from: fresh, factory: run.factory)
        } else {
            inference.model = fresh
            let training = BackgroundTraining(model: fresh, factory: run.factory, inbox: inbox)
            self.training = training
            training.start()
        }
        paused = false
        paceMeter.totalSteps = run.totalSteps
        return restarted() + [.presetStarted(run.start)] + startedOver(label: run.modelLabel) + [.modelIdentity(run.identity)]
    }

    /// trains: the comparison's networks train (the session trained, or the comparison it replaces did).
    private func startComparison(_ name: ComparisonName, _ exploration: Exploration, trains: Bool) -> [Message] {
        let run: ComparisonRun
        do { run = try ComparisonRun(name: name, dataset: exploration.dataset, seed: exploration.seed) }
        catch { return [.notice("\(name.presetName): \(error)")] }
        let models = run.freshModels()
        training?.stop(waitingAtMost: 30)
        training = nil
        paused = false
        inference.model = models[0]
        compared = ComparedModels(others: models.dropFirst().map { ModelReconstructor(model: $0, classifier: inference.classifier) },
                                  plan: trains ? run.plan(learningRate: exploration.learningRate) : nil)
        compared?.startTraining(primary: inference.model)
        paceMeter.totalSteps = nil
        var answers = restarted() + [.comparisonStarted(run.start)] + startedOver(label: run.names.joined(separator: " vs "))
            + [.modelIdentity(run.arms[0].identity)]
        if !trains { answers.append(.notice("\(name.presetName): fresh networks, not training (--no-train)")) }
        return answers
    }

    /// New weights with nothing trained on them yet (a reset, a preset): the record starts over. `rate`: the
    /// one the new trainer was given (nil: its recipe's).
    private func startedOver(label: String, rate: Float? = nil) -> [Message] {
        history = LossSummary()
        lastStep = 0
        epoch = 0
        requestedRate = rate
        trainedSinceSave = false
        insideStartedOver()
        return [.modelLabel(label), .unsavedTraining(false)]
    }

    // MARK: saving and loading

    /// A name typed at the prompt as a file: relative to the current folder, `~` the home folder.
    static func fileURL(_ path: String) -> URL {
        URL(fileURLWithPath: NSString(string: path).expandingTildeInPath)
    }

    /// Where `w` and `l` go by default and quitting saves: `--save`, or the last file saved or loaded.
    private func currentFile(_ exploration: Exploration) -> URL { checkpointFile ?? exploration.savePath }

    /// The file quitting saves to (nil: `watch`, which saves nothing).
    public var savePath: URL? {
        if case .explore(let exploration) = mode { return currentFile(exploration) }
        return nil
    }

    /// After a save or load of `url` (typed as `path`): it is the current file; the UI hears when that changed.
    private func becameCurrent(_ url: URL, as path: String, _ exploration: Exploration) -> [Message] {
        guard url.standardizedFileURL != currentFile(exploration).standardizedFileURL else { return [] }
        checkpointFile = url
        return [.savePath(path)]
    }

    /// `w`: the training's whole state while it trains, else the weights; true when the file was written.
    private func save(to url: URL) -> (saved: Bool, messages: [Message]) {
        guard let training else {
            do {
                try Checkpoint(model: inference.model, dataset: browsedDataset).write(to: url)
                return (true, [.notice("saved \(url.path)")])
            } catch {
                return (false, [.notice("save failed: \(error)")])
            }
        }
        return save(training, to: url)
    }

    /// `w` while training: a `Trainer` is stopped between two steps, its whole state (weights, Adam's
    /// moments, step, recipe) written with the curve so far, and a new trainer continues from that very
    /// state (same step, rate, pause), so the run goes on as if never interrupted (the data order and holes
    /// derive from the seed and the step). A preset's full-batch loop cannot be continued that way: its
    /// newest weights are saved while it goes on.
    private func save(_ training: BackgroundTraining, to url: URL) -> (saved: Bool, messages: [Message]) {
        guard training.trainer is Trainer else {
            var answers = takePending(of: training, stopped: false)
            let written = write(BackgroundTraining.Stopped(model: training.trainer.snapshot, checkpoint: nil), to: url)
            answers += written.messages
            return (written.written != nil, answers)
        }
        let stopped = training.stopAndTake(waitingAtMost: 30)
        var answers = takePending(of: training, stopped: true)
        let written = write(stopped, to: url)
        answers += written.messages
        training.restart(from: stopped.model, resume: stopped.checkpoint, learningRate: baseRate(of: stopped), paused: paused)
        return (written.written != nil, answers)
    }

    /// Writes what `stopped` left to `url`; the messages say how it went (and clear the unsaved mark).
    private func write(_ stopped: BackgroundTraining.Stopped, to url: URL) -> (written: Checkpoint?, messages: [Message]) {
        let checkpoint = self.checkpoint(of: stopped)
        do {
            try checkpoint.write(to: url)
            trainedSinceSave = false
            return (checkpoint, [.notice("saved step \(checkpoint.training.step) to \(url.path)"), .unsavedTraining(false)])
        } catch {
            return (nil, [.notice("save failed: \(error)")])
        }
    }

    /// The checkpoint of a stopped trainer: its own state when it has one (else its weights and the step
    /// reached), the rate the next step would use, the curve and the note that the UI wrote it.
    private func checkpoint(of stopped: BackgroundTraining.Stopped) -> Checkpoint {
        let notes = [UIRuntime.writerNote.key: UIRuntime.writerNote.value]
        guard var state = stopped.checkpoint else {
            return Checkpoint(model: stopped.model, training: TrainingState(step: lastStep, epoch: epoch, loss: history, notes: notes),
                              dataset: browsedDataset)
        }
        if let rate = baseRate(of: stopped) { state.options.learningRate = rate }
        return Checkpoint(state, epoch: epoch, loss: history, notes: notes, dataset: browsedDataset)
    }

    /// The data set the session trains on and browses, recorded in every checkpoint it writes (a watched
    /// run writes none).
    private var browsedDataset: DatasetKind {
        if case .explore(let exploration) = mode { return exploration.dataset.location.dataset }
        return .mnist
    }

    /// The base learning rate a stopped trainer would have gone on with: one asked for and not yet taken
    /// up, else the trainer's own (`Trainer.checkpoint()`'s recipe).
    private func baseRate(of stopped: BackgroundTraining.Stopped) -> Float? {
        requestedRate ?? stopped.checkpoint?.options.learningRate
    }

    /// `l`: the saved run continues from its own step and Adam state, paused if training was paused, at the
    /// rate in use; its curves replace the shown ones when it saved some (else the shown ones stay).
    private func load(_ loaded: Checkpoint, from url: URL, _ exploration: Exploration) -> [Message] {
        let path = url.path
        var answers: [Message] = []
        if let training {
            // The rate in use goes on (stopping between two steps to read it); the loaded run's own only if
            // none can be read (a full-batch preset).
            let stopped = training.stopAndTake(waitingAtMost: 30)
            answers = takePending(of: training, stopped: true)
            let rate = baseRate(of: stopped) ?? loaded.training.options?.learningRate ?? exploration.learningRate
                ?? UIRuntime.fineTuneLearningRate
            // Without Adam's moments (an exported model) the run starts at step 0 (see TuiCommand's --model).
            training.restart(from: loaded.model, resume: loaded.optimizer == nil ? nil : loaded.trainingCheckpoint(),
                             learningRate: rate, paused: paused)
            requestedRate = rate
        } else {
            inference.model = loaded.model
        }
        lastStep = loaded.optimizer == nil ? 0 : loaded.training.step
        epoch = loaded.optimizer == nil ? 0 : loaded.training.epoch
        insideLoaded()
        trainedSinceSave = false
        // A checkpoint trained on other data is loaded all the same, and said in place of the usual notice.
        let mismatch = loaded.dataset.mismatchNotice("model", file: url.lastPathComponent, wanted: browsedDataset)
        answers += [.notice(mismatch ?? "loaded \(path) (step \(lastStep))"), .modelLabel(path), .unsavedTraining(false)]
        if !loaded.training.loss.curve.isEmpty {
            history = loaded.training.loss
            answers.append(.trainingRestored(loaded.training))
        }
        return answers
    }

    /// The current trainer's events not yet polled, noted for the save. When `stopped` (a save, a load or
    /// the exit stopped it), its state changes and its stop are not passed on, so the status block does not
    /// flash "stopped" before the trainer that continues it reports.
    private func takePending(of training: BackgroundTraining, stopped: Bool) -> [Message] {
        var messages: [Message] = []
        for (generation, event) in inbox.take() where generation == training.generation {
            switch event {
            case .stateChanged where stopped, .stopped where stopped: continue
            default: messages += note(event)
            }
        }
        return messages
    }

    /// Notes one event of the current trainer for the next save; returns it for `update` (after
    /// `.unsavedTraining(true)` when it is the first step since the last save).
    private func note(_ event: TrainingEvent) -> [Message] {
        var messages: [Message] = []
        history.note(event)
        if case .stateChanged(.training) = event { paceMeter.restartWindow() }   // a pause is not a slow pace
        if case .step(let step) = event {
            lastStep = step.step
            epoch = step.epoch
            if !trainedSinceSave {
                trainedSinceSave = true
                messages.append(.unsavedTraining(true))
            }
        }
        messages.append(.training(event))
        return messages
    }

    // MARK: exit

    /// Ends training for good before the process exits, saving first when `saving` and the weights
    /// trained since the last save: `q` (after the dialog's "save"), SIGHUP, SIGTERM and SIGINT. Waits
    /// at most `seconds` for the trainer to leave its step (else its newest weights are saved without
    /// Adam's moments). Returns what to tell the user, or nil when there was nothing to save.
    public func finish(saving: Bool, waitingAtMost seconds: Double = 30) -> String? {
        probes.waitUntilIdle(seconds: seconds)
        guard case .explore(let exploration) = mode, let training else {
            stop(waitingAtMost: seconds)
            return nil
        }
        let stopped = training.stopAndTake(waitingAtMost: seconds)
        _ = takePending(of: training, stopped: true)
        guard saving, trainedSinceSave else { return nil }
        let path = currentFile(exploration).path
        let (written, messages) = write(stopped, to: currentFile(exploration))
        guard let written else { return "training not saved: \(messages.compactMap { if case .notice(let t) = $0 { t } else { nil } }.joined())" }
        return "saved the training (step \(written.training.step)\(written.optimizer == nil ? ", weights only" : "")) to \(path);"
            + " continue it with: inpaint tui --model \(path)"
    }

    /// True when the weights trained since they were last saved (as far as the events polled so far say).
    public var hasUnsavedTraining: Bool { trainedSinceSave }
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
            messages += note(event)
            if case .step = event { stepped = true }
        }
        if stepped || (weightsHeldBack && clock() - weightsTakenAt >= Self.dragWeightsInterval) {
            weightsHeldBack = false   // until the next motion holds them back again
            messages.append(.modelUpdated(revision: nextModelRevision()))
        }
        messages += probes.take()
        messages += compared?.poll(nextRevision: nextModelRevision) ?? []
        if stepped { messages += insideAfterSteps() }
        var watched = false
        if case .watch(let watch) = mode {
            let timed = watch.newTimedEvents()
            watched = !timed.isEmpty
            messages += timed.map { .training($0.event) }
            noteWatched(timed)
            if let (model, path) = watch.rewrittenCheckpoint() {
                inference.model = model
                // A checkpoint trained on other data is shown all the same, and said in place of the usual notice.
                let mismatch = watch.lastCheckpointDataset?.mismatchNotice(
                    "model", file: URL(fileURLWithPath: path).lastPathComponent, wanted: watchedDataset)
                messages += [.modelUpdated(revision: nextModelRevision()), .notice(mismatch ?? "reloaded \(path)"),
                             .modelIdentity(ModelIdentity(config: model.config, origin: .watched(path)))]
                messages += insideReloaded(watch.lastCheckpointTraining)
            }
        }
        return messages + (stepped || watched ? paceNews() : [])   // the pace follows steps: none in a quiet poll
    }

    // MARK: training

    /// Starts the background training (if the exploration has one). Call it after the first frame: the
    /// trainer's gradients and Adam moments are three more copies of the weights to allocate and zero,
    /// which doubled the first-frame time when they came first.
    ///
    /// - singleSteps: start paused and take exactly this many steps, then wait (`inpaint tui --screenshot
    ///   --after-steps`; in a comparison preset, this many steps of each network); nil: train on until paused.
    public func startTraining(singleSteps: Int? = nil) {
        compared?.startTraining(primary: inference.model, stepsEach: singleSteps)
        guard case .explore(let exploration) = mode, let plan = exploration.training, training == nil else { return }
        let resume = exploration.resuming?.trainingCheckpoint()
        if let resumed = exploration.resuming {
            history = resumed.training.loss
            lastStep = resumed.training.step
            epoch = resumed.training.epoch
        }
        paceMeter.totalSteps = plan.totalSteps
        let training = BackgroundTraining(model: inference.model, resume: resume, factory: plan.factory, inbox: inbox)
        if let rate = plan.learningRate { training.trainer.setLearningRate(rate); requestedRate = rate }
        self.training = training
        if let singleSteps {
            training.trainer.pause()
            paused = true
            for _ in 0..<singleSteps { training.trainer.stepOnce() }
        }
        training.start()
    }

    /// Cancels training and waits (at most `seconds`) until its threads have left their step. Call it
    /// before the process exits: exiting runs OpenBLAS's teardown, which a thread inside a product crashes on.
    public func stop(waitingAtMost seconds: Double) {
        training?.stop(waitingAtMost: seconds)
        compared?.stop(waitingAtMost: seconds)
        probes.waitUntilIdle(seconds: seconds)
    }

    /// Waits (at most `seconds`) until the explain and group questions asked so far are answered (for `poll`).
    @discardableResult
    public func waitForProbeAnswers(seconds: Double) -> Bool { probes.waitUntilIdle(seconds: seconds) }

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
    /// The `--model` checkpoint whose run the training continues: its step, Adam's moments and curve
    /// (nil: training starts at step 0).
    public var resuming: Checkpoint?

    public init(savePath: URL, learningRate: Float?, dataset: Dataset, seed: UInt64, training: TrainingPlan?,
                resuming: Checkpoint? = nil) {
        self.savePath = savePath; self.learningRate = learningRate; self.dataset = dataset; self.seed = seed
        self.training = training; self.resuming = resuming
    }
}

/// The background training of `inpaint tui`: how to make its trainer for some starting weights.
public struct TrainingPlan {
    public var factory: BackgroundTraining.Factory
    /// Set before the first step instead of the recipe's rate (a preset with `--lr`); nil: the recipe's.
    public var learningRate: Float?
    /// The step the run ends at, for the progress line; nil: it trains until stopped.
    public var totalSteps: Int?
    /// What `R` trains fresh weights of `FreshRun.config` with, instead of this plan: a named recipe's run
    /// (`--recipe fast` for the paper network with the mask channel). Other networks reset to this plan.
    public var freshRun: FreshRun?

    /// A named recipe's trainer for fresh weights of one network, and the step it ends at.
    public struct FreshRun {
        public var name: String
        /// The network the recipe is for (a reset of another one keeps the session's trainer).
        public var config: ModelConfig
        public var factory: BackgroundTraining.Factory
        public var totalSteps: Int?
        public init(name: String, config: ModelConfig, plan: TrainingPlan) {
            self.name = name
            self.config = config
            self.factory = plan.factory
            self.totalSteps = plan.totalSteps
        }
    }

    public init(factory: @escaping BackgroundTraining.Factory, learningRate: Float? = nil, totalSteps: Int? = nil) {
        self.factory = factory
        self.learningRate = learningRate
        self.totalSteps = totalSteps
    }

    /// A `Trainer` on `images` ([count, 784]) with `options`, scored on `evaluationImages` ([evaluationCount, 784]).
    public static func trainer(images: [Float], count: Int, evaluationImages: [Float], evaluationCount: Int,
                               options: TrainingOptions) -> TrainingPlan {
        TrainingPlan(factory: { model, resume, events in
            Trainer(model: model, images: images, count: count, options: options, evaluationImages: evaluationImages,
                    evaluationCount: evaluationCount, resumeFrom: resume, events: events)
        }, totalSteps: options.maxSteps ?? options.epochs.map { $0 * ((count + options.batchSize - 1) / options.batchSize) })
    }

    /// A preset's own trainer (`FullBatchTrainer` or `Trainer`, as `inpaint experiment` trains it).
    public static func preset(_ run: PresetRun, learningRate: Float?) -> TrainingPlan {
        TrainingPlan(factory: run.factory, learningRate: learningRate, totalSteps: run.totalSteps)
    }
}
