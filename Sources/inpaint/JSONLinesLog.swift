import FileIO
import Foundation
import Inpainting

/// `--log FILE.jsonl`: one JSON object per training event, appended and flushed line by line so that
/// `inpaint watch` (or `tail -f`) can follow a run while it goes.
final class JSONLinesLog: @unchecked Sendable {
    private let handle: FileHandle
    private let path: String

    init(path: String) throws {
        self.path = path
        let fm = FileManager.default
        if !fm.fileExists(atPath: path) {
            guard fm.createFile(atPath: path, contents: nil) else {
                throw DataError("--log \(path)", "expected a writable file, could not create it")
            }
        }
        guard let handle = FileHandle(forWritingAtPath: path) else {
            throw DataError("--log \(path)", "expected a writable file, could not open it")
        }
        handle.seekToEndOfFile()
        self.handle = handle
    }

    /// Why the log stopped being written (a full disk, `/dev/full`), once it has; nil while it works.
    private(set) var failure: String?

    /// One line: the event's own `Codable` form (`TrainingEventKey`) with the time it was written beside it.
    /// A write that fails is reported once on stderr and the log is given up, so that training goes on to
    /// its checkpoint (FileHandle's non-throwing `write` traps on an error, which lost the whole run).
    func write(_ event: TrainingEvent) {
        guard failure == nil,
              let data = try? JSONLinesLog.encoder.encode(TimedEvent(time: Date().timeIntervalSince1970, event: event))
        else { return }
        do {
            try handle.write(contentsOf: data + Data("\n".utf8))
        } catch {
            let message = "--log \(path): cannot write (\(errorReason(error))); training goes on without the log"
            failure = message
            FileHandle.standardError.write(Data("\nwarning: \(message)\n".utf8))
        }
    }

    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()
}

/// An event and when it was logged, as one flat object: `{"event": "step", …, "time": 1795657456.5}`.
/// The reader (`TrainingLog`) decodes the event and ignores `time`.
private struct TimedEvent: Encodable {
    var time: Double
    var event: TrainingEvent

    private enum Key: String, CodingKey { case time }

    func encode(to encoder: Encoder) throws {
        try event.encode(to: encoder)
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(time, forKey: .time)
    }
}
