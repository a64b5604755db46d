/// Reconstruction losses restricted to the hole, with the project's mask convention M = 1 known, 0 hole.
///
///   L = ( Σ_i (1 − M_i) · e_i  +  λ · Σ_i M_i · e_i ) / max(1, Σ_i (1 − M_i))
///   e_i = (ŷ_i − x_i)² (L2) or |ŷ_i − x_i| (L1), summed over every pixel of the batch
///
/// λ = `knownWeight`. With λ = 0 this is Hu & Velarde's loss (the sum over hole pixels divided by their
/// number, pooled over the batch). λ > 0 is Pathak et al.'s overlap weighting in our normalisation: known
/// pixels also pull on the output, scaled by λ relative to a hole pixel, and the divisor stays the number
/// of hole pixels so that λ = 0 reproduces the report exactly. A batch with no hole divides by 1, not 0.
public enum MaskedLoss: String, Sendable, Codable, CaseIterable {
    case l2, l1

    /// The parts every hole score is made of, over `count` pixels, in Double: Σ(1−M)·e, Σ M·e and Σ(1−M).
    /// The training loss (`forward`), the held-out curve, the experiments' hole MSE and `inpaint eval`'s
    /// MSE and MAE all come from these, so they agree to the last bit on the same pixels.
    public func errorSums(prediction: UnsafePointer<Float>, target: UnsafePointer<Float>, mask: UnsafePointer<Float>,
                          count: Int) -> MaskedErrorSums {
        var sums = MaskedErrorSums()
        for i in 0..<count {
            let d = Double(prediction[i] - target[i])
            let e = self == .l2 ? d * d : abs(d)
            let m = Double(mask[i])
            sums.hole += (1 - m) * e
            sums.known += m * e
            sums.holePixels += 1 - m
        }
        return sums
    }

    /// prediction, target, mask: `count` floats each → the loss (accumulated in Double).
    public func forward(prediction: UnsafePointer<Float>, target: UnsafePointer<Float>, mask: UnsafePointer<Float>,
                        count: Int, knownWeight: Float = 0) -> Float {
        let sums = errorSums(prediction: prediction, target: target, mask: mask, count: count)
        return Float((sums.hole + Double(knownWeight) * sums.known) / max(1, sums.holePixels))
    }

    /// dPrediction[i] = ∂L/∂ŷ_i = w_i · e′_i / n_hole with w_i = (1 − M_i) + λ·M_i,
    /// e′ = 2(ŷ − x) (L2) or sign(ŷ − x) (L1, 0 at 0 as torch.sign). Overwrites dPrediction.
    public func backward(prediction: UnsafePointer<Float>, target: UnsafePointer<Float>, mask: UnsafePointer<Float>,
                         count: Int, knownWeight: Float = 0, dPrediction: UnsafeMutablePointer<Float>) {
        var holeCount: Float = 0
        for i in 0..<count { holeCount += 1 - mask[i] }
        let scale = 1 / max(1, holeCount)
        for i in 0..<count {
            let d = prediction[i] - target[i], m = mask[i]
            let w = ((1 - m) + knownWeight * m) * scale
            switch self {
            case .l2: dPrediction[i] = w * 2 * d
            case .l1: dPrediction[i] = d > 0 ? w : (d < 0 ? -w : 0)
            }
        }
    }
}

/// Σ(1−M)·e, Σ M·e and Σ(1−M) of `MaskedLoss.errorSums`; add batches together to pool them.
public struct MaskedErrorSums: Sendable, Equatable {
    public var hole = 0.0, known = 0.0, holePixels = 0.0

    public init() {}

    public static func += (a: inout MaskedErrorSums, b: MaskedErrorSums) {
        a.hole += b.hole; a.known += b.known; a.holePixels += b.holePixels
    }

    /// The error per hole pixel, pooled (the hole MSE for L2, MAE for L1); 0 when there is no hole.
    public var holeMean: Double { holePixels > 0 ? hole / holePixels : 0 }
}

// MARK: Array-level wrappers (for tests and small code)

extension MaskedLoss {
    /// errorSums over whole arrays (any number of [784] images).
    public func errorSums(prediction: [Float], target: [Float], mask: [Float]) -> MaskedErrorSums {
        precondition(prediction.count == target.count && target.count == mask.count, "MaskedLoss: counts differ")
        return errorSums(prediction: prediction, target: target, mask: mask, count: prediction.count)
    }

    public func forward(prediction: [Float], target: [Float], mask: [Float], knownWeight: Float = 0) -> Float {
        precondition(prediction.count == target.count && target.count == mask.count, "MaskedLoss: counts differ")
        return forward(prediction: prediction, target: target, mask: mask, count: prediction.count, knownWeight: knownWeight)
    }

    public func backward(prediction: [Float], target: [Float], mask: [Float], knownWeight: Float = 0) -> [Float] {
        precondition(prediction.count == target.count && target.count == mask.count, "MaskedLoss: counts differ")
        var d = [Float](repeating: 0, count: prediction.count)
        d.withUnsafeMutableBufferPointer {
            backward(prediction: prediction, target: target, mask: mask, count: prediction.count,
                     knownWeight: knownWeight, dPrediction: $0.baseAddress!)
        }
        return d
    }
}
