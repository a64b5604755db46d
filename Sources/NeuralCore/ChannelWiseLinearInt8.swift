import CKernels

/// Channel-wise weights W [C, inF, outF] quantised to int8 with one float scale per block of `blockRows` input
/// rows and output column of each map, for inference only: a quarter of the bytes of float32, so the paper
/// model's 39 MB of channel-wise weights become 9.8 MB (plus the scales), which stay in the 32 MB L3 even
/// beside a trainer on the other core (issue 16). Arithmetic stays float32; with b the block of row i:
///
///   scale[c, b, j] = max_{i in b} |W[c, i, j]| / 127,   q[c, i, j] = round(W[c, i, j] · 127 / max_{i in b} |W[c, i, j]|)
///   y[c, j] = Σ_b scale[c, b, j] · Σ_{i in b} x[c, i] · q[c, i, j]
///
/// Rounding to nearest makes every weight's error at most scale/2 (and an ulp) = max|W[c, b, j]| / 254. A zero column has
/// scale 0 and q 0; a column holding ∞ or NaN keeps a non-finite scale, so its outputs are NaN as float32's
/// would be. −128 is never used, so the range is symmetric. The values live in a `HugePageBuffer`.
public struct Int8Weights: @unchecked Sendable, Equatable {
    /// Immutable once made, so copies of the value may share it across threads.
    private final class Storage {
        let buffer: HugePageBuffer
        let values: UnsafeMutablePointer<Int8>
        let scales: UnsafeMutablePointer<Float>

        init(valueCount: Int, scaleCount: Int) {
            let scaleOffset = (valueCount + 63) / 64 * 64  // the scales on their own cache lines after the values
            buffer = HugePageBuffer(byteCount: scaleOffset + scaleCount * MemoryLayout<Float>.stride)
            values = buffer.raw.bindMemory(to: Int8.self, capacity: valueCount)
            scales = (buffer.raw + scaleOffset).bindMemory(to: Float.self, capacity: scaleCount)
        }
    }

    private let storage: Storage
    public let channels: Int, inFeatures: Int, outFeatures: Int
    /// Input rows that share a scale (the last block may be shorter); `inFeatures` for one scale per column.
    public let blockRows: Int
    /// ⌈inFeatures / blockRows⌉.
    public var blocks: Int { (inFeatures + blockRows - 1) / blockRows }

    /// C · inF · outF, the count of the float32 weights they were made from.
    public var count: Int { channels * inFeatures * outFeatures }

    /// The quantised weights [C, inF, outF] and the scales [C, blocks, outF], copied out (for tests; passes read
    /// them in place).
    public var values: [Int8] { Array(UnsafeBufferPointer(start: storage.values, count: count)) }
    public var scales: [Float] { Array(UnsafeBufferPointer(start: storage.scales, count: channels * blocks * outFeatures)) }

    /// Rows per scale of the inference path: 784 / 7 = 112 for the paper model, where one scale per column
    /// (784 rows) moved a reconstruction of the bundled model by 1.18/255 on the 10,000 MNIST test digits and
    /// blocks of 112 by 0.65/255 (Int8InferenceTests); the scales are 0.35 MB beside 9.8 MB of values.
    public static let defaultBlockRows = 112

    /// Quantises weights [channels, inFeatures, outFeatures] (float32) map by map, block by block of rows.
    public init(_ weights: UnsafePointer<Float>, channels: Int, inFeatures: Int, outFeatures: Int,
                blockRows: Int = Int8Weights.defaultBlockRows) {
        precondition(channels > 0 && inFeatures > 0 && outFeatures > 0 && blockRows > 0, "Int8Weights: sizes must be positive")
        self.channels = channels; self.inFeatures = inFeatures; self.outFeatures = outFeatures
        self.blockRows = min(blockRows, inFeatures)
        let blocks = (inFeatures + self.blockRows - 1) / self.blockRows
        storage = Storage(valueCount: channels * inFeatures * outFeatures, scaleCount: channels * blocks * outFeatures)
        let fast = Int8Weights.usesCKernel && ck_int8_supported() != 0
        for c in 0..<channels {
            for b in 0..<blocks {
                // A block of rows of a row-major map is one contiguous [rows, outF] matrix.
                let first = b * self.blockRows, rows = min(self.blockRows, inFeatures - first)
                let offset = (c * inFeatures + first) * outFeatures
                let w = weights + offset, q = storage.values + offset, s = storage.scales + (c * blocks + b) * outFeatures
                if fast {
                    ck_int8_quantize(w, Int32(rows), Int32(outFeatures), q, s)
                } else {
                    Int8Weights.quantize(w, inFeatures: rows, outFeatures: outFeatures, into: q, scales: s)
                }
            }
        }
    }

