/// The digit panels the screen can show.
public enum PanelKind: String, Sendable, Equatable, CaseIterable {
    case original, masked, reconstruction, composite, error
    /// Optional panels (`f`, `t`, `v`): a classical fill, the classifier's top-3, the encoder's maps.
    case classicalFill, guesses, features

    /// Whether the panel shows one 28×28 digit, so a drag on it cuts a hole like on the others.
    public var showsDigit: Bool { self != .guesses && self != .features }

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
    public var digitY: Int { y + 1 }
}

/// Where everything goes for a given terminal size: the pure geometry that both `view` (drawing) and
/// `update` (mouse hit-testing) use, so they can never disagree.
///
/// Arrangements, tried for each scale from the largest allowed down to 1, first fit wins:
/// panels in a row with the loss/status pane at the side; panels in a 2×2 grid with the pane at the side;
/// panels in a row with the pane below; and, at scale 1 only, just the masked input and the composite with a
/// short pane below (this is what an 80×24 terminal gets). Smaller than that, `tooSmall` is set and the view
/// shows a message instead of a broken layout.
public struct Layout: Sendable, Equatable {
    public let width: Int
    public let height: Int
    public private(set) var scale = 1
    public private(set) var panels: [PanelPlacement] = []
    public private(set) var chart = Rect(x: 0, y: 0, width: 0, height: 0)
    public private(set) var status = Rect(x: 0, y: 0, width: 0, height: 0)
    public var helpRow: Int { height - 1 }
    public private(set) var tooSmall = true
    /// Optional panels that were asked for but do not fit this terminal (the view says so).
    public private(set) var hiddenPanels: [PanelKind] = []

    /// The smallest terminal with a usable layout (two panels and a short pane); see the type's comment.
    public static let minimumWidth = 60
    public static let minimumHeight = 24
    static let gap = 2
    static let sideMinimum = 38
    static let statusRows = 10
    static let chartMinimumRows = 8

    /// optionalPanels: the optional panels that are on, placed after the main ones. When they do not all
    /// fit, a smaller scale is tried before one is left out (the last first), since the user asked for it.
    public init(width: Int, height: Int, maxScale: Int, showErrorPanel: Bool = false, optionalPanels: [PanelKind] = []) {
        self.width = width
        self.height = height
        let base: [PanelKind] = [.original, .masked, .reconstruction, .composite] + (showErrorPanel ? [.error] : [])
        for dropped in 0...optionalPanels.count {
            let kinds = base + optionalPanels.dropLast(dropped)
            for s in stride(from: max(1, maxScale), through: 1, by: -1) {
                if arrangeRowWithSide(kinds, scale: s) || arrangeGridWithSide(kinds, columns: 2, scale: s)
                    || arrangeRowWithBottom(kinds, scale: s)
                    || (kinds.count > base.count && arrangeMoreColumns(kinds, scale: s)) {
                    hiddenPanels = Array(optionalPanels.suffix(dropped))
                    return
                }
            }
        }
        hiddenPanels = optionalPanels
        _ = arrangeRowWithBottom([.masked, .composite], scale: 1, statusRows: 6)
    }

    /// The panel under screen cell (x, y) and the cell's position inside the panel's digit area.
    public func panel(atX x: Int, y: Int) -> (placement: PanelPlacement, cellX: Int, cellY: Int)? {
        let size = DigitPanel.size(scale: scale)
        for p in panels where p.kind.showsDigit && x >= p.x && x < p.x + size.width && y >= p.digitY && y < p.digitY + size.height {
            return (p, x - p.x, y - p.digitY)
        }
        return nil
    }

    public func placement(of kind: PanelKind) -> PanelPlacement? { panels.first { $0.kind == kind } }

    // MARK: arrangements (each returns false and leaves self unchanged when it does not fit)

    private static func rowWidth(_ n: Int, _ s: Int) -> Int { n * 28 * s + (n - 1) * gap }
    private static func panelHeight(_ s: Int) -> Int { 14 * s + 1 }

