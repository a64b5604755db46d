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
