/// Where the gradient pane (`G`) and the filmstrip (`M`) go: inside the loss chart's rectangle of the
/// `Layout`, so no other part of the screen moves when they are toggled.
///
/// Top to bottom: the loss chart, the gradient pane, the filmstrip, a blank row between two of them. The
/// loss chart keeps at least `lossMinimumRows` when the panes fit under it (150×44, 220×60); a wide chart
/// too short for that (under a row of large digits, 180×44) has them at its right; elsewhere (80×24, 100×30)
/// they replace it, and the key line says which key brings it back. When even both
/// panes do not fit, the filmstrip is kept and the gradient pane is left out (its title row says so, the key
/// line too).
struct InsidePanes {
    let state: AppState
    private(set) var lossChart: Rect
    private(set) var gradients: Rect?
    private(set) var filmstrip: Rect?
    /// Pixels per side of the filmstrip's digits.
    private(set) var filmstripSide = Filmstrip.sides[0]
    /// True when a pane took the loss chart's place.
    private(set) var lossReplaced = false
    /// True when `G` is on but the gradient pane found no room.
    private(set) var gradientsHidden = false

    /// The chart's legend and at least 7 rows of plot: fewer makes the curve a smear.
    static let lossMinimumRows = 8
    /// The narrowest loss chart and pane that go side by side: the legend is 37 cells, a pane row ~40.
    static let sideBySideMinimum = 60

    init(_ state: AppState, chart: Rect) {
        self.state = state
        self.lossChart = chart
        let inside = state.inside
        guard chart.height > 0, chart.width > 0, inside.showGradients || inside.showFilmstrip else { return }
        let gradientRows = inside.showGradients ? GradientPane.rows(for: state) : nil
        if fit(in: chart, below: InsidePanes.lossMinimumRows + 1, gradientRows: gradientRows) { return }
        // A wide, short chart (the pane under a row of large digits, 180×44): the panes beside the loss chart.
        let half = chart.width / 2
        let right = Rect(x: chart.x + half + 1, y: chart.y, width: chart.width - half - 1, height: chart.height)
        if half >= InsidePanes.sideBySideMinimum, fit(in: right, below: 0, gradientRows: gradientRows) {
            lossChart = Rect(x: chart.x, y: chart.y, width: half - 1, height: chart.height)
            return
        }
        lossReplaced = true
        lossChart = Rect(x: chart.x, y: chart.y, width: chart.width, height: 0)
        if !fit(in: chart, below: 0, gradientRows: gradientRows), inside.showFilmstrip {
            gradientsHidden = inside.showGradients
            _ = fit(in: chart, below: 0, gradientRows: nil)
        }
        if gradients == nil && filmstrip == nil {   // nothing fits even there: keep the chart
            lossReplaced = false
            lossChart = chart
            gradientsHidden = inside.showGradients
        }
    }

    /// Places the panes asked for in `chart` under its first `below` rows (the loss chart's, gap included);
    /// false when they do not fit there, leaving the placement unchanged.
    private mutating func fit(in chart: Rect, below: Int, gradientRows: (minimum: Int, wanted: Int)?) -> Bool {
        var room = chart.height - below
        var filmRows = 0, side = Filmstrip.sides[0]
        if state.inside.showFilmstrip {
            let left = room - (gradientRows.map { $0.minimum + 1 } ?? 0)
            guard let choice = Filmstrip.bestSide(width: chart.width, height: left, oneRow: below > 0) else { return false }
            side = choice.side
            filmRows = choice.rows
            room -= filmRows
        }
        var gradientHeight = 0
        if let gradientRows {
            let available = room - (filmRows > 0 ? 1 : 0)
            guard available >= gradientRows.minimum else { return false }
            gradientHeight = min(gradientRows.wanted, available)
        }
        // The loss chart takes what the panes leave (all of the rows above them when it is kept).
        let used = gradientHeight + filmRows + (gradientHeight > 0 && filmRows > 0 ? 1 : 0)
        var y = chart.y + chart.height - used
        if below > 0 {
            lossChart = Rect(x: chart.x, y: chart.y, width: chart.width, height: chart.height - used - 1)
        } else {
            y = chart.y
        }
        if gradientHeight > 0 {
            gradients = Rect(x: chart.x, y: y, width: chart.width, height: gradientHeight)
            y += gradientHeight + (filmRows > 0 ? 1 : 0)
        }
        if filmRows > 0 {
            filmstrip = Rect(x: chart.x, y: y, width: chart.width, height: filmRows)
            filmstripSide = side
        }
        return true
    }

    func draw(into buffer: inout CellBuffer, theme: Theme) {
        if let gradients { GradientPane(state: state).draw(into: &buffer, rect: gradients, theme: theme) }
        if let filmstrip {
            Filmstrip(state: state, side: filmstripSide).draw(into: &buffer, rect: filmstrip, theme: theme)
            if gradientsHidden {
                buffer.put("(no room for the gradients: G hides them)", x: filmstrip.x, y: filmstrip.y + filmstrip.height - 1,
                           style: theme.dim, maxWidth: filmstrip.width)
            }
        }
    }

    /// The key line's first hints while a pane is on: how to bring the loss chart back, or hide the pane.
    static func keyHints(_ state: AppState) -> [KeyHint] {
        let inside = state.inside
        guard inside.showGradients || inside.showFilmstrip else { return [] }
        let panes = InsidePanes(state, chart: state.layout.chart)
        let keys = (inside.showGradients ? "G" : "") + (inside.showFilmstrip ? (inside.showGradients ? "/M" : "M") : "")
        if panes.lossReplaced { return [KeyHint(keys, "loss chart back")] }
        return [KeyHint(keys, "hide")]
    }
}
