import Datasets
import Foundation
import Inpainting

/// The title row of a panel: the optional panels say what they show right now.
func panelTitle(_ state: AppState, _ kind: PanelKind) -> String {
    switch kind {
    case .classicalFill:
        return "fill: \(state.panels.fillMethod.title)"
    case .features:
        guard let f = state.panels.features else { return kind.title }
        return "encoder \(min(f.channels, FeatureMapsPanel.shownMaps)) of \(f.channels) maps"
    case .saliency, .topMap:
        return explainPanelTitle(state, kind, width: DigitPanel.size(side: state.layout.side).width)
    default:
        return kind.title
    }
}

/// Draws the content under the title of an optional panel (the title row is drawn by the caller).
func drawOptionalPanel(_ state: AppState, _ placement: PanelPlacement, side: Int, into buffer: inout CellBuffer,
                       theme: Theme) {
    let width = DigitPanel.size(side: side).width
    let waitingRow = placement.digitY + waitingRowOffset(side: side)
    switch placement.kind {
    case .classicalFill:
        guard let fill = state.panels.fill else { return }
        DigitPanel(pixels: fill, side: side).draw(into: &buffer, x: placement.x, y: placement.digitY,
                                                    style: state.style, theme: theme)
    case .guesses:
        if state.panels.noClassifier {
            buffer.put("(no classifier:", x: placement.x, y: waitingRow, style: theme.dim, maxWidth: width)
            buffer.put(state.library.dataset == .mnist ? " assets/classifier.*)" : " assets/\(state.library.dataset.rawValue)-classifier.*)",
                       x: placement.x, y: waitingRow + 1, style: theme.dim, maxWidth: width)
        } else if let guesses = state.panels.guesses {
            GuessesBlock(guesses: guesses, dataset: state.library.dataset).draw(into: &buffer, x: placement.x, y: placement.digitY + 1, width: width,
                                                theme: theme)
        } else {
            buffer.put("(waiting for the classifier)", x: placement.x, y: waitingRow, style: theme.dim, maxWidth: width)
        }
    case .features:
        guard let features = state.panels.features else {
            buffer.put("(waiting for the encoder)", x: placement.x, y: waitingRow, style: theme.dim, maxWidth: width)
            return
        }
        FeatureMapsPanel(features: features, side: side).draw(into: &buffer, x: placement.x, y: placement.digitY,
                                                                 style: state.style, theme: theme)
    default:
        preconditionFailure("\(placement.kind) is not an optional panel")
    }
}

/// The classifier's top-3 as two columns: the original's guesses and the composite's, with probabilities.
/// The composite's column turns to the warning colour when its first guess differs from the original's:
/// the fill changed what the digit reads as. Fashion-MNIST's class names ("Ankle boot  97.0%") do not fit
/// two columns in a 28-cell panel, so they are drawn as two blocks, the original's above the composite's.
struct GuessesBlock {
    var guesses: Guesses
    var dataset: DatasetKind = .mnist

    func draw(into buffer: inout CellBuffer, x: Int, y: Int, width: Int, theme: Theme) {
        let changed = guesses.original.first?.digit != guesses.composite.first?.digit
        guard dataset == .mnist else {
            drawStacked(into: &buffer, x: x, y: y, width: width, theme: theme, changed: changed)
            return
        }
        buffer.put("original   composite", x: x, y: y, style: theme.dim, maxWidth: width)
        for row in 0..<max(guesses.original.count, guesses.composite.count) {
            let left = row < guesses.original.count ? GuessesBlock.format(guesses.original[row]) : ""
            let right = row < guesses.composite.count ? GuessesBlock.format(guesses.composite[row]) : ""
            let next = buffer.put(left.padding(toLength: 11, withPad: " ", startingAt: 0), x: x, y: y + 1 + row,
                                  style: row == 0 ? theme.title : theme.text, maxWidth: width)
            buffer.put(right, x: next, y: y + 1 + row,
                       style: row == 0 ? (changed ? theme.warning : theme.accent) : theme.text, maxWidth: x + width - next)
        }
    }

