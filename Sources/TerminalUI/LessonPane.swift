import Experiments
import Inpainting

/// What the lesson pane (`o`) teaches: the running preset's "look for" line (`ExperimentPreset.hint`), which
/// as the first notice vanished at the first key press. On when a preset starts (`--preset`, the `x` menu),
/// off otherwise; `o` toggles it either way.
public struct Lesson: Sendable, Equatable {
    public var shown = false
    /// The preset whose figure the pane names; nil: no preset runs.
    public var preset: ExperimentName?
    /// What to do and what to look for (the preset's hint).
    public var lookFor: String?

    public init(shown: Bool = false, preset: ExperimentName? = nil, lookFor: String? = nil) {
        self.shown = shown; self.preset = preset; self.lookFor = lookFor
    }

    /// A preset has started: its lesson, shown.
    public static func forPreset(_ name: ExperimentName, lookFor: String) -> Lesson {
        Lesson(shown: true, preset: name, lookFor: lookFor)
    }
}

/// `o` toggles the lesson pane. Returns nil for any other character.
func handleLessonKey(_ state: inout AppState, _ c: Character) -> [Effect]? {
    guard c == "o" else { return nil }
    state.lesson.shown.toggle()
    return []
}

/// The lesson pane: what to look for, the report's figure the preset reproduces, and what each panel on
/// screen means (the loss chart too, when it stays visible).
///
/// It takes its room from the loss chart (`Layout.chart`): the rows above the chart when the chart keeps
/// `chartMinimumRows`; the left part of a wide, short chart (the pane below the panels); else the chart's
/// whole place (80×24), in which case its title says that `o` brings the chart back. Without a chart
/// (the presenter layout's one-line status) it is a box over the bottom left of the panels, the original's
/// corner: the panel that teaches least. The text is
/// wrapped to the room; the panels' meanings have a long and a short form, and the short ones are used
/// where the long do not fit. Pure, like every view: the same geometry is asked by `view` and the key line.
public enum LessonPane {
    /// A chart narrower than this is not shared side by side.
    static let minimumWidth = 34
    static let chartMinimumRows = 8

    /// Where the pane goes on this screen, the chart's room beside it, and the rows it shows.
    public struct Placement: Equatable {
        public var rect: Rect
        public var chart: Rect
        /// Drawn as a box over the panels (no chart to take the place of).
        public var overlay: Bool
        public var rows: [Row]
        /// True when the pane took the chart's whole place.
        public var chartHidden: Bool { chart.height < 4 && !overlay }
    }

    public struct Row: Equatable {
        enum Role: Equatable { case title, label, text, dim }
        /// Parts of the row, drawn one after the other.
        var parts: [(text: String, role: Role)]
        public var text: String { parts.map(\.text).joined() }
        public static func == (a: Row, b: Row) -> Bool {
            a.parts.map(\.text) == b.parts.map(\.text) && a.parts.map(\.role) == b.parts.map(\.role)
        }
    }

    /// The pane and the chart for `state` on its layout; nil when the pane is off or there is no layout.
    public static func placement(_ state: AppState) -> Placement? {
        let layout = state.layout
        guard state.lesson.shown, !layout.tooSmall else { return nil }
        let chart = layout.chart
        let kinds = layout.panels.map(\.kind)
        if chart.height < 4 || chart.width < 20 {
            let width = min(state.screenWidth - 2, 64)
            let height = max(3, min(state.screenHeight - 4, 12))
            for long in [true, false] {
                let rows = lines(state, panels: kinds, chart: false, width: width - 4, long: long, chartHidden: false)
                if rows.count + 2 <= height || !long {
                    let h = min(height, rows.count + 2)
                    let rect = Rect(x: 1, y: max(1, layout.helpRow - 1 - h), width: width, height: h)
                    return Placement(rect: rect, chart: chart, overlay: true, rows: cut(rows, to: h - 2, width: width - 4))
                }
            }
        }
        // Above the chart, which keeps its minimum rows: long forms, then short.
        for long in [true, false] {
            let rows = lines(state, panels: kinds, chart: true, width: chart.width, long: long, chartHidden: false)
            let rest = chart.height - rows.count - 1
            if rest >= chartMinimumRows {
                return Placement(rect: Rect(x: chart.x, y: chart.y, width: chart.width, height: rows.count),
                                 chart: Rect(x: chart.x, y: chart.y + rows.count + 1, width: chart.width, height: rest),
                                 overlay: false, rows: rows)
            }
        }
        // Beside a wide chart (the pane below the panels): the left half.
        if chart.width >= 2 * minimumWidth + 2 {
            let width = max(minimumWidth, chart.width / 2 - 1)
            for long in [true, false] {
                let rows = lines(state, panels: kinds, chart: true, width: width, long: long, chartHidden: false)
                if rows.count <= chart.height {
                    return Placement(rect: Rect(x: chart.x, y: chart.y, width: width, height: chart.height),
                                     chart: Rect(x: chart.x + width + 2, y: chart.y, width: chart.width - width - 2,
                                                 height: chart.height),
                                     overlay: false, rows: rows)
                }
            }
        }
        // The chart's whole place.
        var rows = lines(state, panels: kinds, chart: false, width: chart.width, long: true, chartHidden: true)
        if rows.count > chart.height {
            rows = lines(state, panels: kinds, chart: false, width: chart.width, long: false, chartHidden: true)
        }
        return Placement(rect: chart, chart: Rect(x: chart.x, y: chart.y, width: chart.width, height: 0), overlay: false,
                         rows: cut(rows, to: chart.height, width: chart.width))
    }

