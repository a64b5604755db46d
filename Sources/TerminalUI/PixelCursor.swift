import Datasets
import Foundation

/// The pixel readout and explain mode's state (issue 13 §2 and §3): which pixel is pointed at, by the
/// mouse (motion without a button, `?1003h`) or by the keyboard cursor (`i`), and what the runtime answered.
public struct PixelProbe: Sendable, Equatable {
    /// `i`: a keyboard cursor; while on, the arrows move it instead of the hole (Esc or `i` leaves).
    public var keyboard = false
    /// The pixel pointed at, row-major in 0..<784; nil when none.
    public var pixel: Int?
    /// `E`: explain mode; the saliency and top-map panels are shown and kept up to date.
    public var explaining = false
    /// The newest answer to `.explain`, and the request it answers.
    public var saliency: PixelSaliency?
    public var saliencyRevision = -1
    /// The last `.explain` asked for: (request revision, input revision, model revision, pixel).
    var explainAsked: ExplainQuestion?
    var explainRevision = 0

    /// Each preset group's mean hole MSE (`.measureGroups`), for the library named `groupScoresLibrary`.
    public var groupScores: [GroupScore]?
    public var groupScoresLibrary: String?
    public internal(set) var groupsRevision = 0
    public internal(set) var groupsPending = false
    var groupsAsked: GroupsQuestion?
    var ticksSinceGroups = 0

    public init() {}

    /// The explain panels, placed after the optional panels while explain mode is on.
    public var shownPanels: [PanelKind] { explaining ? [.saliency, .topMap] : [] }
}

struct GroupsQuestion: Sendable, Equatable {
    var mask: [Float]
    var modelRevision: Int
    var library: String
}

struct ExplainQuestion: Sendable, Equatable {
    var inputRevision: Int
    var modelRevision: Int
    var pixel: Int
}

// MARK: keys and mouse

/// `i`, `E`, and the arrows and Esc while the keyboard cursor is on; nil for every other key.
func handleProbeKey(_ state: inout AppState, _ key: Key) -> [Effect]? {
    switch key {
    case .character("i"):
        state.probe.keyboard.toggle()
        if state.probe.keyboard {
            if state.probe.pixel == nil { state.probe.pixel = defaultProbePixel(state) }
        } else if !state.probe.explaining {
            state.probe.pixel = nil
        }
        return refreshExplain(&state)
    case .character("E"):
        state.probe.explaining.toggle()
        state.drag = nil
        if state.probe.explaining {
            if state.probe.pixel == nil { state.probe.pixel = defaultProbePixel(state) }
            return refreshExplain(&state)
        }
        state.probe.explainAsked = nil
        if !state.probe.keyboard { state.probe.pixel = nil }
        return []
    case .escape where state.probe.keyboard:
        state.probe.keyboard = false
        if !state.probe.explaining { state.probe.pixel = nil }
        return []
    case .up, .down, .left, .right:
        guard state.probe.keyboard, let pixel = state.probe.pixel else { return nil }
        let (dy, dx) = key == .up ? (-1, 0) : key == .down ? (1, 0) : key == .left ? (0, -1) : (0, 1)
        let row = min(max(0, pixel / Digit.side + dy), Digit.side - 1)
        let column = min(max(0, pixel % Digit.side + dx), Digit.side - 1)
        state.probe.pixel = row * Digit.side + column
        return refreshExplain(&state)
    default:
        return nil
    }
}

/// The hole's centre (or the image's), where the cursor starts.
private func defaultProbePixel(_ state: AppState) -> Int {
    guard let hole = state.hole else { return (Digit.side / 2) * Digit.side + Digit.side / 2 }
    return (hole.top + hole.height / 2) * Digit.side + hole.left + hole.width / 2
}

/// Mouse motion with no button held: the pixel under the pointer on any digit panel. Off the panels the
/// readout goes, except while the keyboard cursor or explain mode holds a pixel (so the pointer can travel
/// to the explain panels without losing what they show).
func handleHover(_ state: inout AppState, layout: Layout, x: Int, y: Int) -> [Effect] {
    if let hit = layout.panel(atX: x, y: y) {
        let centre = DigitPanel.brushCentre(cellX: hit.cellX, cellY: hit.cellY, side: layout.side)
        let row = min(max(0, Int(centre.row - 0.5)), Digit.side - 1)
        let column = min(max(0, Int(centre.column)), Digit.side - 1)
        state.probe.pixel = row * Digit.side + column
    } else if !state.probe.keyboard && !state.probe.explaining {
        state.probe.pixel = nil
    }
    return refreshExplain(&state)
}

// MARK: effects and answers

