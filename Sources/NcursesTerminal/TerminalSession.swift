import CNcursesW
import Foundation
#if canImport(Glibc)
import Glibc
#endif
import TerminalUI

/// Thrown when the terminal cannot be taken over (not a terminal, unknown TERM).
public struct TerminalError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// Button-motion mouse tracking: ncurses itself only turns on click reporting (1000), so drags need 1002.
/// It must reach the terminal after ncurses' own 1000h (which would switch 1002 off again), so it is
/// written straight to the descriptor right after a refresh has flushed ncurses' buffer. (putp did not
/// reach the terminal at all under newterm in ncurses 6.4.)
///
/// Any-motion tracking (1003) comes after it: motion with no button held is reported too, for the pixel
/// readout under the pointer (issue 13 §2). A terminal without 1003 keeps 1002's drags; ncurses decodes both
/// kinds of motion as REPORT_MOUSE_POSITION, and `update` tells them apart by whether a drag is going on.
private let buttonMotionOn = "\u{1B}[?1002h\u{1B}[?1003h"
/// Frames leave their last colours set (AnsiFrameEncoder); ncurses believes the attributes are normal and
/// would not reset them, so the hand-back resets them first.
private let buttonMotionOff = "\u{1B}[0m\u{1B}[?1003l\u{1B}[?1002l"

/// The terminal taken over by ncurses: start-up, hand-back (endwin) and resume after Ctrl-Z.
///
/// Only the main queue may use it. `end()` is idempotent, so every exit path can call it.
final class TerminalSession {
    private(set) var active = false
    let colorCount: Int
    /// The locale's codeset is UTF-8 (`nl_langinfo(CODESET)` after `setlocale`): else the UI draws in ASCII.
    let utf8: Bool
    /// The terminal has an alternate screen (terminfo `smcup`): endwin brings the shell's screen back. The
    /// Linux console has none, so the UI would stay behind under the shell's next prompt; there the exit
    /// clears the screen with this (terminfo `clear`, or ECMA-48's home and erase display).
    private let clearOnExit: String?

    /// Takes over the terminal. Call `end()` on every way out.
    init() throws(TerminalError) {
        guard isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 else {
            throw TerminalError("standard input and output must be a terminal (run inpaint in a terminal, not a pipe)")
        }
        // The locale must be set before initscr, or ncurses writes '▀' as bytes of the C locale.
        setlocale(LC_ALL, "")
        utf8 = TerminalSession.codesetIsUTF8()
        EmergencyRestore.install()
        guard newterm(nil, stdout, stdin) != nil else {
            throw TerminalError("TERM=\(ProcessInfo.processInfo.environment["TERM"] ?? "(unset)") is not a terminal type ncurses knows")
        }
        active = true
        cbreak()               // keys arrive one by one; Ctrl-C and Ctrl-Z still make signals
        noecho()
        keypad(cnc_stdscr(), true)
        nodelay(cnc_stdscr(), true)
        _ = curs_set(0)
        set_escdelay(25)       // a lone Esc is seen after 25 ms instead of ncurses' default 1 s
        if has_colors() {
            start_color()
            use_default_colors()
        }
        colorCount = has_colors() ? Int(cnc_colors()) : 0
        clearOnExit = TerminalSession.capability("smcup") == nil
            ? TerminalSession.capability("clear") ?? "\u{1B}[H\u{1B}[2J" : nil
        InputDecoder.defineReplyKeys()
        enableMouse()
    }

    static func codesetIsUTF8() -> Bool {
        guard let codeset = nl_langinfo(nl_item(CODESET)) else { return false }
        let name = String(cString: codeset).uppercased().replacingOccurrences(of: "-", with: "")
        return name == "UTF8"
    }

    /// A terminfo string capability of the current terminal, nil when absent or cancelled.
    private static func capability(_ name: String) -> String? {
        guard let value = tigetstr(name), Int(bitPattern: value) != -1 else { return nil }
        let text = String(cString: value)
        return text.isEmpty ? nil : text
    }

    private func enableMouse() {
        _ = mousemask(cnc_all_mouse_events() | cnc_report_mouse_position(), nil)
        _ = mouseinterval(0)   // report press and release at once, never wait to make a click
        _ = refresh()
        writeToTerminal(buttonMotionOn)
    }

    private func writeToTerminal(_ sequence: String) {
        write(Array(sequence.utf8))
    }

