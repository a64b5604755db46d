// Big-endian 32-bit integers, as the IDX format (magic number, dimensions) and PNG (chunk lengths, CRCs)
// store them.

/// The big-endian UInt32 at `offset` (relative to the collection's start).
@inline(__always)
public func readUInt32<C: RandomAccessCollection>(_ bytes: C, at offset: Int) -> UInt32
where C.Element == UInt8, C.Index == Int {
    let i = bytes.startIndex + offset
    return UInt32(bytes[i]) << 24 | UInt32(bytes[i + 1]) << 16 | UInt32(bytes[i + 2]) << 8 | UInt32(bytes[i + 3])
}

/// Appends `v` as four big-endian bytes.
@inline(__always)
public func appendUInt32(_ out: inout [UInt8], _ v: UInt32) {
    out.append(UInt8(v >> 24)); out.append(UInt8((v >> 16) & 0xFF))
    out.append(UInt8((v >> 8) & 0xFF)); out.append(UInt8(v & 0xFF))
}