/// In explain mode, asks for the pointed pixel's saliency when the pixel, the input or the weights changed
/// since the last question (the runtime keeps only the newest of a burst).
func refreshExplain(_ state: inout AppState) -> [Effect] {
    guard state.probe.explaining, let pixel = state.probe.pixel else { return [] }
    let question = ExplainQuestion(inputRevision: state.inputRevision, modelRevision: state.modelRevision, pixel: pixel)
    guard question != state.probe.explainAsked else { return [] }
    state.probe.explainAsked = question
    state.probe.explainRevision += 1
    return [.explain(revision: state.probe.explainRevision, image: state.image, mask: state.mask, pixel: pixel)]
}

/// How many of a group's digits the group means are taken over (evenly spaced through the group): the
/// `full` preset's group is the whole test split, 10,000 digits, too many to rerun as the weights move.
public let groupSampleLimit = 64
/// Ticks (250 ms each, the driver's) between two group measurements while the weights keep moving: the
/// means follow training every 2 s or so instead of costing a pass over every group on every tick.
let groupMeasureTicks = 8

/// On a tick: in a library with groups, asks for each group's mean hole MSE with the current hole when
/// the hole, the library or (at most every `groupMeasureTicks`) the weights changed, one question at a time.
func measureGroupsIfDue(_ state: inout AppState) -> [Effect] {
    state.probe.ticksSinceGroups += 1
    let library = state.library
    guard !library.groups.isEmpty, state.drag == nil, !state.probe.groupsPending else { return [] }
    let due: Bool
    if let asked = state.probe.groupsAsked {
        due = asked.mask != state.mask || asked.library != library.name
            || (asked.modelRevision != state.modelRevision && state.probe.ticksSinceGroups >= groupMeasureTicks)
    } else {
        due = true
    }
    guard due else { return [] }
    state.probe.groupsAsked = GroupsQuestion(mask: state.mask, modelRevision: state.modelRevision, library: library.name)
    state.probe.groupsPending = true
    state.probe.ticksSinceGroups = 0
    state.probe.groupsRevision += 1
    let samples = library.groups.map { group -> GroupSample in
        let count = min(group.range.count, groupSampleLimit)
        let indices = (0..<count).map { group.range.lowerBound + $0 * group.range.count / count }
        return GroupSample(name: group.name, images: indices.flatMap { library.image(at: $0) }, count: count,
                           groupSize: group.range.count)
    }
    return [.measureGroups(revision: state.probe.groupsRevision, library: library.name, mask: state.mask, groups: samples)]
}

/// `.explained` and `.groupsMeasured`.
func applyProbeAnswer(_ state: inout AppState, _ message: Message) {
    switch message {
    case .explained(let revision, let saliency):
        guard revision >= state.probe.saliencyRevision else { return }
        state.probe.saliency = saliency
        state.probe.saliencyRevision = revision
    case .groupsMeasured(let revision, let library, let scores):
        if revision == state.probe.groupsRevision { state.probe.groupsPending = false }
        guard revision >= 0 else { return }
        state.probe.groupScores = scores
        state.probe.groupScoresLibrary = library
    default:
        break
    }
}

// MARK: what the runtime is asked and answers

/// Some of a preset group's digits, for `.measureGroups`.
public struct GroupSample: Sendable, Equatable {
    public var name: String
    /// [count, 784].
    public var images: [Float]
    public var count: Int
    /// How many digits the whole group has (the sample is evenly spaced through it).
    public var groupSize: Int
    public init(name: String, images: [Float], count: Int, groupSize: Int) {
        precondition(images.count == count * Digit.pixels, "\(images.count) floats for \(count) digits")
        self.name = name; self.images = images; self.count = count; self.groupSize = groupSize
    }
}

/// One group's mean hole MSE over its sample, pooled over the hole pixels (as `inpaint eval`'s MSE).
public struct GroupScore: Sendable, Equatable {
    public var name: String
    public var mse: Double
    public var count: Int
    public init(name: String, mse: Double, count: Int) { self.name = name; self.mse = mse; self.count = count }
}

// MARK: the readout

