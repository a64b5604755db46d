import CNcursesW
import TerminalUI

/// Reads every key, mouse event and terminal reply ncurses has ready (the window is in no-delay mode).
/// Keys and mouse events become messages; characters stay characters, so that `ReplyScanner` can still
/// find a terminal reply that ncurses did not decode whole. Resize is not read here: SIGWINCH is handled by
/// the driver directly.
enum InputDecoder {
    static func readAvailable() -> [RawInput] {
        var input: [RawInput] = []
        var wch: wint_t = 0
        while true {
            let result = wget_wch(cnc_stdscr(), &wch)
            if result == ERR { break }
            if result == KEY_CODE_YES {
                let code = Int32(wch)
                if code == cnc_key_mouse() {
                    input += readMouse().map(RawInput.message)
                } else if let reply = ReplyKeys.reply(forKeyCode: code) {
                    input.append(.reply(reply))
                } else if let key = functionKey(code) {
                    input.append(.message(.key(key)))
                }
            } else {
                input.append(.character(UInt32(wch)))
            }
        }
        return input
    }

    /// Teaches ncurses the terminal's replies as keys of their own (see `ReplyKeys`).
    static func defineReplyKeys() {
        for (i, definition) in ReplyKeys.definitions.enumerated() {
            _ = define_key(definition.sequence, ReplyKeys.base + Int32(i))
        }
    }

    static func functionKey(_ code: Int32) -> Key? {
        switch code {
        case KEY_UP: return .up
        case KEY_DOWN: return .down
        case KEY_LEFT: return .left
        case KEY_RIGHT: return .right
        // xterm's shift+arrows (kri, kind, kLFT, kRIT in terminfo).
        case KEY_SR: return .shiftUp
        case KEY_SF: return .shiftDown
        case KEY_SLEFT: return .shiftLeft
        case KEY_SRIGHT: return .shiftRight
        case KEY_ENTER: return .enter
        case KEY_BACKSPACE: return .backspace
        default: return nil
        }
    }

    static func characterKey(_ value: UInt32) -> Key? {
        switch value {
        case 3: return .interrupt          // Ctrl-C arriving as a byte (raw mode, or ISIG off)
        case 9: return .tab
        case 10, 13: return .enter
        case 27: return .escape
        case 8, 127: return .backspace
        default:
            guard let scalar = Unicode.Scalar(value), value >= 32 else { return nil }
            return .character(Character(scalar))
        }
    }

    /// One KEY_MOUSE, one getmouse: ncurses decodes an event per KEY_MOUSE, and calling getmouse again would
    /// walk its ring backwards (newest first). With mouseinterval(0) presses and releases come as they are
    /// (no click synthesis); with button-motion tracking on (ESC[?1002h) motion is REPORT_MOUSE_POSITION.
    private static func readMouse() -> [Message] {
        var event = MEVENT()
        guard getmouse(&event) == OK else { return [] }
        return mouseMessages(state: event.bstate, x: Int(event.x), y: Int(event.y))
    }

    /// What one decoded mouse event means to the UI: a motion with the button held is a drag; a click (which
    /// ncurses only synthesises when mouseinterval is not 0) is a press and a release; other buttons are nothing.
    static func mouseMessages(state: mmask_t, x: Int, y: Int) -> [Message] {
        if state & cnc_report_mouse_position() != 0 { return [.mouse(MouseEvent(.drag, x: x, y: y))] }
        if state & cnc_button1_pressed() != 0 { return [.mouse(MouseEvent(.press, x: x, y: y))] }
        if state & cnc_button1_released() != 0 { return [.mouse(MouseEvent(.release, x: x, y: y))] }
        if state & cnc_button1_clicked() != 0 {
            return [.mouse(MouseEvent(.press, x: x, y: y)), .mouse(MouseEvent(.release, x: x, y: y))]
        }
        return []
    }
}