    /// The rows of the pane, wrapped to `width`: a title, what to look for, the figure, then one paragraph per
    /// panel on screen (and the chart's when `chart`).
    static func lines(_ state: AppState, panels: [PanelKind], chart: Bool, width: Int, long: Bool,
                      chartHidden: Bool) -> [Row] {
        let title = state.lesson.preset.map { "lesson: \($0.rawValue)" } ?? "lesson"
        let backs = chartHidden ? ["  o: show the chart", "  o: chart"] : ["  o: hide"]
        let back = backs.first { title.count + $0.count <= width } ?? ""
        var rows = [Row(parts: [(String(title.prefix(width)), .title), (back, .dim)])]
        var paragraphs: [(label: String, text: String)] = []
        if let preset = state.lesson.preset {
            paragraphs.append(("look for", state.lesson.lookFor ?? preset.summary))
            paragraphs.append(("figure", figure(preset, long: long)))
        } else {
            paragraphs.append(("look for", long
                ? "drag a hole over the masked input and watch the reconstruction fill it; x trains one of the report's experiments, each with its own lesson"
                : "drag a hole, watch the fill; x: the report's experiments"))
        }
        // Once per kind: a comparison shows a reconstruction and a composite per model.
        var said = Set<PanelKind>()
        for kind in panels where said.insert(kind).inserted { paragraphs.append((kind.title, meaning(of: kind, state, long: long))) }
        if chart { paragraphs.append(("loss chart", chartMeaning(long: long))) }
        for paragraph in paragraphs {
            rows += wrap(label: paragraph.label, text: paragraph.text, width: width)
        }
        return rows
    }

    /// "label: text", wrapped to `width` with continuation rows indented by one.
    static func wrap(label: String, text: String, width: Int) -> [Row] {
        guard width > 4 else { return [] }
        let head = label + ": "
        let first = HelpOverlay.wrap(text, width: max(1, width - head.count))
        guard let line = first.first else { return [] }
        var rows = [Row(parts: [(head, .label), (line, .text)])]
        let rest = first.dropFirst().joined(separator: " ")
        if !rest.isEmpty {
            rows += HelpOverlay.wrap(rest, width: width - 1).map { Row(parts: [(" " + $0, .text)]) }
        }
        return rows
    }

    /// At most `count` rows, the last ending in "…" when some were left out.
    static func cut(_ rows: [Row], to count: Int, width: Int) -> [Row] {
        guard rows.count > count else { return rows }
        guard count > 0 else { return [] }
        var kept = Array(rows.prefix(count))
        let last = kept[count - 1].text
        kept[count - 1] = Row(parts: [(String(last.prefix(max(0, width - 1))) + "…", .dim)])
        return kept
    }

    /// The report's figure the preset reproduces (Hu & Velarde 2016), or what it shows beyond the report.
    /// Short: the figure's number alone ("Hu & Velarde's Fig. 3").
    static func figure(_ preset: ExperimentName, long: Bool = true) -> String {
        let summary = preset.summary
        if summary.hasPrefix("Fig.") {
            return "Hu & Velarde's " + (long ? summary : String(summary.prefix { $0 != ":" }))
        }
        if !long { return "beyond the report's figures" }
        if summary.hasPrefix("beyond the report") { return summary }
        return "beyond the report's figures: " + summary
    }

