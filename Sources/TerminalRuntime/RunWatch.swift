import Foundation
import Datasets
import Inpainting

/// `inpaint watch`'s side of the runtime: the events appended to a run's log, and its checkpoint each time
/// it is rewritten. The checkpoint is the one given, else the last one the log names.
final class RunWatch {
    let log: String
    private let follower: LogFollower
    private var checkpoint: String?
    /// True when no checkpoint was given: follow the ones the log names.
    private let checkpointFromLog: Bool
    private var lastSeen: FileVersion?

    init(log: String, checkpoint: String?) {
        self.log = log
        self.follower = LogFollower(path: log)
        self.checkpoint = checkpoint
        self.checkpointFromLog = checkpoint == nil
    }

    /// The events of the lines completed since the last call; lines that are not an event are skipped.
    func newEvents() -> [TrainingEvent] { newTimedEvents().map(\.event) }

    /// The same, each with the time its line was written (nil when it has none).
    func newTimedEvents() -> [(event: TrainingEvent, time: Double?)] {
        let events = follower.poll().compactMap { line in TrainingLog.event(fromLine: line).map { ($0, TrainingLog.time(fromLine: line)) } }
        if checkpointFromLog {
            for case (.checkpointWritten(let path), _) in events { checkpoint = RunWatch.resolve(checkpoint: path, log: log) }
        }
        return events
    }

    /// The training record of the checkpoint `rewrittenCheckpoint` last read (its step, its recipe).
    private(set) var lastCheckpointTraining: TrainingState?
    /// The data set that checkpoint records it was trained on.
    private(set) var lastCheckpointDataset: DatasetKind?

    /// The checkpoint's weights and path when the file changed since the last successful read; nil when it
    /// did not, does not exist yet, or was caught mid-write (read again on the next call).
    func rewrittenCheckpoint() -> (ContextEncoder, String)? {
        guard let path = checkpoint, let version = FileVersion(path: path), version != lastSeen,
              let read = try? Checkpoint.read(contentsOf: URL(fileURLWithPath: path)) else { return nil }
        lastSeen = version
        lastCheckpointTraining = read.training
        lastCheckpointDataset = read.dataset
        return (read.model, path)
    }

    /// A checkpoint path as the log names it: relative paths are relative to where `inpaint train` ran,
    /// which need not be here; when it is not found from here, try beside the log.
    static func resolve(checkpoint path: String, log: String) -> String {
        guard !path.hasPrefix("/"), !FileManager.default.fileExists(atPath: path) else { return path }
        let besideLog = URL(fileURLWithPath: log).deletingLastPathComponent().appendingPathComponent(path).path
        return FileManager.default.fileExists(atPath: besideLog) ? besideLog : path
    }
}
