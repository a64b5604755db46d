import ArgumentParser
import Dispatch
import Evaluation
import Foundation
import Inpainting
import NcursesTerminal
import NeuralCore
import TerminalRuntime
import TerminalUI

/// `inpaint watch LOG.jsonl [--model FILE]`: the same UI on a run started elsewhere. Follows the log for
/// the loss pane and reloads the checkpoint whenever it is rewritten; quitting never disturbs the run.
struct WatchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Watch a training run started elsewhere (inpaint train --log LOG.jsonl --out FILE).")

    @Argument(help: ArgumentHelp("The run's JSON-lines log (inpaint train --log).", valueName: "log"))
    var log: String

    @Option(help: ArgumentHelp("The run's checkpoint, reloaded when rewritten (default: the last one the log names).",
                               valueName: "file"))
    var model: String?

    @OptionGroup var data: DataOptions

    @Flag(help: "Draw digits with the character ramp instead of shaded blocks.")
    var ascii = false

    @Option(help: "Largest digit scale to use when the terminal is big enough.")
    var scale: Int = 3

    func validate() throws {
        guard FileManager.default.fileExists(atPath: log) else {
            throw ValidationError("LOG \(log): expected a JSON-lines training log, found no such file")
        }
        guard (1...8).contains(scale) else { throw ValidationError("--scale must be 1…8, found \(scale)") }
    }

    func run() throws {
        let started = DispatchTime.now().uptimeNanoseconds
        TerminalDriver.blockHandledSignals()
        BLASThreads.set(1)
        let library = try data.loadBrowsableDigits().library
        let start = try StartingModel(watching: model)
        let runtime = UIRuntime(
            inference: ModelReconstructor(model: start.network, classifier: (try? DigitClassifier.bundled(for: data.dataset)) ?? nil),
            watching: log, checkpoint: model, dataset: data.dataset)
        var state = AppState(library: library, style: .full, maxScale: scale)
        state.training.activity = .watching
        state.watching = true
        state.training.modelFile = start.label
        state.model = start.identity
        state.training.dataset = "log \(log)"

        let driver = TerminalDriver(
            state: state,
            options: .init(asciiFlag: ascii, noColor: !(ProcessInfo.processInfo.environment["NO_COLOR"] ?? "").isEmpty,
                           startUptime: started),
            runtime: runtime,
            onExit: { how in
                switch how {
                case .quit, .quitWithoutSaving: Foundation.exit(0)
                case .signal(let signal): Foundation.exit(128 + signal)
                }
            })
        try driver.start()
        dispatchMain()
    }
}
