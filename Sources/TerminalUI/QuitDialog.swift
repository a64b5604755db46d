/// The box `q` opens when the weights trained since they were last saved (`Prompt.confirmQuit`): save and
/// quit, quit without saving, or stay. SIGHUP and SIGTERM never ask; they save (see `TerminalRuntime`).
public enum QuitDialog {
    /// The dialog's lines: a title, what is at stake, and one line per answer (key, what it does).
    static func lines(_ state: AppState) -> (title: String, detail: String, choices: [(key: String, action: String)]) {
        let steps = max(0, state.training.step - state.training.unsavedFromStep)
        let detail = steps > 0
            ? "The model trained \(steps) step\(steps == 1 ? "" : "s") since the last save."
            : "The model trained since the last save."
        return ("Quit inpaint?", detail, [
            ("s", "save to \(state.savePath ?? "(nowhere)") and quit"),
            ("n", "quit without saving"),
            ("Esc", "stay and keep training"),
        ])
    }

    public static func draw(_ state: AppState, into buffer: inout CellBuffer, theme: Theme) {
        let (title, detail, choices) = lines(state)
        let keyWidth = choices.map(\.key.count).max()! + 2
        let contentWidth = max(title.count, detail.count, keyWidth + choices.map(\.action.count).max()!)
        let width = min(buffer.width - 2, contentWidth + 4), height = min(buffer.height - 2, choices.count + 6)
        guard width > 10, height >= choices.count + 4 else { return }
        let x = (buffer.width - width) / 2, y = (buffer.height - height) / 2
        buffer.fill(x: x, y: y, width: width, height: height,
                    with: Cell(" ", foreground: theme.overlay.foreground, background: theme.overlay.background,
                               attributes: theme.overlay.attributes))
        var bold = theme.overlay
        bold.attributes.insert(.bold)
        let inner = width - 4
        buffer.put(title, x: x + 2, y: y + 1, style: bold, maxWidth: inner)
        buffer.put(detail, x: x + 2, y: y + 2, style: theme.overlay, maxWidth: inner)
        for (i, choice) in choices.enumerated() {
            let row = y + 4 + i
            buffer.put(choice.key, x: x + 2, y: row, style: bold, maxWidth: keyWidth)
            buffer.put(choice.action, x: x + 2 + keyWidth, y: row, style: theme.overlay, maxWidth: inner - keyWidth)
        }
    }
}
