import Datasets
import Foundation

/// The filmstrip (`M`): one fixed digit and hole, its composite with the network of each milestone step
/// training has passed (0, 10, 100, 1k, 10k, …) and the newest, side by side and labelled with their step,
/// so a learner sees the fill emerge (TensorBoard's images over training time, for one input).
///
/// The runtime makes the frames (`.filmstripFrame`): it reconstructs the fixed input with the weights of the
/// moment a milestone is passed (nothing is kept of older weights), and in `inpaint watch` with each
/// checkpoint it reloads. The input is the digit and hole on screen at the run's first event (`M` fixes it
/// earlier when it comes first), so a run's first frame is its start.
public struct Filmstrip {
    let state: AppState
    /// Pixels per side of each frame.
    let side: Int

    /// The sides tried, largest first: 14 is half a digit, 8 the smallest that still reads as one.
    static let sides = [14, 12, 10, 8]
    /// The frames a filmstrip should hold at once: 0, 10, 100, 1k, 10k and the newest.
    static let targetFrames = 6
    /// Columns between two frames.
    static let gap = 1

    /// The milestone a step belongs to: 0 below 10, else the power of ten at or below it. A frame is kept
    /// when its step reaches a milestone no kept frame has.
    public static func milestone(of step: Int) -> Int {
        guard step >= 10 else { return 0 }
        var power = 10
        while power <= step / 10 { power *= 10 }
        return power
    }

    /// The width of one frame's column: the digit or its label, whichever is wider.
    static func columnWidth(side: Int) -> Int { max(side, 6) }

    /// Rows of frames and frames per row in `width`×`height` (a title row, then per row the digit and its label).
    static func capacity(side: Int, width: Int, height: Int) -> (perRow: Int, rows: Int) {
        let perRow = (width + gap) / (columnWidth(side: side) + gap)
        let rows = max(0, (height - 1) / (side / 2 + 1))
        return (perRow, rows)
    }

    /// The largest side that holds `targetFrames` (or, failing that, the most frames) in `width`×`height`,
    /// and the rows it takes; `oneRow` keeps it to one row of frames (under the loss chart). Nil: not even one
    /// frame fits.
    static func bestSide(width: Int, height: Int, oneRow: Bool) -> (side: Int, rows: Int)? {
        var best: (side: Int, rows: Int, frames: Int)?
        for side in sides {
            let c = capacity(side: side, width: width, height: height)
            let rows = oneRow ? min(1, c.rows) : c.rows
            let frames = c.perRow * rows
            guard frames > 0 else { continue }
            if frames >= targetFrames { return (side, 1 + rows * (side / 2 + 1)) }
            if best == nil || frames > best!.frames { best = (side, 1 + rows * (side / 2 + 1), frames) }
        }
        return best.map { ($0.side, $0.rows) }
    }

    /// The frames that fit `count` places: the first (the run's start), then the newest ones.
    static func chosen(_ frames: [FilmstripFrame], places count: Int) -> [FilmstripFrame] {
        guard frames.count > count, count > 0 else { return Array(frames.prefix(max(0, count))) }
        return [frames[0]] + frames.suffix(count - 1)
    }

    func draw(into buffer: inout CellBuffer, rect: Rect, theme: Theme) {
        let inside = state.inside
        var title = "fill over training"
        if let digit = inside.filmstripDigit { title += " · \(state.library.dataset.itemNoun) \(digit + 1)" }
        buffer.put(title, x: rect.x, y: rect.y, style: theme.title, maxWidth: rect.width)
        guard let image = inside.filmstripImage, let mask = inside.filmstripMask else {
            buffer.put("(from the first training step)", x: rect.x, y: rect.y + 1, style: theme.dim, maxWidth: rect.width)
            return
        }
        let frames = inside.shownFrames
        guard !frames.isEmpty else {
            buffer.put("(waiting for the first frame)", x: rect.x, y: rect.y + 1, style: theme.dim, maxWidth: rect.width)
            return
        }
        let c = Filmstrip.capacity(side: side, width: rect.width, height: rect.height)
        let column = Filmstrip.columnWidth(side: side)
        for (i, frame) in Filmstrip.chosen(frames, places: c.perRow * c.rows).enumerated() {
            let x = rect.x + (i % c.perRow) * (column + Filmstrip.gap)
            let y = rect.y + 1 + (i / c.perRow) * (side / 2 + 1)
            let composite = (0..<Digit.pixels).map { mask[$0] * image[$0] + (1 - mask[$0]) * frame.pixels[$0] }
            DigitPanel(pixels: composite, side: side).draw(into: &buffer, x: x, y: y, style: state.style, theme: theme)
            let label = BrailleChart.formatStep(frame.step)   // the newest in the accent (bold without colour)
            buffer.put(label, x: x, y: y + side / 2, style: frame.latest ? theme.accent : theme.dim, maxWidth: column)
        }
    }
}
