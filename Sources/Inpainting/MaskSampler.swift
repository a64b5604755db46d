import Datasets
import NeuralCore

/// The report's hole: one axis-aligned rectangle covering 1/8 to 1/4 of the image (98…196 of 784 pixels
/// for MNIST), anywhere, with a varied aspect ratio (Hu & Velarde §2).
///
/// Exact distribution: the shape (height h, width w) is drawn uniformly from every integer pair with
/// `minArea ≤ h·w ≤ maxArea`, `h, w ≤ side` and `max(h,w)/min(h,w) ≤ maxAspect`; then the top-left corner
/// uniformly from every position that keeps the rectangle inside the image. Because each height admits
/// about `(maxArea − minArea)/h` widths, squat and tall shapes are as likely as each other and areas are
/// spread over the whole range (mean ≈ 146 for the defaults). `maxAspect = 3` is our choice: the report
/// shows no slivers, and a 4×28 strip would make most digits trivially readable.
public struct RectangleHoleSampler: Sendable, Equatable {
    public let side: Int
    public let minArea: Int
    public let maxArea: Int
    public let maxAspect: Double
    /// Every allowed (height, width), sorted by height then width.
    public let shapes: [(height: Int, width: Int)]

    public init(side: Int = Digit.side, minArea: Int = 98, maxArea: Int = 196, maxAspect: Double = 3) {
        precondition(side > 0 && minArea > 0 && minArea <= maxArea && maxAspect >= 1, "bad rectangle sampler bounds")
        var shapes: [(height: Int, width: Int)] = []
        for h in 1...side {
            for w in 1...side where (minArea...maxArea).contains(h * w)
                && Double(max(h, w)) <= maxAspect * Double(min(h, w)) {
                shapes.append((h, w))
            }
        }
        precondition(!shapes.isEmpty, "no rectangle of \(minArea)…\(maxArea) pixels fits a \(side)×\(side) image")
        self.side = side; self.minArea = minArea; self.maxArea = maxArea; self.maxAspect = maxAspect
        self.shapes = shapes
    }

    public func sample(using rng: inout SeededGenerator) -> HoleRect {
        let shape = shapes[rng.index(below: shapes.count)]
        let top = rng.index(below: side - shape.height + 1)
        let left = rng.index(below: side - shape.width + 1)
        return HoleRect(top: top, left: left, height: shape.height, width: shape.width)
    }

    public static func == (a: Self, b: Self) -> Bool {
        a.side == b.side && a.minArea == b.minArea && a.maxArea == b.maxArea && a.maxAspect == b.maxAspect
    }
}

/// A hole as drawn by a sampler: a rectangle (which a masks file can store) or a free-form mask.
public enum SampledHole: Sendable, Equatable {
    case rectangle(HoleRect)
    /// [side·side] with 1 = known, 0 = hole.
    case freeForm([Float])

    /// The mask M: [side·side], 1 known, 0 hole.
    public func mask(side: Int = Digit.side) -> [Float] {
        switch self {
        case .rectangle(let rect): return rect.mask(side: side)
        case .freeForm(let m): return m
        }
    }

    public var holeArea: Int {
        switch self {
        case .rectangle(let rect): return rect.area
        case .freeForm(let m): return m.reduce(0) { $0 + ($1 == 0 ? 1 : 0) }
        }
    }
}

/// `--mask-sampler rect|stroke|mixed`.
public enum MaskSamplerKind: String, Sendable, CaseIterable, CustomStringConvertible {
    case rect, stroke, mixed
    public var description: String { rawValue }
}

/// Draws training and evaluation holes: the report's rectangles, DeepFill v2-style strokes, or a 50/50
/// mix of the two (decided by one draw per hole).
public struct MaskSampler: Sendable, Equatable {
    public var kind: MaskSamplerKind
    public var rectangles: RectangleHoleSampler
    public var strokes: StrokeHoleSampler

    public init(kind: MaskSamplerKind = .rect, rectangles: RectangleHoleSampler = RectangleHoleSampler(),
                strokes: StrokeHoleSampler = StrokeHoleSampler()) {
        self.kind = kind; self.rectangles = rectangles; self.strokes = strokes
    }

    public func sample(using rng: inout SeededGenerator) -> SampledHole {
        switch kind {
        case .rect: return .rectangle(rectangles.sample(using: &rng))
        case .stroke: return .freeForm(strokes.sample(using: &rng))
        case .mixed:
            return rng.index(below: 2) == 0 ? .rectangle(rectangles.sample(using: &rng))
                                               : .freeForm(strokes.sample(using: &rng))
        }
    }

    /// `count` masks stacked: [count, side·side], 1 known, 0 hole.
    public func sampleMasks(count: Int, using rng: inout SeededGenerator) -> [Float] {
        var out: [Float] = []
        out.reserveCapacity(count * rectangles.side * rectangles.side)
        for _ in 0..<count { out.append(contentsOf: sample(using: &rng).mask(side: rectangles.side)) }
        return out
    }
}
