import Datasets
import Foundation

/// The runtime's answer to `.explain` (issue 13 §3): what reconstructed pixel `pixel` depends on, from one
/// backward pass of that output pixel through the current weights (`ContextEncoder.explain`).
public struct PixelSaliency: Sendable, Equatable {
    /// Row-major in 0..<784.
    public var pixel: Int
    /// reconstruction[pixel].
    public var value: Float
    /// [784] ∂ reconstruction[pixel] / ∂ (x ⊙ M)[q], the network's first input channel (signed).
    public var gradient: [Float]
    /// The encoder map with the largest |Σ_q gradient·activation| (the first-order share of the value that
    /// flows through it), that share, and how many maps there are.
    public var topFeature: Int
    public var topContribution: Float
    public var featureCount: Int
    /// [featureHeight × featureWidth] that map's activations.
    public var topFeatureMap: [Float]
    public var featureHeight: Int
    public var featureWidth: Int

    public init(pixel: Int, value: Float, gradient: [Float], topFeature: Int, topContribution: Float, featureCount: Int,
                topFeatureMap: [Float], featureHeight: Int, featureWidth: Int) {
        precondition(gradient.count == Digit.pixels, "saliency needs 784 gradients, found \(gradient.count)")
        precondition(topFeatureMap.count == featureHeight * featureWidth, "top map is not \(featureHeight)×\(featureWidth)")
        self.pixel = pixel; self.value = value; self.gradient = gradient; self.topFeature = topFeature
        self.topContribution = topContribution; self.featureCount = featureCount; self.topFeatureMap = topFeatureMap
        self.featureHeight = featureHeight; self.featureWidth = featureWidth
    }

    /// [784] |gradient| / max |gradient| in [0, 1] (all zero when the gradient is).
    public var normalizedSaliency: [Float] {
        let largest = gradient.map(abs).max() ?? 0
        return largest > 0 ? gradient.map { abs($0) / largest } : [Float](repeating: 0, count: Digit.pixels)
    }
}

/// The explain panels' titles: what is shown and by which measure, shorter where the panel is narrow.
func explainPanelTitle(_ state: AppState, _ kind: PanelKind, width: Int) -> String {
    let pixel = state.probe.saliency?.pixel ?? state.probe.pixel
    switch kind {
    case .saliency:
        guard let pixel else { return "saliency" }
        let at = "\(pixel / Digit.side),\(pixel % Digit.side)"
        return [ "saliency |∂y[\(at)]/∂x|", "|∂y[\(at)]/∂x|", "∂y[\(at)]" ].first { $0.count <= width } ?? "∂y"
    default:
        guard let s = state.probe.saliency else { return "top map" }
        return ["map \(s.topFeature)/\(s.featureCount): top |Σ grad·act|", "map \(s.topFeature): top |Σ grad·act|",
                "map \(s.topFeature) top |Σg·a|", "map \(s.topFeature)"]
            .first { $0.count <= width } ?? "map"
    }
}

/// Draws the saliency (a heat map of |∂y[p]/∂x| scaled to its largest value) or the top map (its
/// activations stretched to their own range, enlarged to the panel).
func drawExplainPanel(_ state: AppState, _ placement: PanelPlacement, side: Int, into buffer: inout CellBuffer, theme: Theme) {
    let width = DigitPanel.size(side: side).width
    guard let saliency = state.probe.saliency else {
        let text = state.probe.pixel == nil ? "(point at a pixel)" : "(explaining…)"
        buffer.put(text, x: placement.x, y: placement.digitY + waitingRowOffset(side: side), style: theme.dim, maxWidth: width)
        return
    }
    let canvas: [Float]
    if placement.kind == .saliency {
        canvas = DigitResampling.resample(saliency.normalizedSaliency, side: side)
    } else {
        canvas = ExplainPanel.enlarge(saliency.topFeatureMap, height: saliency.featureHeight, width: saliency.featureWidth, side: side)
    }
    let heat = placement.kind == .saliency
    for cy in 0..<(side / 2) {
        for cx in 0..<side {
            let upper = canvas[(2 * cy) * side + cx], lower = canvas[(2 * cy + 1) * side + cx]
            if state.style.ascii {
                buffer[placement.x + cx, placement.digitY + cy] = Cell(AsciiRamp.character(for: (upper + lower) / 2))
            } else {
                buffer[placement.x + cx, placement.digitY + cy] = Cell(
                    "▀", foreground: heat ? HeatPalette.color(for: upper) : GrayPalette.color(for: upper),
                    background: heat ? HeatPalette.color(for: lower) : GrayPalette.color(for: lower))
            }
        }
    }
}

/// The numbers under the explain panels: the pixel's value and the saliency's largest |∂|; the top map's
/// share and its rank among the maps.
func drawExplainNumbers(_ state: AppState, _ placement: PanelPlacement, title: String, layout: Layout,
                        into buffer: inout CellBuffer, theme: Theme) {
    guard let s = state.probe.saliency, let row = layout.numbersRow(of: placement) else { return }
    let width = layout.digitSize.width
    let forms: [String]
    if placement.kind == .saliency {
        let largest = PanelNumbers.short(Double(s.gradient.map(abs).max() ?? 0), digits: 3)
        let value = PanelNumbers.short(Double(s.value), digits: 2)
        forms = ["y \(value)  max |∂y/∂x| \(largest)", "y \(value) max \(largest)", "max \(largest)"]
    } else {
        let share = String(format: "%+.3f", Double(s.topContribution))
        forms = ["its Σ grad·act \(share)", "Σ grad·act \(share)", "Σg·a \(share)", share]
    }
    buffer.put(forms.first { $0.count <= width } ?? forms.last!, x: placement.x, y: row, style: theme.dim, maxWidth: width)
}

enum ExplainPanel {
    /// A height×width map stretched to its own range and enlarged (nearest neighbour) to side×side pixels.
    static func enlarge(_ map: [Float], height: Int, width: Int, side: Int) -> [Float] {
        guard height > 0, width > 0 else { return [Float](repeating: 0, count: side * side) }
        let low = map.min() ?? 0, high = map.max() ?? 0, range = high - low
        var canvas = [Float](repeating: 0, count: side * side)
        for r in 0..<side {
            for c in 0..<side {
                let v = map[(r * height / side) * width + c * width / side]
                canvas[r * side + c] = range > 1e-12 ? (v - low) / range : 0
            }
        }
        return canvas
    }
}
