import CKernels
import Dispatch
#if canImport(Glibc)
import Glibc
#else
import Foundation
#endif

/// Adam's hyperparameters, in Double like PyTorch's Python floats (the scalars are formed in Double and
/// rounded once, as `torch.optim.Adam` does).
public struct AdamHyperparameters: Sendable, Equatable, Codable {
    public var learningRate: Double
    public var beta1: Double
    public var beta2: Double
    public var epsilon: Double
    /// L2 penalty added to the gradient (PyTorch's `weight_decay`, not AdamW's decoupled decay).
    public var weightDecay: Double

    public init(learningRate: Double = 1e-3, beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-8,
                weightDecay: Double = 0) {
        self.learningRate = learningRate; self.beta1 = beta1; self.beta2 = beta2
        self.epsilon = epsilon; self.weightDecay = weightDecay
    }

    /// `torch.optim.Adam` defaults: lr 1e-3, betas (0.9, 0.999), eps 1e-8.
    public static let pytorchDefault = AdamHyperparameters()
    /// Pathak et al. 2016 §5 (context encoder training): lr 2e-4, β1 0.5.
    public static let pathak = AdamHyperparameters(learningRate: 2e-4, beta1: 0.5, beta2: 0.999)
}

/// Adam's state: the step count and the two moment estimates, one float per parameter (checkpointed).
public struct AdamState: Sendable, Equatable, Codable {
    public var step: Int
    public var m: [Float]
    public var v: [Float]

    public init(parameterCount: Int) {
        step = 0
        m = [Float](repeating: 0, count: parameterCount)
        v = [Float](repeating: 0, count: parameterCount)
    }
}

/// Adam exactly as `torch.optim.Adam` (single-tensor path, amsgrad off, maximize off):
///
///   t += 1;  g ← g + wd·p (when wd ≠ 0);  m ← lerp(m, g, 1 − β1);  v ← β2·v + (1 − β2)·g²
///   p ← p − (lr / (1 − β1ᵗ)) · m / (√v / √(1 − β2ᵗ) + ε)
///
/// in ONE pass that reads g, m, v, p once (9.86 M weights make this memory-bound; PyTorch's unfused
/// version costs 30 ms a step on this machine, issue 4 §3).
public struct Adam: Sendable, Equatable, Codable {
    public var hyperparameters: AdamHyperparameters
    public var state: AdamState

    public init(parameterCount: Int, hyperparameters: AdamHyperparameters = .pytorchDefault) {
        self.hyperparameters = hyperparameters
        self.state = AdamState(parameterCount: parameterCount)
    }

    public var parameterCount: Int { state.m.count }

