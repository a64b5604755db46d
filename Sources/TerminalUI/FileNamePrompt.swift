import Foundation

/// `w` and `l` ask for the checkpoint's file name on the key line, with the current one (`--save`, or the
/// last file saved or loaded) typed in already: type to add, Backspace to delete, Enter to save or load,
/// Esc to cancel. Every printable character is text here (a file name may hold a q), so q does not quit.
public struct FileNamePrompt: Sendable, Equatable {
    public enum Action: Sendable, Equatable { case save, load }
    public var action: Action
    public var text: String

    public init(action: Action, text: String) { self.action = action; self.text = text }

    /// The key line: the question, then as much of the name's end as fits, with the cursor.
    func question(width: Int) -> String {
        let head = action == .save ? "save checkpoint to (Enter saves, Esc cancels): "
            : "load checkpoint from (Enter loads, Esc cancels): "
        let shortHead = action == .save ? "save to: " : "load from: "
        let room = { (head: String) in width - head.count - 1 }
        let prefix = text.count <= room(head) ? head : shortHead
        let fits = room(prefix)
        let shown = text.count <= fits ? text : "…" + text.suffix(max(0, fits - 1))
        return prefix + shown + "▏"
    }
}

/// The longest name the prompt takes (PATH_MAX is 4096; a name longer than a screen is a paste gone wrong).
let fileNameLimit = 1024

/// `w` and `l` open the prompt with the current file. Returns nil for any other character.
func handleFileNameKey(_ state: inout AppState, _ c: Character) -> [Effect]? {
    guard c == "w" || c == "l" else { return nil }
    state.prompt = .fileName(FileNamePrompt(action: c == "w" ? .save : .load, text: state.savePath ?? ""))
    return []
}

/// A key while the prompt is open.
func handleFileNamePrompt(_ state: inout AppState, _ prompt: FileNamePrompt, _ key: Key) -> [Effect] {
    var prompt = prompt
    switch key {
    case .escape:
        state.prompt = nil
        state.notice = prompt.action == .save ? "not saved" : "nothing loaded"
        return []
    case .backspace:
        prompt.text = String(prompt.text.dropLast())
    case .character(let c) where prompt.text.count < fileNameLimit:
        prompt.text.append(c)
    case .enter:
        state.prompt = nil
        let path = prompt.text.trimmingCharacters(in: .whitespaces)
        guard !path.isEmpty else {
            state.notice = "no file name given: " + (prompt.action == .save ? "not saved" : "nothing loaded")
            return []
        }
        return [prompt.action == .save ? .saveCheckpoint(path: path) : .loadCheckpoint(path: path)]
    default:
        break
    }
    state.prompt = .fileName(prompt)
    return []
}
