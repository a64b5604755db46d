import Datasets

/// The digit panels the screen can show.
public enum PanelKind: String, Sendable, Equatable, CaseIterable {
    case original, masked, reconstruction, composite, error
    /// Optional panels (`f`, `t`, `v`): a classical fill, the classifier's top-3, the encoder's maps.
    case classicalFill, guesses, features
    /// Explain mode (`E`): the pointed pixel's saliency over the input, and the encoder map it leans on most.
    case saliency, topMap

    /// Whether the panel shows one 28×28 digit, so a drag on it cuts a hole like on the others.
    public var showsDigit: Bool { self != .guesses && self != .features && self != .saliency && self != .topMap }

    public var title: String {
        switch self {
        case .original: return "original"
        case .masked: return "masked input"
        case .reconstruction: return "reconstruction"
        case .composite: return "composite"
        case .error: return "error on hole"
        case .classicalFill: return "classical fill"
        case .guesses: return "classifier top-3"
        case .features: return "encoder maps"
        case .saliency: return "saliency"
        case .topMap: return "top map"
        }
    }
}

public struct Rect: Sendable, Equatable {
    public var x: Int, y: Int, width: Int, height: Int
    public init(x: Int, y: Int, width: Int, height: Int) { self.x = x; self.y = y; self.width = width; self.height = height }
    public func contains(x px: Int, y py: Int) -> Bool { px >= x && py >= y && px < x + width && py < y + height }
}

/// A digit panel on screen: a title row at `y`, the digit's cells from `y + 1`.
public struct PanelPlacement: Sendable, Equatable {
    public var kind: PanelKind
    public var x: Int
    public var y: Int
    /// Which model's reconstruction, composite or error it shows (0 without a comparison).
    public var model = 0
    public var digitY: Int { y + 1 }
}

/// Where everything goes for a given terminal size: the pure geometry that both `view` (drawing) and
/// `update` (mouse hit-testing) use, so they can never disagree.
///
/// Every panel shows its digit at the same size, `side` pixels a side (side columns × side/2 rows). Sizes
/// are tried from the largest down, and at each size the arrangements in turn, first fit wins: panels in
/// a row with the loss/status pane at the side; in a 2×2 grid (3 columns with optional panels) with the
/// pane at the side; in a row with the pane below; in a grid with the pane below (optional panels only).
///
/// The sizes: whole and half scales from `maxScale` down to 1 (84, 70, 56, 42, 28 pixels: a half scale
/// blends every other pixel with its neighbour, so it is used only where the next whole scale does not
/// fit), then, for the four core panels only, shrunk sides from 26 down to 16, so that 100×30 (side 26)
/// and 80×24 (side 18) show all four with the pane rather than two. Optional panels never shrink the
/// core below scale 1: they are left out first (the last first), and the header names them. Below 70×24
/// the four do not fit at any size: the masked input and the composite are shown, and the header names
/// the other two. Smaller than `minimumWidth`×`minimumHeight`, `tooSmall` is set and the view shows a
/// message instead of a broken layout.
///
/// The presenter layout (`z`, for a projector) asks for the digits as large as the screen holds, in steps
/// of 2 pixels and regardless of `maxScale`: the pane keeps its place when it still fits at that size,
/// else the chart is left out and the status is one line above the key line (`statusLine`).
public struct Layout: Sendable, Equatable {
    public let width: Int
    public let height: Int
    public let presenter: Bool
    /// Pixels per side of every digit panel (even): 28 at scale 1.
    public private(set) var side = Digit.side
    public private(set) var panels: [PanelPlacement] = []
    public private(set) var chart = Rect(x: 0, y: 0, width: 0, height: 0)
    public private(set) var status = Rect(x: 0, y: 0, width: 0, height: 0)
    /// The presenter layout's one-line status, when there is no room for the pane.
    public private(set) var statusLine: Int?
    public var helpRow: Int { height - 1 }
    public private(set) var tooSmall = true
    /// Panels that were asked for but do not fit this terminal (the header says so): optional panels, and
    /// below 70×24 the original and the reconstruction.
    public private(set) var hiddenPanels: [PanelKind] = []
    /// A comparison's models whose panels do not fit beside `shownModel`'s (`Tab` cycles; the header says so).
    public private(set) var hiddenModels: [Int] = []
    /// The model of each panel `place` lays out (a comparison's columns); empty: `shownModel` for every
    /// model's panel.
    private var panelModels: [Int] = []
    private var shownModel = 0