    /// One update of parameters[count] from gradients[count] (count must equal parameterCount).
    /// `concurrency` > 1 splits the pass into that many contiguous slices run on Dispatch workers (the update
    /// is elementwise, so the result is bit-identical whatever the split).
    ///
    /// With `sumsOfSquaresOver` (contiguous ranges of 0..<count, e.g. a `ParameterStore`'s tensors), it also
    /// returns Σ g² over each range, read in the same pass: each slice runs in blocks small enough to stay in
    /// the core's cache, and a block's gradients are summed right after its update read them, so the norms
    /// cost no second trip through memory. The update is the same, bit for bit.
    @discardableResult
    public mutating func step(parameters: UnsafeMutablePointer<Float>, gradients: UnsafePointer<Float>, count: Int,
                              concurrency: Int = 1, sumsOfSquaresOver segments: [Range<Int>]? = nil) -> [Double] {
        precondition(count == state.m.count, "Adam: \(count) parameters, state holds \(state.m.count)")
        precondition(concurrency >= 1, "Adam: concurrency must be ≥ 1, got \(concurrency)")
        if let segments {
            precondition(segments.allSatisfy { $0.lowerBound >= 0 && $0.upperBound <= count },
                         "Adam: segments must lie within 0..<\(count)")
            precondition(zip(segments, segments.dropFirst()).allSatisfy { $0.upperBound <= $1.lowerBound },
                         "Adam: segments must be in order and disjoint")
        }
        state.step += 1
        let h = hyperparameters, t = Double(state.step)
        let stepSize = h.learningRate / (1 - pow(h.beta1, t))
        let bc2Sqrt = (1 - pow(h.beta2, t)).squareRoot()
        let scalars = UpdateScalars(
            lerpWeight: Float(1 - h.beta1), oneMinusLerpWeight: Float(h.beta1), lerpFromStart: abs(1 - h.beta1) < 0.5,
            beta2: Float(h.beta2), oneMinusBeta2: Float(1 - h.beta2), negativeStepSize: Float(-stepSize),
            biasCorrection2Sqrt: Float(bc2Sqrt), epsilon: Float(h.epsilon), weightDecay: Float(h.weightDecay))
        let slices = min(concurrency, max(1, count / 65_536))
        let segmentCount = segments?.count ?? 0
        // One row of partial sums per slice: slices write disjoint rows.
        var partial = [Double](repeating: 0, count: slices * segmentCount)
        state.m.withUnsafeMutableBufferPointer { mb in state.v.withUnsafeMutableBufferPointer { vb in
            partial.withUnsafeMutableBufferPointer { sums in
                let m = mb.baseAddress!, v = vb.baseAddress!
                func run(_ slice: Int, _ p: UnsafeMutablePointer<Float>, _ g: UnsafePointer<Float>,
                         _ m: UnsafeMutablePointer<Float>, _ v: UnsafeMutablePointer<Float>, _ sums: UnsafeMutablePointer<Double>?) {
                    let range = (count * slice / slices)..<(count * (slice + 1) / slices)
                    guard let segments, let sums else { return Adam.update(p, g, m, v, range, scalars) }
                    let row = sums + slice * segments.count
                    var next = 0  // the first segment that may still meet this block
                    var block = range.lowerBound
                    while block < range.upperBound {
                        let end = min(block + Self.normBlock, range.upperBound)
                        Adam.update(p, g, m, v, block..<end, scalars)
                        while next < segments.count && segments[next].upperBound <= block { next += 1 }
                        var k = next
                        while k < segments.count && segments[k].lowerBound < end {
                            let lo = max(block, segments[k].lowerBound), hi = min(end, segments[k].upperBound)
                            if lo < hi { row[k] += Self.sumOfSquares(g + lo, hi - lo) }
                            k += 1
                        }
                        block = end
                    }
                }
                let sumsBase = segments == nil ? nil : sums.baseAddress
                if slices == 1 {
                    run(0, parameters, gradients, m, v, sumsBase)
                } else {
                    // Raw pointers cross into the workers; each slice touches only its own range and its own row.
                    let p = UInt(bitPattern: parameters), g = UInt(bitPattern: gradients)
                    let mAddress = UInt(bitPattern: m), vAddress = UInt(bitPattern: v)
                    let sAddress = sumsBase.map { UInt(bitPattern: $0) }
                    DispatchQueue.concurrentPerform(iterations: slices) { s in
                        run(s, UnsafeMutablePointer(bitPattern: p)!, UnsafePointer(bitPattern: g)!,
                            UnsafeMutablePointer(bitPattern: mAddress)!, UnsafeMutablePointer(bitPattern: vAddress)!,
                            sAddress.flatMap { UnsafeMutablePointer(bitPattern: $0) })
                    }
                }
            }
        } }
        guard segmentCount > 0 else { return [] }
        return (0..<segmentCount).map { k in (0..<slices).reduce(0) { $0 + partial[$1 * segmentCount + k] } }
    }

    /// Floats per block of the norm-reading update: 64 KB of gradients (and as much of each of p, m, v),
    /// still in the core's L2 cache when the sum reads them again.
    static let normBlock = 16_384

    /// Σ x² over count floats: 8 lanes in float (a block's worth at most), the total in double.
    static func sumOfSquares(_ x: UnsafePointer<Float>, _ count: Int) -> Double {
        typealias V = SIMD8<Float>
        var lanes = V(repeating: 0), i = 0
        while i + 8 <= count {
            let g = UnsafeRawPointer(x + i).loadUnaligned(as: V.self)
            lanes += g * g
            i += 8
        }
        var total = Double(lanes.sum())
        while i < count { total += Double(x[i]) * Double(x[i]); i += 1 }
        return total
    }

    /// Off: the Swift loop below even where AVX2 exists. Only for tests comparing the two; set it before
    /// any step runs, never while one does.
    nonisolated(unsafe) static var usesCKernel = true

    struct UpdateScalars {
        var lerpWeight: Float, oneMinusLerpWeight: Float, lerpFromStart: Bool
        var beta2: Float, oneMinusBeta2: Float, negativeStepSize: Float, biasCorrection2Sqrt: Float
        var epsilon: Float, weightDecay: Float
    }

