import TerminalUI

/// An answer of the terminal to one of `FramePacer`'s queries. These arrive on standard input among the
/// keys and must never reach the UI as keys (`ESC[0n` would be Esc, '[', '0' and 'n': "next digit").
enum TerminalReply: Equatable, Sendable {
    /// DSR's "ready, no malfunction" (`ESC[0n`; `ESC[3n`, "malfunction", answers just the same).
    case status
    /// DECRPM: mode `number` is in state `value` (`ESC[?number;value$y`: 0 unknown, 1 set, 2 reset,
    /// 3 permanently set, 4 permanently reset).
    case mode(number: Int, value: Int)
}

/// The replies as ncurses sees them: `define_key` teaches it each whole reply as a key code of its own, so
/// a reply that arrives at once (as terminals write them) comes back as one "key", however it is mixed
/// with keys and mouse reports.
enum ReplyKeys {
    /// Above ncurses' own codes (KEY_MAX is 0777) and the extended keys it numbers from KEY_MAX up.
    static let base: Int32 = 0x6000
    static let definitions: [(sequence: String, reply: TerminalReply)] =
        [("\u{1B}[0n", .status), ("\u{1B}[3n", .status)]
        + (0...4).map { ("\u{1B}[?2026;\($0)$y", .mode(number: 2026, value: $0)) }

    static func reply(forKeyCode code: Int32) -> TerminalReply? {
        let index = Int(code - base)
        return definitions.indices.contains(index) ? definitions[index].reply : nil
    }
}

/// What one read from ncurses gave: a character it did not decode, or something it did.
enum RawInput: Equatable {
    case character(UInt32)
    case message(Message)
    case reply(TerminalReply)
}

/// Finds the replies ncurses could not decode whole, because the reply was split across reads with more
/// than ncurses' escape delay between them: then ncurses hands over Esc and the rest as characters. The
/// scanner holds characters that can still become a reply (`ESC [ ? digits ; $ y` or `ESC [ digits n`),
/// lets keys and mouse events that ncurses decoded pass meanwhile, and gives the held characters back as
/// keys when they cannot (a character outside the grammar, or the driver's `flush` after a short wait).
///
/// A lone Esc at the end of a read is held only while replies are expected, so Esc as a key is not delayed
/// when nothing is in flight (locally, nearly always).
struct ReplyScanner {
    private(set) var held: [UInt32] = []

    var isHolding: Bool { !held.isEmpty }

    mutating func feed(_ input: [RawInput], expectingReplies: Bool) -> (messages: [Message], replies: [TerminalReply]) {
        var messages: [Message] = [], replies: [TerminalReply] = []
        for item in input {
            switch item {
            case .message(let message): messages.append(message)
            case .reply(let reply): replies.append(reply)
            case .character(let value): scan(value, messages: &messages, replies: &replies)
            }
        }
        if held == [27] && !expectingReplies { messages += flush() }
        return (messages, replies)
    }

    /// The held characters as the keys they were after all.
    mutating func flush() -> [Message] {
        defer { held = [] }
        return held.compactMap { InputDecoder.characterKey($0).map(Message.key) }
    }

    private mutating func scan(_ value: UInt32, messages: inout [Message], replies: inout [TerminalReply]) {
        if value == 27 {
            messages += flush()   // a new escape: what was held was not a reply
            held = [27]
            return
        }
        guard !held.isEmpty else {
            if let key = InputDecoder.characterKey(value) { messages.append(.key(key)) }
            return
        }
        held.append(value)
        switch ReplyScanner.classify(held) {
        case .prefix: break
        case .reply(let reply): replies.append(reply); held = []
        case .notAReply: messages += flush()
        }
    }

    enum Classification: Equatable { case prefix, reply(TerminalReply), notAReply }

    /// Whether `sequence` (starting with Esc) is a reply, could still become one, or cannot.
    static func classify(_ sequence: [UInt32]) -> Classification {
        let chars = sequence.map { Unicode.Scalar($0).map(Character.init) ?? "\u{0}" }
        guard chars.first == "\u{1B}" else { return .notAReply }
        guard chars.count > 1 else { return .prefix }
        guard chars[1] == "[" else { return .notAReply }
        var body = Array(chars.dropFirst(2))
        let privateMode = body.first == "?"
        if privateMode { body.removeFirst() }
        var parameters = ""
        for (i, c) in body.enumerated() {
            if c.isASCII && (c.isNumber || c == ";") { parameters.append(c); continue }
            let rest = body[(i + 1)...]
            let numbers = parameters.split(separator: ";", omittingEmptySubsequences: false).map { Int($0) }
            if !privateMode && c == "n" && rest.isEmpty {
                return numbers.count == 1 && (numbers[0] == 0 || numbers[0] == 3) ? .reply(.status) : .notAReply
            }
            if privateMode && c == "$" {
                if rest.isEmpty { return .prefix }
                guard rest.count == 1, rest.first == "y", numbers.count == 2,
                      let number = numbers[0], let value = numbers[1] else { return .notAReply }
                return .reply(.mode(number: number, value: value))
            }
            return .notAReply
        }
        return parameters.count <= 16 ? .prefix : .notAReply
    }
}

/// When the characters `ReplyScanner` holds go to the UI as the keys they were (a lone Esc, Esc '[' …):
/// `wait` after holding *began*. Pushed back by every read instead, the deadline would never come while
/// frames and their answers keep arriving (training), and a held Esc would never reach the UI.
struct HeldInputDeadline {
    /// Longer than a reply split across reads takes to complete (ncurses' escape delay, ~25 ms, apart).
    static let wait: UInt64 = 100_000_000

    enum Action: Equatable {
        case none
        /// Nothing is held any more (the reply came whole): the scheduled flush is not needed.
        case cancel
        /// Holding began: flush at this uptime (ns).
        case schedule(at: UInt64)
    }

    /// When the held characters are to be flushed (nil: nothing held, or the flush already ran).
    private(set) var due: UInt64?

    /// What to do after a read, given whether the scanner holds characters now.
    mutating func afterRead(holding: Bool, now: UInt64) -> Action {
        guard holding else {
            defer { due = nil }
            return due == nil ? .none : .cancel
        }
        if due != nil { return .none }
        let at = now + HeldInputDeadline.wait
        due = at
        return .schedule(at: at)
    }

    /// The flush ran: a hold that begins after it waits its own `wait`.
    mutating func flushed() { due = nil }
}
