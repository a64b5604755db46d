import Datasets
import Evaluation
import Figures
import Inpainting
import NeuralCore

/// The small full-batch loop the report's figures use: every iteration sees the whole (small) set, with
/// masks chosen by the experiment, so e.g. `one-seven` can pin 100 hole positions, which `Trainer` (one
/// random hole per image per step) cannot. Sets larger than `chunk` images are split into chunks whose
/// gradients are averaged, so memory stays small while the step is still one full-batch step.
enum ExperimentTraining {
    /// Images per forward pass inside one full-batch step (memory, not the maths).
    static let chunk = 100

    /// Trains `model` for `steps` full-batch Adam steps (PyTorch defaults, lr `learningRate`).
    /// images: [count, 784]. masks(step, rng) → [count, 784] the holes of that step. Returns the loss per step.
    static func train(_ model: inout ContextEncoder, images: [Float], count: Int, steps: Int,
                      learningRate: Float = 1e-3, seed: UInt64, phase: String,
                      progress: (ExperimentProgress) -> Void,
                      masks: (Int, inout SeededGenerator) -> [Float]) -> [Float] {
        var loop = FullBatchLoop(model: model, images: images, count: count, learningRate: learningRate, seed: seed)
        var losses: [Float] = []
        for step in 0..<steps {
            let stepMasks = masks(step, &loop.generator)
            let loss = loop.step(masks: stepMasks)
            losses.append(loss)
            progress(.step(phase: phase, step: step + 1, of: steps, loss: loss))
        }
        model = loop.model
        return losses
    }

    /// The holes `inpaint eval` uses for `count` images (`MasksFile.make(seed: 0)`): [count, 784].
    static func fixedMasks(count: Int) -> [Float] {
        let file = MasksFile.make(count: count, seed: 0)
        return (0..<count).flatMap { file.hole(forImage: $0)!.mask() }
    }

    /// The report's holes: one fresh rectangle per image per step.
    static func randomRectangles(count: Int) -> (Int, inout SeededGenerator) -> [Float] {
        let sampler = RectangleHoleSampler()
        return { _, rng in
            var out: [Float] = []
            out.reserveCapacity(count * Digit.pixels)
            for _ in 0..<count { out += sampler.sample(using: &rng).mask() }
            return out
        }
    }
}

/// One full-batch Adam step at a time over a fixed set of images: the loop of `ExperimentTraining.train`,
/// and of `FullBatchTrainer`, which runs it live in the terminal UI, so a preset trains exactly as its
/// experiment does.
struct FullBatchLoop {
    private(set) var model: ContextEncoder
    /// Draws the holes of each step (`masks` closures take it), seeded from the experiment's seed.
    var generator: SeededGenerator
    let images: [Float]
    let count: Int
    private var adam: Adam
    private var gradients: ParameterStore
    private let workspace: ContextEncoderWorkspace
    /// The L2 norm of each tensor's gradient in the last `step` (by checkpoint name, the network's order).
    private(set) var gradientNorms: [GradientNorm] = []

    /// images: [count, 784].
    init(model: ContextEncoder, images: [Float], count: Int, learningRate: Float, seed: UInt64) {
        precondition(images.count == count * Digit.pixels && count > 0, "train: expected \(count)×784 images")
        self.model = model
        self.images = images
        self.count = count
        generator = SeededGenerator(seed: seed &+ 0x5EED)
        gradients = model.parameters.zerosLike()
        adam = Adam(parameterCount: model.parameters.count,
                    hyperparameters: AdamHyperparameters(learningRate: Double(learningRate)))
        workspace = ContextEncoderWorkspace(config: model.config, maxBatch: min(ExperimentTraining.chunk, count))
    }

    var learningRate: Float {
        get { Float(adam.hyperparameters.learningRate) }
        set { adam.hyperparameters.learningRate = Double(newValue) }
    }

    /// One step on every image with these holes ([count, 784]); returns the mean hole loss.
    mutating func step(masks: [Float]) -> Float {
        precondition(masks.count == images.count, "masks: expected \(count)×784")
        let chunk = ExperimentTraining.chunk
        let chunks = (count + chunk - 1) / chunk
        gradients.zero()
        var loss: Float = 0
        images.withUnsafeBufferPointer { x in masks.withUnsafeBufferPointer { m in
            for c in 0..<chunks {
                let start = c * chunk, n = min(chunk, count - start), offset = start * Digit.pixels
                loss += model.lossAndGradients(images: x.baseAddress! + offset, masks: m.baseAddress! + offset,
                                               count: n, loss: .l2, knownWeight: 0, gradients: &gradients,
                                               workspace: workspace)
            }
        } }
        if chunks > 1 {
            let scale = 1 / Float(chunks)
            for i in gradients.values.indices { gradients.values[i] *= scale }
        }
        loss /= Float(chunks)
        // The same update as `adam.step`, also reading each tensor's gradient norm for the UI's gradient pane.
        gradientNorms = adam.stepReturningGradientNorms(parameters: &model.parameters, gradients: gradients)
            .map { GradientNorm(name: $0.name, norm: Float($0.norm)) }
        return loss
    }

