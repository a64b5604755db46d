/// The bottom line: the keys that matter in the current mode, most useful first, as many as fit, with
/// `?: help` and `q: quit` always at the right end; or the question a prompt asks; or a notice, with the
/// same two keys beside it (a notice longer than the line takes the row above as well, until the next key).
func drawKeyLine(_ state: AppState, into buffer: inout CellBuffer, row: Int, theme: Theme) {
    let width = buffer.width
    if let question = KeyLine.question(state) {
        buffer.put(question.text, x: 0, y: row, style: question.warning ? theme.warning : theme.accent, maxWidth: width)
        return
    }
    let right = KeyLine.alwaysShown(state)
    let rightWidth = KeyLine.width(right)
    var x = max(0, width - rightWidth)
    for (i, hint) in right.enumerated() {
        x = KeyLine.put(hint, separator: i > 0, into: &buffer, x: x, y: row, theme: theme)
    }
    let room = width - rightWidth - KeyLine.separator.count
    if let notice = state.notice {
        var lines = [notice]
        if notice.count > room {
            let cut = HelpOverlay.wrap(notice, width: width)
            // The first line above the key line, across the whole width; the rest beside the keys.
            let first = cut.first ?? notice
            lines = [first, String(notice.dropFirst(first.count).drop { $0 == " " })]
            buffer.fill(x: 0, y: row - 1, width: width, height: 1, with: .blank)
            buffer.put(lines[0], x: 0, y: row - 1, style: theme.warning, maxWidth: width)
        }
        buffer.put(lines[lines.count - 1], x: 0, y: row, style: theme.warning, maxWidth: room)
        return
    }
    x = 0
    for (i, hint) in KeyLine.fitting(KeyLine.hints(state), width: room).enumerated() {
        x = KeyLine.put(hint, separator: i > 0, into: &buffer, x: x, y: row, theme: theme)
    }
}

/// One hint of the key line: the keys and what they do.
public struct KeyHint: Equatable, Sendable {
    public var keys: String
    public var action: String
    public init(_ keys: String, _ action: String) { self.keys = keys; self.action = action }
    var text: String { "\(keys): \(action)" }
}

public enum KeyLine {
    static let separator = "  "

    /// A prompt's question, which takes the whole line (its own keys are in it).
    static func question(_ state: AppState) -> (text: String, warning: Bool)? {
        switch state.prompt {
        case .goToIndex(let typed)?:
            return ("go to \(state.library.dataset.itemNoun) (1–\(state.library.count), Enter, Esc cancels, q quits): \(typed)▏", false)
        case .digitClass?:
            let dataset = state.library.dataset
            // Clothes have names, not numerals: say which number is which (the header names the class shown).
            let classes = dataset == .mnist ? "0–9" : "0–9 (0 \(dataset.className(0)) … 9 \(dataset.className(9)))"
            return ("random \(dataset.itemNoun) of class: press \(classes), any other key cancels, q quits", false)
        case .confirmQuit?: return ("quit: s saves and quits, n quits without saving, Esc stays", true)
        case .confirmReset?: return ("reset the model to fresh random weights? y to confirm, any other key keeps it", true)
        case .fileName(let prompt)?: return (prompt.question(width: state.screenWidth), false)
        case .presetMenu?, nil: return nil
        }
    }

    /// The hints kept at the right end whatever the width: `?` and `q` (in the help, what closes it).
    public static func alwaysShown(_ state: AppState) -> [KeyHint] {
        if state.prompt == .presetMenu { return [KeyHint("Esc", "cancel")] }
        if state.showHelp { return [KeyHint("q", "quit")] }
        return [KeyHint("?", "help"), KeyHint("q", "quit")]
    }

    /// The other hints for the state, most useful first.
    public static func hints(_ state: AppState) -> [KeyHint] {
        if state.prompt == .presetMenu { return [KeyHint("1-9", "train that preset"), KeyHint("a-d", "compare")] }
        if state.showHelp {
            let maxScroll = HelpOverlay.maxScroll(screenWidth: state.screenWidth, screenHeight: state.screenHeight)
            guard maxScroll > 0 else { return [KeyHint("any key", "close")] }
            // The box does not repeat these: the key line says where scrolling can go from here.
            return state.helpScroll < maxScroll
                ? [KeyHint("up/down", "scroll"), KeyHint("space", "next page"), KeyHint("other keys", "close")]
                : [KeyHint("up", "scroll back"), KeyHint("other keys", "close")]
        }
        if state.probe.keyboard { return probeKeyHints(state) }
        let training: [KeyHint]
        switch state.training.activity {
        case .training: training = [KeyHint("space", "pause")]
        case .paused, .idle: training = [KeyHint("space", "train")]
        case .stopped, .watching: training = []
        }
        let presets = state.training.activity == .watching ? [] : [KeyHint("x", "presets")]
        let layout = KeyHint("z", state.presenter ? "normal layout" : "presenter")
        // In the presenter layout, how to leave it comes first.
        let hints = InsidePanes.keyHints(state) + (state.presenter ? [layout] + modeHints(state, training: training, presets: presets).filter { $0 != layout }
            : modeHints(state, training: training, presets: presets))
        return withLessonAndUndoHints(state, hints)
    }

    private static func modeHints(_ state: AppState, training: [KeyHint], presets: [KeyHint]) -> [KeyHint] {
        let layout = KeyHint("z", state.presenter ? "normal layout" : "presenter")
        switch state.mode {
        case .rectangle:
            return [KeyHint("drag", "hole"), KeyHint("n/p", "digit"), KeyHint("r", "random")] + training
                + [KeyHint("arrows", "move"), KeyHint("HJKL", "size"), KeyHint("f/t/v", "panels"), KeyHint("m", "mode"),
                   KeyHint("c", "clear")] + presets + [layout, KeyHint("e", "error")]
        case .brush:
            return [KeyHint("drag", "paint the hole"), KeyHint("c", "clear it"), KeyHint("m", "draw mode"),
                    KeyHint("n/p", "digit"), KeyHint("r", "random hole")] + training
                + [KeyHint("f/t/v", "panels")] + presets + [layout]
        case .draw:
            return [KeyHint("drag", "draw ink"), KeyHint("c", "blank canvas"), KeyHint("m", "rectangle mode"),
                    KeyHint("n/p", "back to digits"), KeyHint("r", "random hole")] + training
                + [KeyHint("f/t/v", "panels"), layout]
        }
    }

    /// The hints, in their order, that fit in `width` cells: each that fits after the ones before it.
    static func fitting(_ hints: [KeyHint], width: Int) -> [KeyHint] {
        var shown: [KeyHint] = []
        for hint in hints where self.width(shown + [hint]) <= width { shown.append(hint) }
        return shown
    }

    static func width(_ hints: [KeyHint]) -> Int {
        hints.reduce(0) { $0 + $1.text.count } + max(0, hints.count - 1) * separator.count
    }

    /// The keys in the text colour, what they do dimmed.
    static func put(_ hint: KeyHint, separator: Bool, into buffer: inout CellBuffer, x: Int, y: Int, theme: Theme) -> Int {
        var x = separator ? buffer.put(KeyLine.separator, x: x, y: y, style: theme.dim) : x
        x = buffer.put(hint.keys, x: x, y: y, style: theme.text)
        return buffer.put(": " + hint.action, x: x, y: y, style: theme.dim)
    }
}
