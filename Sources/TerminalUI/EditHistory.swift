import Inpainting

/// Undo and redo (`u`, `U`) of the edited input: the hole (rectangle or painted mask) and a drawn digit.
///
/// One entry per finished gesture: a whole drag is one (recorded when the button is released, not at each
/// motion), and so is each key that changes the input (an arrow, `H`, `r`, `c`, …). A new digit or a new
/// canvas (`n`, `p`, `g`, `d`, a preset, entering draw mode from a digit) starts a new history: undo never
/// changes the digit under you, it only takes back what was done to the one on screen. At most
/// `capacity` entries are kept (the oldest go first); a new edit after an undo drops what could be redone.
public struct EditHistory: Sendable, Equatable {
    /// 100 states of 2 × 784 floats: 0.6 MB, far more steps back than a hand makes on one digit.
    public static let capacity = 100

    /// What an entry restores.
    struct Input: Sendable, Equatable {
        var image: [Float]
        var hole: HoleRect?
        var mask: [Float]
    }

    /// The input and which digit it belongs to (a change of digit clears the history).
    struct Snapshot: Sendable, Equatable {
        var input: Input
        var digit: Int?
        var library: String
        var libraryCount: Int

        init(_ state: AppState) {
            input = Input(image: state.image, hole: state.hole, mask: state.mask)
            digit = state.digitIndex
            library = state.library.name
            libraryCount = state.library.count
        }

        func sameDigit(as other: Snapshot) -> Bool {
            digit == other.digit && library == other.library && libraryCount == other.libraryCount
        }
    }

    private(set) var undoStack: [Input] = []
    private(set) var redoStack: [Input] = []
    /// The state when the drag now under way began.
    private var gestureStart: Snapshot?
    /// Set by an undo or redo, so that the change it made is not recorded as an edit.
    private var restoring = false

    public init() {}

    public var canUndo: Bool { !undoStack.isEmpty }
    public var canRedo: Bool { !redoStack.isEmpty }

    /// Called by `update` after every message with the state it started from: records a finished gesture
    /// that changed the input, or starts over when the digit changed.
    mutating func note(before: Snapshot, after state: AppState) {
        if restoring { restoring = false; return }
        if state.drag != nil {
            if gestureStart == nil { gestureStart = before }
            return
        }
        let start = gestureStart ?? before
        gestureStart = nil
        let now = Snapshot(state)
        guard start.sameDigit(as: now) else {
            undoStack.removeAll()
            redoStack.removeAll()
            return
        }
        guard start.input != now.input else { return }
        undoStack.append(start.input)
        if undoStack.count > EditHistory.capacity { undoStack.removeFirst(undoStack.count - EditHistory.capacity) }
        redoStack.removeAll()
    }

    /// Takes the newest entry off one stack, puts `current` on the other; nil when there is nothing.
    fileprivate mutating func step(back: Bool, from current: Input) -> Input? {
        guard let entry = back ? undoStack.popLast() : redoStack.popLast() else { return nil }
        if back { redoStack.append(current) } else { undoStack.append(current) }
        gestureStart = nil
        restoring = true
        return entry
    }
}

/// Records the edit `message` made (see `EditHistory`); `update` calls it after every message.
func recordEdit(_ state: inout AppState, from before: EditHistory.Snapshot) {
    var history = state.edits
    history.note(before: before, after: state)
    state.edits = history
}

/// `u` undoes, `U` redoes. Returns nil for any other character.
func handleEditHistoryKey(_ state: inout AppState, _ c: Character) -> [Effect]? {
    guard c == "u" || c == "U" else { return nil }
    let back = c == "u"
    let current = EditHistory.Input(image: state.image, hole: state.hole, mask: state.mask)
    guard let entry = state.edits.step(back: back, from: current) else {
        state.notice = back ? "nothing to undo on this \(state.library.dataset.itemNoun) (a new one starts a new history)"
            : "nothing to redo"
        return []
    }
    state.drag = nil
    state.image = entry.image
    state.hole = entry.hole
    state.mask = entry.mask
    let left = back ? state.edits.undoStack.count : state.edits.redoStack.count
    state.notice = (back ? "undone" : "redone") + (left > 0 ? " (\(left) more)" : "")
    return inputChanged(&state)
}
