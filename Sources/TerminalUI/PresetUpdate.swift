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

/// What the UI needs to show a comparison preset the runtime has just started (`ComparisonPreset`): its first
/// arm's start (digits, hole, lesson; every arm has the same digits) and what the comparison adds.
public struct ComparisonStart: Sendable, Equatable {
    public var name: ComparisonName
    public var firstArm: PresetStart
    /// Each network's name, model 0 first (the panels' titles and the chart's legend).
    public var names: [String]
    /// The comparison's hint: the first notice.
    public var hint: String
    /// For the status block's data line (the arm's data and how the turns go).
    public var dataLabel: String

    public init(name: ComparisonName, firstArm: PresetStart, names: [String], hint: String, dataLabel: String) {
        precondition(names.count >= 2, "a comparison of \(names.count) networks")
        self.name = name; self.firstArm = firstArm; self.names = names; self.hint = hint; self.dataLabel = dataLabel
    }
}

/// `x` opens the preset menu. Returns nil for any other character.
func handlePresetKey(_ state: inout AppState, _ c: Character) -> [Effect]? {
    guard c == "x" else { return nil }
    state.prompt = .presetMenu
    return []
}

/// In the menu: 1–9 asks the runtime for that preset, a–d for that comparison; Esc or anything else closes it.
func handlePresetMenu(_ state: inout AppState, _ key: Key) -> [Effect] {
    state.prompt = nil
    if case .character(let c) = key, let comparison = PresetMenu.comparison(forKey: c) {
        state.notice = "preparing \(comparison.presetName)…"
        return [.startComparison(comparison)]
    }
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
    state.comparison = ModelComparison()   // a preset after a comparison: one network again
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

/// Shows the comparison: its first arm as a preset start would, then a panel, a curve and a status entry per
/// network under the comparison's name (`--preset compare-…` sets up the same, `ComparisonRun.apply`).
func applyComparisonStart(_ state: inout AppState, _ start: ComparisonStart) -> [Effect] {
    let effects = applyPresetStart(&state, start.firstArm)
    state.showComparison(start.name, names: start.names, hint: start.hint, dataLabel: start.dataLabel)
    return effects
}

extension AppState {
    /// A comparison on screen, live (`x`) or at start (`ComparisonRun.apply`): its name in the header, its hint
    /// as the notice, the status block's data and model lines, and a panel, a curve and a status entry per network.
    public mutating func showComparison(_ name: ComparisonName, names: [String], hint: String, dataLabel: String) {
        preset = name.presetName
        notice = hint
        training.dataset = dataLabel
        training.modelFile = names.joined(separator: " vs ")
        comparison = ModelComparison(names: names, title: name.presetName)
    }
}
