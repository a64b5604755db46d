import Foundation
import NeuralCore

/// `full`: the whole training split through `Trainer` with its default recipe (batch 64, Adam 1e-3, the
/// report's rectangles), then the evaluation table of `inpaint eval` on the test split: the network beside
/// the five classical fills, fixed holes (seed 0).
enum FullExperiment {
    /// Steps of the full run (our choice for an experiment that must end; the bundled model trains longer).
    static let steps = 3000

    /// Collects the training losses; events arrive on the thread that calls `run()`, i.e. ours.
    private final class LossLog: @unchecked Sendable {
        var losses: [Float] = []
        var progress: (ExperimentProgress) -> Void = { _ in }
        var total = 0
    }

    static func run(_ context: ExperimentContext) throws(ExperimentError) -> ExperimentResult {
        let testCount = min(context.test.count, context.fast ? 50 : 2000)
        guard testCount > 0 else { throw ExperimentError("full: expected a test split, found none") }
        var options = TrainingOptions()
        options.seed = context.seed
        options.maxSteps = context.fast ? 5 : steps
        options.evalEvery = 0
        context.progress(.phase("\(context.train.count) training digits, \(options.maxSteps!) steps of \(options.batchSize)"))
        var rng = SeededGenerator(seed: context.seed)
        let model = ContextEncoder(config: ModelConfig(architecture: context.architecture), generator: &rng)
        let log = LossLog()
        log.progress = context.progress
        log.total = options.maxSteps!
        let trainer = Trainer(model: model, images: context.train.images.pixels, count: context.train.count,
                              options: options) { event in
            if case .step(let s) = event {
                log.losses.append(s.loss)
                log.progress(.step(phase: "full", step: s.step, of: log.total, loss: s.loss))
            }
        }
        let reason = trainer.run()
        guard reason == .finished else { throw ExperimentError("full: training stopped early (\(reason))") }
        let trained = trainer.checkpoint().model

        let test = context.test.prefix(testCount)
        let masks = ExperimentTraining.fixedMasks(count: testCount)
        let evaluator = InpaintingEvaluator(images: test.images.pixels, labels: (0..<testCount).map { test.label(at: $0) },
                                            masks: masks, classifier: nil)
        context.progress(.phase("scoring on \(testCount) test digits"))
        var numbers: [(key: String, value: Double)] = [("steps", Double(options.maxSteps!)), ("test_images", Double(testCount)),
                                                        ("final_training_loss", Double(log.losses.last ?? .nan))]
        let network = evaluator.evaluate { x, m, n in trained.fill(images: x, masks: m, count: n, output: .reconstruction) }
        numbers.append(("hole_mse_network", network.overall.mse))
        let mean = HoleStatistics.meanImage(context.train.images.pixels, count: context.train.count)
        var best = Double.infinity
        for fill in ClassicalFill.all(meanImage: mean) {
            let mse = evaluator.evaluate(fill, threads: 2).overall.mse
            best = min(best, mse)
            numbers.append(("hole_mse_\(fill.name.replacingOccurrences(of: " ", with: "_"))", mse))
        }
        let y = trained.fill(images: test.images.pixels, masks: masks, count: testCount, output: .composite)
        let shown = Array(0..<min(testCount, 10))
        var cells: [DigitGrid.Cell] = shown.map { DigitGrid.Cell(pixels: ExperimentFigure.slice(test.images.pixels, $0), mask: ExperimentFigure.slice(masks, $0)) }
        cells += shown.map { DigitGrid.Cell(pixels: ExperimentFigure.slice(y, $0)) }
        cells += shown.map { DigitGrid.Cell(pixels: ExperimentFigure.slice(test.images.pixels, $0)) }
        let grid = DigitGrid(columns: shown.count, cells: cells, title: "full: \(options.maxSteps!) steps on \(context.train.count) digits",
                             rowLabels: ["input", "network", "truth"])
        return ExperimentResult(
            name: .full, seed: context.seed, fast: context.fast, numbers: numbers,
            claims: [ExperimentClaim(statement: "the network beats every classical fill on hole MSE", holds: network.overall.mse < best)],
            figure: grid.render(), lossCurves: ExperimentFigure.curves("full", [("training", log.losses)]))
    }
}
