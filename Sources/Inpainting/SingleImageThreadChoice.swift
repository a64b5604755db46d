/// Chooses, forward by forward, whether a single-image forward runs on one thread or on `threads` (issue 16),
/// from the times it was told. Two threads halve the forward on an idle machine, but while training (or
/// another program) keeps the other core busy the helper has to wait its turn there, and a helper caught
/// mid-item makes the caller wait for it; so the choice is measured, not assumed:
///
/// - the first forwards alternate between the two settings until each has `window / 2` times;
/// - then each forward uses the setting whose last `window` times have the lower median;
/// - every `probeEvery`-th forward uses the other setting, so that its times stay current and the choice
///   follows the load (training started or paused).
///
/// A value with no clock: the caller times each forward and calls `record`.
public struct SingleImageThreadChoice: Sendable, Equatable {
    /// The threads of the parallel setting (≥ 2); the other is 1.
    public let threads: Int
    public let window: Int
    public let probeEvery: Int
    /// The last `window` times (seconds) of each setting: [0] one thread, [1] `threads`.
    private var times: [[Double]] = [[], []]
    private var calls = 0

    public init(threads: Int, window: Int = 8, probeEvery: Int = 16) {
        precondition(threads >= 2, "SingleImageThreadChoice: threads must be ≥ 2, got \(threads)")
        precondition(window >= 2 && probeEvery >= 2, "SingleImageThreadChoice: window and probeEvery must be ≥ 2")
        self.threads = threads
        self.window = window
        self.probeEvery = probeEvery
    }

    /// The setting whose recent median is lower (the parallel one on a tie or before any time is known).
    public var best: Int {
        guard let one = Self.median(times[0]), let many = Self.median(times[1]) else { return threads }
        return one < many ? 1 : threads
    }

    /// Threads for the next forward.
    public func next() -> Int {
        let warm = window / 2
        if times[0].count < warm || times[1].count < warm {
            return times[1].count <= times[0].count ? threads : 1
        }
        let best = best
        return calls % probeEvery == probeEvery - 1 ? (best == 1 ? threads : 1) : best
    }

    /// A forward on `threads` (1 or `self.threads`) took `seconds`.
    public mutating func record(threads used: Int, seconds: Double) {
        precondition(used == 1 || used == threads, "SingleImageThreadChoice: recorded \(used) threads, expected 1 or \(threads)")
        let k = used == 1 ? 0 : 1
        times[k].append(seconds)
        if times[k].count > window { times[k].removeFirst(times[k].count - window) }
        calls += 1
    }

    private static func median(_ values: [Double]) -> Double? {
        values.isEmpty ? nil : values.sorted()[values.count / 2]
    }
}