    private mutating func arrangeRowWithSide(_ kinds: [PanelKind], scale s: Int) -> Bool {
        let panelsWidth = Layout.rowWidth(kinds.count, s)
        let bodyHeight = height - 2
        guard width >= panelsWidth + Layout.gap + Layout.sideMinimum,
              bodyHeight >= max(Layout.panelHeight(s), Layout.statusRows + Layout.chartMinimumRows) else { return false }
        place(kinds, columns: kinds.count, scale: s)
        side(x: panelsWidth + Layout.gap, bodyHeight: bodyHeight)
        return true
    }

    private mutating func arrangeGridWithSide(_ kinds: [PanelKind], columns: Int, scale s: Int,
                                              sideMinimum: Int = Layout.sideMinimum) -> Bool {
        let rows = (kinds.count + columns - 1) / columns
        let panelsWidth = Layout.rowWidth(columns, s)
        let gridHeight = rows * Layout.panelHeight(s) + (rows - 1)
        let bodyHeight = height - 2
        guard width >= panelsWidth + Layout.gap + sideMinimum,
              bodyHeight >= max(gridHeight, Layout.statusRows + Layout.chartMinimumRows) else { return false }
        place(kinds, columns: columns, scale: s)
        side(x: panelsWidth + Layout.gap, bodyHeight: bodyHeight)
        return true
    }

    /// With optional panels on, two more shapes: three columns beside a narrower side pane (so 120×40 holds
    /// six panels), and a grid of any width above the pane.
    private mutating func arrangeMoreColumns(_ kinds: [PanelKind], scale s: Int) -> Bool {
        if arrangeGridWithSide(kinds, columns: 3, scale: s, sideMinimum: 30) { return true }
        for columns in stride(from: kinds.count - 1, through: 2, by: -1) where arrangeGridWithBottom(kinds, columns: columns, scale: s) {
            return true
        }
        return false
    }

    private mutating func arrangeGridWithBottom(_ kinds: [PanelKind], columns: Int, scale s: Int) -> Bool {
        let rows = (kinds.count + columns - 1) / columns
        let panelsWidth = Layout.rowWidth(columns, s)
        let paneY = 1 + rows * Layout.panelHeight(s) + (rows - 1) + 1
        let paneHeight = height - 1 - paneY
        guard width >= max(panelsWidth, Layout.minimumWidth), paneHeight >= Layout.statusRows else { return false }
        place(kinds, columns: columns, scale: s)
        let statusWidth = min(40, width / 2)
        status = Rect(x: 0, y: paneY, width: statusWidth, height: paneHeight)
        chart = Rect(x: statusWidth + Layout.gap, y: paneY, width: width - statusWidth - Layout.gap, height: paneHeight)
        return true
    }

    private mutating func arrangeRowWithBottom(_ kinds: [PanelKind], scale s: Int,
                                               statusRows: Int = Layout.statusRows) -> Bool {
        let panelsWidth = Layout.rowWidth(kinds.count, s)
        let paneY = 1 + Layout.panelHeight(s) + 1
        let paneHeight = height - 1 - paneY
        guard width >= max(panelsWidth, Layout.minimumWidth), paneHeight >= statusRows else { return false }
        place(kinds, columns: kinds.count, scale: s)
        let statusWidth = min(40, width / 2)
        status = Rect(x: 0, y: paneY, width: statusWidth, height: paneHeight)
        chart = Rect(x: statusWidth + Layout.gap, y: paneY, width: width - statusWidth - Layout.gap, height: paneHeight)
        return true
    }

    private mutating func place(_ kinds: [PanelKind], columns: Int, scale s: Int) {
        scale = s
        tooSmall = false
        panels = kinds.enumerated().map { i, kind in
            PanelPlacement(kind: kind, x: (i % columns) * (28 * s + Layout.gap),
                           y: 1 + (i / columns) * (Layout.panelHeight(s) + 1))
        }
    }

    /// The side pane: the chart on top, the status block under it.
    private mutating func side(x: Int, bodyHeight: Int) {
        let paneWidth = width - x
        let chartHeight = bodyHeight - Layout.statusRows - 1
        chart = Rect(x: x, y: 1, width: paneWidth, height: chartHeight)
        status = Rect(x: x, y: 1 + chartHeight + 1, width: paneWidth, height: Layout.statusRows)
    }
}
