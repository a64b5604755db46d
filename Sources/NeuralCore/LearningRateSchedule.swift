import Foundation

/// How the learning rate changes over a run, beside the optimizer it drives (`Adam`).
///
/// `constant` is the report's recipe; `cosine` decays from the base rate to 0 over the run (Loshchilov and
/// Hutter's SGDR without restarts), which lets a longer run settle. Either may start with a linear warm-up.
public enum LearningRateSchedule: String, Sendable, Codable, CaseIterable {
    case constant, cosine

    /// The learning rate at `step` (0-based) of a run of `totalSteps` steps (nil: open-ended, where a
    /// decaying schedule has nothing to decay towards and stays at `base`), after `warmupSteps` steps of
    /// linear warm-up from base/warmupSteps to `base`.
    public func learningRate(base: Float, step: Int, totalSteps: Int?, warmupSteps: Int = 0) -> Float {
        let warmup = max(0, warmupSteps)
        if step < warmup { return base * Float(step + 1) / Float(warmup) }
        switch self {
        case .constant:
            return base
        case .cosine:
            guard let total = totalSteps, total > warmup else { return base }
            let t = min(1, Double(step - warmup) / Double(total - warmup))
            return base * Float(0.5 * (1 + cos(Double.pi * t)))
        }
    }
}
