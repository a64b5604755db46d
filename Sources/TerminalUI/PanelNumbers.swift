import Datasets
import Evaluation
import Foundation
import NeuralCore

/// The numbers under a panel that fills the hole (issue 13 §2, the report's Fig. 6): the hole's MSE and
/// PSNR against the original, and the mean brightness of the fill inside the hole against the truth's.
///
/// A function of (original, mask, fill) only, so any panel that shows a fill gets its own line: the
/// network's reconstruction and composite (the same numbers: the composite is the reconstruction on the
/// hole), a classical fill, another model's panels.
public struct PanelNumbers: Sendable, Equatable {
    /// Σ (fill − original)² / hole pixels, on the hole only (`MaskedLoss.l2.errorSums`, as `inpaint eval`).
    public var mse: Double
    /// 10·log10(1 / mse), capped at `MetricsAccumulator.psnrCap` (48.13 dB, one 8-bit grey level) as
    /// `inpaint eval`'s per-image PSNR is.
    public var psnr: Double
    /// The mean grey level of the fill, and of the original, over the hole.
    public var fillMean: Double
    public var truthMean: Double

    /// original, mask (1 known, 0 hole), fill: [784] each; nil when there is no hole.
    public init?(original: [Float], mask: [Float], fill: [Float]) {
        precondition(original.count == Digit.pixels && mask.count == Digit.pixels && fill.count == Digit.pixels,
                     "panel numbers expect 784-pixel images and masks")
        let sums = MaskedLoss.l2.errorSums(prediction: fill, target: original, mask: mask)
        guard sums.holePixels > 0 else { return nil }
        mse = sums.hole / sums.holePixels
        psnr = mse > 0 ? min(MetricsAccumulator.psnrCap, 10 * log10(1 / mse)) : MetricsAccumulator.psnrCap
        var fillSum = 0.0, truthSum = 0.0
        for i in 0..<Digit.pixels where mask[i] == 0 {
            fillSum += Double(fill[i])
            truthSum += Double(original[i])
        }
        fillMean = fillSum / sums.holePixels
        truthMean = truthSum / sums.holePixels
    }

    /// The longest form that fits `width` cells: from "MSE .031 PSNR 15.1 dB  fill .21/truth .24" down to
    /// ".031 15.1dB" (80×24's 18-cell panels get "MSE .031 15.1dB").
    public func text(width: Int) -> String {
        let m = PanelNumbers.short(mse, digits: 3), p = String(format: "%.1f", psnr)
        let f = PanelNumbers.short(fillMean, digits: 2), t = PanelNumbers.short(truthMean, digits: 2)
        let forms = [
            "MSE \(m) PSNR \(p) dB  fill \(f)/truth \(t)",
            "MSE \(m) PSNR \(p) dB fill \(f)/\(t)",
            "MSE \(m) \(p)dB fill \(f)/\(t)",
            "MSE \(m) \(p)dB \(f)/\(t)",
            "MSE \(m) \(p)dB",
            "\(m) \(p)dB",
        ]
        return forms.first { $0.count <= width } ?? forms.last!
    }

    /// A value in [0, 1] without its leading zero (".031"); below the last digit shown, in scientific form
    /// ("4e-04"), so a near-perfect fill does not read as zero error.
    static func short(_ value: Double, digits: Int) -> String {
        let floor = pow(10, -Double(digits))
        if value > 0 && value < floor / 2 { return String(format: "%.0e", value) }
        let text = String(format: "%.\(digits)f", value)
        return text.hasPrefix("0.") ? String(text.dropFirst()) : text
    }
}

extension Layout {
    /// The row under a panel for its numbers: the blank row below its digit when nothing else is drawn
    /// there (another panel, the side pane, the status line, the key line), else nil. Grids that need every
    /// row (2× at 220×60) have none; the numbers then go on the title row (`PanelNumbers.draw`).
    public func numbersRow(of placement: PanelPlacement) -> Int? {
        let row = placement.digitY + digitSize.height, width = digitSize.width
        guard row < helpRow, row != statusLine else { return nil }
        func overlaps(_ x: Int, _ w: Int) -> Bool { x < placement.x + width && placement.x < x + w }
        for other in panels where other != placement && overlaps(other.x, width) {
            if row >= other.y && row < other.digitY + digitSize.height { return nil }
        }
        for rect in [chart, status] where rect.width > 0 && rect.height > 0 {
            if rect.contains(x: rect.x, y: row) && overlaps(rect.x, rect.width) { return nil }
        }
        return row
    }
}

