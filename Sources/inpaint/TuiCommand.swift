import ArgumentParser
import Dispatch
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

    @Flag(help: "Draw digits with the character ramp ' .:-=+*#%@' instead of shaded blocks (also: NO_COLOR, < 256 colours).")
    var ascii = false

    @Option(help: "Largest digit scale to use when the terminal is big enough (1 = 28×14 cells per digit).")
    var scale: Int = 3

    @Option(help: "Seed for a fresh model, the random holes and the training order.")
    var seed: UInt64 = 1

    @Option(help: ArgumentHelp("Write frame statistics (first frame, drag latency) as JSON here on exit.",
                               visibility: .hidden))
    var statsFile: String?

    func validate() throws {
        guard (1...8).contains(scale) else { throw ValidationError("--scale must be 1…8, found \(scale)") }
    }

    func run() throws {
        let started = DispatchTime.now().uptimeNanoseconds
        // Before any thread exists, so every thread inherits the mask and only the driver sees these signals.
        TerminalDriver.blockHandledSignals()
        // One OpenBLAS thread per caller: training's GEMMs run on the background queue's thread and
        // inference on the main thread, one core each, instead of both fanning out over the same two cores
        // (Debian's pthread build is safe to call from two threads at once).
        BLASThreads.set(1)

        let dataset = try data.load()
        guard let browse = dataset.test ?? dataset.train else {
            throw ValidationError("--data: \(dataset.location.directory.path) holds no digits")
        }
        let library = DigitLibrary(
            name: "\(dataset.location.dataset) \(dataset.test != nil ? "test" : "train")",
            images: Array(browse.images.pixels), labels: (0..<browse.count).map { browse.label(at: $0) })

        var generator = SeededGenerator(seed: seed)
        let network = ContextEncoder(config: ModelConfig(), generator: &generator)
        let reconstructor = ModelReconstructor(model: network)

        var state = AppState(library: library, style: .full, maxScale: scale, seed: seed)
        state.training.modelFile = model ?? "(fresh model, seed \(seed))"
        state.training.dataset = dataset.location.isBundledSample
            ? "bundled sample (\(dataset.train?.count ?? 0) digits)"
            : "\(dataset.location.dataset) (\(dataset.train?.count ?? 0) train)"
        state.training.activity = noTrain ? .idle : .idle

        let environment = ProcessInfo.processInfo.environment
        let options = TerminalDriver.Options(
            asciiFlag: ascii, noColor: !(environment["NO_COLOR"] ?? "").isEmpty, statsPath: statsFile,
            startUptime: started)
        var driver: TerminalDriver!
        driver = TerminalDriver(
            state: state, options: options,
            reconstructor: { reconstructor },
            performEffect: { effect in
                switch effect {
                case .pauseTraining, .resumeTraining, .stepTraining, .setLearningRate, .resetModel:
                    driver.send([.notice("training is off (started with --no-train)")])
                case .saveCheckpoint, .loadCheckpoint:
                    driver.send([.notice("checkpoints: not available in this build yet")])
                case .reconstruct, .quit:
                    break
                }
            },
            onExit: { how in
                switch how {
                case .quit: Foundation.exit(0)
                case .signal(let signal): Foundation.exit(128 + signal)
                }
            })
        try driver.start()
        dispatchMain()
    }
}
