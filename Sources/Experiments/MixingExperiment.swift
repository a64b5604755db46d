import Datasets
import Figures
import Inpainting
import NeuralCore

/// Fig. 7: trained on 7s and 9s, a hole over the part that tells them apart yields a blend of both.
/// The hole is the 10×10 window where the mean training 7 and mean training 9 differ most; the blend is
/// measured by fitting each fill (hole pixels) as a·mean7 + b·mean9 and taking the other class's share.
enum MixingExperiment {
    static let holeSide = 10

    /// The window maximising Σ (mean7 − mean9)² over its pixels.
    static func mostAmbiguousHole(_ mean7: [Float], _ mean9: [Float]) -> HoleRect {
        var best = HoleRect(top: 0, left: 0, height: holeSide, width: holeSide), bestScore = -1.0
        for top in 0...(Digit.side - holeSide) {
            for left in 0...(Digit.side - holeSide) {
                var score = 0.0
                for r in top..<(top + holeSide) { for c in left..<(left + holeSide) {
                    let d = Double(mean7[r * Digit.side + c] - mean9[r * Digit.side + c]); score += d * d
                } }
                if score > bestScore { bestScore = score; best = HoleRect(top: top, left: left, height: holeSide, width: holeSide) }
            }
        }
        return best
    }

    /// Least squares y ≈ a·u + b·v over the hole pixels of all `fills`, pooled: (a, b).
    static func blend(_ fills: [[Float]], _ u: [Float], _ v: [Float], mask: [Float]) -> (Double, Double) {
        var uu = 0.0, uv = 0.0, vv = 0.0, uy = 0.0, vy = 0.0
        for y in fills {
            for i in mask.indices where mask[i] == 0 {
                let a = Double(u[i]), b = Double(v[i]), t = Double(y[i])
                uu += a * a; uv += a * b; vv += b * b; uy += a * t; vy += b * t
            }
        }
        let det = uu * vv - uv * uv
        guard abs(det) > 1e-12 else { return (.nan, .nan) }
        return ((uy * vv - vy * uv) / det, (vy * uu - uy * uv) / det)
    }

    struct Setup {
        /// The 7s then the 9s: [count, 784].
        var train: (images: [Float], labels: [Int])
        var mean7: [Float], mean9: [Float]
        var hole: HoleRect
        var steps: Int
        var learningRate: Float
    }

    /// The training 7s and 9s, their means, the hole where they differ most, steps and rate.
    static func setup(_ context: ExperimentContext) throws(ExperimentError) -> Setup {
        let perLabel = context.fast ? 8 : 40
        guard let train = context.train.firstImages(of: [7, 9], perLabel: perLabel) else {
            throw ExperimentError("mixing: expected \(perLabel) training 7s and 9s, found fewer")
        }
        let mean7 = HoleStatistics.meanImage(Array(train.images[0..<(perLabel * Digit.pixels)]), count: perLabel)
        let mean9 = HoleStatistics.meanImage(Array(train.images[(perLabel * Digit.pixels)...]), count: perLabel)
        return Setup(train: train, mean7: mean7, mean9: mean9, hole: mostAmbiguousHole(mean7, mean9),
                     steps: context.fast ? 60 : 300, learningRate: context.fast ? 3e-3 : 1e-3)
    }

    static func run(_ context: ExperimentContext) throws(ExperimentError) -> ExperimentResult {
        let s = try setup(context)
        let (train, mean7, mean9, hole, steps) = (s.train, s.mean7, s.mean9, s.hole, s.steps)
        let count = train.labels.count
        let m = hole.mask()
        context.progress(.phase("\(count) 7s and 9s, \(steps) iterations; ambiguous hole at (\(hole.top),\(hole.left))"))
        var rng = SeededGenerator(seed: context.seed)
        var model = ContextEncoder(config: ModelConfig(architecture: context.architecture), generator: &rng)
        let losses = ExperimentTraining.train(&model, images: train.images, count: count, steps: steps,
                                              learningRate: s.learningRate, seed: context.seed, phase: "mixing",
                                              progress: context.progress, masks: ExperimentTraining.randomRectangles(count: count))
        var numbers: [(key: String, value: Double)] = [("training_images", Double(count)), ("iterations", Double(steps)),
                                                        ("hole_top", Double(hole.top)), ("hole_left", Double(hole.left))]
        var cells: [DigitGrid.Cell] = []
        var shares: [Double] = []
        for (label, own, other) in [(7, mean7, mean9), (9, mean9, mean7)] {
            let unseen = context.test.upTo(context.fast ? 10 : 100, of: [label])
            let n = unseen.labels.count
            guard n > 0 else { throw ExperimentError("mixing: expected test \(label)s, found none") }
            let y = model.fill(images: unseen.images, masks: Array([[Float]](repeating: m, count: n).joined()), count: n,
                               output: .reconstruction)
            let (a, b) = blend((0..<n).map { ExperimentFigure.slice(y, $0) }, own, other, mask: m)
            let share = b / (a + b)
            shares.append(share)
            numbers += [("own_class_weight_\(label)s", a), ("other_class_weight_\(label)s", b), ("other_class_share_\(label)s", share)]
            for i in 0..<min(n, 4) {
                let x = ExperimentFigure.slice(unseen.images, i)
                cells += [DigitGrid.Cell(pixels: x, caption: "\(label) in", mask: m),
                          DigitGrid.Cell(pixels: ExperimentFigure.composite(ExperimentFigure.slice(y, i), x, m), caption: "filled")]
            }
        }
        cells += [DigitGrid.Cell(pixels: mean7, caption: "mean 7", mask: m), DigitGrid.Cell(pixels: mean9, caption: "mean 9", mask: m)]
        let grid = DigitGrid(columns: 8, cells: cells, title: "mixing: trained on 7s and 9s, the ambiguous hole")
        return ExperimentResult(
            name: .mixing, seed: context.seed, fast: context.fast, numbers: numbers,
            claims: [ExperimentClaim(statement: "the fill is a blend: the other class's mean carries at least 20 % of the fit for both 7s and 9s",
                                     holds: shares.allSatisfy { $0 >= 0.2 })],
            figure: grid.render(), lossCurves: ExperimentFigure.curves("mixing", [("7s and 9s", losses)]))
    }
}
