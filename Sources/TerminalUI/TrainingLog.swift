import Foundation

/// Reads the JSON-lines training log that `inpaint train --log FILE.jsonl` appends to (one object per
/// event: `{"event": "step", "step": 12, "loss": 0.03, …}`), for `inpaint watch`.
public enum TrainingLog {
    /// The UI messages for one log line; unknown or malformed lines give none (a half-written last line
    /// is simply read again once complete, see `LogFollower`).
    public static func messages(fromLine line: Substring) -> [Message] {
        guard let data = line.data(using: .utf8),
              let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any],
              let event = object["event"] as? String else { return [] }
        func int(_ key: String) -> Int? { (object[key] as? NSNumber)?.intValue }
        func float(_ key: String) -> Float? { (object[key] as? NSNumber)?.floatValue }
        switch event {
        case "step":
            guard let step = int("step"), let loss = float("loss") else { return [] }
            return [.training(.step(step: step, epoch: int("epoch") ?? 0, loss: loss,
                                    imagesPerSecond: float("images_per_second") ?? 0,
                                    learningRate: float("learning_rate") ?? 0))]
        case "evaluation":
            guard let step = int("step"), let loss = float("loss") else { return [] }
            return [.training(.evaluation(step: step, loss: loss))]
        case "epoch":
            return int("epoch").map { [.training(.epochFinished(epoch: $0))] } ?? []
        case "checkpoint":
            return (object["path"] as? String).map { [.training(.checkpointWritten(path: $0))] } ?? []
        case "state":
            let state = object["state"] as? String
            return [.training(.activity(state == "paused" ? .paused : state == "stopped" ? .stopped : .training))]
        case "stopped":
            return [.training(.activity(.stopped))]
        default:
            return []
        }
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