/// The status block's lines for the probe: the pixel's values, then, in a preset, the group means. Each in
/// the longest form that fits the status block's value column on one row (80×24 gives 31 cells), so the
/// shortest pane still shows them.
func probeStatusLines(_ state: AppState) -> [(label: String, value: String)] {
    let width = state.layout.status.width - StatusBlock.labelWidth
    func fitted(_ forms: [String]) -> String { forms.first { $0.count <= width } ?? forms.last! }
    var lines: [(label: String, value: String)] = []
    if let pixel = state.probe.pixel {
        let at = "(\(pixel / Digit.side),\(pixel % Digit.side))", hole = state.mask[pixel] == 0
        let original = PanelNumbers.short(Double(state.image[pixel]), digits: 2)
        var forms = ["\(at)\(hole ? " hole" : "")  orig \(original)", "\(at) x \(original)"]
        if let reconstruction = state.reconstruction {
            let error = reconstruction[pixel] - state.image[pixel]
            let y = PanelNumbers.short(Double(reconstruction[pixel]), digits: 2)
            let e = (error < 0 ? "-" : "+") + PanelNumbers.short(Double(abs(error)), digits: 2)
            forms = ["\(at)\(hole ? " hole" : "")  orig \(original)  recon \(y)  err \(e)",
                     "\(at)\(hole ? "h" : "") orig \(original) rec \(y) err \(e)", "\(at) x \(original) y \(y) \(e)"]
        }
        lines.append((state.probe.keyboard ? "cursor" : "pixel", fitted(forms)))
    }
    if let scores = state.probe.groupScores, state.probe.groupScoresLibrary == state.library.name, !scores.isEmpty {
        let current = state.digitIndex.flatMap { state.library.groupName(of: $0) }
        let sampled = scores.contains { score in
            state.library.groups.first { $0.name == score.name }.map { $0.range.count > score.count } ?? false
        }
        func means(_ separator: String, nameLength: Int = .max, mark: Bool) -> String {
            scores.map { (mark && $0.name == current ? "•" : "") + String($0.name.prefix(nameLength)) + " "
                + PanelNumbers.short($0.mse, digits: 3) }.joined(separator: separator)
        }
        let note = sampled ? " (this hole, ≤\(groupSampleLimit) each)" : " (this hole)"
        // "training: training .012  unseen test .034": the digit's group first, then every group's mean with the
        // digit's marked; with one group (one-seven) neither, or it said "the one training 7: the one training 7".
        let mark = scores.count > 1
        let named = mark ? ["\(current ?? "drawn"): " + means("  ", mark: false) + note] : []
        lines.append(("hole MSE", fitted(named + [
            means("  ", mark: mark) + note, means("  ", mark: mark), means(" ", mark: mark),
            means(" ", nameLength: 6, mark: mark), means(" ", nameLength: 3, mark: mark),
        ])))
    }
    return lines
}

/// The pointed pixel marked on every digit panel (and the saliency panel): a '+' over the cell that shows it.
func drawProbeMarks(_ state: AppState, layout: Layout, into buffer: inout CellBuffer, theme: Theme) {
    guard let pixel = state.probe.pixel, !layout.tooSmall else { return }
    let side = layout.side
    let cx = (pixel % Digit.side) * side / Digit.side, cy = (pixel / Digit.side) * side / Digit.side / 2
    for placement in layout.panels where placement.kind.showsDigit || placement.kind == .saliency {
        let x = placement.x + cx, y = placement.digitY + cy
        let under = buffer[x, y]
        buffer[x, y] = Cell(state.style.ascii ? "+" : "╋", foreground: theme.accent.foreground == .terminalDefault
                                ? .terminalDefault : theme.accent.foreground,
                            background: state.style.ascii ? .terminalDefault : under.background,
                            attributes: theme.accent.attributes.union(.bold))
    }
}

/// The readouts drawn over the panels: the numbers under each fill panel, the error panel's scale, the
/// explain panels' numbers and the pointed pixel's mark. One call from `view`.
func drawReadouts(_ state: AppState, layout: Layout, into buffer: inout CellBuffer, theme: Theme) {
    guard !layout.tooSmall else { return }
    for placement in layout.panels {
        let title = panelTitle(state, placement.kind)
        switch placement.kind {
        // In a comparison, each model's panels get that model's numbers (`placement.model`).
        case .reconstruction:
            PanelNumbers.draw(original: state.image, mask: state.mask, fill: state.reconstruction(ofModel: placement.model),
                              under: placement, title: title, layout: layout, into: &buffer, theme: theme)
        case .composite:
            PanelNumbers.draw(original: state.image, mask: state.mask,
                              fill: state.reconstruction(ofModel: placement.model).map { _ in state.composite(ofModel: placement.model) },
                              under: placement, title: title, layout: layout, into: &buffer, theme: theme)
        case .classicalFill:
            PanelNumbers.draw(original: state.image, mask: state.mask, fill: state.panels.fill, under: placement,
                              title: title, layout: layout, into: &buffer, theme: theme)
        case .error:
            let reconstruction = state.reconstruction(ofModel: placement.model) ?? state.maskedInput
            let errors = (0..<Digit.pixels).map { (1 - state.mask[$0]) * abs(reconstruction[$0] - state.image[$0]) }
            ErrorScale.draw(errors: errors, mask: state.mask, under: placement, title: title, layout: layout,
                            into: &buffer, style: state.style, theme: theme)
        case .saliency, .topMap:
            drawExplainNumbers(state, placement, title: title, layout: layout, into: &buffer, theme: theme)
        default:
            break
        }
    }
    drawProbeMarks(state, layout: layout, into: &buffer, theme: theme)
}

/// The key line while the keyboard cursor is on: the arrows are the cursor's.
func probeKeyHints(_ state: AppState) -> [KeyHint] {
    [KeyHint("arrows", "move the cursor"), KeyHint("Esc/i", "leave the cursor"),
     KeyHint("E", state.probe.explaining ? "explain off" : "explain the pixel"), KeyHint("HJKL", "hole size")]
}
