import ArgumentParser
import Dispatch
import Evaluation
import Experiments
import FileIO
import Foundation
import Inpainting
import NcursesTerminal
import NeuralCore
import TerminalRuntime
import TerminalUI

/// `inpaint tui` (the default): drag a hole over a digit and watch the network fill it while it trains.
struct TuiCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tui",
        abstract: "Explore the context encoder live: drag a hole over a digit, watch the reconstruction and the loss.")

    @OptionGroup var data: DataOptions

    @Option(help: ArgumentHelp("Checkpoint to load (default: the bundled model, else a fresh one).",
                               discussion: "Given two or three times (`bundled` names the bundled model), the models are compared side by side as saved, each with its own panels and curve; Tab shows the next where not all fit.",
                               valueName: "file"))
    var model: [String] = []

    @Flag(help: "Do not train in the background; only explore the loaded model.")
    var noTrain = false

    @Option(help: ArgumentHelp(
        "Train one of the report's experiments live: \(ExperimentName.presets.map(\.rawValue).joined(separator: ", ")); or two networks side by side: \(ComparisonName.allCases.map(\.presetName).joined(separator: ", ")).",
        discussion: "The experiment's data and recipe from a fresh network (or --model), its digits to browse; "
            + "see `inpaint experiment list`. A compare- preset trains both arms of the comparison from fresh networks, taking turns.",
        valueName: "name"))
    var preset: TuiPreset?

    @Flag(help: "With --preset: give the network the mask as a second input channel (Fig. 5's fix).")
    var maskChannel = false

    @Flag(help: "Draw digits with the character ramp ' .:-=+*#%@' instead of shaded blocks (also: NO_COLOR, < 256 colours).")
    var ascii = false

    @Option(help: "Largest digit scale to use when the terminal is big enough (1 = 28×14 cells per digit).")
    var scale: Int = 3

    @Option(help: ArgumentHelp(
        "Adam learning rate of the background training (default: 1e-3 for a fresh network, 1e-4 to fine-tune a trained one, the saved rate for a file this UI saved).",
        discussion: "A trained model (the bundled one, --model) was annealed to a low rate; at 1e-3 with fresh Adam "
            + "moments its first steps undo much of that, and the held-out loss rises before it falls again."))
    var lr: Float?

    @Option(help: "Seed for a fresh model, the random holes and the training order.")
    var seed: UInt64 = 1

    @Option(help: ArgumentHelp(
        "Where `w` saves and `l` loads a checkpoint, and where training is saved on quit, hangup or SIGTERM (default: \(TuiCommand.defaultSavePath) in the current folder).",
        discussion: "The file holds the weights, Adam's moments, the step and the loss curves: `inpaint tui --model FILE` "
            + "continues that run (same step, rate and curves; use the same --seed for the same data order). `q` asks "
            + "before quitting with unsaved training; SIGHUP (a dropped ssh connection), SIGTERM and Ctrl-C save without asking.",
        valueName: "file"))
    var save: String?

    static let defaultSavePath = "inpaint-tui.safetensors"

    @OptionGroup(title: "The view to open (C shows these flags for the view on screen; quitting prints them)")
    var viewOptions: TuiViewOptions

    @OptionGroup(title: "A screenshot without a terminal (S saves one from the running UI)")
    var screenshotOptions: TuiScreenshotOptions

    @Option(help: ArgumentHelp("Write frame statistics (first frame, drag latency) as JSON here on exit.",
                               visibility: .hidden))
    var statsFile: String?

    func validate() throws {
        guard (1...8).contains(scale) else { throw ValidationError("--scale must be 1…8, found \(scale)") }
        if let lr, !(lr > 0 && lr.isFinite) { throw ValidationError("--lr: expected a positive number, found \(lr)") }
        if maskChannel && preset == nil { throw ValidationError("--mask-channel: expected together with --preset") }
        try validateComparison()
        if let preset = experiment, !preset.hasPreset {
            throw ValidationError("--preset: expected one of \(ExperimentName.presets.map(\.rawValue).joined(separator: ", ")), found \(preset.rawValue) (it compares three networks; run `inpaint experiment \(preset.rawValue)`)")
        }
    }

    func run() throws {
        let started = DispatchTime.now().uptimeNanoseconds
        // A digit-specific preset on clothes: its one line, before any data loads or the terminal is taken.
        if let preset = experiment, let refusal = preset.refusal(on: data.dataset) { throw ExperimentError(refusal) }
        // Before the terminal is taken over: a `w` after an hour of training must have somewhere to go. (The
        // default is not checked: exploring from a read-only folder works, and `w` then says why it cannot save.)
        if let save { try AtomicFile.checkWritable(URL(fileURLWithPath: save), label: "--save \(save)") }
        if let shot = screenshotOptions.screenshot {
            try AtomicFile.checkWritable(URL(fileURLWithPath: shot), label: "--screenshot \(shot)")
        }
        let savePath = save ?? TuiCommand.defaultSavePath
        // Before any thread exists, so every thread inherits the mask and only the driver sees these signals.
        TerminalDriver.blockHandledSignals()
        // A write to a closed pipe or socket fails with EPIPE instead of ending the process before it saves.
        signal(SIGPIPE, SIG_IGN)
        // One OpenBLAS thread per caller: training's GEMMs run on the training thread and
        // inference on the main thread, one core each, instead of both fanning out over the same two cores
        // (Debian's pthread build is safe to call from two threads at once).
        BLASThreads.set(1)

        let (dataset, browsable) = try data.loadBrowsableDigits()
        let presetRun: PresetRun?
        do { presetRun = try experiment.map { try PresetRun(name: $0, dataset: dataset, seed: seed, maskChannel: maskChannel) } }
        catch let error as DataError { throw ValidationError("\(error)") }
        let comparisonRun: ComparisonRun?
        do { comparisonRun = try comparisonName.map { try ComparisonRun(name: $0, dataset: dataset, seed: seed) } }
        catch let error as DataError { throw ValidationError("\(error)") }
        let kind = dataset.location.dataset
        let start = try StartingModel(modelPath: firstModelPath, preset: presetRun, seed: seed, dataset: kind)
        // The top-3 panel's classifier, the one bundled for the data set; a damaged file is reported, a
        // missing one only disables the panel.
        let classifier: DigitClassifier?
        do { classifier = try DigitClassifier.bundled(for: kind) } catch { throw ValidationError("\(error)") }

        var state = AppState(library: comparisonRun?.library ?? presetRun?.library ?? browsable, style: .full, maxScale: scale, seed: seed)
        state.training.modelFile = start.label
        state.model = start.identity
        state.savePath = savePath
        // A --model file with Adam's moments continues its run: its step, moments and curves, at its rate when
        // this UI wrote it. One without (an exported or PyTorch model) is fine-tuned from step 0 as before: fresh
        // moments at a late step would skip Adam's bias correction and take ~3× larger first steps.
        let resuming = noTrain ? nil : start.checkpoint.flatMap { $0.optimizer != nil ? $0 : nil }
        if let resuming, !resuming.training.loss.curve.isEmpty || resuming.training.step > 0 {
            _ = update(&state, .trainingRestored(resuming.training))
        }
        let writtenHere = resuming?.training.notes[UIRuntime.writerNote.key] == UIRuntime.writerNote.value
        let savedRate = writtenHere ? resuming?.training.options?.learningRate : nil
        state.training.dataset = dataset.location.isBundledSample
            ? "bundled sample (\(dataset.train?.count ?? 0) digits; no MNIST found)"
            : "\(dataset.location.dataset) (\(dataset.train?.count ?? 0) train)"
        presetRun?.apply(to: &state)
        // The preset's hint stays the first notice; a model trained on other data is said after it.
        let classifierNotice = classifier?.dataset.mismatchNotice("classifier", file: DigitClassifier.assetFileName(for: kind),
                                                                  wanted: kind)
        for notice in [start.notice, classifierNotice].compactMap({ $0 }) {
            state.notice = state.notice.map { "\($0) · \(notice)" } ?? notice
        }

        var trainingOptions = TrainingOptions()
        trainingOptions.seed = seed
        trainingOptions.learningRate = lr ?? savedRate
            ?? (start.isTrained ? UIRuntime.fineTuneLearningRate : trainingOptions.learningRate)
        var plan: TrainingPlan?
        if !noTrain, let presetRun {
            plan = .preset(presetRun, learningRate: lr ?? savedRate)   // the experiment's rate unless --lr overrides it
        } else if !noTrain, let train = dataset.train {
            let evaluation = dataset.test.map { $0.prefix(min(256, $0.count)) }
            // One copy of the training images (71 MB for MNIST), shared by both plans' trainers.
            let images = Array(train.images.pixels), evaluationImages = evaluation.map { Array($0.images.pixels) } ?? []
            func trainer(_ options: TrainingOptions) -> TrainingPlan {
                .trainer(images: images, count: train.count, evaluationImages: evaluationImages,
                         evaluationCount: evaluation?.count ?? 0, options: options)
            }
            plan = trainer(trainingOptions)
            // `R` on the fast recipe's network (paper, mask channel) starts that recipe's run.
            var recipe = TrainingRecipe.fast.options
            recipe.seed = seed
            plan?.freshRun = .init(name: TrainingRecipe.fast.rawValue, config: TrainingRecipe.fast.config, plan: trainer(recipe))
        }
        if model.count > 1 || comparisonRun != nil { plan = nil }   // a comparison trains (or not) on its own
        if plan != nil { state.training.learningRate = lr ?? savedRate ?? presetRun?.learningRate ?? trainingOptions.learningRate }

        let runtime = UIRuntime(
            inference: ModelReconstructor(model: start.network, classifier: classifier),
            exploring: Exploration(savePath: URL(fileURLWithPath: savePath), learningRate: lr, dataset: dataset, seed: seed,
                                   training: plan, resuming: plan == nil ? nil : resuming))
        try attachComparison(comparisonRun, to: runtime, state: &state, start: start, dataset: kind, classifier: classifier)
        // After the preset or comparison set its digits, hole and lesson: the view flags have the last word.
        try viewOptions.open(on: &state)
        state.launch = launchOptions
        if screenshotOptions.screenshot != nil {
            print(try screenshotOptions.write(state, runtime: runtime, trains: plan != nil || runtime.compared?.trains == true,
                                                 comparedAsSaved: model.count > 1, ascii: ascii))
            return
        }
        let reopenLine = ReopenLinePrinter(launch: launchOptions)
        let environment = ProcessInfo.processInfo.environment
        let options = TerminalDriver.Options(
            asciiFlag: ascii, noColor: !(environment["NO_COLOR"] ?? "").isEmpty, statsPath: statsFile,
            startUptime: started)
        let driver = TerminalDriver(state: state, options: options, runtime: runtime, onExit: { how in
            // The terminal is back (or, after a hangup, gone): save, then say where, if anyone can read it.
            let speak = how != .signal(SIGHUP) || TerminalDriver.terminalIsAlive
            let saving = how != .quitWithoutSaving && runtime.hasUnsavedTraining
            if speak && how != .quitWithoutSaving && runtime.hasUnsavedTraining {
                say("saving the training to \(runtime.savePath?.path ?? savePath)…")
            }
            if let report = runtime.finish(saving: how != .quitWithoutSaving), speak { say(report) }
            if how == .quit || how == .quitWithoutSaving {
                reopenLine.print(savedTo: saving && !runtime.hasUnsavedTraining ? (runtime.savePath?.path ?? savePath) : nil)
            }
            switch how {
            case .quit, .quitWithoutSaving: Foundation.exit(0)
            case .signal(let signal): Foundation.exit(128 + signal)
            }
        })
        reopenLine.driver = driver
        try driver.start()
        // After the first frame (see `startTraining`).
        runtime.startTraining()
        dispatchMain()
    }
}

extension TuiCommand {
    /// The flags that shape this session, for the command line that reopens its view (`C`, and on quit).
    var launchOptions: LaunchOptions {
        var options: [String] = []
        if let directory = data.directory { options += ["--data", directory] }
        if data.dataset != .mnist { options += ["--dataset", data.dataset.rawValue] }
        if let save { options += ["--save", save] }
        if noTrain { options.append("--no-train") }
        if let lr { options += ["--lr", "\(lr)"] }
        if seed != 1 { options += ["--seed", "\(seed)"] }
        if scale != 3 { options += ["--scale", "\(scale)"] }
        if ascii { options.append("--ascii") }
        let program = CommandLine.arguments.first.map { $0.isEmpty ? "inpaint" : $0 } ?? "inpaint"
        return LaunchOptions(program: [program, "tui"], models: model, preset: preset?.argument,
                             maskChannel: maskChannel, options: options)
    }
}

/// One line on standard error through stdio, which reports a failed write (a hung-up terminal: EIO) instead
/// of trapping, so that nothing said on the way out can stop the exit.
private func say(_ line: String) {
    fputs(line + "\n", stderr)
    fflush(stderr)
}
