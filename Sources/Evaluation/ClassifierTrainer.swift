import Datasets
import Inpainting
import NeuralCore

/// Settings for `DigitClassifier.train`. Defaults: Adam as Kingma & Ba 2015 recommend (lr 1e-3,
/// β 0.9/0.999, ε 1e-8), PyTorch's MNIST example batch size, the learning rate annealed to zero on a
/// cosine (Loshchilov & Hutter 2017) so that the last epoch does not end on a noisy step, and random
/// shifts of up to 2 pixels (Simard et al. 2003 found small translations the most useful distortion for
/// MNIST), which matter with only 22,699 training images. The measured result is in
/// assets/README-classifier.md.
public struct ClassifierTrainingOptions: Sendable, Equatable {
    public var epochs = 6
    /// Each training image is shifted by a random whole number of pixels in −maxShift…maxShift along
    /// each axis (zeros come in at the edge); 0 turns augmentation off.
    public var maxShift = 2
    /// Anneal the learning rate from `learningRate` to 0 over the run on a half cosine.
    public var cosineSchedule = true
    public var batchSize = 64
    public var learningRate: Float = 1e-3
    public var beta1: Float = 0.9
    public var beta2: Float = 0.999
    public var epsilon: Float = 1e-8
    public var seed: UInt64 = 1
    public init() {}
}

/// What training reports; the caller decides how to show it.
public enum ClassifierTrainingEvent: Sendable, Equatable {
    /// After every optimiser step: 1-based epoch, step within the run, that batch's mean loss.
    case step(epoch: Int, step: Int, loss: Float)
    /// After each epoch: its mean training loss and, when validation data was given, the accuracy there.
    case epochFinished(epoch: Int, meanLoss: Float, validationAccuracy: Double?)
}

extension DigitClassifier {
    /// Trains a fresh classifier (seeded weights and shuffling, so runs repeat bit for bit).
    /// images: [count, 784] in [0, 1]; labels: [count] in 0…9. `progress` returns false to stop early
    /// (after the current step). Prints nothing.
    public static func train(
        images: [Float], labels: [Int], options: ClassifierTrainingOptions = .init(),
        validation: (images: [Float], labels: [Int])? = nil,
        progress: (ClassifierTrainingEvent) -> Bool = { _ in true }
    ) -> DigitClassifier {
        let count = labels.count
        precondition(images.count == count * Digit.pixels, "train expects \(count)×784 image floats")
        precondition(labels.allSatisfy { (0..<classes).contains($0) }, "labels must be digits 0…9")
        precondition(options.batchSize >= 1 && options.epochs >= 0)
        var model = DigitClassifier(seed: options.seed)
        var rng = SeededGenerator(seed: options.seed &+ 0x5EED)
        var workspace = ClassifierWorkspace(batch: options.batchSize)
        var gradients = [Float](repeating: 0, count: model.parameters.count)
        var adam = Adam(parameterCount: model.parameters.count, hyperparameters: AdamHyperparameters(
            learningRate: Double(options.learningRate), beta1: Double(options.beta1), beta2: Double(options.beta2),
            epsilon: Double(options.epsilon)))
        var batchImages = [Float](repeating: 0, count: options.batchSize * Digit.pixels)
        var batchLabels = [Int32](repeating: 0, count: options.batchSize)
        var order: [Int] = []
        var step = 0
        let totalSteps = options.epochs * ((count + options.batchSize - 1) / options.batchSize)
        for epoch in 1...max(options.epochs, 1) where options.epochs > 0 {
            order = rng.permutation(count: count)
            var lossSum = 0.0, batches = 0
            var start = 0
            while start < count {
                let n = min(options.batchSize, count - start)
                for i in 0..<n {
                    let src = order[start + i]
                    let dy = options.maxShift > 0 ? Int(rng.next() % UInt64(2 * options.maxShift + 1)) - options.maxShift : 0
                    let dx = options.maxShift > 0 ? Int(rng.next() % UInt64(2 * options.maxShift + 1)) - options.maxShift : 0
                    shifted(images, index: src, by: (dy, dx), into: &batchImages, at: i)
                    batchLabels[i] = Int32(labels[src])
                }
                for i in gradients.indices { gradients[i] = 0 }
                batchImages.withUnsafeBufferPointer { xb in
                    batchLabels.withUnsafeBufferPointer { yb in
                        _ = workspace.forward(model, images: xb.baseAddress!, batch: n, labels: yb.baseAddress!)
                        workspace.backward(model, images: xb.baseAddress!, labels: yb.baseAddress!, batch: n,
                                           gradients: &gradients)
                    }
                }
                if options.cosineSchedule {
                    let progress = Double(step) / Double(totalSteps)
                    adam.hyperparameters.learningRate = Double(options.learningRate) * 0.5 * (1 + cos(Double.pi * progress))
                }
                adam.step(parameters: &model.parameters.values, gradients: gradients)
                step += 1
                lossSum += Double(workspace.lastLoss); batches += 1
                start += n
                if !progress(.step(epoch: epoch, step: step, loss: workspace.lastLoss)) { return model }
            }
            let accuracy = validation.map { model.accuracy(images: $0.images, labels: $0.labels) }
            if !progress(.epochFinished(epoch: epoch, meanLoss: Float(lossSum / Double(max(batches, 1))),
                                        validationAccuracy: accuracy)) { return model }
        }
        return model
    }

    /// Fraction of images whose most probable digit equals the label. images: [count, 784].
    public func accuracy(images: [Float], labels: [Int]) -> Double {
        guard !labels.isEmpty else { return 0 }
        let predicted = self.labels(images: images, count: labels.count)
        return Double(zip(predicted, labels).filter { $0 == $1 }.count) / Double(labels.count)
    }
}

/// Copies image `index` of images [count, 784] into slot `slot` of batch [B, 784], moved by (dy, dx)
/// pixels with zeros where the shift uncovers the frame.
private func shifted(_ images: [Float], index: Int, by shift: (dy: Int, dx: Int), into batch: inout [Float], at slot: Int) {
    let side = Digit.side, src = index * Digit.pixels, dst = slot * Digit.pixels
    if shift == (0, 0) {
        batch.replaceSubrange(dst..<(dst + Digit.pixels), with: images[src..<(src + Digit.pixels)])
        return
    }
    for r in 0..<side {
        for c in 0..<side {
            let sr = r - shift.dy, sc = c - shift.dx
            batch[dst + r * side + c] = (sr >= 0 && sr < side && sc >= 0 && sc < side) ? images[src + sr * side + sc] : 0
        }
    }
}

#if canImport(Glibc)
import Glibc
#else
import Foundation
#endif

extension DigitClassifier {
    /// The mean cross-entropy of a batch and its gradient with respect to every parameter (same layout as
    /// `parameters.values`). images: [count, 784]; labels: [count]. For gradient checks and custom loops.
    public func lossAndGradient(images: [Float], labels: [Int]) -> (loss: Float, gradient: [Float]) {
        let n = labels.count
        precondition(images.count == n * Digit.pixels && n > 0)
        var workspace = ClassifierWorkspace(batch: n)
        var gradient = [Float](repeating: 0, count: parameters.count)
        let labels32 = labels.map(Int32.init)
        images.withUnsafeBufferPointer { xb in
            labels32.withUnsafeBufferPointer { yb in
                _ = workspace.forward(self, images: xb.baseAddress!, batch: n, labels: yb.baseAddress!)
                workspace.backward(self, images: xb.baseAddress!, labels: yb.baseAddress!, batch: n, gradients: &gradient)
            }
        }
        return (workspace.lastLoss, gradient)
    }
}