extension PanelNumbers {
    /// The title kept on a shared title row: at least this many of its characters.
    static let titleKept = 6

    /// Draws the numbers for a panel: on its numbers row, or on its title row after the title, cut short
    /// ("reconstru…") when both do not fit (100×30's tight grid has no free row under its lower panels).
    static func put(_ text: (Int) -> String, under placement: PanelPlacement, title: String, layout: Layout,
                    into buffer: inout CellBuffer, style: TextStyle) {
        let width = layout.digitSize.width
        if let row = layout.numbersRow(of: placement) {
            buffer.put(text(width), x: placement.x, y: row, style: style, maxWidth: width)
            return
        }
        let numbers = text(width - min(title.count, titleKept) - 1)
        let titleRoom = width - numbers.count - 1
        guard titleRoom >= min(title.count, titleKept) else { return }
        let shownTitle = title.count <= titleRoom ? title : String(title.prefix(titleRoom - 1)) + "…"
        // The title as it was drawn (the accent while a drag is on that panel).
        let titleCell = buffer[placement.x, placement.y]
        let titleStyle = TextStyle(foreground: titleCell.foreground, background: titleCell.background, attributes: titleCell.attributes)
        buffer.fill(x: placement.x, y: placement.y, width: width, height: 1, with: .blank)
        buffer.put(shownTitle, x: placement.x, y: placement.y, style: titleStyle)
        buffer.put(numbers, x: placement.x + width - numbers.count, y: placement.y, style: style)
    }

    /// The numbers of one fill panel, fitted to the space they get (the title row needs its title too).
    public static func draw(original: [Float], mask: [Float], fill: [Float]?, under placement: PanelPlacement,
                            title: String, layout: Layout, into buffer: inout CellBuffer, theme: Theme) {
        guard let fill else { return }
        guard let numbers = PanelNumbers(original: original, mask: mask, fill: fill) else {
            put({ _ in "no hole" }, under: placement, title: title, layout: layout, into: &buffer, style: theme.dim)
            return
        }
        put({ numbers.text(width: $0) }, under: placement, title: title, layout: layout, into: &buffer, style: theme.dim)
    }
}

/// The error panel's colour scale: the grey ramp it is drawn with, from 0 (black, no error) to 1 (white),
/// with the largest error on the hole ("0 ▀▀▀▀▀▀ 1  max .43").
enum ErrorScale {
    static func draw(errors: [Float], mask: [Float], under placement: PanelPlacement, title: String, layout: Layout,
                     into buffer: inout CellBuffer, style: RenderStyle, theme: Theme) {
        var largest: Float = 0
        for i in 0..<Digit.pixels where mask[i] == 0 { largest = max(largest, errors[i]) }
        let width = layout.digitSize.width
        let maxText = "max " + PanelNumbers.short(Double(largest), digits: 2)
        let row: Int, x: Int, room: Int
        if let below = layout.numbersRow(of: placement) {
            (row, x, room) = (below, placement.x, width)
        } else {
            (row, x, room) = (placement.y, placement.x + title.count + 2, width - title.count - 2)
        }
        // "0 " + ramp + " 1 " + max: the ramp gets what is left, at least 4 cells.
        let fixed = 2 + 3 + maxText.count
        let showMax = room - fixed >= 4
        let rampWidth = min(16, showMax ? room - fixed : room - 5)
        guard rampWidth >= 4 else { return }
        var column = buffer.put("0 ", x: x, y: row, style: theme.dim)
        for i in 0..<rampWidth {
            let value = Float(i) / Float(rampWidth - 1)
            if style.ascii {
                buffer[column, row] = Cell(AsciiRamp.character(for: value))
            } else {
                buffer[column, row] = Cell(" ", background: GrayPalette.color(for: value))
            }
            column += 1
        }
        column = buffer.put(" 1", x: column, y: row, style: theme.dim)
        if showMax { buffer.put(" " + maxText, x: column, y: row, style: theme.text) }
    }
}
