import Foundation
import Datasets
import Inpainting

/// What `inpaint tui`'s view flags say: the digit, the hole, the edit mode, the panels that are on, the
/// fill they show, the layout, the loss axis, explain mode's pixel and the lesson pane. `capture` reads them off a state, `arguments` spells them
/// as flags (`--digit 3 --hole 8,8,12,12 --panel fill …`) and `apply` opens them on a state, so that the
/// command line `C` shows reopens the view it was shown on.
///
/// A field left nil keeps what the session starts with (digit 0, the preset's or the initial hole).
public struct ViewSettings: Equatable, Sendable {
    /// 0-based index in the browsed split (the header counts from 1).
    public var digit: Int?
    public var hole: HoleChoice?
    public var mode: EditMode?
    /// The optional panels that are on, in `ViewPanel.allCases` order.
    public var panels: [ViewPanel] = []
    public var fill: FillMethod?
    public var presenter = false
    public var linearLoss = false
    /// Explain mode (`E`) on the pixel with this row-major index (0..<784); nil: explain mode off.
    public var explainPixel: Int?
    /// The lesson pane (`o`) shown or hidden; nil: as the session starts it (on in a preset, else off).
    public var lesson: Bool?

    /// A rectangle, or no hole at all (`c`).
    public enum HoleChoice: Equatable, Sendable {
        case rectangle(HoleRect)
        case none
    }

    public init(digit: Int? = nil, hole: HoleChoice? = nil, mode: EditMode? = nil, panels: [ViewPanel] = [],
                fill: FillMethod? = nil, presenter: Bool = false, linearLoss: Bool = false, explainPixel: Int? = nil,
                lesson: Bool? = nil) {
        precondition(explainPixel.map { (0..<Digit.pixels).contains($0) } ?? true, "pixel \(explainPixel!) outside 0..<784")
        self.digit = digit; self.hole = hole; self.mode = mode
        self.panels = ViewPanel.allCases.filter(panels.contains)
        self.fill = fill; self.presenter = presenter; self.linearLoss = linearLoss
        self.explainPixel = explainPixel; self.lesson = lesson
    }

    /// The view of `state`, and what of it no flag can say (a drawn digit, a painted hole), for the notice.
    public static func capture(_ state: AppState) -> (settings: ViewSettings, leftOut: [String]) {
        var leftOut: [String] = []
        var settings = ViewSettings()
        if let index = state.digitIndex {
            settings.digit = index
        } else {
            leftOut.append("your drawing (the line opens the first \(state.library.dataset.itemNoun))")
        }
        if let hole = state.hole {
            settings.hole = .rectangle(hole)
        } else if state.mask.contains(0) {
            leftOut.append("the painted hole")
        } else {
            settings.hole = HoleChoice.none
        }
        // Draw mode starts from a blank canvas: the line reopens the digit in rectangle mode instead.
        if state.mode == .brush { settings.mode = .brush }
        let panels: [ViewPanel] = (state.panels.showFill ? [.fill] : []) + (state.panels.showGuesses ? [.top3] : [])
            + (state.panels.showFeatures ? [.features] : []) + (state.showErrorPanel ? [.error] : [])
        settings.panels = panels
        if state.panels.fillMethod != OptionalPanels().fillMethod { settings.fill = state.panels.fillMethod }
        settings.presenter = state.presenter
        settings.linearLoss = !state.logScale
        if state.probe.explaining { settings.explainPixel = state.probe.pixel }
        // Said only where it differs from how the line's session starts it: shown with a preset, else hidden.
        if state.lesson.shown != (state.preset != nil) { settings.lesson = state.lesson.shown }
        return (settings, leftOut)
    }

