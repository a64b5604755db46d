#if canImport(Glibc)
import Glibc
#else
import Foundation
#endif

/// Binary cross-entropy on logits, averaged over the batch (PyTorch's `F.binary_cross_entropy_with_logits`
/// with `reduction='mean'`): the discriminator's loss in adversarial training.
///
///   ℓ(z, y) = −y·log σ(z) − (1 − y)·log(1 − σ(z)) = max(z, 0) − z·y + log(1 + e^−|z|)
///
/// The right-hand form never exponentiates a positive number, so it neither overflows for large |z| nor
/// loses log σ(z) to rounding when σ(z) rounds to 0 or 1 (the reason PyTorch fuses the sigmoid into the loss).
///
/// Shapes: logits [N], targets [N] (any value in [0, 1]; adversarial training uses 1 real, 0 fake).
public enum BinaryCrossEntropy {
    /// (1/N)·Σ_n ℓ(z_n, y_n), accumulated in Double.
    public static func forward(logits z: UnsafePointer<Float>, targets y: UnsafePointer<Float>, count n: Int) -> Float {
        precondition(n > 0, "BinaryCrossEntropy: empty batch")
        var sum = 0.0
        for i in 0..<n {
            let zi = Double(z[i]), yi = Double(y[i])
            sum += max(zi, 0) - zi * yi + log1p(exp(-abs(zi)))
        }
        return Float(sum / Double(n))
    }

    /// dLogits[n] = ∂L/∂z_n = (σ(z_n) − y_n) / N (overwrites: the loss starts the backward pass).
    public static func backward(logits z: UnsafePointer<Float>, targets y: UnsafePointer<Float>, count n: Int,
                                dLogits: UnsafeMutablePointer<Float>) {
        precondition(n > 0, "BinaryCrossEntropy: empty batch")
        let scale = 1 / Float(n)
        for i in 0..<n { dLogits[i] = (sigmoid(z[i]) - y[i]) * scale }
    }

    /// σ(z) without overflow: e^−|z| ≤ 1 in both branches.
    @inline(__always)
    static func sigmoid(_ z: Float) -> Float {
        if z >= 0 { return 1 / (1 + expf(-z)) }
        let e = expf(z)
        return e / (1 + e)
    }
}

// MARK: Array-level wrappers (for tests and small code)

extension BinaryCrossEntropy {
    /// logits, targets: [N] → the mean loss.
    public static func forward(logits: [Float], targets: [Float]) -> Float {
        precondition(logits.count == targets.count, "BinaryCrossEntropy: \(logits.count) logits, \(targets.count) targets")
        return forward(logits: logits, targets: targets, count: logits.count)
    }

    /// logits, targets: [N] → dLogits [N].
    public static func backward(logits: [Float], targets: [Float]) -> [Float] {
        precondition(logits.count == targets.count, "BinaryCrossEntropy: \(logits.count) logits, \(targets.count) targets")
        var d = [Float](repeating: 0, count: logits.count)
        d.withUnsafeMutableBufferPointer { backward(logits: logits, targets: targets, count: logits.count, dLogits: $0.baseAddress!) }
        return d
    }
}
