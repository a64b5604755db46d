/// All of a model's parameters in one contiguous Float32 buffer, with a name and shape for each tensor
/// in a fixed order (the PyTorch `state_dict` order, e.g. `enc.0.weight`, `enc.2.weight`, …).
///
/// One flat buffer lets the optimizer update every weight in a single fused pass, lets gradients live in
/// a twin store of the same layout, and makes a snapshot for another thread a cheap copy-on-write value.
public struct ParameterStore: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        public let name: String
        public let shape: [Int]
        public let offset: Int
        public var count: Int { shape.reduce(1, *) }
    }

    public private(set) var entries: [Entry]
    public var values: [Float]

    /// layout: (name, shape) pairs in storage order; values start at zero.
    public init(layout: [(name: String, shape: [Int])]) {
        var entries: [Entry] = []
        var offset = 0
        for (name, shape) in layout {
            precondition(!entries.contains { $0.name == name }, "duplicate parameter name \(name)")
            entries.append(Entry(name: name, shape: shape, offset: offset))
            offset += shape.reduce(1, *)
        }
        self.entries = entries
        self.values = [Float](repeating: 0, count: offset)
    }

    /// Total number of scalars.
    public var count: Int { values.count }
    public var names: [String] { entries.map(\.name) }

    public func entry(named name: String) -> Entry? { entries.first { $0.name == name } }

    /// A copy of one named tensor.
    public func tensor(named name: String) -> Tensor? {
        guard let e = entry(named: name) else { return nil }
        return Tensor(shape: e.shape, data: Array(values[e.offset..<(e.offset + e.count)]))
    }

    /// Overwrites one named tensor; the shape must match the layout.
    public mutating func set(_ name: String, _ tensor: Tensor) {
        guard let e = entry(named: name) else { preconditionFailure("no parameter named \(name)") }
        precondition(e.shape == tensor.shape, "\(name): expected shape \(e.shape), got \(tensor.shape)")
        values.replaceSubrange(e.offset..<(e.offset + e.count), with: tensor.data)
    }

    /// Sets every value to zero in place (e.g. gradients before a step), without reallocating.
    public mutating func zero() {
        values.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
    }

    /// A store with the same layout and all values zero (e.g. for gradients or Adam moments).
    public func zerosLike() -> ParameterStore {
        var copy = self
        copy.values = [Float](repeating: 0, count: values.count)
        return copy
    }
}