    /// Writes bytes straight to the terminal (after anything ncurses or stdio still holds), all of them:
    /// a frame cut short would leave the screen out of step with what the encoder believes it shows.
    func write(_ bytes: [UInt8]) {
        fflush(stdout)
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let n = Glibc.write(STDOUT_FILENO, buffer.baseAddress! + offset, buffer.count - offset)
                if n > 0 { offset += n } else if n < 0 && (errno == EINTR || errno == EAGAIN) { continue } else { break }
            }
        }
    }

    /// Lets ncurses paint what it has pending (after a resize it clears the screen) now, so that no later
    /// `wget_wch` refreshes stdscr over a frame we drew.
    func settleCurses() {
        _ = wnoutrefresh(cnc_stdscr())
        _ = doupdate()
    }

    var size: (width: Int, height: Int) { (Int(cnc_cols()), Int(cnc_lines())) }

    /// Hands the terminal back: motion tracking off first (endwin only undoes what ncurses turned on), then
    /// endwin restores the modes, the cursor and the main screen.
    func end() {
        guard active else { return }
        active = false
        writeToTerminal(buttonMotionOff)
        _ = endwin()
        fflush(stdout)
        if let clearOnExit { writeToTerminal(clearOnExit) }
    }

    /// Reads and drops what the terminal still sends until `count` status answers (`ESC[0n`, `ESC[3n`) came
    /// or `timeout` seconds passed, then drops the rest of the input queue: answers to queries in flight
    /// that arrived after the exit would be typed into the shell (`^[[0n`).
    func discardReplies(statusAnswers count: Int, timeout: Double) {
        var seen = 0
        var window: [UInt8] = []
        let deadline = Date().addingTimeInterval(timeout)
        var buffer = [UInt8](repeating: 0, count: 512)
        while seen < count {
            let remaining = deadline.timeIntervalSinceNow
            guard remaining > 0 else { break }
            var descriptor = pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0)
            guard poll(&descriptor, 1, Int32(max(1, remaining * 1000))) > 0 else { break }
            let n = read(STDIN_FILENO, &buffer, buffer.count)
            guard n > 0 else { break }
            window += buffer[0..<n]
            var i = 0
            while i + 3 < window.count {
                if window[i] == 0x1B, window[i + 1] == UInt8(ascii: "["),
                   window[i + 2] == UInt8(ascii: "0") || window[i + 2] == UInt8(ascii: "3"),
                   window[i + 3] == UInt8(ascii: "n") {
                    seen += 1
                    i += 4
                } else {
                    i += 1
                }
            }
            window = Array(window.suffix(3))   // a reply split across reads
        }
        tcflush(STDIN_FILENO, TCIFLUSH)
    }

    /// Ctrl-Z: give the terminal back, stop, and take it again when continued.
    func suspend() {
        guard active else { return }
        writeToTerminal(buttonMotionOff)
        _ = endwin()
        fflush(stdout)
        kill(getpid(), SIGSTOP)
        // Continued: refresh re-enters program mode and ncurses re-enables its own mouse modes.
        _ = refresh()
        writeToTerminal(buttonMotionOn)
        repaintAll()
    }

    /// The terminal's real size (SIGWINCH): tells ncurses and returns it.
    func resizeToTerminal() -> (width: Int, height: Int) {
        var ws = winsize()
        if ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &ws) == 0, ws.ws_col > 0, ws.ws_row > 0 {
            _ = resizeterm(Int32(ws.ws_row), Int32(ws.ws_col))
        }
        return size
    }

    /// Forget what the terminal shows: the next refresh repaints every cell.
    func repaintAll() { _ = clearok(cnc_curscr(), true) }

    /// False once the terminal has hung up (its other end closed: an ssh disconnect, a closed tmux pane),
    /// when `poll` reports POLLHUP or POLLERR on standard output; asked without waiting.
    static func outputIsAlive() -> Bool {
        var descriptor = pollfd(fd: STDOUT_FILENO, events: Int16(POLLOUT), revents: 0)
        guard poll(&descriptor, 1, 0) >= 0 else { return false }
        return descriptor.revents & Int16(POLLHUP | POLLERR | POLLNVAL) == 0
    }
}

/// If the process dies of a trap or abort while the terminal is ours, put it back before dying: motion
/// tracking and mouse modes off, main screen, cursor on, and the saved line discipline. Uses only
/// async-signal-safe calls (write, tcsetattr) and then lets the signal take its default course.
enum EmergencyRestore {
    private nonisolated(unsafe) static var saved = termios()
    private nonisolated(unsafe) static var haveSaved = false

    static func install() {
        haveSaved = tcgetattr(STDIN_FILENO, &saved) == 0
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { signal in
            let reset = "\u{1B}[?1003l\u{1B}[?1002l\u{1B}[?1006l\u{1B}[?1000l\u{1B}[0m\u{1B}[?25h\u{1B}[?1049l\r\n"
            reset.withCString { _ = write(STDOUT_FILENO, $0, strlen($0)) }
            if EmergencyRestore.haveSaved { tcsetattr(STDIN_FILENO, TCSANOW, &EmergencyRestore.saved) }
            // SA_RESETHAND restored the default action: re-raise so the process still dies of this signal.
            raise(signal)
        }
        action.sa_flags = Int32(truncatingIfNeeded: SA_RESETHAND)   // 0x80000000 does not fit Int32
        for signal in [SIGSEGV, SIGILL, SIGTRAP, SIGABRT, SIGBUS, SIGFPE] { sigaction(signal, &action, nil) }
    }
}