    /// The digits' scale: 1 = 28×14 cells per digit.
    public var scale: Double { Double(side) / Double(Digit.side) }
    /// Cells covered by each digit.
    public var digitSize: (width: Int, height: Int) { DigitPanel.size(side: side) }

    /// The smallest terminal with a usable layout (two panels and a short pane); see the type's comment.
    public static let minimumWidth = 60
    public static let minimumHeight = 24
    static let gap = 2
    static let sideMinimum = 38
    static let statusRows = 10
    static let chartMinimumRows = 8
    /// The smallest shrunk side: 16×16 pixels still read as a digit; smaller ones do not.
    static let smallestSide = 16
    /// The presenter layout's largest side (8×, `--scale`'s own limit).
    static let largestSide = 8 * Digit.side

    /// optionalPanels: the optional panels that are on, placed after the main ones.
    public init(width: Int, height: Int, maxScale: Int, showErrorPanel: Bool = false, optionalPanels: [PanelKind] = [],
                presenter: Bool = false, models: Int = 1, shownModel: Int = 0) {
        self.width = width
        self.height = height
        self.presenter = presenter
        self.shownModel = min(max(0, shownModel), max(1, models) - 1)
        if models > 1 {
            if arrangeComparison(models: models, maxScale: maxScale, optionalPanels: optionalPanels) { return }
            hiddenModels = (0..<models).filter { $0 != self.shownModel }
        }
        let base: [PanelKind] = [.original, .masked, .reconstruction, .composite] + (showErrorPanel ? [.error] : [])
        let wholeAndHalf = Array(stride(from: 2 * max(1, maxScale), through: 2, by: -1).map { $0 * Digit.side / 2 })
        let shrunk = Array(stride(from: Digit.side - 2, through: Layout.smallestSide, by: -2))
        let presenterSides = Array(stride(from: Layout.largestSide, through: Layout.smallestSide, by: -2))
        for dropped in 0...optionalPanels.count {
            let kinds = base + optionalPanels.dropLast(dropped)
            let coreOnly = dropped == optionalPanels.count
            var sides = presenter ? presenterSides.filter { coreOnly || $0 >= Digit.side } : wholeAndHalf
            if !presenter && coreOnly { sides += shrunk }
            for s in sides where arrange(kinds, side: s, withOptional: kinds.count > base.count) {
                hiddenPanels = Array(optionalPanels.suffix(dropped))
                return
            }
        }
        hiddenPanels = base.filter { $0 != .masked && $0 != .composite } + optionalPanels
        _ = arrangeRowWithBottom([.masked, .composite], side: Digit.side, statusRows: 6)
    }

    /// The panel under screen cell (x, y) and the cell's position inside the panel's digit area.
    public func panel(atX x: Int, y: Int) -> (placement: PanelPlacement, cellX: Int, cellY: Int)? {
        let size = digitSize
        for p in panels where p.kind.showsDigit && x >= p.x && x < p.x + size.width && y >= p.digitY && y < p.digitY + size.height {
            return (p, x - p.x, y - p.digitY)
        }
        return nil
    }

    public func placement(of kind: PanelKind) -> PanelPlacement? { panels.first { $0.kind == kind } }

    /// Model `model`'s panel of this kind (the first of the kind for a panel no model owns).
    public func placement(of kind: PanelKind, model: Int) -> PanelPlacement? {
        panels.first { $0.kind == kind && $0.model == model } ?? placement(of: kind)
    }

