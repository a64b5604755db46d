#if canImport(Glibc)
import Glibc
#else
import Foundation
#endif

/// Softmax over classes followed by the mean negative log-likelihood of the true classes (PyTorch's
/// `F.cross_entropy` with `reduction='mean'`).
///
/// Shapes: logits [N, K], labels [N] (0 ..< K), probabilities [N, K].
public enum SoftmaxCrossEntropy {
    /// Writes the softmax probabilities and returns the mean loss −(1/N)·Σ_n log p[n, label_n].
    /// The max logit is subtracted first so that exp never overflows.
    @discardableResult
    public static func forward(
        probabilities p: UnsafeMutablePointer<Float>, logits: UnsafePointer<Float>, labels: UnsafePointer<Int32>?,
        batch n: Int, classes k: Int
    ) -> Float {
        var loss = 0.0
        for row in 0..<n {
            let z = logits + row * k, pr = p + row * k
            var m = z[0]
            for j in 1..<k { m = max(m, z[j]) }
            var total: Float = 0
            for j in 0..<k { pr[j] = expf(z[j] - m); total += pr[j] }
            for j in 0..<k { pr[j] /= total }
            if let labels {
                let y = Int(labels[row])
                precondition(y >= 0 && y < k, "label \(y) outside 0..<\(k)")
                // log p_y = z_y − m − log Σ exp(z − m): exact even when p_y underflows to 0.
                loss -= Double(z[y] - m) - log(Double(total))
            }
        }
        return Float(loss / Double(n))
    }

    /// dlogits [N, K] = (p − onehot(labels)) / N, the gradient of the mean loss (overwrites, since the
    /// loss is the start of the backward pass).
    public static func backward(
        dlogits: UnsafeMutablePointer<Float>, probabilities p: UnsafePointer<Float>, labels: UnsafePointer<Int32>,
        batch n: Int, classes k: Int
    ) {
        let scale = 1 / Float(n)
        for row in 0..<n {
            for j in 0..<k { dlogits[row * k + j] = p[row * k + j] * scale }
            dlogits[row * k + Int(labels[row])] -= scale
        }
    }
}
