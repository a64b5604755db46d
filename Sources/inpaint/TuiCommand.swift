import ArgumentParser
import Dispatch
import Evaluation
import Experiments
import Foundation
import Inpainting
import NcursesTerminal
import NeuralCore
import TerminalUI

/// `inpaint tui` (the default): drag a hole over a digit and watch the network fill it while it trains.
struct TuiCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tui",
        abstract: "Explore the context encoder live: drag a hole over a digit, watch the reconstruction and the loss.")

    @OptionGroup var data: DataOptions

    @Option(help: ArgumentHelp("Checkpoint to load (default: the bundled model, else a fresh one).", valueName: "file"))
    var model: String?

    @Flag(help: "Do not train in the background; only explore the loaded model.")
    var noTrain = false

    @Option(help: ArgumentHelp(
        "Train one of the report's experiments live: \(ExperimentName.presets.map(\.rawValue).joined(separator: ", ")).",
        discussion: "The experiment's data and recipe from a fresh network (or --model), its digits to browse; "
            + "see `inpaint experiment list`.", valueName: "name"))
    var preset: ExperimentName?

    @Flag(help: "With --preset: give the network the mask as a second input channel (Fig. 5's fix).")
    var maskChannel = false

    @Flag(help: "Draw digits with the character ramp ' .:-=+*#%@' instead of shaded blocks (also: NO_COLOR, < 256 colours).")
    var ascii = false

    @Option(help: "Largest digit scale to use when the terminal is big enough (1 = 28×14 cells per digit).")
    var scale: Int = 3

    @Option(help: ArgumentHelp(
        "Adam learning rate of the background training (default: 1e-3 for a fresh network, 1e-4 to fine-tune a trained one).",
        discussion: "A trained model (the bundled one, --model) was annealed to a low rate; at 1e-3 with fresh Adam "
            + "moments its first steps undo much of that, and the held-out loss rises before it falls again."))
    var lr: Float?

    @Option(help: "Seed for a fresh model, the random holes and the training order.")
    var seed: UInt64 = 1

    @Option(help: ArgumentHelp("Where `w` saves and `l` loads a checkpoint.", valueName: "file"))
    var save = "inpaint-tui.safetensors"

    @Option(help: ArgumentHelp("Write frame statistics (first frame, drag latency) as JSON here on exit.",
                               visibility: .hidden))
    var statsFile: String?

    func validate() throws {
        guard (1...8).contains(scale) else { throw ValidationError("--scale must be 1…8, found \(scale)") }
        if let lr, !(lr > 0 && lr.isFinite) { throw ValidationError("--lr: expected a positive number, found \(lr)") }
        if maskChannel && preset == nil { throw ValidationError("--mask-channel: expected together with --preset") }
        if let preset, !preset.hasPreset {
            throw ValidationError("--preset: expected one of \(ExperimentName.presets.map(\.rawValue).joined(separator: ", ")), found \(preset.rawValue) (it compares three networks; run `inpaint experiment \(preset.rawValue)`)")
        }
    }

    func run() throws {
        let started = DispatchTime.now().uptimeNanoseconds
        // Before any thread exists, so every thread inherits the mask and only the driver sees these signals.
        TerminalDriver.blockHandledSignals()
        // One OpenBLAS thread per caller: training's GEMMs run on the training thread and
        // inference on the main thread, one core each, instead of both fanning out over the same two cores
        // (Debian's pthread build is safe to call from two threads at once).
        BLASThreads.set(1)

        let (dataset, browsable) = try data.loadBrowsableDigits()
        let presetRun = try preset.map { try TuiPreset(name: $0, dataset: dataset, seed: seed, maskChannel: maskChannel) }
        let library = presetRun?.library ?? browsable

        // The model: --model, else the bundled one when it exists, else fresh random weights.
        var modelLabel: String
        var network: ContextEncoder
        var isTrained = true
        if let model {
            network = try Checkpoint.read(contentsOf: URL(fileURLWithPath: model)).model
            modelLabel = model
        } else if let presetRun {
            network = presetRun.freshModel()
            modelLabel = "fresh \(presetRun.preset.config.architecture.rawValue) (seed \(seed))"
            isTrained = false
        } else if let bundled = try? Checkpoint.bundledModel(), FileManager.default.fileExists(atPath: bundled.path) {
            network = try Checkpoint.read(contentsOf: bundled).model
            modelLabel = "bundled (\(bundled.lastPathComponent))"
        } else {
            isTrained = false
            var generator = SeededGenerator(seed: seed)
            network = ContextEncoder(config: ModelConfig(), generator: &generator)
            modelLabel = "fresh (seed \(seed))"
        }
        let savePath = URL(fileURLWithPath: save)
        // The top-3 panel's classifier; a damaged file is reported, a missing one only disables the panel.
        let classifier: DigitClassifier?
        do { classifier = try DigitClassifier.bundled() } catch { throw ValidationError("\(error)") }
        let reconstructor = ModelReconstructor(model: network, classifier: classifier)

        var state = AppState(library: library, style: .full, maxScale: scale, seed: seed)
        state.training.modelFile = modelLabel
        state.training.dataset = dataset.location.isBundledSample
            ? "bundled sample (\(dataset.train?.count ?? 0) digits; no MNIST found)"
            : "\(dataset.location.dataset) (\(dataset.train?.count ?? 0) train)"

        presetRun?.apply(to: &state)

        let environment = ProcessInfo.processInfo.environment
        let options = TerminalDriver.Options(
            asciiFlag: ascii, noColor: !(environment["NO_COLOR"] ?? "").isEmpty, statsPath: statsFile,
            startUptime: started)
        // The trainer's events need `post` before the driver exists (the driver's closures need the trainer),
        // so `post` reaches the driver through a box that is filled in once, below, and read on the main queue.
        let driverBox = MainQueueDriverBox()
        let post: @Sendable (Message) -> Void = { message in
            DispatchQueue.main.async { driverBox.driver?.send([message]) }
        }

        // Made after the first frame (below): the trainer's gradients and Adam moments are three more
        // copies of the weights to allocate and zero, which doubled the first-frame time.
        var training: TuiTraining?
        var trainingOptions = TrainingOptions()
        trainingOptions.seed = seed
        trainingOptions.learningRate = lr ?? (isTrained ? TuiCommand.fineTuneLearningRate : trainingOptions.learningRate)
        let willTrain = !noTrain && (presetRun != nil || dataset.train != nil)
        if willTrain { state.training.learningRate = lr ?? presetRun?.learningRate ?? trainingOptions.learningRate }

        let driver = TerminalDriver(
            state: state, options: options,
            reconstructor: {
                // The newest weights for every reconstruction; a snapshot is a cheap copy-on-write value.
                if let training { reconstructor.model = training.trainer.snapshot }
                return reconstructor
            },
            performEffect: { effect in
                let notice: String?
                switch effect {
                case .pauseTraining: training?.trainer.pause(); notice = training == nil ? "training is off (--no-train)" : nil
                case .resumeTraining: training?.trainer.resume(); notice = training == nil ? "training is off (--no-train)" : nil
                case .stepTraining: training?.trainer.stepOnce(); notice = training == nil ? "training is off (--no-train)" : nil
                case .setLearningRate(let rate): training?.trainer.setLearningRate(rate); notice = nil
                case .resetModel:
                    var generator = SeededGenerator(seed: UInt64(DispatchTime.now().uptimeNanoseconds))
                    let fresh = ContextEncoder(config: reconstructor.model.config, generator: &generator)
                    if let training {
                        training.restart(from: fresh, learningRate: lr ?? TrainingOptions().learningRate)
                    } else { reconstructor.model = fresh }
                    notice = "model reset to fresh random weights"
                case .saveCheckpoint:
                    let current = training?.trainer.snapshot ?? reconstructor.model
                    do { try Checkpoint(model: current).write(to: savePath); notice = "saved \(savePath.path)" }
                    catch { notice = "save failed: \(error)" }
                case .loadCheckpoint:
                    do {
                        let loaded = try Checkpoint.read(contentsOf: savePath).model
                        if let training {
                            training.restart(from: loaded, learningRate: lr ?? TuiCommand.fineTuneLearningRate)
                        } else { reconstructor.model = loaded }
                        notice = "loaded \(savePath.path)"
                    } catch { notice = "load failed: \(error)" }
                case .startPreset(let name):
                    notice = nil
                    do {
                        let run = try TuiPreset(name: name, dataset: dataset, seed: seed, maskChannel: false)
                        let fresh = run.freshModel()
                        if let training { training.restart(from: fresh, factory: run.factory) } else { reconstructor.model = fresh }
                        post(.presetStarted(run.start))
                        if training == nil { post(.notice("\(name): a fresh network, not training (--no-train)")) }
                    } catch { post(.notice("\(name): \(error)")) }
                case .reconstruct, .quit, .classify, .encodeFeatures:   // the driver answers these itself
                    notice = nil
                }
                if let notice { post(.notice(notice)) }
                if case .loadCheckpoint = effect { post(.modelUpdated(revision: TuiTraining.nextModelRevision())) }
                if case .resetModel = effect { post(.modelUpdated(revision: TuiTraining.nextModelRevision())) }
                if case .startPreset = effect, training == nil { post(.modelUpdated(revision: TuiTraining.nextModelRevision())) }
            },
            onExit: { how in
                training?.stop(waitingAtMost: 5)
                switch how {
                case .quit: Foundation.exit(0)
                case .signal(let signal): Foundation.exit(128 + signal)
                }
            })
        driverBox.driver = driver
        try driver.start()
        if !noTrain, let presetRun {
            training = TuiTraining(model: network, factory: presetRun.factory, post: post)
        } else if !noTrain, let train = dataset.train {
            let evaluation = dataset.test.map { $0.prefix(min(256, $0.count)) }
            training = TuiTraining(model: network, images: Array(train.images.pixels), count: train.count,
                                   evaluationImages: evaluation.map { Array($0.images.pixels) } ?? [],
                                   evaluationCount: evaluation?.count ?? 0, options: trainingOptions, post: post)
        }
        // A preset trains with its experiment's rate unless --lr overrides it.
        if presetRun != nil, let lr { training?.trainer.setLearningRate(lr) }
        training?.start()
        dispatchMain()
    }
}

extension TuiCommand {
    /// The background training's rate for a model that arrives trained (measured in the commit that set it:
    /// the bundled model's held-out loss after the first minute of training at 1e-3 and at this rate).
    static let fineTuneLearningRate: Float = 1e-4
}

/// Holds the driver for closures that run on the main queue but are created before it exists.
/// `@unchecked Sendable`: `driver` is written once on the main thread before any reader runs, and read only
/// on the main queue.
final class MainQueueDriverBox: @unchecked Sendable {
    var driver: TerminalDriver?
}