    /// The original's guesses, then the composite's, each under its own title: one class name a line.
    private func drawStacked(into buffer: inout CellBuffer, x: Int, y: Int, width: Int, theme: Theme, changed: Bool) {
        let nameWidth = dataset.classNames.map(\.count).max() ?? 0
        var row = y
        for (title, list, first) in [("original", guesses.original, theme.title),
                                     ("composite", guesses.composite, changed ? theme.warning : theme.accent)] {
            buffer.put(title, x: x, y: row, style: theme.dim, maxWidth: width)
            row += 1
            for (rank, guess) in list.enumerated() {
                let name = dataset.className(guess.digit).padding(toLength: nameWidth, withPad: " ", startingAt: 0)
                buffer.put(name + " " + GuessesBlock.percent(guess), x: x, y: row, style: rank == 0 ? first : theme.text,
                           maxWidth: width)
                row += 1
            }
        }
    }

    /// "7  99.8%": the digit and its probability in percent.
    static func format(_ guess: Guess) -> String {
        "\(guess.digit) " + percent(guess)
    }

    /// " 99.8%".
    static func percent(_ guess: Guess) -> String { String(format: "%5.1f%%", Double(guess.probability * 100)) }
}

/// The first 16 encoder maps as a 4×4 mosaic in one panel's cells: each map gets a tile of side/4 pixels
/// (7s at scale s: half resolution at scale 2, the suggested 14×7 cells), is box-averaged (or repeated, for the strided
/// network's 7×7 maps) into it, and is stretched to its own min…max, since the maps' ranges differ by
/// orders of magnitude and one common scale would leave most of them black. The last pixel row and column
/// of each tile are a separator in the hole colour, so neighbouring maps do not run into each other.
struct FeatureMapsPanel {
    static let shownMaps = 16
    static let tilesPerRow = 4

    var features: EncoderFeatures
    /// Pixels per side of the whole mosaic: the panel's side (28s at scale s), even.
    var side: Int

    /// Pixels per side of one tile (7s); a side that is not a multiple of 4 leaves a margin of separator.
    var tile: Int { side / FeatureMapsPanel.tilesPerRow }

    /// The mosaic's pixels, row-major [side·side]: a value in [0, 1], or nil on a separator.
    func canvas() -> [Float?] {
        var canvas = [Float?](repeating: nil, count: side * side)
        let content = tile - 1
        guard content > 0 else { return canvas }
        for channel in 0..<min(FeatureMapsPanel.shownMaps, features.channels) {
            let map = features.map(channel)
            let low = map.min() ?? 0, high = map.max() ?? 0
            let range = high - low
            let tileTop = (channel / FeatureMapsPanel.tilesPerRow) * tile
            let tileLeft = (channel % FeatureMapsPanel.tilesPerRow) * tile
            for u in 0..<content {
                let rows = FeatureMapsPanel.sourceRange(u, of: content, source: features.height)
                for v in 0..<content {
                    let columns = FeatureMapsPanel.sourceRange(v, of: content, source: features.width)
                    var sum: Float = 0
                    for r in rows { for c in columns { sum += map[r * features.width + c] } }
                    let mean = sum / Float(rows.count * columns.count)
                    canvas[(tileTop + u) * side + tileLeft + v] = range > 1e-12 ? (mean - low) / range : 0
                }
            }
        }
        return canvas
    }

    /// The source rows (or columns) that output pixel `i` of `count` covers: a box when shrinking, one
    /// source pixel when enlarging.
    static func sourceRange(_ i: Int, of count: Int, source: Int) -> Range<Int> {
        let start = i * source / count
        let end = max(start + 1, (i + 1) * source / count)
        return start..<end
    }

    func draw(into buffer: inout CellBuffer, x: Int, y: Int, style: RenderStyle, theme: Theme) {
        let pixels = canvas()
        for cy in 0..<(side / 2) {
            for cx in 0..<side {
                let upper = pixels[(2 * cy) * side + cx], lower = pixels[(2 * cy + 1) * side + cx]
                if style.ascii {
                    buffer[x + cx, y + cy] = Cell(AsciiRamp.character(for: ((upper ?? 0) + (lower ?? 0)) / 2))
                } else {
                    buffer[x + cx, y + cy] = Cell("▀", foreground: upper.map { GrayPalette.color(for: $0) } ?? theme.hole,
                                                  background: lower.map { GrayPalette.color(for: $0) } ?? theme.hole)
                }
            }
        }
    }
}
