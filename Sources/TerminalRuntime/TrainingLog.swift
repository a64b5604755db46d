import Foundation
import Inpainting

/// Reads the JSON-lines training log that `inpaint train --log FILE.jsonl` appends to: one `TrainingEvent`
/// per line in its own `Codable` form (`{"event": "step", "step": 12, "loss": 0.03, …}`, see
/// `TrainingEventKey`), plus the writer's `time`, which is not part of the event and is ignored here.
public enum TrainingLog {
    /// The event on one line; nil for a line that is not one (blank, damaged, an event this version does
    /// not know). A half-written last line never gets here: `LogFollower` returns complete lines only.
    public static func event(fromLine line: Substring) -> TrainingEvent? {
        try? JSONDecoder().decode(TrainingEvent.self, from: Data(line.utf8))
    }

    /// The writer's `time` on one line (seconds since 1970), for the pace of a watched run; nil without one.
    public static func time(fromLine line: Substring) -> Double? {
        struct Timed: Decodable { var time: Double? }
        return (try? JSONDecoder().decode(Timed.self, from: Data(line.utf8)))?.time
    }
}

/// Follows a growing file: each `poll()` returns the complete lines appended since the last one.
/// Starts at the beginning, so attaching to a long run first replays its history into the chart.
public final class LogFollower {
    public let path: String
    private var offset: UInt64 = 0
    private var partial = Data()

    public init(path: String) { self.path = path }

    public func poll() -> [Substring] {
        guard let handle = FileHandle(forReadingAtPath: path) else { return [] }
        defer { try? handle.close() }
        let size = (try? handle.seekToEnd()) ?? 0
        if size < offset { offset = 0; partial = Data() }   // truncated or replaced: start over
        guard size > offset else { return [] }
        try? handle.seek(toOffset: offset)
        let data = handle.readDataToEndOfFile()
        offset += UInt64(data.count)
        partial.append(data)
        guard let lastNewline = partial.lastIndex(of: UInt8(ascii: "\n")) else { return [] }
        let complete = partial[partial.startIndex...lastNewline]
        partial = Data(partial[(lastNewline + 1)...])
        return String(decoding: complete, as: UTF8.self).split(separator: "\n")
    }
}
