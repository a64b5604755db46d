import TerminalUI

/// Paces frames by the terminal, not by the input: each frame ends with a status query (DSR, `ESC[5n`),
/// which the terminal answers (`ESC[0n`) only after it has drawn everything before it, and no frame is
/// written while `maxInFlight` are unanswered. Whatever happens meanwhile (motions, training steps) changes
/// the state only, so the next frame shows all of it at once: over a thin link the screen stays at most a
/// frame or two behind the hand instead of queueing seconds of frames; locally the answer comes back
/// within a millisecond and every motion is still drawn.
///
/// A terminal that never answers is found by a short timeout on the first query (sent before the first
/// frame, so a slow link answers it quickly): then frames go at the driver's rate cap, without queries. An
/// answer that never comes later (lost on a suspend) is given up after `lostAnswerTimeout` (or three of
/// the slowest recent round trips), and the pacer asks again as at the start.
///
/// The pacer also asks for DEC mode 2026 (synchronized output, DECRQM `ESC[?2026$p`); a terminal that has
/// it (`ESC[?2026;1$y` or `;2$y`) gets each frame between `ESC[?2026h` and `ESC[?2026l`, so a frame never
/// shows half drawn.
///
/// Pure: no terminal I/O and no clock of its own. The driver feeds it the replies (`InputDecoder`) and the
/// time (uptime nanoseconds) and writes the bytes it returns.
struct FramePacer {
    struct Settings {
        /// Unanswered frames allowed at once while the answers come quickly: two, so that a terminal slowed
        /// by a busy machine (tmux answered in 1 ms when quiet, tens of ms under load) does not make two
        /// motions share a frame.
        var maxInFlight = 2
        /// Above this median round trip the link is slow and one frame in flight is the most: measured with
        /// scripts/tui_slowlink_settle.py at 8 KB/s and a 50 ms delay, two in flight settled 1.44 s after the
        /// release and one 1.12 s (the second frame is one more frame of backlog, ~0.25–0.7 s at 8 KB/s).
        var slowRoundTrip: UInt64 = 40_000_000
        /// How long the first answer may take before the terminal counts as one that never answers. The
        /// first query goes before any frame, so it costs only the link's round trip (0.1 s at a 50 ms delay).
        var firstAnswerTimeout: UInt64 = 1_000_000_000
        /// How long a later answer may take before it counts as lost (a full repaint of 30 KB takes ~4 s at
        /// 8 KB/s; this is a floor, raised to three of the slowest recent round trips).
        var lostAnswerTimeout: UInt64 = 3_000_000_000
        init() {}
    }

    enum Mode: Equatable {
        /// Asked; no answer yet: frames go at the rate cap, each with its query.
        case probing
        /// The terminal answers: at most `maxInFlight` frames unanswered.
        case acknowledged
        /// The terminal never answered: the rate cap only, no queries.
        case rateCapped
    }

    static let statusQuery: [UInt8] = Array("\u{1B}[5n".utf8)
    static let synchronizedOutputQuery: [UInt8] = Array("\u{1B}[?2026$p".utf8)
    static let beginSynchronized: [UInt8] = Array("\u{1B}[?2026h".utf8)
    static let endSynchronized: [UInt8] = Array("\u{1B}[?2026l".utf8)

    let settings: Settings
    private(set) var mode: Mode = .probing
    /// The terminal has DEC mode 2026 (it said so to DECRQM).
    private(set) var synchronized = false
    /// When each unanswered query was written, oldest first.
    private(set) var outstanding: [UInt64] = []
    /// Query written → answer, newest last (ms), the last 20 (the median decides `maxInFlight`).
    private(set) var roundTrips: [Double] = []
    /// When the current probe began (for the first-answer timeout).
    private var probeStart: UInt64 = 0

    init(settings: Settings = Settings()) { self.settings = settings }

    /// Unanswered frames (and the probe) right now.
    var inFlight: Int { outstanding.count }

    /// The bytes to write first, before any frame: the two questions. Also after the terminal may have
    /// lost our queries (resumed after Ctrl-Z): everything outstanding is forgotten and asked again.
    mutating func begin(now: UInt64) -> [UInt8] {
        mode = .probing
        outstanding = [now]
        probeStart = now
        return FramePacer.synchronizedOutputQuery + FramePacer.statusQuery
    }

