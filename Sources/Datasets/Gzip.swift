import CZlib
import FileIO

/// gzip and zlib streams through the system zlib.
///
/// Decompression is strict: a stream that ends early, fails its CRC/Adler check, or is followed by
/// bytes that are not another gzip member is an error, never a silent short read.
public enum Gzip {
    /// The container around a deflate stream: gzip (`.gz` files, RFC 1952) or zlib (PNG's IDAT, RFC 1950).
    public enum Format: Sendable {
        case gzip, zlib

        /// zlib's windowBits: 15 = 32 KiB window; +16 writes a gzip wrapper; +32 lets inflate detect either.
        var deflateWindowBits: Int32 { self == .gzip ? 15 + 16 : 15 }
        var inflateWindowBits: Int32 { self == .gzip ? 15 + 32 : 15 }
    }

    /// True when `bytes` starts with the gzip magic 1f 8b (detect by content, not by file name).
    public static func isGzip<C: Collection>(_ bytes: C) -> Bool where C.Element == UInt8 {
        var it = bytes.makeIterator()
        return it.next() == 0x1F && it.next() == 0x8B
    }

    /// Compresses `bytes` (level 0…9; 9 is the smallest output).
    public static func compress(_ bytes: [UInt8], format: Format = .gzip, level: Int32 = 9) -> [UInt8] {
        var stream = z_stream()
        let initStatus = czlib_deflateInit2(&stream, level, Z_DEFLATED, format.deflateWindowBits, 8,
                                            Z_DEFAULT_STRATEGY)
        // deflateInit2 fails only on bad parameters or out of memory: a programmer error here.
        precondition(initStatus == Z_OK, "deflateInit2 failed with \(initStatus)")
        defer { deflateEnd(&stream) }

        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(bytes.count))) + 32)
        let status: Int32 = bytes.withUnsafeBufferPointer { inBuf in
            output.withUnsafeMutableBufferPointer { outBuf in
                // zlib never writes through next_in (it is z_const in zlib.h); the cast avoids copying input.
                stream.next_in = UnsafeMutablePointer(mutating: inBuf.baseAddress)
                stream.avail_in = uInt(inBuf.count)
                stream.next_out = outBuf.baseAddress
                stream.avail_out = uInt(outBuf.count)
                return deflate(&stream, Z_FINISH)
            }
        }
        // deflateBound guarantees room for one Z_FINISH call.
        precondition(status == Z_STREAM_END, "deflate did not finish in one call (\(status))")
        output.removeSubrange(Int(stream.total_out)...)
        return output
    }

    /// Decompresses a whole gzip (possibly several concatenated members) or zlib stream.
    ///
    /// - Parameter name: the file the bytes came from, used in error messages.
    /// - Parameter limit: the most bytes the output may hold; a stream that inflates to more is refused as
    ///   soon as it passes the limit, so a small bomb cannot take gigabytes of memory first.
    /// - Throws: `DataError` for a truncated stream, corrupt data, a failed check value, trailing bytes or
    ///   output past `limit`.
    public static func decompress(_ bytes: [UInt8], format: Format = .gzip, name: String, limit: Int = .max) throws(DataError)
        -> [UInt8]
    {
        try inflateAll(bytes, format: format, name: name, limit: limit, stopAtLimit: false)
    }

    /// The first `count` bytes of a gzip stream (fewer if it is shorter), inflating no more than that (and
    /// one chunk): what a reader needs to check a header before it commits to the whole stream.
    public static func decompressedPrefix(_ bytes: [UInt8], count: Int, name: String) throws(DataError) -> [UInt8] {
        precondition(count > 0, "a prefix of at least one byte")
        return Array(try inflateAll(bytes, format: .gzip, name: name, limit: count - 1, stopAtLimit: true).prefix(count))
    }

    private static func inflateAll(_ bytes: [UInt8], format: Format, name: String, limit: Int, stopAtLimit: Bool)
        throws(DataError) -> [UInt8]
    {
        if bytes.isEmpty { throw DataError(name, "expected compressed data, found an empty file") }
        if format == .gzip && !isGzip(bytes) {
            throw DataError(name, "expected gzip data (magic 1f 8b), found \(hexPrefix(bytes))")
        }
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count * 4)
        var offset = 0
        var member = 0
        while offset < bytes.count {
            if member > 0 {
                // After one gzip member only another member may follow (RFC 1952 §2.2).
                guard format == .gzip, isGzip(bytes[offset...]) else {
                    throw DataError(name, "expected the end of the \(format == .gzip ? "gzip" : "zlib") stream "
                        + "after \(grouped(offset)) bytes, found \(grouped(bytes.count - offset)) more bytes")
                }
            }
            let used = try inflateMember(bytes, from: offset, format: format, name: name, limit: limit, into: &output)
            if output.count > limit {
                if stopAtLimit { break }
                throw DataError(name, "expected at most \(grouped(limit)) bytes after decompression, found more "
                    + "(stopped there: a damaged file or a decompression bomb)")
            }
            offset += used
            member += 1
        }
        return output
    }

    /// Inflates one member starting at `start`, appending to `output`; returns the bytes consumed.
    private static func inflateMember(
        _ bytes: [UInt8], from start: Int, format: Format, name: String, limit: Int, into output: inout [UInt8]
    ) throws(DataError) -> Int {
        var stream = z_stream()
        guard czlib_inflateInit2(&stream, format.inflateWindowBits) == Z_OK else {
            throw DataError(name, "zlib could not start inflating (out of memory?)")
        }
        defer { inflateEnd(&stream) }

        let chunk = 1 << 18
        var buffer = [UInt8](repeating: 0, count: chunk)
        var status: Int32 = Z_OK
        var consumed = 0
        bytes.withUnsafeBufferPointer { inBuf in
            stream.next_in = UnsafeMutablePointer(mutating: inBuf.baseAddress! + start)
            stream.avail_in = uInt(inBuf.count - start)
            repeat {
                let produced: Int = buffer.withUnsafeMutableBufferPointer { outBuf in
                    stream.next_out = outBuf.baseAddress
                    stream.avail_out = uInt(chunk)
                    status = inflate(&stream, Z_NO_FLUSH)
                    return chunk - Int(stream.avail_out)
                }
                output.append(contentsOf: buffer[0..<produced])
                // Z_BUF_ERROR with input left means "no progress possible": the stream is truncated.
            } while status == Z_OK && (stream.avail_in > 0 || stream.avail_out == 0) && output.count <= limit
            consumed = inBuf.count - start - Int(stream.avail_in)
        }
        if output.count > limit { return consumed }   // the caller stops or refuses
        switch status {
        case Z_STREAM_END:
            return consumed
        case Z_OK, Z_BUF_ERROR:
            throw DataError(name, "truncated compressed data: the stream ends after \(grouped(start + consumed)) "
                + "bytes (\(grouped(output.count)) bytes decompressed) without its end marker")
        case Z_DATA_ERROR:
            let reason = stream.msg.map { String(cString: $0) } ?? "invalid deflate data"
            throw DataError(name, "corrupt compressed data at byte \(grouped(start + consumed)): \(reason)")
        default:
            throw DataError(name, "zlib inflate failed with status \(status)")
        }
    }

    private static func hexPrefix(_ bytes: [UInt8]) -> String {
        if bytes.isEmpty { return "an empty file" }
        return bytes.prefix(4).map { String(format2hex($0)) }.joined(separator: " ")
    }

    private static func format2hex(_ b: UInt8) -> String {
        let digits = Array("0123456789abcdef")
        return String([digits[Int(b >> 4)], digits[Int(b & 15)]])
    }

    /// CRC-32 (the gzip/PNG polynomial) of `bytes`, continuing from `crc`.
    public static func crc32<C: Collection>(_ bytes: C, continuing crc: UInt32 = 0) -> UInt32
    where C.Element == UInt8 {
        let array = Array(bytes)
        return array.withUnsafeBufferPointer { buf in
            UInt32(CZlib.crc32(uLong(crc), buf.baseAddress, uInt(buf.count)))
        }
    }
}
