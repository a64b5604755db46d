import Datasets
import Evaluation
import Figures
import Foundation
import Inpainting
import NeuralCore

/// `adversarial` (issue 6 §2, the report's future work): the same network, seed, data and steps trained
/// with the report's L2 loss alone and with Pathak et al.'s L = λ·L_rec + (1 − λ)·L_adv (λ = 0.999), then
/// scored on the test split with the fixed holes of `inpaint eval`: hole MSE, PSNR, SSIM, classifier
/// accuracy, and two sharpness numbers on the hole (see `Sharpness`). Whether the fill sharpens is
/// reported as a claim that may fail, not assumed.
enum AdversarialExperiment {
    /// Steps per arm of the full run: a few thousand, so that both arms fit in about ten minutes on the
    /// shared 2-core machine with `--architecture strided` (the paper network takes about three times as long).
    static let steps = 2000
    static let fastSteps = 40

    /// Losses per step, collected from the trainer's events (which arrive on our thread).
    private final class Log: @unchecked Sendable {
        var reconstruction: [Float] = []
        var discriminator: [Float] = []
        var generator: [Float] = []
        var progress: (ExperimentProgress) -> Void = { _ in }
        var phase = ""
        var total = 0
    }

    private static func train(_ context: ExperimentContext, adversarial: AdversarialOptions?, phase: String)
        throws(ExperimentError) -> (ContextEncoder, Log)
    {
        var options = TrainingOptions()
        options.seed = context.seed
        options.batchSize = context.fast ? 32 : 64
        options.maxSteps = context.fast ? fastSteps : steps
        options.evalEvery = 0
        options.adversarial = adversarial
        // Both arms start from the same weights and see the same batches and holes: the discriminator
        // draws from its own stream (`AdversaryState(options:seed:)`).
        var rng = SeededGenerator(seed: context.seed)
        let model = ContextEncoder(config: ModelConfig(architecture: context.architecture), generator: &rng)
        let log = Log()
        log.progress = context.progress
        log.phase = phase
        log.total = options.maxSteps!
        let trainer = Trainer(model: model, images: context.train.images.pixels, count: context.train.count,
                              options: options) { event in
            guard case .step(let s) = event else { return }
            log.reconstruction.append(s.loss)
            if let a = s.adversarial { log.discriminator.append(a.discriminator); log.generator.append(a.generator) }
            log.progress(.step(phase: log.phase, step: s.step, of: log.total, loss: s.loss))
        }
        let reason = trainer.run()
        guard reason == .finished else { throw ExperimentError("adversarial (\(phase)): training stopped early (\(reason))") }
        return (trainer.checkpoint().model, log)
    }

