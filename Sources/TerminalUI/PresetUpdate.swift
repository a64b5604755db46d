import Experiments
import Inpainting

/// What the UI needs to show a preset the runtime has just started (see `ExperimentPreset`).
public struct PresetStart: Sendable, Equatable {
    public var name: ExperimentName
    public var library: DigitLibrary
    public var initialHole: HoleRect?
    /// What to do and look for: the first notice.
    public var hint: String
    /// For the status block's data line.
    public var dataLabel: String
    public var learningRate: Float

    public init(name: ExperimentName, library: DigitLibrary, initialHole: HoleRect?, hint: String, dataLabel: String,
                learningRate: Float) {
        self.name = name; self.library = library; self.initialHole = initialHole; self.hint = hint
        self.dataLabel = dataLabel; self.learningRate = learningRate
    }
}

/// `x` opens the preset menu. Returns nil for any other character.
func handlePresetKey(_ state: inout AppState, _ c: Character) -> [Effect]? {
    guard c == "x" else { return nil }
    state.prompt = .presetMenu
    return []
}

/// In the menu: 1–9 asks the runtime for that preset; Esc or anything else closes it.
func handlePresetMenu(_ state: inout AppState, _ key: Key) -> [Effect] {
    state.prompt = nil
    guard case .character(let c) = key, let number = c.wholeNumberValue,
          (1...ExperimentName.presets.count).contains(number) else { return [] }
    let name = ExperimentName.presets[number - 1]
    state.notice = "preparing \(name.rawValue)…"
    return [.startPreset(name)]
}

/// Shows the preset: its digits from the first, its hole, its hint; the curves start over.
func applyPresetStart(_ state: inout AppState, _ start: PresetStart) -> [Effect] {
    state.library = start.library
    state.preset = start.name.rawValue
    state.digitIndex = 0
    state.image = start.library.image(at: 0)
    state.mode = .rectangle
    state.drag = nil
    state.panels.meanImage = nil   // the mean fill follows the new digits
    state.notice = start.hint
    state.lesson = .forPreset(start.name, lookFor: start.hint)
    state.training.dataset = start.dataLabel
    state.training.learningRate = start.learningRate
    let hole = start.initialHole ?? AppState.initialHole
    state.hole = hole
    state.mask = hole.mask()
    return inputChanged(&state)
}