    /// The flags that say this view, in a fixed order.
    public var arguments: [String] {
        var words: [String] = []
        if let digit { words += ["--digit", "\(digit)"] }
        switch hole {
        case .rectangle(let r)?: words += ["--hole", "\(r.top),\(r.left),\(r.height),\(r.width)"]
        case .none?: words += ["--hole", "none"]
        case nil: break
        }
        if let mode { words += ["--mode", mode.rawValue] }
        for panel in panels { words += ["--panel", panel.rawValue] }
        if let fill { words += ["--fill", fill.rawValue] }
        if presenter { words.append("--presenter") }
        if linearLoss { words += ["--loss-axis", "linear"] }
        if let pixel = explainPixel { words += ["--explain", "\(pixel / Digit.side),\(pixel % Digit.side)"] }
        if let lesson { words += ["--lesson", lesson ? "on" : "off"] }
        return words
    }

    /// Opens this view on `state` (after the preset, if any, set its digits and hole). `digit` must be a
    /// valid index of `state.library` (the command checks it first). The network is not asked here: the
    /// driver's first tick asks for the reconstruction and the panels' answers, as at any start.
    public func apply(to state: inout AppState) {
        if let digit {
            precondition(digit >= 0 && digit < state.library.count, "digit \(digit) outside the library of \(state.library.count)")
            state.digitIndex = digit
            state.image = state.library.image(at: digit)
        }
        switch hole {
        case .rectangle(let r)?:
            state.hole = r
            state.mask = r.mask()
        case .none?:
            state.hole = nil
            state.mask = [Float](repeating: 1, count: Digit.pixels)
        case nil: break
        }
        if let mode { state.mode = mode }
        state.presenter = presenter
        state.logScale = !linearLoss
        state.showErrorPanel = panels.contains(.error)
        if let fill { state.panels.fillMethod = fill }
        // Through the panel key, so that the fill is computed for the digit and hole just set.
        if panels.contains(.fill) != state.panels.showFill { _ = handlePanelKey(&state, "f") }
        state.panels.showGuesses = panels.contains(.top3)
        state.panels.showFeatures = panels.contains(.features)
        if let pixel = explainPixel {
            // As `E` on that pixel: the first tick asks for its saliency with the weights of the moment.
            state.probe.explaining = true
            state.probe.pixel = pixel
            state.probe.explainAsked = nil
        }
        if let lesson { state.lesson.shown = lesson }
    }

    /// An `--explain` value: `ROW,COL` of a pixel of the 28×28 image (0-based), as its row-major index.
    public static func parseExplainPixel(_ text: String) -> Result<Int, ViewFlagError> {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.count == 2, let row = parts[0], let column = parts[1] else {
            return .failure(ViewFlagError("--explain: expected ROW,COL (two whole numbers), found \(text)"))
        }
        guard (0..<Digit.side).contains(row), (0..<Digit.side).contains(column) else {
            return .failure(ViewFlagError("--explain: expected ROW and COL in 0…\(Digit.side - 1) (a pixel of the 28×28 image), found \(text)"))
        }
        return .success(row * Digit.side + column)
    }

    /// A `--hole` value: `TOP,LEFT,HEIGHT,WIDTH` inside the 28×28 image, at least 1×1, or `none`. Returns
    /// why not in the words of the flag's error.
    public static func parseHole(_ text: String) -> Result<HoleChoice, ViewFlagError> {
        if text == "none" { return .success(HoleChoice.none) }
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.count == 4, parts.allSatisfy({ $0 != nil }) else {
            return .failure(ViewFlagError("--hole: expected TOP,LEFT,HEIGHT,WIDTH (four whole numbers) or none, found \(text)"))
        }
        let r = HoleRect(top: parts[0]!, left: parts[1]!, height: parts[2]!, width: parts[3]!)
        guard r.fits() else {
            return .failure(ViewFlagError("--hole: expected a rectangle of at least 1×1 inside the 28×28 image, found \(text)"))
        }
        return .success(.rectangle(r))
    }
}

/// A view flag's value that cannot be used: one line that names the flag.
public struct ViewFlagError: Error, Equatable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// An optional panel as `--panel` names it: `f`'s classical fill, `t`'s top-3, `v`'s encoder maps, `e`'s
/// error on the hole.
public enum ViewPanel: String, Sendable, Equatable, CaseIterable {
    case fill, top3, features, error
}
