import ArgumentParser
import Dispatch
import FileIO
import Foundation
import Inpainting
import NeuralCore

/// `inpaint train`: trains a context encoder on the training split, with a live progress bar, a JSON-lines
/// log, periodic atomic checkpoints, and a checkpoint on Ctrl-C / SIGTERM.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a context encoder on the training split.",
        discussion: """
            Every step draws a fresh hole for every image. The checkpoint (--out) is rewritten atomically every \
            --checkpoint-every steps, at the end, and on Ctrl-C or SIGTERM; --resume continues a run exactly as \
            if it had never stopped. A NaN or infinite loss stops training and leaves the last good checkpoint.
            """)

    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var data: DataOptions

    @Option(help: ArgumentHelp("A named recipe: report (the default), fast (hole MSE 0.039 in 12 epochs) or bundled (the bundled model's, 30 epochs); flags given beside it override it.", valueName: "name"))
    var recipe: TrainingRecipe?
    @Option(help: "Passes over the training images (default 3, or the recipe's, unless --steps is given).")
    var epochs: Int?
    @Option(help: "Optimisation steps in total (instead of --epochs).")
    var steps: Int?
    @Option(help: "Images per step.")
    var batch = 64
    @Option(help: "Adam learning rate (default 1e-3, or the recipe's; 2e-4 with --preset pathak).")
    var lr: Float?
    @Option(help: "Adam preset: default (lr 1e-3, β1 0.9) or pathak (lr 2e-4, β1 0.5, Pathak et al.).")
    var preset: AdamPreset = .default
    @Option(help: "Learning-rate schedule: constant (the report's, the default) or cosine (decays to 0 by the last step).")
    var schedule: LearningRateSchedule?
    @Option(help: "Steps of linear learning-rate warm-up at the start (default 0, or the recipe's).")
    var warmup: Int?
    @Option(help: "Seed for initialisation, data order and holes (default 1).")
    var seed: UInt64?
    @Option(help: "Reconstruction loss on the hole: l2 (the report's) or l1.")
    var loss: ReconstructionLoss = .l2
    @Option(help: "Weight of the error on known pixels (Pathak's overlap weighting; 0 = the report's loss).")
    var knownWeight: Float = 0
    @Option(help: "Training holes: rect (the report's), stroke or mixed.")
    var maskSampler: MaskSamplerKind = .rect
    @Flag(help: "Adversarial training: a discriminator on the filled image, L = λ·L_rec + (1 − λ)·L_adv with λ = 0.999 (Pathak et al.); the discriminator's Adam is lr 2e-4, β1 0.5.")
    var adversarial = false
    @Option(help: "Weight 1 − λ of the adversarial term (implies --adversarial; default 0.001).")
    var adversarialWeight: Float?
    @Option(help: "Checkpoint to write.")
    var out = "inpaint-model.safetensors"
    @Option(help: "Continue from this checkpoint (its recipe, step and length; --steps/--epochs change the length).")
    var resume: String?
    @Option(help: "Append every event as one JSON object per line to this file.")
    var log: String?
    @Option(help: "Rewrite the checkpoint every N steps (0: only at the end).")
    var checkpointEvery = 500
    @Option(help: "Score the held-out batch every N steps.")
    var evalEvery = 100
    @Option(help: "Held-out test images scored during training.")
    var evalCount = 512
    @Option(help: "Threads for training (default: all cores).")
    var threads: Int?

    func validate() throws {
        if epochs != nil && steps != nil { throw ValidationError("give --epochs or --steps, not both") }
        // Upper bounds too: near Int.max, epochs × steps per epoch and the batch's buffers overflow.
        if let epochs, !(1...TrainingOptions.maximumEpochs).contains(epochs) {
            throw ValidationError("--epochs must be 1…\(TrainingOptions.maximumEpochs), found \(epochs)")
        }
        if let steps, !(1...TrainingOptions.maximumSteps).contains(steps) {
            throw ValidationError("--steps must be 1…\(TrainingOptions.maximumSteps), found \(steps)")
        }
        guard (1...TrainingOptions.maximumBatchSize).contains(batch) else {
            throw ValidationError("--batch must be 1…\(TrainingOptions.maximumBatchSize), found \(batch)")
        }
        if let lr, !(lr > 0 && lr.isFinite) { throw ValidationError("--lr must be a positive number, found \(lr)") }
        guard knownWeight >= 0 else { throw ValidationError("--known-weight must not be negative, found \(knownWeight)") }
        guard checkpointEvery >= 0, evalEvery >= 0, evalCount >= 0 else {
            throw ValidationError("--checkpoint-every, --eval-every and --eval-count must not be negative")
        }
        // Each worker holds its own workspace (tens of MB for the paper model): 100,000 took 5.6 GB in 8 s.
        let maximumThreads = 4 * ProcessInfo.processInfo.activeProcessorCount
        if let threads, !(1...maximumThreads).contains(threads) {
            throw ValidationError("--threads must be 1…\(maximumThreads) (4 per core), found \(threads)")
        }
        if let adversarialWeight, !(adversarialWeight > 0 && adversarialWeight < 1) {
            throw ValidationError("--adversarial-weight must be between 0 and 1 (exclusive), found \(adversarialWeight)")
        }
        if let warmup, !(0...TrainingOptions.maximumSteps).contains(warmup) {
            throw ValidationError("--warmup must be 0…\(TrainingOptions.maximumSteps), found \(warmup)")
        }
        if recipe != nil && resume != nil {
            throw ValidationError("--recipe starts a run; --resume continues the checkpoint's own recipe (give one of them)")
        }
        if recipe != nil && preset == .pathak {
            throw ValidationError("--recipe and --preset pathak both set the optimiser (give one of them)")
        }
    }

    func run() throws {
        // Before the data loads and long before the first save: a run whose model has nowhere to go must
        // not train for hours and then lose it.
        let outURL = URL(fileURLWithPath: out)
        try AtomicFile.checkWritable(outURL, label: "--out \(out)")
        // The log too: it is opened (created if need be) now, before the data loads.
        let logFile = try log.map { try JSONLinesLog(path: $0) }
        let dataset = try data.load()
        guard let train = dataset.train else {
            throw DataError("\(dataset.location.directory.path)", "expected a training split, found none")
        }
        let heldOut = dataset.test.map { $0.prefix(min(evalCount, $0.count)) }
        // Threads as Dispatch workers, each calling a single-threaded BLAS on its share of the batch: measured
        // faster than one worker driving a multi-threaded BLAS (paper model, 2 cores: 164 vs 155 img/s).
        let workers = threads ?? ProcessInfo.processInfo.activeProcessorCount
        BLASThreads.set(1)

        // The recipe: from the flags, or from the checkpoint when resuming (so the run continues exactly).
        var resumeState: TrainingCheckpoint? = nil
        var resumedTraining: TrainingState? = nil
        var options = TrainingOptions()
        if let resume {
            let checkpoint = try Checkpoint.read(contentsOf: URL(fileURLWithPath: resume))
            try checkpoint.validateForResume(file: resume)
            if let notice = checkpoint.dataset.mismatchNotice("model", file: resume, wanted: dataset.location.dataset) {
                FileHandle.standardError.write(Data("inpaint train: \(notice)\n".utf8))
            }
            resumedTraining = checkpoint.training
            resumeState = checkpoint.trainingCheckpoint()
            options = resumeState!.options
        } else {
            let named = recipe ?? .report
            options = preset == .pathak ? .pathak : named.options
            options.batchSize = batch
            if let lr { options.learningRate = lr }
            options.seed = seed ?? 1
            options.loss = loss
            options.knownWeight = knownWeight
            options.maskSampler = maskSampler
            options.schedule = schedule ?? options.schedule ?? .constant
            options.warmupSteps = warmup ?? options.warmupSteps ?? 0
            if adversarial || adversarialWeight != nil {
                options.adversarial = AdversarialOptions(weight: adversarialWeight ?? AdversarialOptions().weight)
            }
        }
        options.evalEvery = evalEvery
        options.checkpointEvery = checkpointEvery
        // The run's length: --steps or --epochs when given. A resumed run otherwise keeps its own (a cosine
        // schedule is stretched over it, so a default here would bend the rate mid-run); a new one runs 3 epochs.
        if steps != nil || epochs != nil || resumeState == nil {
            options.epochs = steps == nil ? (epochs ?? (recipe ?? .report).epochs) : nil
            options.maxSteps = steps
        }
        options.workers = workers

        var generator = SeededGenerator(seed: options.seed)
        var config = modelOptions.config
        if recipe?.maskChannel == true { config.maskChannel = true }
        let model = resumeState?.model ?? ContextEncoder(config: config, generator: &generator)
        let progress = TrainingProgress(interactive: isatty(STDERR_FILENO) == 1)
        // A resumed run continues the checkpoint's loss history instead of starting an empty one.
        let record = LossRecord(summary: resumedTraining?.loss ?? LossSummary(), epoch: resumedTraining?.epoch ?? 0)

        let trainer = Trainer(
            model: model, images: train.images.pixels, count: train.count, options: options,
            evaluationImages: heldOut?.images.pixels ?? [], evaluationCount: heldOut?.count ?? 0,
            resumeFrom: resumeState,
            checkpointSink: { state in
                try Checkpoint(state, epoch: record.epoch, loss: record.summary, dataset: dataset.location.dataset)
                    .write(to: outURL)
                return outURL.path
            },
            events: { event in
                record.note(event)
                logFile?.write(event)
                progress.show(event)
            })
        progress.totalSteps = options.maxSteps ?? (options.epochs ?? 0) * trainer.stepsPerEpoch
        progress.stepsPerEpoch = trainer.stepsPerEpoch
        progress.batchSize = options.batchSize
        FileHandle.standardError.write(Data((
            "training \(model.config.architecture.rawValue) (\(model.parameters.count) weights) on "
            + "\(train.count) images from \(dataset.location.directory.path)"
            + (options.adversarial.map { ", adversarial weight \($0.weight)" } ?? "")
            + (resumeState.map { ", resuming at step \($0.step)" } ?? "") + "\n").utf8))

        // Ctrl-C / SIGTERM ask the trainer to stop; it saves before run() returns. A second signal while
        // it saves is ignored, so the atomic write always completes.
        let signalQueue = DispatchQueue(label: "inpaint.train.signals")
        let received = ReceivedSignal()
        var sources: [DispatchSourceSignal] = []
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: signalQueue)
            source.setEventHandler {
                received.set(sig)
                trainer.cancel()
            }
            source.resume()
            sources.append(source)
        }
        let reason = trainer.run()
        progress.finish()
        sources.forEach { $0.cancel() }

        switch reason {
        case .finished:
            FileHandle.standardError.write(Data("done: step \(trainer.checkpoint().step), model written to \(out)\n".utf8))
            if let failure = logFile?.failure { throw TrainingFailure(failure) }
        case .cancelled:
            FileHandle.standardError.write(Data("stopped at step \(trainer.checkpoint().step); model written to \(out)\n".utf8))
            // 128 + the signal, as a shell reports a process that signal ended: 130 for Ctrl-C, 143 for SIGTERM.
            throw ExitCode(128 + (received.value ?? SIGINT))
        case .nonFiniteLoss(let step):
            throw TrainingFailure("the loss became NaN or infinite at step \(step); "
                + "\(out) keeps the last good checkpoint (try a lower --lr)")
        case .failed(let message):
            throw TrainingFailure(message)
        }
    }
}

enum AdamPreset: String, ExpressibleByArgument, CaseIterable {
    case `default`, pathak
}

extension ReconstructionLoss: ExpressibleByArgument {}
extension LearningRateSchedule: ExpressibleByArgument {}
extension TrainingRecipe: ExpressibleByArgument {}

struct TrainingFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// The first signal that asked training to stop (set on the signal queue, read after `run()` returns).
final class ReceivedSignal: @unchecked Sendable {
    private let lock = NSLock()
    private var first: Int32?
    func set(_ signal: Int32) { lock.lock(); if first == nil { first = signal }; lock.unlock() }
    var value: Int32? { lock.lock(); defer { lock.unlock() }; return first }
}

/// Epoch and loss curve as seen through the events, for the checkpoint's metadata. Events and the
/// checkpoint sink both run on the training thread, so no lock is needed.
final class LossRecord: @unchecked Sendable {
    private(set) var summary: LossSummary
    private(set) var epoch: Int

    init(summary: LossSummary = LossSummary(), epoch: Int = 0) {
        self.summary = summary
        self.epoch = epoch
    }

    func note(_ event: TrainingEvent) {
        if case .step(let s) = event { epoch = s.epoch }
        summary.note(event)
    }
}
