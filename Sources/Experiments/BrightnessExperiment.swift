import Datasets
import Figures
import Inpainting
import NeuralCore

/// Fig. 6: the fill grows darker as the hole grows (the L2 loss pulls uncertain pixels toward the grey
/// mean); dividing the fill by its maximum over the hole (the report's fix) brings the brightness back.
/// Brightness = the fill's mean on the true stroke pixels of the hole (x > 0.5), on unseen digits with a
/// centred square hole of each size; 1 would be strokes as bright as MNIST's.
enum BrightnessExperiment {
    static let sides = [6, 8, 10, 12, 14, 16, 18, 20]

    /// y with its hole pixels scaled so that their maximum is 1 (unchanged if the fill is nearly black:
    /// scaling noise up would invent ink). y, mask: [784].
    static func normalised(_ y: [Float], mask: [Float]) -> [Float] {
        let peak = zip(y, mask).filter { $0.1 == 0 }.map(\.0).max() ?? 0
        guard peak > 0.05 else { return y }
        return zip(y, mask).map { $1 == 0 ? min(1, $0 / peak) : $0 }
    }

    static func hole(side: Int) -> HoleRect {
        let corner = (Digit.side - side) / 2
        return HoleRect(top: corner, left: corner, height: side, width: side)
    }

    static func run(_ context: ExperimentContext) throws(ExperimentError) -> ExperimentResult {
        let unseen = PositionExperiment.unseenDigits(context)
        let n = unseen.labels.count
        guard n > 0 else { throw ExperimentError("brightness: expected test digits, found none") }
        let (model, losses) = try PositionExperiment.trainOnDigits(context, maskChannel: false, phase: "brightness")
        var numbers: [(key: String, value: Double)] = [("test_images", Double(n))]
        var raw: [(x: Double, y: Double)] = [], fixed: [(x: Double, y: Double)] = []
        var cells: [DigitGrid.Cell] = []
        let example = ExperimentFigure.slice(unseen.images, 0)
        for side in sides {
            let m = hole(side: side).mask()
            let masks = Array([[Float]](repeating: m, count: n).joined())
            let y = model.fill(images: unseen.images, masks: masks, count: n, output: .reconstruction)
            let yn = (0..<n).flatMap { normalised(ExperimentFigure.slice(y, $0), mask: m) }
            let b = HoleStatistics.strokeBrightness(y, unseen.images, masks: masks)
            let bn = HoleStatistics.strokeBrightness(yn, unseen.images, masks: masks)
            numbers += [("brightness_raw_side_\(side)", b), ("brightness_normalised_side_\(side)", bn)]
            raw.append((Double(side * side), b)); fixed.append((Double(side * side), bn))
            cells += [DigitGrid.Cell(pixels: example, caption: "\(side)x\(side)", mask: m),
                      DigitGrid.Cell(pixels: ExperimentFigure.composite(ExperimentFigure.slice(y, 0), example, m)),
                      DigitGrid.Cell(pixels: ExperimentFigure.composite(ExperimentFigure.slice(yn, 0), example, m))]
        }
        // Reorder to three rows (input, raw, normalised) × one column per size.
        let rows = (0..<3).flatMap { r in (0..<sides.count).map { cells[$0 * 3 + r] } }
        let grid = DigitGrid(columns: sides.count, cells: rows, title: "brightness: fill vs hole size, raw and max=1",
                             rowLabels: ["input", "raw", "max=1"])
        let small = raw.first!.y, large = raw.last!.y, largeFixed = fixed.last!.y
        numbers += [("brightness_raw_smallest", small), ("brightness_raw_largest", large),
                    ("brightness_normalised_largest", largeFixed)]
        var chart = ExperimentFigure.curves("brightness", [("training loss", losses)])
        chart = LineChartSVG(title: "brightness of the fill vs hole area", xLabel: "hole area (pixels)",
                             yLabel: "mean fill on the true strokes",
                             series: [.init(name: "raw", points: raw), .init(name: "max-normalised", points: fixed)])
        return ExperimentResult(
            name: .brightness, seed: context.seed, fast: context.fast, numbers: numbers,
            claims: [ExperimentClaim(statement: "the fill is darker in the largest hole than in the smallest", holds: large < small),
                     ExperimentClaim(statement: "normalising the maximum to 1 brings the largest hole's brightness closer to the truth",
                                     holds: abs(largeFixed - 1) < abs(large - 1))],
            figure: grid.render(), lossCurves: chart)
    }
}