    /// The portable twin of `ck_int8_quantize`, bit for bit: one matrix [inF, outF] → q [inF, outF], scales [outF].
    static func quantize(_ w: UnsafePointer<Float>, inFeatures: Int, outFeatures: Int,
                         into q: UnsafeMutablePointer<Int8>, scales: UnsafeMutablePointer<Float>) {
        // The largest magnitude as a bit pattern, so that ∞ and NaN are never dropped by a comparison.
        var largestBits = [UInt32](repeating: 0, count: outFeatures)
        for j in 0..<outFeatures {
            for i in 0..<inFeatures { largestBits[j] = max(largestBits[j], w[i * outFeatures + j].bitPattern & 0x7fff_ffff) }
            scales[j] = Float(bitPattern: largestBits[j]) / 127
        }
        for j in 0..<outFeatures {
            // 127 / max|w| (a multiply per weight rather than a division: see Int8Matmul.c), 0 for a zero or
            // non-finite column.
            let largest = Float(bitPattern: largestBits[j])
            let factor = largest > 0 && largest < .infinity ? 127 / largest : 0
            for i in 0..<inFeatures {
                let r = (w[i * outFeatures + j] * factor).rounded(.toNearestOrEven)
                q[i * outFeatures + j] = r >= -127 ? Int8(min(r, 127)) : -127  // NaN → −127, as the kernel
            }
        }
    }

    /// The quantised values [C, inF, outF] and scales [C, blocks, outF] in place.
    public func withUnsafePointers<R>(_ body: (UnsafePointer<Int8>, UnsafePointer<Float>) throws -> R) rethrows -> R {
        try body(storage.values, storage.scales)
    }

    public static func == (a: Int8Weights, b: Int8Weights) -> Bool {
        a.storage === b.storage
            || (a.channels == b.channels && a.inFeatures == b.inFeatures && a.outFeatures == b.outFeatures
                && a.blockRows == b.blockRows && a.values == b.values && a.scales.map(\.bitPattern) == b.scales.map(\.bitPattern))
    }

    /// Off: the portable Swift loops instead of the AVX2 kernels. Only for testing both paths in one process;
    /// set it before any pass runs, never while one does.
    nonisolated(unsafe) public static var usesCKernel = true
}

extension ChannelWiseLinear {
    /// The forward pass with int8 weights (`Int8Weights` of W [C, inF, outF]), float32 arithmetic:
    /// input [B, C, inF] → output [B, C, outF] (overwritten). With `channelRange`, only those channels.
    /// The portable loop sums with fused multiply-adds in the kernel's order, so both give the same bits.
    public func forward(input: UnsafePointer<Float>, batch: Int, int8Weights weights: Int8Weights,
                        bias: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>, channelRange: Range<Int>? = nil) {
        precondition(hasBias == (bias != nil), "ChannelWiseLinear: hasBias is \(hasBias) but bias pointer \(bias == nil ? "absent" : "given")")
        precondition(weights.channels == channels && weights.inFeatures == inFeatures && weights.outFeatures == outFeatures,
                     "ChannelWiseLinear: int8 weights of \(weights.channels)×\(weights.inFeatures)×\(weights.outFeatures) for a \(channels)×\(inFeatures)×\(outFeatures) layer")
        let inRow = channels * inFeatures, outRow = channels * outFeatures, matrix = inFeatures * outFeatures
        let fast = Int8Weights.usesCKernel && ck_int8_supported() != 0
        let blockRows = weights.blockRows, blocks = weights.blocks
        weights.withUnsafePointers { values, scales in
            var sum = [Float](repeating: 0, count: fast ? 0 : outFeatures)
            for c in channelRange ?? 0..<channels {
                let x = input + c * inFeatures, q = values + c * matrix, s = scales + c * blocks * outFeatures
                let y = output + c * outFeatures
                if fast {
                    // y_c[B, outF] = Σ_b (x_c[B, block b] · q[c][block b, outF]) ⊙ s[c, b], rows one image apart
                    ck_int8_matmul(q, s, Int32(inFeatures), Int32(outFeatures), Int32(blockRows), x, inRow, Int32(batch),
                                   y, outRow)
                } else {
                    for b in 0..<batch {
                        let xb = x + b * inRow, yb = y + b * outRow
                        yb.update(repeating: 0, count: outFeatures)
                        for block in 0..<blocks {
                            for j in 0..<outFeatures { sum[j] = 0 }
                            for i in (block * blockRows)..<min(inFeatures, (block + 1) * blockRows) {
                                let xi = xb[i], row = q + i * outFeatures
                                for j in 0..<outFeatures { sum[j].addProduct(xi, Float(row[j])) }
                            }
                            let sb = s + block * outFeatures
                            for j in 0..<outFeatures { yb[j].addProduct(sum[j], sb[j]) }
                        }
                    }
                }
                if let bias {
                    let bc = bias + c * outFeatures
                    for b in 0..<batch {
                        let yb = y + b * outRow
                        for j in 0..<outFeatures { yb[j] += bc[j] }
                    }
                }
            }
        }
    }
}