    /// Every model's reconstruction and composite at once: a column per model, the original above the
    /// masked input in the first, each model's reconstruction above its composite in its own (2 models:
    /// 3 columns of 2 rows; 220×60 holds them at 2×, 150×44 at 1×, 100×30 at 20 pixels), with the pane at the
    /// side, else below. Optional panels follow in a third row, dropped (last first) when they do not fit;
    /// the error panel is one model's and is left to the one-model layout. False when even the smallest
    /// side does not fit (80×24): then one model's panels show (`hiddenModels`).
    private mutating func arrangeComparison(models: Int, maxScale: Int, optionalPanels: [PanelKind]) -> Bool {
        let columns = models + 1
        let top: [(PanelKind, Int)] = [(.original, 0)] + (0..<models).map { (.reconstruction, $0) }
        let bottom: [(PanelKind, Int)] = [(.masked, 0)] + (0..<models).map { (.composite, $0) }
        let wholeAndHalf = Array(stride(from: 2 * max(1, maxScale), through: 2, by: -1).map { $0 * Digit.side / 2 })
        let shrunk = Array(stride(from: Digit.side - 2, through: Layout.smallestSide, by: -2))
        for dropped in 0...optionalPanels.count {
            let optional = optionalPanels.dropLast(dropped).map { ($0, 0) }
            let all = top + bottom + optional
            let kinds = all.map(\.0)
            panelModels = all.map(\.1)
            let sides = presenter ? Array(stride(from: Layout.largestSide, through: Layout.smallestSide, by: -2))
                : wholeAndHalf + (dropped == optionalPanels.count ? shrunk : [])
            for s in sides where arrangeGridWithSide(kinds, columns: columns, side: s)
                || arrangeGridWithSide(kinds, columns: columns, side: s, sideMinimum: 30)
                || arrangeGridWithBottom(kinds, columns: columns, side: s)
                || (presenter && arrangeWithStatusLine(kinds, side: s)) {
                hiddenPanels = Array(optionalPanels.suffix(dropped))
                panelModels = []
                return true
            }
        }
        panelModels = []
        return false
    }

    // MARK: arrangements (each returns false and leaves self unchanged when it does not fit)

    private static func rowWidth(_ n: Int, _ side: Int) -> Int { n * side + (n - 1) * gap }
    private static func panelHeight(_ side: Int) -> Int { side / 2 + 1 }
    /// Rows of a grid: a blank row between panel rows when there is room, none when that is what makes it fit
    /// (the next row's titles still separate them): 2× at 220×60 needs the last row.
    private static func gridHeight(rows: Int, side: Int, within available: Int) -> (height: Int, rowGap: Int) {
        let tight = rows * panelHeight(side)
        return tight + (rows - 1) <= available ? (tight + rows - 1, 1) : (tight, 0)
    }

    private mutating func arrange(_ kinds: [PanelKind], side s: Int, withOptional: Bool) -> Bool {
        if arrangeRowWithSide(kinds, side: s) || arrangeGridWithSide(kinds, columns: 2, side: s)
            || arrangeRowWithBottom(kinds, side: s)
            || (withOptional && arrangeMoreColumns(kinds, side: s)) {
            return true
        }
        return presenter && arrangeWithStatusLine(kinds, side: s)
    }

    private mutating func arrangeRowWithSide(_ kinds: [PanelKind], side s: Int) -> Bool {
        let panelsWidth = Layout.rowWidth(kinds.count, s)
        let bodyHeight = height - 2
        guard width >= panelsWidth + Layout.gap + Layout.sideMinimum,
              bodyHeight >= max(Layout.panelHeight(s), Layout.statusRows + Layout.chartMinimumRows) else { return false }
        place(kinds, columns: kinds.count, side: s, rowGap: 1)
        side(x: panelsWidth + Layout.gap, bodyHeight: bodyHeight)
        return true
    }

    private mutating func arrangeGridWithSide(_ kinds: [PanelKind], columns: Int, side s: Int,
                                              sideMinimum: Int = Layout.sideMinimum) -> Bool {
        let rows = (kinds.count + columns - 1) / columns
        let panelsWidth = Layout.rowWidth(columns, s)
        let bodyHeight = height - 2
        let grid = Layout.gridHeight(rows: rows, side: s, within: bodyHeight)
        guard width >= panelsWidth + Layout.gap + sideMinimum,
              bodyHeight >= max(grid.height, Layout.statusRows + Layout.chartMinimumRows) else { return false }
        place(kinds, columns: columns, side: s, rowGap: grid.rowGap)
        side(x: panelsWidth + Layout.gap, bodyHeight: bodyHeight)
        return true
    }

