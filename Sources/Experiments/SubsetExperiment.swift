import Figures
import Inpainting
import NeuralCore

/// Figs. 3 and 4: a few digits, full-batch iterations with fresh rectangle holes each time, scored on
/// unseen test digits of the same classes with fixed holes (`MasksFile.make(seed: 0)`), beside the mean
/// of the training digits and the biharmonic fill.
struct SubsetExperiment {
    var name: ExperimentName
    var labels: [Int]
    var perLabel: Int
    var iterations: Int
    /// PyTorch with our architecture (issue 6 §1).
    var anchors: [(key: String, value: Double)]
    /// The report's claim, as a bound on the final training loss.
    var reportTrainingLoss: Double?

    static let sevens = SubsetExperiment(
        name: .sevens, labels: [7], perLabel: 40, iterations: 200,
        anchors: [("final_training_loss", 0.009), ("hole_mse_unseen", 0.079), ("hole_mse_mean_fill", 0.084),
                  ("report_training_loss_below", 0.03)],
        reportTrainingLoss: 0.03)
    static let digits = SubsetExperiment(
        name: .digits, labels: Array(0...9), perLabel: 20, iterations: 500,
        anchors: [("hole_mse_unseen", 0.108), ("hole_mse_biharmonic", 0.113)], reportTrainingLoss: nil)

    /// The experiment's data and recipe: the training digits, the unseen test digits, steps and rate.
    func setup(_ context: ExperimentContext) throws(ExperimentError)
        -> (train: (images: [Float], labels: [Int]), unseen: (images: [Float], labels: [Int]), steps: Int, learningRate: Float)
    {
        let perLabel = context.fast ? max(2, perLabel / 5) : perLabel
        guard let train = context.train.firstImages(of: labels, perLabel: perLabel) else {
            throw ExperimentError("\(name): expected \(perLabel) training images of each of \(labels), found fewer")
        }
        let unseen = context.test.upTo(context.fast ? 10 : 100, of: labels)
        guard !unseen.labels.isEmpty else { throw ExperimentError("\(name): expected test images of \(labels), found none") }
        return (train, unseen, context.fast ? 100 : iterations, context.fast ? 3e-3 : 1e-3)
    }

    func run(_ context: ExperimentContext) throws(ExperimentError) -> ExperimentResult {
        let (train, unseen, steps, learningRate) = try setup(context)
        let testCount = unseen.labels.count
        let count = train.labels.count
        context.progress(.phase("\(count) training digits, \(steps) full-batch iterations; \(testCount) unseen test digits"))

        var rng = SeededGenerator(seed: context.seed)
        var model = ContextEncoder(config: ModelConfig(architecture: context.architecture), generator: &rng)
        let losses = ExperimentTraining.train(&model, images: train.images, count: count, steps: steps,
                                              learningRate: learningRate, seed: context.seed,
                                              phase: name.rawValue, progress: context.progress,
                                              masks: ExperimentTraining.randomRectangles(count: count))
        // Fixed holes: seed 0 as `inpaint eval`, for the training digits (in-sample) and the unseen ones.
        let trainMasks = ExperimentTraining.fixedMasks(count: count)
        let testMasks = ExperimentTraining.fixedMasks(count: testCount)
        let yTrain = model.fill(images: train.images, masks: trainMasks, count: count, output: .reconstruction)
        let yTest = model.fill(images: unseen.images, masks: testMasks, count: testCount, output: .reconstruction)
        let mean = HoleStatistics.meanImage(train.images, count: count)
        let meanFill = HoleStatistics.fill(.mean(mean), images: unseen.images, masks: testMasks, count: testCount)
        let biharmonic = HoleStatistics.fill(.biharmonic, images: unseen.images, masks: testMasks, count: testCount)
        let mseUnseen = HoleStatistics.mse(yTest, unseen.images, masks: testMasks)
        let mseMean = HoleStatistics.mse(meanFill, unseen.images, masks: testMasks)
        let mseBiharmonic = HoleStatistics.mse(biharmonic, unseen.images, masks: testMasks)
        let finalLoss = Double(losses.last ?? .nan)
        var claims = [ExperimentClaim(statement: "the network learns its training digits: in-sample hole MSE below a third of the unseen digits'",
                                      holds: HoleStatistics.mse(yTrain, train.images, masks: trainMasks) < mseUnseen / 3)]
        if let bound = reportTrainingLoss {
            claims.append(ExperimentClaim(statement: "the report: a per-pixel training loss below \(bound)", holds: finalLoss < bound))
        }
        claims.append(ExperimentClaim(statement: "on unseen digits the network beats the mean-image fill", holds: mseUnseen < mseMean))

        // Figure: 8 unseen digits: input, network, mean fill, biharmonic, truth.
        let shown = Array(stride(from: 0, to: testCount, by: max(1, testCount / 8)).prefix(8))
        var cells: [DigitGrid.Cell] = []
        for (row, source) in [(unseen.images, "input"), (yTest, "network"), (meanFill, "mean"), (biharmonic, "biharm"), (unseen.images, "truth")].enumerated() {
            for i in shown {
                let x = ExperimentFigure.slice(unseen.images, i), m = ExperimentFigure.slice(testMasks, i)
                let y = ExperimentFigure.slice(source.0, i)
                cells.append(DigitGrid.Cell(pixels: row == 0 || row == 4 ? x : ExperimentFigure.composite(y, x, m),
                                            mask: row == 0 ? m : nil))
            }
        }
        let grid = DigitGrid(columns: shown.count, cells: cells,
                             title: "\(name): \(count) digits, \(steps) iterations, unseen test",
                             rowLabels: ["input", "network", "mean", "biharm", "truth"])
        return ExperimentResult(
            name: name, seed: context.seed, fast: context.fast,
            numbers: [("training_images", Double(count)), ("iterations", Double(steps)), ("test_images", Double(testCount)),
                      ("final_training_loss", finalLoss),
                      ("hole_mse_in_sample", HoleStatistics.mse(yTrain, train.images, masks: trainMasks)),
                      ("hole_mse_unseen", mseUnseen), ("hole_mse_mean_fill", mseMean), ("hole_mse_biharmonic", mseBiharmonic)],
            anchors: anchors, claims: claims, figure: grid.render(),
            lossCurves: ExperimentFigure.curves(name.rawValue, [("training", losses)]))
    }
}