    /// The hole MSE of the current weights on `images` with `masks` (both [n, 784]).
    func holeMSE(images: [Float], masks: [Float], count: Int) -> Float {
        guard count > 0 else { return .nan }
        let y = model.fill(images: images, masks: masks, count: count, output: .reconstruction)
        return Float(HoleStatistics.mse(y, images, masks: masks))
    }
}

/// Measurements shared by the experiments. All images and masks are [count, 784], mask 1 known / 0 hole.
enum HoleStatistics {
    /// Σ(1−M)(y−x)² / Σ(1−M): the report's per-pixel loss, pooled over every hole pixel (0 without a hole).
    static func mse(_ y: [Float], _ x: [Float], masks: [Float]) -> Double {
        MaskedLoss.l2.errorSums(prediction: y, target: x, mask: masks).holeMean
    }

    /// Σ_hole y / Σ_hole x: how much of the missing ink the fill puts back (1 = as bright as the truth).
    static func brightness(_ y: [Float], _ x: [Float], masks: [Float]) -> Double {
        var sy = 0.0, sx = 0.0
        for i in x.indices where masks[i] == 0 { sy += Double(y[i]); sx += Double(x[i]) }
        return sx > 0 ? sy / sx : .nan
    }

    /// Mean fill value on the hole's true stroke pixels (x > 0.5): how bright the fill is where the ink
    /// belongs (1 = full white ink, as MNIST's strokes are).
    static func strokeBrightness(_ y: [Float], _ x: [Float], masks: [Float]) -> Double {
        var sum = 0.0, n = 0.0
        for i in x.indices where masks[i] == 0 && x[i] > 0.5 { sum += Double(y[i]); n += 1 }
        return n > 0 ? sum / n : .nan
    }

    /// The pixelwise mean of `count` images: [784].
    static func meanImage(_ images: [Float], count: Int) -> [Float] {
        var mean = [Float](repeating: 0, count: Digit.pixels)
        for n in 0..<count { for i in 0..<Digit.pixels { mean[i] += images[n * Digit.pixels + i] } }
        return mean.map { $0 / Float(max(count, 1)) }
    }

    /// A classical fill applied image by image.
    static func fill(_ method: ClassicalFill, images: [Float], masks: [Float], count: Int) -> [Float] {
        var out: [Float] = []
        out.reserveCapacity(images.count)
        for n in 0..<count {
            let r = (n * Digit.pixels)..<((n + 1) * Digit.pixels)
            out += method.fill(Array(images[r]), mask: Array(masks[r]))
        }
        return out
    }
}

extension MNISTSplit {
    /// The first `perLabel` images of each label in `labels`, label by label: ([n, 784], labels), or nil
    /// when a label has too few.
    func firstImages(of labels: [Int], perLabel: Int) -> (images: [Float], labels: [Int])? {
        var images: [Float] = [], out: [Int] = []
        for label in labels {
            let found = indices(ofLabel: label).prefix(perLabel)
            guard found.count == perLabel else { return nil }
            for i in found { images += image(at: i); out.append(label) }
        }
        return (images, out)
    }

    /// Like `firstImages`, but takes what there is (at most `perLabel` of each).
    func upTo(_ perLabel: Int, of labels: [Int]) -> (images: [Float], labels: [Int]) {
        var images: [Float] = [], out: [Int] = []
        for label in labels {
            for i in indices(ofLabel: label).prefix(perLabel) { images += image(at: i); out.append(label) }
        }
        return (images, out)
    }
}

/// Helpers for drawing.
enum ExperimentFigure {
    static func slice(_ a: [Float], _ n: Int) -> [Float] { Array(a[(n * Digit.pixels)..<((n + 1) * Digit.pixels)]) }

    /// The composite M⊙x + (1−M)⊙y of one image.
    static func composite(_ y: [Float], _ x: [Float], _ m: [Float]) -> [Float] {
        (0..<y.count).map { m[$0] * x[$0] + (1 - m[$0]) * y[$0] }
    }

    static func curves(_ title: String, _ series: [(String, [Float])]) -> LineChartSVG {
        LineChartSVG(title: title, xLabel: "iteration", yLabel: "hole MSE (training)",
                     series: series.map { name, losses in
                         LineChartSVG.Series(name: name, points: losses.enumerated().map { (Double($0.offset + 1), Double($0.element)) })
                     }, logY: true)
    }
}