    static func run(_ context: ExperimentContext) throws(ExperimentError) -> ExperimentResult {
        let testCount = min(context.test.count, context.fast ? 50 : 2000)
        guard testCount > 0 else { throw ExperimentError("adversarial: expected a test split, found none") }
        let adversarial = AdversarialOptions(weight: context.adversarialWeight ?? AdversarialOptions().weight)
        let totalSteps = context.fast ? fastSteps : steps
        context.progress(.phase("\(context.train.count) training digits, \(totalSteps) steps per arm: L2, then L2 + adversarial (weight \(adversarial.weight))"))
        let (plain, plainLog) = try train(context, adversarial: nil, phase: "L2")
        let (sharp, sharpLog) = try train(context, adversarial: adversarial, phase: "L2+adv")

        let test = context.test.prefix(testCount)
        let images = test.images.pixels
        let masks = ExperimentTraining.fixedMasks(count: testCount)
        let evaluator = InpaintingEvaluator(images: images, labels: (0..<testCount).map { test.label(at: $0) },
                                            masks: masks, classifier: context.classifier)
        context.progress(.phase("scoring both on \(testCount) test digits"))
        /// Mean over the last 10 % of the steps: one batch's loss is noisy.
        func tail(_ losses: [Float]) -> Double {
            let last = losses.suffix(max(1, losses.count / 10))
            return last.reduce(0.0) { $0 + Double($1) } / Double(max(1, last.count))
        }
        var numbers: [(key: String, value: Double)] = [
            ("steps", Double(totalSteps)), ("test_images", Double(testCount)), ("adversarial_weight", Double(adversarial.weight)),
            ("final_training_loss_l2", tail(plainLog.reconstruction)),
            ("final_training_loss_adversarial", tail(sharpLog.reconstruction)),
            ("final_discriminator_loss", tail(sharpLog.discriminator)),
            ("final_generator_adversarial_loss", tail(sharpLog.generator)),
        ]
        var composites: [[Float]] = []
        for (tag, model) in [("l2", plain), ("adversarial", sharp)] {
            let scores = evaluator.evaluate { x, m, n in model.fill(images: x, masks: m, count: n, output: .reconstruction) }.overall
            numbers += [("hole_mse_\(tag)", scores.mse), ("psnr_\(tag)", scores.psnrPooled), ("ssim_\(tag)", scores.ssim)]
            if let accuracy = scores.accuracy { numbers.append(("classifier_accuracy_\(tag)", accuracy)) }
            let composite = model.fill(images: images, masks: masks, count: testCount, output: .composite)
            composites.append(composite)
            numbers += [("decisive_fraction_\(tag)", Sharpness.decisiveFraction(composite, masks: masks)),
                        ("hole_gradient_\(tag)", Sharpness.meanGradient(composite, masks: masks, count: testCount))]
        }
        numbers += [("decisive_fraction_truth", Sharpness.decisiveFraction(images, masks: masks)),
                    ("hole_gradient_truth", Sharpness.meanGradient(images, masks: masks, count: testCount))]
        func number(_ key: String) -> Double { numbers.first { $0.key == key }!.value }

        let shown = Array(0..<min(testCount, 10))
        var cells: [DigitGrid.Cell] = []
        for row in 0..<4 {
            for i in shown {
                let x = ExperimentFigure.slice(images, i), m = ExperimentFigure.slice(masks, i)
                switch row {
                case 0: cells.append(DigitGrid.Cell(pixels: x))
                case 1: cells.append(DigitGrid.Cell(pixels: zip(x, m).map { $0 * $1 }, mask: m))
                default: cells.append(DigitGrid.Cell(pixels: ExperimentFigure.slice(composites[row - 2], i)))
                }
            }
        }
        let grid = DigitGrid(columns: shown.count, cells: cells,
                             title: "adversarial: \(totalSteps) steps, L2 vs L2 + adversarial (weight \(adversarial.weight))",
                             rowLabels: ["truth", "masked", "L2", "L2+adv"])
        let every = max(1, totalSteps / 200)
        func series(_ name: String, _ losses: [Float]) -> LineChartSVG.Series {
            LineChartSVG.Series(name: name, points: stride(from: 0, to: losses.count, by: every).map { (Double($0 + 1), Double(losses[$0])) })
        }
        let curves = LineChartSVG(title: "adversarial", xLabel: "step", yLabel: "training loss", series: [
            series("hole MSE, L2", plainLog.reconstruction), series("hole MSE, L2+adv", sharpLog.reconstruction),
            series("D loss (ln 4 = chance)", sharpLog.discriminator),
        ], logY: true)
        return ExperimentResult(
            name: .adversarial, seed: context.seed, fast: context.fast, numbers: numbers,
            claims: [
                ExperimentClaim(statement: "the adversarial term puts more fill pixels near 0 or 1 (decisive fraction)",
                                holds: number("decisive_fraction_adversarial") > number("decisive_fraction_l2")),
                ExperimentClaim(statement: "the adversarial term raises the mean gradient magnitude in the hole",
                                holds: number("hole_gradient_adversarial") > number("hole_gradient_l2")),
                ExperimentClaim(statement: "the adversarial term costs at most 5 % of hole MSE",
                                holds: number("hole_mse_adversarial") <= 1.05 * number("hole_mse_l2")),
            ],
            figure: grid.render(), lossCurves: curves)
    }
}

/// How crisp a fill is, measured on the hole pixels only (images and masks [count, 784], mask 0 = hole).
/// An L2-trained fill hedges between the plausible strokes, which shows as grey, smooth pixels; real MNIST
/// ink is mostly near 0 or 1 with steep edges. Compare each number with the truth's on the same holes.
enum Sharpness {
    /// The share of hole pixels below 0.1 or above 0.9.
    static func decisiveFraction(_ images: [Float], masks: [Float]) -> Double {
        var decisive = 0.0, holes = 0.0
        for i in images.indices where masks[i] == 0 {
            holes += 1
            if images[i] < 0.1 || images[i] > 0.9 { decisive += 1 }
        }
        return holes > 0 ? decisive / holes : .nan
    }

    /// The mean of |∇I| = √(dx² + dy²) over hole pixels, with forward differences (0 past the right and
    /// bottom borders). Taken on the composite, so a seam between the known pixels and the fill counts too.
    static func meanGradient(_ images: [Float], masks: [Float], count: Int) -> Double {
        let side = Digit.side
        var sum = 0.0, holes = 0.0
        for n in 0..<count {
            let base = n * Digit.pixels
            for r in 0..<side {
                for c in 0..<side where masks[base + r * side + c] == 0 {
                    let v = images[base + r * side + c]
                    let dx = c + 1 < side ? images[base + r * side + c + 1] - v : 0
                    let dy = r + 1 < side ? images[base + (r + 1) * side + c] - v : 0
                    sum += Double((dx * dx + dy * dy).squareRoot())
                    holes += 1
                }
            }
        }
        return holes > 0 ? sum / holes : .nan
    }
}