    /// With optional panels on, two more shapes: three columns beside a narrower side pane (so 120×40 holds
    /// six panels), and a grid of any width above the pane.
    private mutating func arrangeMoreColumns(_ kinds: [PanelKind], side s: Int) -> Bool {
        if arrangeGridWithSide(kinds, columns: 3, side: s, sideMinimum: 30) { return true }
        for columns in stride(from: kinds.count - 1, through: 2, by: -1) where arrangeGridWithBottom(kinds, columns: columns, side: s) {
            return true
        }
        return false
    }

    private mutating func arrangeGridWithBottom(_ kinds: [PanelKind], columns: Int, side s: Int) -> Bool {
        let rows = (kinds.count + columns - 1) / columns
        let panelsWidth = Layout.rowWidth(columns, s)
        let paneY = 1 + rows * Layout.panelHeight(s) + (rows - 1) + 1
        let paneHeight = height - 1 - paneY
        guard width >= max(panelsWidth, Layout.minimumWidth), paneHeight >= Layout.statusRows else { return false }
        place(kinds, columns: columns, side: s, rowGap: 1)
        bottom(y: paneY, height: paneHeight)
        return true
    }

    private mutating func arrangeRowWithBottom(_ kinds: [PanelKind], side s: Int,
                                               statusRows: Int = Layout.statusRows) -> Bool {
        let panelsWidth = Layout.rowWidth(kinds.count, s)
        let paneY = 1 + Layout.panelHeight(s) + 1
        let paneHeight = height - 1 - paneY
        guard width >= max(panelsWidth, Layout.minimumWidth), paneHeight >= statusRows else { return false }
        place(kinds, columns: kinds.count, side: s, rowGap: 1)
        bottom(y: paneY, height: paneHeight)
        return true
    }

    /// Presenter only: the panels in the rows above a one-line status (no chart), in the fewest rows that fit.
    private mutating func arrangeWithStatusLine(_ kinds: [PanelKind], side s: Int) -> Bool {
        let bodyHeight = height - 3
        for columns in stride(from: kinds.count, through: 1, by: -1) {
            let rows = (kinds.count + columns - 1) / columns
            let grid = Layout.gridHeight(rows: rows, side: s, within: bodyHeight)
            guard width >= Layout.rowWidth(columns, s) else { continue }
            guard grid.height <= bodyHeight else { return false }   // fewer columns only make it taller
            place(kinds, columns: columns, side: s, rowGap: grid.rowGap)
            statusLine = height - 2
            return true
        }
        return false
    }

    private mutating func place(_ kinds: [PanelKind], columns: Int, side s: Int, rowGap: Int) {
        side = s
        tooSmall = false
        panels = kinds.enumerated().map { i, kind in
            PanelPlacement(kind: kind, x: (i % columns) * (s + Layout.gap),
                           y: 1 + (i / columns) * (Layout.panelHeight(s) + rowGap),
                           model: i < panelModels.count ? panelModels[i]
                               : [.reconstruction, .composite, .error].contains(kind) ? shownModel : 0)
        }
    }

    /// The side pane: the chart on top, the status block under it. A pane narrower than `sideMinimum` (beside
    /// three columns) gives the status two more rows when the chart can spare them, for the values it wraps.
    private mutating func side(x: Int, bodyHeight: Int) {
        let paneWidth = width - x
        let extra = paneWidth < Layout.sideMinimum && bodyHeight - Layout.statusRows - 3 >= Layout.chartMinimumRows ? 2 : 0
        let statusRows = Layout.statusRows + extra
        let chartHeight = bodyHeight - statusRows - 1
        chart = Rect(x: x, y: 1, width: paneWidth, height: chartHeight)
        status = Rect(x: x, y: 1 + chartHeight + 1, width: paneWidth, height: statusRows)
    }

    /// The pane below the panels: the status block on the left, the chart on the right.
    private mutating func bottom(y: Int, height paneHeight: Int) {
        let statusWidth = min(40, width / 2)
        status = Rect(x: 0, y: y, width: statusWidth, height: paneHeight)
        chart = Rect(x: statusWidth + Layout.gap, y: y, width: width - statusWidth - Layout.gap, height: paneHeight)
    }
}
