import CKernels
import Glibc

/// Weights rounded to IEEE float16 (bit patterns), for inference only: half the bytes of float32, so the
/// paper model's 39 MB channel-wise matrices become 19.7 MB and stay in a 32 MB L3 cache between
/// single-image forwards instead of streaming from memory (issue 4 §3). Arithmetic stays float32.
///
/// The bits live in a `HugePageBuffer` (2 MB pages where the kernel grants them).
public struct HalfPrecisionWeights: @unchecked Sendable, Equatable {
    /// Immutable once made, so copies of the value may share it across threads.
    private final class Storage {
        let buffer: HugePageBuffer
        let pointer: UnsafeMutablePointer<UInt16>
        let count: Int

        init(count: Int) {
            self.count = count
            buffer = HugePageBuffer(byteCount: count * MemoryLayout<UInt16>.stride)
            pointer = buffer.raw.bindMemory(to: UInt16.self, capacity: max(count, 1))
        }
    }

    private let storage: Storage

    /// Weights in the layout of the float32 weights they were made from.
    public var count: Int { storage.count }

    /// The float16 bit patterns, copied out (for tests; the passes read them in place).
    public var bits: [UInt16] { Array(UnsafeBufferPointer(start: storage.pointer, count: storage.count)) }

    /// Rounds `count` floats to the nearest float16 (ties to even); values beyond ±65504 become ±∞.
    public init(_ weights: UnsafePointer<Float>, count: Int) {
        storage = Storage(count: count)
        let buffer = storage.pointer
        if HalfPrecisionWeights.usesCKernel && ck_half_supported() != 0 {
            ck_float_to_half(weights, buffer, count)
        } else {
            for i in 0..<count { buffer[i] = Float16(weights[i]).bitPattern }
        }
    }

    /// The bit patterns in place: [count].
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<UInt16>) throws -> R) rethrows -> R {
        try body(UnsafeBufferPointer(start: storage.pointer, count: storage.count))
    }

    public static func == (a: HalfPrecisionWeights, b: HalfPrecisionWeights) -> Bool {
        a.storage === b.storage
            || (a.count == b.count && memcmp(a.storage.pointer, b.storage.pointer, a.count * MemoryLayout<UInt16>.stride) == 0)
    }

    /// Off: the portable Swift loops instead of the F16C kernels. Only for testing both paths in one process;
    /// set it before any pass runs, never while one does.
    nonisolated(unsafe) public static var usesCKernel = true
}

extension ChannelWiseLinear {
    /// The forward pass with float16 weights (`HalfPrecisionWeights` of W [C, inF, outF]), float32 arithmetic:
    /// input [B, C, inF] → output [B, C, outF] (overwritten). With `channelRange`, only those channels.
    public func forward(input: UnsafePointer<Float>, batch: Int, halfWeight: UnsafePointer<UInt16>,
                        bias: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>, channelRange: Range<Int>? = nil) {
        precondition(hasBias == (bias != nil), "ChannelWiseLinear: hasBias is \(hasBias) but bias pointer \(bias == nil ? "absent" : "given")")
        let inRow = channels * inFeatures, outRow = channels * outFeatures, matrix = inFeatures * outFeatures
        let fast = HalfPrecisionWeights.usesCKernel && ck_half_supported() != 0
        for c in channelRange ?? 0..<channels {
            let x = input + c * inFeatures, w = halfWeight + c * matrix, y = output + c * outFeatures
            if fast {
                // y_c[B, outF] = x_c[B, inF] · W[c][inF, outF], rows of x and y one image apart
                ck_half_matmul(w, Int32(inFeatures), Int32(outFeatures), x, inRow, Int32(batch), y, outRow)
            } else {
                for b in 0..<batch {
                    let xb = x + b * inRow, yb = y + b * outRow
                    yb.update(repeating: 0, count: outFeatures)
                    for i in 0..<inFeatures {
                        let xi = xb[i], row = w + i * outFeatures
                        for j in 0..<outFeatures { yb[j] += xi * Float(Float16(bitPattern: row[j])) }
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