    /// Whether a frame may be written now. Gives up on answers that timed out first.
    ///
    /// `settling`: the first frame after the hand let go (the release of a drag) goes at once, one beyond
    /// `maxInFlight`: it is the screen the eye waits for, and waiting for the answer to the frame in flight
    /// first would add a whole round trip (the frame's arrival, then its answer back: 2 × 50 ms on the
    /// measured thin link) for nothing, since its bytes queue right behind that frame's anyway.
    mutating func mayWrite(now: UInt64, settling: Bool = false) -> Bool {
        expire(now: now)
        return mode != .acknowledged || outstanding.count < maxInFlight + (settling ? 1 : 0)
    }

    /// `Settings.maxInFlight`, or one when the recent round trips say the link is slow.
    var maxInFlight: Int { linkIsSlow ? 1 : settings.maxInFlight }

    /// The median recent round trip is above `Settings.slowRoundTrip`: one frame in flight at most, and
    /// the driver holds the panels that change everywhere while the hand drags (`SlowLinkDrag`).
    var linkIsSlow: Bool {
        guard mode == .acknowledged, let median = medianRoundTrip else { return false }
        return median * 1_000_000 > Double(settings.slowRoundTrip)
    }

    /// Applies the timeouts: no first answer → rate cap; a lost answer → ask again.
    mutating func expire(now: UInt64) {
        switch mode {
        case .probing:
            if now &- probeStart > settings.firstAnswerTimeout {
                mode = .rateCapped
                outstanding = []
            }
        case .acknowledged:
            if let oldest = outstanding.first, now &- oldest > lostAnswerTimeout {
                // Forget them all: the answers that are still coming count against the new probe's frames
                // and are soon used up.
                mode = .probing
                probeStart = now
                outstanding = []
            }
        case .rateCapped:
            break
        }
    }

    private var lostAnswerTimeout: UInt64 {
        let slowest = roundTrips.suffix(10).max() ?? 0
        return max(settings.lostAnswerTimeout, UInt64(3 * slowest * 1_000_000))
    }

    /// What to write for a frame's bytes: wrapped in synchronized output when the terminal has it, then
    /// followed by the status query unless the terminal never answers. An empty frame (nothing changed)
    /// stays empty and asks nothing.
    mutating func wrap(_ frame: [UInt8], now: UInt64) -> [UInt8] {
        guard !frame.isEmpty else { return [] }
        var out: [UInt8] = []
        out.reserveCapacity(frame.count + 24)
        if synchronized { out += FramePacer.beginSynchronized }
        out += frame
        if synchronized { out += FramePacer.endSynchronized }
        if mode != .rateCapped {
            out += FramePacer.statusQuery
            outstanding.append(now)
        }
        return out
    }

    /// A reply of the terminal. Returns true when it freed a frame slot (the driver may draw what waits).
    @discardableResult
    mutating func received(_ reply: TerminalReply, now: UInt64) -> Bool {
        switch reply {
        case .status:
            // An answer to a query we gave up on (or after the rate cap) proves the terminal answers.
            if mode != .acknowledged { mode = .acknowledged }
            guard !outstanding.isEmpty else { return false }
            let sent = outstanding.removeFirst()
            roundTrips.append(Double(now &- sent) / 1_000_000)
            if roundTrips.count > 20 { roundTrips.removeFirst(roundTrips.count - 20) }
            return true
        case .mode(let number, let value):
            if number == 2026 { synchronized = value == 1 || value == 2 }
            return false
        }
    }

    /// What the `D` overlay shows.
    var pacing: FramePacing {
        switch mode {
        case .probing: return .probing
        case .acknowledged: return .acknowledged(synchronized: synchronized)
        case .rateCapped: return .rateCapped
        }
    }

    var lastRoundTrip: Double? { roundTrips.last }
    var medianRoundTrip: Double? {
        let sorted = roundTrips.sorted()
        return sorted.isEmpty ? nil : sorted[sorted.count / 2]
    }
}
