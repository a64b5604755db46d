import ArgumentParser
import Dispatch
import Evaluation
import Foundation
import Inpainting
import NcursesTerminal
import NeuralCore
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

    /// A checkpoint path as the log names it: relative paths are relative to where `inpaint train` ran,
    /// which need not be here; when it is not found from here, try beside the log.
    static func resolve(checkpoint path: String, log: String) -> String {
        guard !path.hasPrefix("/"), !FileManager.default.fileExists(atPath: path) else { return path }
        let besideLog = URL(fileURLWithPath: log).deletingLastPathComponent().appendingPathComponent(path).path
        return FileManager.default.fileExists(atPath: besideLog) ? besideLog : path
    }

    func run() throws {
        let started = DispatchTime.now().uptimeNanoseconds
        TerminalDriver.blockHandledSignals()
        BLASThreads.set(1)
        let (_, library) = try data.loadBrowsableDigits()
        var modelPath = model
        var network: ContextEncoder
        if let modelPath, FileManager.default.fileExists(atPath: modelPath) {
            network = try Checkpoint.read(contentsOf: URL(fileURLWithPath: modelPath)).model
        } else {
            // Until the run writes its first checkpoint: fresh weights, replaced on the first reload.
            var generator = SeededGenerator(seed: 1)
            network = ContextEncoder(config: ModelConfig(), generator: &generator)
        }
        let reconstructor = ModelReconstructor(model: network, classifier: (try? DigitClassifier.bundled()) ?? nil)
        var state = AppState(library: library, style: .full, maxScale: scale)
        state.training.activity = .watching
        state.training.modelFile = modelPath ?? "(waiting for the log to name a checkpoint)"
        state.training.dataset = "log \(log)"

        var driver: TerminalDriver!
        driver = TerminalDriver(
            state: state,
            options: .init(asciiFlag: ascii, noColor: !(ProcessInfo.processInfo.environment["NO_COLOR"] ?? "").isEmpty,
                           startUptime: started),
            reconstructor: { reconstructor },
            performEffect: { effect in
                switch effect {
                case .reconstruct, .quit: break
                default: driver.send([.notice("watching: training runs elsewhere and is not controlled from here")])
                }
            },
            onExit: { how in
                switch how {
                case .quit: Foundation.exit(0)
                case .signal(let signal): Foundation.exit(128 + signal)
                }
            })
        try driver.start()

        // Twice a second: new log lines for the chart, and a reload when the checkpoint file changed.
        let follower = LogFollower(path: log)
        var lastSeen: FileVersion?
        var revision = 0
        let timer = DispatchSource.makeTimerSource(queue: .main)
        timer.schedule(deadline: .now(), repeating: .milliseconds(500))
        timer.setEventHandler {
            var messages: [Message] = []
            for line in follower.poll() {
                let parsed = TrainingLog.messages(fromLine: line)
                for message in parsed {
                    if model == nil, case .training(.checkpointWritten(let path)) = message {
                        modelPath = WatchCommand.resolve(checkpoint: path, log: log)
                    }
                }
                messages += parsed
            }
            if let path = modelPath, let version = FileVersion(path: path), version != lastSeen {
                do {
                    reconstructor.model = try Checkpoint.read(contentsOf: URL(fileURLWithPath: path)).model
                    lastSeen = version
                    revision += 1
                    messages.append(.modelUpdated(revision: revision))
                    messages.append(.notice("reloaded \(path)"))
                } catch {
                    // A checkpoint caught mid-write: try again on the next tick.
                }
            }
            if !messages.isEmpty { driver.send(messages) }
        }
        timer.resume()
        withExtendedLifetime(timer) { dispatchMain() }
    }
}
