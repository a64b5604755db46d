import Foundation
import TestSupport
import XCTest

/// A private tmux server (`tmux -L inpaint-test-<pid>-<n>`) running one program in a detached session of
/// fixed size: the issue's recipe for testing the real binary in a real terminal.
final class TmuxSession {
    let socket: String
    private let tmux: URL

    /// nil when tmux is not installed.
    static func tmuxPath() -> URL? {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let url = URL(fileURLWithPath: String(dir)).appendingPathComponent("tmux")
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        return nil
    }

    private static var counter = 0

    /// Starts `command` (argv, run with TERM=xterm-256color, a UTF-8 locale and no NO_COLOR, which `swift test`
    /// sets for its children) in a width×height window.
    /// The pane stays after the program exits (`remain-on-exit`) so its exit status and the terminal's
    /// final modes can be read.
    ///
    /// The program runs under `sh`, which writes its exit status to `statusFile` when it ends: tmux's own
    /// `#{pane_dead_status}` is set only once the tmux server reaps the pane's process, and under `swift
    /// test` that was often never (the pane dead, the status empty), so the tests read the file instead.
    /// The shell's `trap : INT TERM` defers those signals until its foreground program ends (POSIX), so a
    /// Ctrl-C reaches the program and the shell still writes the status; the program starts with the
    /// signals' default actions (handlers are reset at exec).
    init(tmux: URL, command: [String], width: Int, height: Int) throws {
        self.tmux = tmux
        TmuxSession.counter += 1
        socket = "inpaint-test-\(getpid())-\(TmuxSession.counter)"
        statusFile = FileManager.default.temporaryDirectory.appendingPathComponent("\(socket).status").path
        try? FileManager.default.removeItem(atPath: statusFile)
        let wrapper = ["sh", "-c", "trap : INT TERM; \"$@\"; echo $? > \"$0\"", statusFile]
        let quoted = (["env", "-u", "NO_COLOR", "TERM=xterm-256color", "LANG=C.UTF-8", "LC_ALL=C.UTF-8"] + wrapper + command)
            .map { "'" + $0.replacingOccurrences(of: "'", with: "'\\''") + "'" }.joined(separator: " ")
        // remain-on-exit is set in the same tmux invocation, long before the program can have exited (an
        // empty server would exit, so the session must come first).
        try run(captureOutput: false, ["-f", "/dev/null", "new-session", "-d", "-s", "tui", "-x", "\(width)", "-y", "\(height)", "exec " + quoted,
                 ";", "set-option", "-g", "remain-on-exit", "on"])
    }

    deinit {
        // kill-server leaves the socket file behind (one per test in /tmp/tmux-UID otherwise).
        let socketPath = ((try? run(["display-message", "-p", "-t", "tui", "#{socket_path}"])) ?? "")
            .trimmingCharacters(in: .whitespacesAndNewlines)
        _ = try? run(["kill-server"])
        try? FileManager.default.removeItem(atPath: statusFile)
        if socketPath.hasSuffix("/" + socket) { try? FileManager.default.removeItem(atPath: socketPath) }
    }

    /// Where the wrapping shell writes the program's exit status.
    let statusFile: String

