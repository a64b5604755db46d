import Datasets
import Evaluation
import Figures
import Foundation
import Inpainting
import NeuralCore

/// `architectures` (issue 6 §2, the report's other future work, "pooling and strides"): `paper`, `strided`
/// and `pooled` each trained for the same wall-clock budget through `Trainer` with the default recipe
/// (batch 64, Adam 1e-3, the report's random rectangles, one worker; BLAS threads as the caller set them),
/// then scored as `inpaint eval` scores a model: hole MSE, pooled PSNR, SSIM and the digit classifier's
/// accuracy on the composites, over the test split with the fixed holes of `inpaint masks make --seed 0`.
///
/// Equal time, not equal steps: the question is which network is best for the same machine time, so the
/// faster networks take more steps. On a shared machine the time each network gets is noisy, so the steps
/// it reached and its img/s are reported beside its quality. The fast variant trains a fixed number of
/// steps instead, so that it repeats bit for bit.
enum ArchitecturesExperiment {
    static let architectures: [Architecture] = [.paper, .strided, .pooled]
    /// Steps per network in the fast variant (a step budget: a time budget would not repeat).
    static let fastSteps = 4
    /// Test digits shown in the figure.
    static let shown = 10

    /// What one network's training left behind; events arrive on the thread that calls `run()`, i.e. ours.
    private final class TrainingLog: @unchecked Sendable {
        var losses: [(seconds: Double, loss: Float)] = []
        weak var trainer: Trainer?
        var nextReport = 0.1
    }

    static func run(_ context: ExperimentContext) throws(ExperimentError) -> ExperimentResult {
        let budget = context.secondsPerModel
        guard context.fast || budget > 0 else { throw ExperimentError("architectures: expected a positive time budget, found \(budget) s") }
        let testCount = context.fast ? min(context.test.count, 50) : context.test.count
        guard testCount > 0 else { throw ExperimentError("architectures: expected a test split, found none") }
        let test = context.test.prefix(testCount)
        let masks = ExperimentTraining.fixedMasks(count: testCount)
        let evaluator = InpaintingEvaluator(images: test.images.pixels, labels: (0..<testCount).map { test.label(at: $0) },
                                            masks: masks, classifier: context.classifier)

        var numbers: [(key: String, value: Double)] = [
            ("seconds_per_model", context.fast ? 0 : budget), ("test_images", Double(testCount)),
            ("training_images", Double(context.train.count)),
        ]
        var curves: [LineChartSVG.Series] = []
        var composites: [[Float]] = []
        var scores: [Architecture: (mse: Double, imagesPerSecond: Double)] = [:]
        for architecture in architectures {
            let name = architecture.rawValue
            context.progress(.phase(context.fast ? "\(name): \(fastSteps) steps" : "\(name): training for \(Int(budget)) s"))
            let (trained, log, seconds) = try train(architecture, context: context, budget: budget)
            let steps = log.losses.count
            let imagesPerSecond = Double(steps * TrainingOptions().batchSize) / max(seconds, 1e-9)
            context.progress(.phase("\(name): \(steps) steps in \(String(format: "%.0f", seconds)) s; scoring on \(testCount) test digits"))
            let summary = evaluator.evaluate { x, m, n in trained.fill(images: x, masks: m, count: n, output: .reconstruction) }.overall
            // The mean of the last 10 % of the batch losses: one batch's loss is too noisy to compare.
            let tail = log.losses.suffix(max(1, steps / 10)).map { Double($0.loss) }
            numbers += [
                ("\(name)_steps", Double(steps)), ("\(name)_training_seconds", seconds),
                ("\(name)_images_per_second", imagesPerSecond),
                ("\(name)_final_training_loss", tail.reduce(0, +) / Double(max(tail.count, 1))),
                ("\(name)_hole_mse", summary.mse), ("\(name)_psnr", summary.psnrPooled), ("\(name)_ssim", summary.ssim),
            ]
            if let accuracy = summary.accuracy { numbers.append(("\(name)_accuracy", accuracy)) }
            numbers += [("\(name)_weights", Double(trained.parameters.count)),
                        ("\(name)_model_megabytes", modelFileBytes(trained) / 1_000_000)]
            scores[architecture] = (summary.mse, imagesPerSecond)
            curves.append(LineChartSVG.Series(name: name, points: thinned(log.losses)))
            composites.append(trained.fill(images: Array(test.images.pixels.prefix(min(shown, testCount) * Digit.pixels)),
                                           masks: Array(masks.prefix(min(shown, testCount) * Digit.pixels)),
                                           count: min(shown, testCount), output: .composite))
        }

        let paper = scores[.paper]!, strided = scores[.strided]!, pooled = scores[.pooled]!
        let claims = [
            ExperimentClaim(statement: "strided and pooled train more images per second than paper",
                            holds: strided.imagesPerSecond > paper.imagesPerSecond && pooled.imagesPerSecond > paper.imagesPerSecond),
            ExperimentClaim(statement: "in the same time, pooled fills the hole better (lower hole MSE) than strided",
                            holds: pooled.mse < strided.mse),
            ExperimentClaim(statement: "in the same time, the report's paper network fills the hole better than both",
                            holds: paper.mse < strided.mse && paper.mse < pooled.mse),
        ]
        return ExperimentResult(name: .architectures, seed: context.seed, fast: context.fast, numbers: numbers, claims: claims,
                                figure: figure(test: test.images.pixels, masks: masks, composites: composites, context: context),
                                lossCurves: LineChartSVG(title: "architectures: training loss at equal time", xLabel: "seconds",
                                                         yLabel: "hole MSE (training batch)", series: curves, logY: true))
    }