    /// One or two sentences on what a panel shows (short: a few words, for 80×24).
    static func meaning(of kind: PanelKind, _ state: AppState, long: Bool) -> String {
        let maskChannel = state.model?.config.maskChannel
        switch kind {
        case .original:
            return long ? "the digit as the data set has it: the truth the fill is scored against; the network never sees it whole."
                : "the truth"
        case .masked:
            switch maskChannel {
            case true?:
                return long ? "x ⊙ M, the network's input: the hole's pixels set to 0, and the mask M as a second channel, so it can tell a hole from black background."
                    : "the input, hole = 0, + the mask"
            case false?:
                return long ? "x ⊙ M, the network's only input: the hole's pixels set to 0, which to it looks just like black background (one channel, no mask)."
                    : "the only input: hole = 0"
            case nil:
                return long ? "x ⊙ M, what the network gets: the digit with the hole's pixels set to 0." : "the input: hole = 0"
            }
        case .reconstruction:
            return long ? "the network's whole 28×28 output. The loss is L2 on the hole only, so outside the hole it need not match."
                : "the whole output"
        case .composite:
            return long ? "the known pixels kept and the hole filled from the reconstruction: the inpainted digit."
                : "known pixels + the fill"
        case .error:
            return long ? "|reconstruction − original| on the hole: brighter is worse." : "|fill − truth|, bright = bad"
        case .classicalFill:
            return long ? "the same hole filled without learning (\(state.panels.fillMethod.title); F cycles the five): the baseline to beat."
                : "a fill without learning"
        case .guesses:
            return long ? "a separate classifier's top 3 for the original and the composite; orange when the fill changed what the digit reads as."
                : "what a classifier reads"
        case .features:
            return long ? "the encoder's maps after its third convolution: what the channel-wise layer receives, each map stretched to its own range."
                : "what the encoder sees"
        case .saliency:
            return long ? "how much each input pixel moves the pointed output pixel (|∂y/∂x| from one backward pass): the channel-wise layer lets every position see every other."
                : "which input pixels the pointed one uses"
        case .topMap:
            return long ? "the encoder map that contributes most to the pointed pixel (largest |Σ gradient × activation|), enlarged."
                : "the map the pointed pixel leans on"
        }
    }

    static func chartMeaning(long: Bool) -> String {
        long ? "L2 loss on the hole by step: train on the training batches, eval on held-out digits. Eval rising while train falls is overfitting."
            : "hole loss, train vs held-out"
    }

    /// The chart's room on this screen: the layout's, less what the lesson pane takes.
    static func chartRect(_ state: AppState) -> Rect {
        placement(state)?.chart ?? state.layout.chart
    }

    static func draw(_ state: AppState, into buffer: inout CellBuffer, theme: Theme) {
        guard let placement = placement(state) else { return }
        var rect = placement.rect
        if placement.overlay {
            let blank = Cell(" ", foreground: theme.overlay.foreground, background: theme.overlay.background,
                             attributes: theme.overlay.attributes)
            buffer.fill(x: rect.x, y: rect.y, width: rect.width, height: rect.height, with: blank)
            rect = Rect(x: rect.x + 2, y: rect.y + 1, width: rect.width - 4, height: rect.height - 2)
        } else {
            buffer.fill(x: rect.x, y: rect.y, width: rect.width, height: rect.height, with: .blank)
        }
        for (i, row) in placement.rows.prefix(rect.height).enumerated() {
            var x = rect.x
            for part in row.parts {
                var style: TextStyle
                switch part.role {
                case .title: style = theme.title
                case .label: style = theme.accent
                case .text: style = theme.text
                case .dim: style = theme.dim
                }
                if placement.overlay {
                    style.background = theme.overlay.background
                    if part.role == .text { style.foreground = theme.overlay.foreground }
                }
                x = buffer.put(part.text, x: x, y: rect.y + i, style: style, maxWidth: rect.x + rect.width - x)
            }
        }
    }

    /// The key line's hint for the pane: how to show it, or (when it took the chart's place) the chart.
    static func keyHint(_ state: AppState) -> KeyHint {
        guard let placement = placement(state) else { return KeyHint("o", "lesson") }
        return placement.chartHidden ? KeyHint("o", "chart") : KeyHint("o", "hide lesson")
    }
}

/// The key line's hints with the lesson's and undo's put in: `o: chart` early when the pane took the chart's
/// place (so the way back is on screen), `o: lesson` where a preset runs with the pane hidden, and
/// `u/U: undo/redo` once there is something to undo or redo.
func withLessonAndUndoHints(_ state: AppState, _ hints: [KeyHint]) -> [KeyHint] {
    var hints = hints
    let lesson = LessonPane.keyHint(state)
    let position = lesson.action == "chart" ? 1 : state.lesson.preset != nil ? 3 : hints.count
    hints.insert(lesson, at: min(position, hints.count))
    if state.edits.canUndo || state.edits.canRedo {
        hints.insert(KeyHint("u/U", "undo/redo"), at: min(state.mode == .rectangle ? 5 : 2, hints.count))
    }
    return hints
}