    /// The program's exit status (128 + n after a signal it did not handle), polled until `seconds` pass.
    func exitStatus(seconds: Double = 10) -> Int32? {
        var status: Int32?
        waitUntil(seconds: seconds) {
            guard let text = try? String(contentsOfFile: statusFile, encoding: .utf8),
                  text.hasSuffix("\n") else { return false }
            status = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines))
            return true
        }
        return status
    }

    /// The program's process id: the only child of the pane's shell.
    func programPID() -> Int32? {
        guard let shell = Int32(format("#{pane_pid}")) else { return nil }
        var pid: Int32?
        waitUntil(seconds: 5) {
            let children = (try? String(contentsOfFile: "/proc/\(shell)/task/\(shell)/children", encoding: .utf8)) ?? ""
            pid = children.split(separator: " ").first.flatMap { Int32($0) }
            return pid != nil
        }
        return pid
    }

    /// Runs one tmux command with posix_spawn and waitpid. Foundation's Process.waitUntilExit hung here
    /// (the exited client stayed a zombie), and the command that starts the server must not capture output:
    /// the forked server inherits the pipe and would keep it open, so no end of file would come.
    @discardableResult
    func run(captureOutput: Bool = true, _ arguments: [String]) throws -> String {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { return "" }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if captureOutput {
            posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO)
        } else {
            posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0)
        }
        posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addclose(&actions, fds[0])
        posix_spawn_file_actions_addclose(&actions, fds[1])
        let argv = ([tmux.path, "-L", socket] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, tmux.path, &actions, nil, argv, environ)
        close(fds[1])
        defer { close(fds[0]) }
        guard spawned == 0 else { return "" }
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = read(fds[0], &buffer, buffer.count)
            if n > 0 { data.append(buffer, count: n) } else if n < 0 && errno == EINTR { continue } else { break }
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return String(decoding: data, as: UTF8.self)
    }

    /// A tmux format for the pane, e.g. `#{mouse_button_flag}`.
    func format(_ format: String) -> String {
        ((try? run(["display-message", "-p", "-t", "tui", format])) ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The screen as cells (characters and colours), parsed from `capture-pane -p -e -N` (-N keeps trailing
    /// spaces, which are cells of the digit panels when they are drawn as spaces on a gray background).
    func screen() -> ScreenCapture { ScreenCapture(ansi: (try? run(["capture-pane", "-p", "-e", "-N", "-t", "tui"])) ?? "") }

    /// Mouse motion is reported: with a button held (1002) or, as the UI asks for the pixel readout, any
    /// motion (1003, which tmux, like xterm, keeps instead of 1002: one tracking mode at a time).
    var motionTrackingOn: Bool { format("#{mouse_button_flag}") == "1" || format("#{mouse_all_flag}") == "1" }
    func sendLiteral(_ text: String) { _ = try? run(["send-keys", "-t", "tui", "-l", text]) }
    func sendKey(_ key: String) { _ = try? run(["send-keys", "-t", "tui", key]) }
    func resize(width: Int, height: Int) { _ = try? run(["resize-window", "-t", "tui", "-x", "\(width)", "-y", "\(height)"]) }
    func record(to path: String) { _ = try? run(["pipe-pane", "-o", "-t", "tui", "cat >> '\(path)'"]) }
    func stopRecording() { _ = try? run(["pipe-pane", "-t", "tui"]) }

    /// `q`, and "quit without saving" when the UI asks because it trained since the last save (so a test
    /// leaves no checkpoint in the working folder).
    func quitWithoutSaving() {
        sendKey("q")
        if waitUntil(seconds: 5, { screen().text.contains("Quit inpaint?") || format("#{pane_dead}") == "1" }),
           screen().text.contains("Quit inpaint?") {
            sendKey("n")
        }
    }

    /// The step the status block shows (`step     123   epoch 1`), if any.
    func shownStep() -> Int? {
        let text = screen().text
        guard let range = text.range(of: #"step +\d+ +epoch"#, options: .regularExpression) else { return nil }
        return text[range].split(separator: " ").compactMap { Int($0) }.first
    }

    /// Polls `condition` every 20 ms until it holds or `seconds` pass (no fixed sleeps).
    @discardableResult
    func waitUntil(seconds: Double = 10, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            usleep(20_000)
        }
        return condition()
    }

    /// An SGR (1006) mouse report for screen cell (x, y), 0-based: press `ESC[<0;X;YM`, motion with the
    /// left button held `ESC[<32;X;YM`, release `ESC[<0;X;Ym`.
    static func mouse(_ kind: String, x: Int, y: Int) -> String {
        switch kind {
        case "press": return "\u{1B}[<0;\(x + 1);\(y + 1)M"
        case "drag": return "\u{1B}[<32;\(x + 1);\(y + 1)M"
        default: return "\u{1B}[<0;\(x + 1);\(y + 1)m"
        }
    }
}

/// One captured screen: rows of cells with the colours tmux reported (xterm-256 indices, −1 = default).
struct ScreenCapture: Equatable {
    struct Cell: Equatable { var character: Character; var fg: Int; var bg: Int }
    var rows: [[Cell]] = []

    init(ansi: String) {
        var fg = -1, bg = -1
        for line in ansi.split(separator: "\n", omittingEmptySubsequences: false) {
            var row: [Cell] = []
            var scalars = Array(line.unicodeScalars)[...]
            while let scalar = scalars.popFirst() {
                if scalar == "\u{1B}", scalars.first == "[" {
                    scalars.removeFirst()
                    var body = ""
                    while let s = scalars.popFirst() {
                        if (0x40...0x7E).contains(s.value) { if s == "m" { ScreenCapture.apply(body, &fg, &bg) }; break }
                        body.unicodeScalars.append(s)
                    }
                    continue
                }
                row.append(Cell(character: Character(scalar), fg: fg, bg: bg))
            }
            rows.append(row)
        }
    }

    private static func apply(_ body: String, _ fg: inout Int, _ bg: inout Int) {
        let codes = body.split(separator: ";", omittingEmptySubsequences: false).map { Int($0) ?? 0 }
        var i = 0
        while i < codes.count {
            switch codes[i] {
            case 0: fg = -1; bg = -1
            case 38 where i + 2 < codes.count && codes[i + 1] == 5: fg = codes[i + 2]; i += 2
            case 48 where i + 2 < codes.count && codes[i + 1] == 5: bg = codes[i + 2]; i += 2
            case 39: fg = -1
            case 49: bg = -1
            case 30...37: fg = codes[i] - 30
            case 40...47: bg = codes[i] - 40
            case 90...97: fg = codes[i] - 90 + 8
            case 100...107: bg = codes[i] - 100 + 8
            default: break
            }
            i += 1
        }
    }

    var text: String { rows.map { String($0.map(\.character)) }.joined(separator: "\n") }

    func cell(x: Int, y: Int) -> Cell? { y < rows.count && x < rows[y].count ? rows[y][x] : nil }

    /// The colours of a half-block cell's upper and lower halves, however it was spelled: the program
    /// writes '▀' (fg over bg), '▄' (bg over fg), '█' (fg) or a space (bg), whichever is cheapest.
    func halves(x: Int, y: Int) -> (upper: Int, lower: Int)? {
        guard let c = cell(x: x, y: y) else { return nil }
        switch c.character {
        case "▀": return (c.fg, c.bg)
        case "▄": return (c.bg, c.fg)
        case "█": return (c.fg, c.fg)
        case " ": return (c.bg, c.bg)
        default: return nil
        }
    }

    /// The (x, y) where `title` starts, searching rows top to bottom.
    func find(_ title: String) -> (x: Int, y: Int)? {
        for (y, row) in rows.enumerated() {
            let chars = row.map(\.character)
            let needle = Array(title)
            guard chars.count >= needle.count else { continue }
            for x in 0...(chars.count - needle.count) where Array(chars[x..<x + needle.count]) == needle { return (x, y) }
        }
        return nil
    }

    /// The cells of a rectangle, row by row (missing cells as blanks).
    func region(x: Int, y: Int, width: Int, height: Int) -> [Cell] {
        (y..<y + height).flatMap { row in (x..<x + width).map { cell(x: $0, y: row) ?? Cell(character: " ", fg: -1, bg: -1) } }
    }
}
