import Foundation
import NeuralCore

/// Cases per parser in a mutation test: `base` in the default suite (a few hundred, well under a second),
/// 100 × `base` with `INPAINT_LONG_TESTS=1`.
public func mutationCaseCount(_ base: Int) -> Int {
    ProcessInfo.processInfo.environment["INPAINT_LONG_TESTS"] == "1" ? 100 * base : base
}

/// Deterministic damage to a valid file, for "parses or throws one line, never traps" tests: a trap kills
/// the test process, so a parser that traps on any mutation fails the whole run loudly.
///
/// Each mutation is one of: a flipped bit, a truncation, inserted bytes, a byte overwritten with a boundary
/// value (0x00, 0x7F, 0x80, 0xFF), or four bytes overwritten with a boundary 32-bit pattern (0, Int32.max,
/// UInt32.max, a float NaN or infinity), at a position drawn from `generator` (seeded: every run is the same).
public func mutate(_ bytes: [UInt8], using generator: inout SeededGenerator) -> [UInt8] {
    var out = bytes
    guard !out.isEmpty else { return [0] }
    let at = Int.random(in: 0 ..< out.count, using: &generator)
    switch Int.random(in: 0 ..< 5, using: &generator) {
    case 0:
        out[at] ^= 1 << UInt8.random(in: 0 ..< 8, using: &generator)
    case 1:
        out.removeSubrange(at...)
    case 2:
        let count = Int.random(in: 1 ... 8, using: &generator)
        out.insert(contentsOf: (0 ..< count).map { _ in UInt8.random(in: 0 ... .max, using: &generator) }, at: at)
    case 3:
        out[at] = [0x00, 0x7F, 0x80, 0xFF].randomElement(using: &generator)!
    default:
        let patterns: [UInt32] = [0, 0x7FFF_FFFF, 0xFFFF_FFFF, Float.nan.bitPattern, Float.infinity.bitPattern,
                                  (-Float.infinity).bitPattern]
        let pattern = patterns.randomElement(using: &generator)!
        let bigEndian = Bool.random(using: &generator)
        for k in 0 ..< 4 where at + k < out.count {
            let shift = UInt32(bigEndian ? 24 - 8 * k : 8 * k)
            out[at + k] = UInt8((pattern >> shift) & 0xFF)
        }
    }
    return out
}
