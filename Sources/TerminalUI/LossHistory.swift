import Foundation

/// One point of a loss curve.
public struct LossPoint: Equatable, Sendable {
    public var step: Int
    public var loss: Float
    public init(step: Int, loss: Float) { self.step = step; self.loss = loss }
}

/// A loss curve that stays small however long training runs.
///
/// When it holds `capacity` points, neighbouring pairs are averaged into one, so memory and drawing cost stay
/// bounded while the whole run remains visible (a chart a few hundred dots wide cannot show more anyway).
public struct LossHistory: Equatable, Sendable {
    public private(set) var points: [LossPoint] = []
    public let capacity: Int

    public init(capacity: Int = 1024) {
        precondition(capacity >= 4 && capacity % 2 == 0, "capacity must be an even number ≥ 4")
        self.capacity = capacity
    }

    public mutating func append(step: Int, loss: Float) {
        guard loss.isFinite else { return }
        points.append(LossPoint(step: step, loss: loss))
        if points.count >= capacity {
            points = stride(from: 0, to: points.count - 1, by: 2).map { i in
                LossPoint(step: points[i + 1].step, loss: (points[i].loss + points[i + 1].loss) / 2)
            }
        }
    }

    public mutating func removeAll() { points.removeAll() }
    public var last: LossPoint? { points.last }
}

// MARK: smoothing

extension LossHistory {
    /// TensorBoard's smoothing weight is a slider with 0.6 as its default; its points are often logged every
    /// few hundred steps, ours are every step (or the mean of a pair once the history compacts), so the curve
    /// is smoothed harder: 0.9 averages over about the last ten points.
    public static let smoothingWeight = 0.9

    /// The exponential moving average of `points`, as TensorBoard draws it over the raw curve:
    /// s_i = w·s_{i−1} + (1 − w)·x_i from s_0 = 0, divided by the debiasing factor 1 − w^i so that the first
    /// points are not pulled towards zero (TensorBoard's `smoothing` since 2019). Non-finite losses are passed
    /// over (the chart drops them) without breaking the average. weight 0 returns the points unchanged.
    public static func exponentialMovingAverage(_ points: [LossPoint], weight: Double = smoothingWeight) -> [LossPoint] {
        precondition(weight >= 0 && weight < 1, "smoothing weight must be in [0, 1), got \(weight)")
        var last = 0.0, count = 0.0
        var smoothed: [LossPoint] = []
        smoothed.reserveCapacity(points.count)
        for p in points where p.loss.isFinite {
            last = last * weight + (1 - weight) * Double(p.loss)
            count += 1
            let debias = 1 - pow(weight, count)
            smoothed.append(LossPoint(step: p.step, loss: Float(last / debias)))
        }
        return smoothed
    }
}
