import Foundation

/// How the session was started, as far as a command line that reopens its view must repeat it: the
/// program, its models, the preset and the other flags that shape the session (data, seed, rate, save
/// path…), already split into words. `inpaint tui` sets it (`AppState.launch`); `watch` does not.
public struct LaunchOptions: Equatable, Sendable {
    /// The program and subcommand, e.g. ["inpaint", "tui"].
    public var program: [String]
    /// The `--model` files, in order.
    public var models: [String]
    public var preset: String?
    public var maskChannel: Bool
    /// Every other flag with its value, as given (`--dataset fashion`, `--data DIR`, `--seed 2`, …).
    public var options: [String]

    public init(program: [String] = ["inpaint", "tui"], models: [String] = [], preset: String? = nil,
                maskChannel: Bool = false, options: [String] = []) {
        self.program = program; self.models = models; self.preset = preset; self.maskChannel = maskChannel
        self.options = options
    }
}

/// The one command line that reopens the view on screen (`C` shows it, quitting prints it): the launch's
/// flags, then the view's (`ViewSettings`).
public enum ReopenCommand {
    /// The words of the command line, unquoted.
    public static func words(_ state: AppState, launch: LaunchOptions) -> [String] {
        var words = launch.program
        if state.preset == launch.preset {
            for model in launch.models { words += ["--model", model] }
            if let preset = launch.preset { words += ["--preset", preset] }
            if launch.maskChannel { words.append("--mask-channel") }
        } else if let preset = state.preset {
            // Switched with `x`: that preset's fresh network, as the menu starts it (no --model, one channel).
            words += ["--preset", preset]
        }
        return words + launch.options + ViewSettings.capture(state).settings.arguments
    }

    /// The line to paste into a shell: every word that is not plain quoted (`shellQuoted`).
    public static func line(_ state: AppState, launch: LaunchOptions) -> String {
        words(state, launch: launch).map(shellQuoted).joined(separator: " ")
    }

    /// `word` as a POSIX shell reads it back: as it is when it holds only characters no shell treats
    /// specially (not even zsh at a word's start), else in single quotes (a quote inside as '\'').
    public static func shellQuoted(_ word: String) -> String {
        let plain = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-+.,/:@")
        if !word.isEmpty && word.allSatisfy(plain.contains) { return word }
        return "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}

/// `S` and `C`, and the box `C` opens.
///
/// `S` asks the runtime to write the screen as it is now (the view of the state, the last notice
/// cleared by the key press) as a PNG and a text file (`.saveScreenshot`); `C` shows the command line
/// that reopens this view, until the next key.
func handleShareKey(_ state: inout AppState, _ c: Character) -> [Effect]? {
    switch c {
    case "S":
        return [.saveScreenshot(view(state))]
    case "C":
        guard state.launch != nil else {
            state.notice = "no command line reopens this view (C is for inpaint tui)"
            return []
        }
        state.showReopen = true
        return []
    default:
        return nil
    }
}

/// While the box is open: any key closes it (q also quits, as in the help).
func handleReopenBoxKey(_ state: inout AppState, _ key: Key) -> [Effect]? {
    guard state.showReopen else { return nil }
    state.showReopen = false
    return key == .character("q") ? requestQuit(&state) : []
}

/// The box `C` opens: the command line wrapped at its spaces, what it cannot say, and how to close it.
public enum ReopenBox {
    public static func draw(_ state: AppState, into buffer: inout CellBuffer, theme: Theme) {
        guard let launch = state.launch else { return }
        let width = min(buffer.width - 2, max(48, ReopenCommand.line(state, launch: launch).count + 4))
        let inner = width - 4
        guard inner >= 10 else { return }
        let lines = wrapWords(ReopenCommand.words(state, launch: launch).map(ReopenCommand.shellQuoted), width: inner)
        let leftOut = ViewSettings.capture(state).leftOut
        let notes = leftOut.isEmpty ? [] : HelpOverlay.wrap("not in the line: " + leftOut.joined(separator: ", "), width: inner)
        let footer = "any key closes; quitting prints the line"
        let height = min(buffer.height - 2, lines.count + notes.count + 5)
        let x = (buffer.width - width) / 2, y = max(0, (buffer.height - height) / 2)
        buffer.fill(x: x, y: y, width: width, height: height,
                    with: Cell(" ", foreground: theme.overlay.foreground, background: theme.overlay.background,
                               attributes: theme.overlay.attributes))
        var bold = theme.overlay
        bold.attributes.insert(.bold)
        buffer.put("reopen this view with:", x: x + 2, y: y + 1, style: bold, maxWidth: inner)
        for (i, line) in (lines + notes).prefix(max(0, height - 4)).enumerated() {
            buffer.put(line, x: x + 2, y: y + 2 + i, style: i < lines.count ? bold : theme.overlay, maxWidth: inner)
        }
        buffer.put(footer, x: x + 2, y: y + height - 1, style: theme.overlay, maxWidth: inner)
    }

    /// The words in lines of at most `width` characters, broken only between words (a longer word is cut).
    static func wrapWords(_ words: [String], width: Int) -> [String] {
        var lines: [String] = [], line = ""
        for word in words {
            if line.isEmpty {
                line = word
            } else if line.count + 1 + word.count <= width {
                line += " " + word
            } else {
                lines.append(line)
                line = word
            }
            while line.count > width {
                lines.append(String(line.prefix(width)))
                line = String(line.dropFirst(width))
            }
        }
        if !line.isEmpty { lines.append(line) }
        return lines
    }
}