    /// Trains one network from the seed: `fastSteps` steps, or until `budget` seconds have passed.
    private static func train(_ architecture: Architecture, context: ExperimentContext,
                              budget: Double) throws(ExperimentError) -> (ContextEncoder, TrainingLog, Double) {
        var options = TrainingOptions()
        options.seed = context.seed
        options.evalEvery = 0
        options.maxSteps = context.fast ? fastSteps : nil  // nil: until cancelled when the budget is spent
        var rng = SeededGenerator(seed: context.seed)
        let model = ContextEncoder(config: ModelConfig(architecture: architecture), generator: &rng)
        let log = TrainingLog()
        let progress = context.progress, fast = context.fast, name = architecture.rawValue
        let clock = ContinuousClock(), start = clock.now
        let trainer = Trainer(model: model, images: context.train.images.pixels, count: context.train.count,
                              options: options) { event in
            guard case .step(let step) = event else { return }
            let elapsed = (clock.now - start).inSeconds
            log.losses.append((elapsed, step.loss))
            if fast { progress(.step(phase: name, step: step.step, of: fastSteps, loss: step.loss)); return }
            if elapsed >= log.nextReport * budget {
                progress(.phase("  \(name): \(Int(elapsed)) s, step \(step.step), loss \(String(format: "%.4f", step.loss))"))
                log.nextReport += 0.1
            }
            if elapsed >= budget { log.trainer?.cancel() }
        }
        log.trainer = trainer
        let reason = trainer.run()
        let seconds = (clock.now - start).inSeconds
        guard reason == .finished || reason == .cancelled else {
            throw ExperimentError("architectures: training \(name) stopped early (\(reason))")
        }
        return (trainer.checkpoint().model, log, seconds)
    }

    /// Bytes of the model as `inpaint export` writes it (F32, no optimizer state): the safetensors header
    /// plus four bytes a weight. Measured by writing it to a temporary file; NaN if that fails.
    private static func modelFileBytes(_ model: ContextEncoder) -> Double {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("inpaint-architectures-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        guard (try? Checkpoint(model: model).write(to: url)) != nil,
              let size = try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? NSNumber else { return .nan }
        return size.doubleValue
    }

    /// At most ~300 points per curve (a fast network takes thousands of steps): means of consecutive runs.
    private static func thinned(_ losses: [(seconds: Double, loss: Float)]) -> [(x: Double, y: Double)] {
        let group = max(1, losses.count / 300)
        return stride(from: 0, to: losses.count, by: group).map { start in
            let part = losses[start..<min(start + group, losses.count)]
            return (part.last!.seconds, part.reduce(0.0) { $0 + Double($1.loss) } / Double(part.count))
        }
    }

    /// Columns: the first test digits; rows: the masked input, each network's composite, the truth.
    private static func figure(test: [Float], masks: [Float], composites: [[Float]], context: ExperimentContext) -> PNGImage {
        let columns = composites.first.map { $0.count / Digit.pixels } ?? 0
        var cells: [DigitGrid.Cell] = (0..<columns).map {
            DigitGrid.Cell(pixels: ExperimentFigure.slice(test, $0), mask: ExperimentFigure.slice(masks, $0))
        }
        for fills in composites { cells += (0..<columns).map { DigitGrid.Cell(pixels: ExperimentFigure.slice(fills, $0)) } }
        cells += (0..<columns).map { DigitGrid.Cell(pixels: ExperimentFigure.slice(test, $0)) }
        let title = context.fast ? "architectures: \(fastSteps) steps each" : "architectures: \(Int(context.secondsPerModel)) s of training each"
        return DigitGrid(columns: max(columns, 1), cells: cells, title: title,
                         rowLabels: ["input"] + architectures.map(\.rawValue) + ["truth"]).render()
    }
}

private extension Duration {
    var inSeconds: Double { Double(components.seconds) + Double(components.attoseconds) * 1e-18 }
}