    /// The fused update over one range. The common case (β1 > 0.5, no weight decay) has its own branch-free
    /// loop so that the compiler vectorises it.
    @inline(__always)
    static func update(_ p: UnsafeMutablePointer<Float>, _ grad: UnsafePointer<Float>, _ m: UnsafeMutablePointer<Float>,
                       _ v: UnsafeMutablePointer<Float>, _ range: Range<Int>, _ s: UpdateScalars) {
        let w = s.lerpWeight, beta2 = s.beta2, oneMinusBeta2 = s.oneMinusBeta2, negStep = s.negativeStepSize
        let bc2 = s.biasCorrection2Sqrt, eps = s.epsilon
        if s.lerpFromStart && s.weightDecay == 0 && usesCKernel && ck_adam_supported() != 0 {
            // The same operations 8-wide with AVX2 (CKernels/Adam.c): bit-identical, and the square root and
            // divisions no longer cost as much as the memory traffic.
            let lo = range.lowerBound
            ck_adam_update(p + lo, grad + lo, m + lo, v + lo, range.count, w, beta2, oneMinusBeta2, negStep, bc2, eps)
            return
        }
        if s.lerpFromStart && s.weightDecay == 0 {
            // Explicit 8-lane vectors: the compiler leaves the scalar form unvectorised (sqrt and division make
            // it 8× slower). Every lane does the same IEEE operations in the same order, so results are
            // bit-identical to the scalar loop below.
            typealias V = SIMD8<Float>
            var i = range.lowerBound
            let vw = V(repeating: w), vb2 = V(repeating: beta2), v1b2 = V(repeating: oneMinusBeta2)
            let vstep = V(repeating: negStep), vbc2 = V(repeating: bc2), veps = V(repeating: eps)
            while i + 8 <= range.upperBound {
                let g = UnsafeRawPointer(grad + i).loadUnaligned(as: V.self)
                let m0 = UnsafeRawPointer(m + i).loadUnaligned(as: V.self)
                let v0 = UnsafeRawPointer(v + i).loadUnaligned(as: V.self)
                let p0 = UnsafeRawPointer(p + i).loadUnaligned(as: V.self)
                let mi = m0 + vw * (g - m0)
                let vi = v0 * vb2 + v1b2 * g * g
                UnsafeMutableRawPointer(m + i).storeBytes(of: mi, as: V.self)
                UnsafeMutableRawPointer(v + i).storeBytes(of: vi, as: V.self)
                UnsafeMutableRawPointer(p + i).storeBytes(of: p0 + (vstep * mi) / (vi.squareRoot() / vbc2 + veps), as: V.self)
                i += 8
            }
            while i < range.upperBound {
                let g = grad[i]
                let mi = m[i] + w * (g - m[i])
                let vi = v[i] * beta2 + oneMinusBeta2 * g * g
                m[i] = mi
                v[i] = vi
                p[i] = p[i] + (negStep * mi) / (vi.squareRoot() / bc2 + eps)
                i += 1
            }
            return
        }
        // torch's lerp(m, g, w) = m + w·(g − m) for |w| < 0.5, else g − (g − m)·(1 − w)
        for i in range {
            var g = grad[i]
            if s.weightDecay != 0 { g += s.weightDecay * p[i] }
            let mi = s.lerpFromStart ? m[i] + w * (g - m[i]) : g - (g - m[i]) * s.oneMinusLerpWeight
            let vi = v[i] * beta2 + oneMinusBeta2 * g * g
            m[i] = mi
            v[i] = vi
            p[i] = p[i] + (negStep * mi) / (vi.squareRoot() / bc2 + eps)
        }
    }

    public mutating func step(parameters: inout [Float], gradients: [Float], concurrency: Int = 1) {
        precondition(parameters.count == gradients.count, "Adam: \(parameters.count) parameters, \(gradients.count) gradients")
        parameters.withUnsafeMutableBufferPointer { p in gradients.withUnsafeBufferPointer { g in
            _ = step(parameters: p.baseAddress!, gradients: g.baseAddress!, count: p.count, concurrency: concurrency)
        } }
    }

    public mutating func step(parameters: inout ParameterStore, gradients: ParameterStore, concurrency: Int = 1) {
        precondition(parameters.entries == gradients.entries, "Adam: gradient layout differs from the parameters'")
        step(parameters: &parameters.values, gradients: gradients.values, concurrency: concurrency)
    }

    /// The same step, also returning the L2 norm of each tensor's gradient (by name, in the store's order),
    /// read in the update's own pass (see `step(parameters:gradients:count:concurrency:sumsOfSquaresOver:)`).
    public mutating func stepReturningGradientNorms(parameters: inout ParameterStore, gradients: ParameterStore,
                                                    concurrency: Int = 1) -> [(name: String, norm: Double)] {
        precondition(parameters.entries == gradients.entries, "Adam: gradient layout differs from the parameters'")
        let segments = gradients.entries.map { $0.offset ..< $0.offset + $0.count }
        let sums = parameters.values.withUnsafeMutableBufferPointer { p in gradients.values.withUnsafeBufferPointer { g in
            step(parameters: p.baseAddress!, gradients: g.baseAddress!, count: p.count, concurrency: concurrency,
                 sumsOfSquaresOver: segments)
        } }
        return zip(gradients.entries, sums).map { ($0.name, $1.squareRoot()) }
    }
}
