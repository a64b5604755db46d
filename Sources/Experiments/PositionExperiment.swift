import Figures
import Inpainting
import NeuralCore

/// Fig. 5: with one input channel x ⊙ M a hole pixel looks exactly like black ink-free paper, so the
/// network cannot tell where the hole is and its fill stays partly as dark as the masked input. Measured
/// as the share of the hole's true ink the fill restores (Σ_hole y / Σ_hole x) and the hole MSE, on unseen
/// digits with fixed holes, for the report's single channel and for the mask as a second channel.
enum PositionExperiment {
    /// Trains a network on `perLabel` of every digit (fresh rectangles each iteration).
    static func trainOnDigits(_ context: ExperimentContext, maskChannel: Bool, phase: String)
        throws(ExperimentError) -> (ContextEncoder, [Float])
    {
        let (train, steps, learningRate) = try digitsSetup(context, phase: phase)
        var rng = SeededGenerator(seed: context.seed)
        var model = ContextEncoder(config: ModelConfig(architecture: context.architecture, maskChannel: maskChannel),
                                   generator: &rng)
        let count = train.labels.count
        let losses = ExperimentTraining.train(&model, images: train.images, count: count, steps: steps,
                                              learningRate: learningRate, seed: context.seed, phase: phase,
                                              progress: context.progress, masks: ExperimentTraining.randomRectangles(count: count))
        return (model, losses)
    }

    /// The training digits (`perLabel` of every class), steps and rate that `position` and `brightness` share.
    static func digitsSetup(_ context: ExperimentContext, phase: String) throws(ExperimentError)
        -> (train: (images: [Float], labels: [Int]), steps: Int, learningRate: Float)
    {
        let perLabel = context.fast ? 3 : 20
        guard let train = context.train.firstImages(of: Array(0...9), perLabel: perLabel) else {
            throw ExperimentError("\(phase): expected \(perLabel) training images of every digit, found fewer")
        }
        return (train, context.fast ? 60 : 300, context.fast ? 3e-3 : 1e-3)
    }

    /// The unseen test digits `position` and `brightness` score on (grouped by label).
    static func unseenDigits(_ context: ExperimentContext) -> (images: [Float], labels: [Int]) {
        context.test.upTo(context.fast ? 5 : 50, of: Array(0...9))
    }

    static func run(_ context: ExperimentContext) throws(ExperimentError) -> ExperimentResult {
        let unseen = unseenDigits(context)
        let n = unseen.labels.count
        guard n > 0 else { throw ExperimentError("position: expected test digits, found none") }
        let masks = ExperimentTraining.fixedMasks(count: n)
        context.progress(.phase("two networks (one channel, mask channel) on \(context.fast ? 40 : 200) digits; \(n) unseen"))
        var numbers: [(key: String, value: Double)] = [("test_images", Double(n))]
        var outputs: [[Float]] = []
        var curves: [(String, [Float])] = []
        for maskChannel in [false, true] {
            let tag = maskChannel ? "mask_channel" : "one_channel"
            let (model, losses) = try trainOnDigits(context, maskChannel: maskChannel, phase: tag.replacingOccurrences(of: "_", with: " "))
            curves.append((tag.replacingOccurrences(of: "_", with: " "), losses))
            let y = model.fill(images: unseen.images, masks: masks, count: n, output: .reconstruction)
            outputs.append(y)
            numbers += [("ink_restored_\(tag)", HoleStatistics.brightness(y, unseen.images, masks: masks)),
                        ("hole_mse_\(tag)", HoleStatistics.mse(y, unseen.images, masks: masks))]
        }
        let one = numbers.first { $0.key == "ink_restored_one_channel" }!.value
        let two = numbers.first { $0.key == "ink_restored_mask_channel" }!.value
        let mse1 = numbers.first { $0.key == "hole_mse_one_channel" }!.value
        let mse2 = numbers.first { $0.key == "hole_mse_mask_channel" }!.value
        // One of each digit: the test digits are grouped by label.
        let shown = Array(stride(from: 0, to: n, by: max(1, n / 10)).prefix(10))
        var cells: [DigitGrid.Cell] = []
        for row in 0..<4 {
            for i in shown {
                let x = ExperimentFigure.slice(unseen.images, i), m = ExperimentFigure.slice(masks, i)
                switch row {
                case 0: cells.append(DigitGrid.Cell(pixels: x, mask: m))
                case 1, 2: cells.append(DigitGrid.Cell(pixels: ExperimentFigure.slice(outputs[row - 1], i)))
                default: cells.append(DigitGrid.Cell(pixels: x))
                }
            }
        }
        let grid = DigitGrid(columns: shown.count, cells: cells, title: "position: whole outputs, one channel vs mask channel",
                             rowLabels: ["input", "1 chan", "mask ch", "truth"])
        return ExperimentResult(
            name: .position, seed: context.seed, fast: context.fast, numbers: numbers,
            claims: [ExperimentClaim(statement: "the mask channel restores more of the hole's ink than one channel", holds: two > one),
                     ExperimentClaim(statement: "the mask channel lowers the hole MSE", holds: mse2 < mse1)],
            figure: grid.render(), lossCurves: ExperimentFigure.curves("position", curves))
    }
}
