import NeuralCore

/// Settings for `DigitClassifier.train`. Defaults: Adam as Kingma & Ba 2015 recommend (lr 1e-3,
/// β 0.9/0.999, ε 1e-8) and PyTorch's MNIST example batch size; 4 epochs of the 22,699 shared training
/// images reach ≥ 98.5% on the test split (assets/README-classifier.md).
public struct ClassifierTrainingOptions: Sendable, Equatable {
    public var epochs = 4
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
        var order = Array(0..<count)
        var step = 0
        for epoch in 1...max(options.epochs, 1) where options.epochs > 0 {
            order.shuffle(using: &rng)
            var lossSum = 0.0, batches = 0
            var start = 0
            while start < count {
                let n = min(options.batchSize, count - start)
                for i in 0..<n {
                    let src = order[start + i]
                    batchImages.replaceSubrange((i * Digit.pixels)..<((i + 1) * Digit.pixels),
                                                with: images[(src * Digit.pixels)..<((src + 1) * Digit.pixels)])
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

#if canImport(Glibc)
import Glibc
#else
import Foundation
#endif
