import FileIO
import Foundation

/// The IDX format of the MNIST files (LeCun et al.): a big-endian header `00 00 TT NN`, where TT is the
/// element type and NN the number of dimensions, then NN big-endian UInt32 sizes, then the elements in
/// row-major order. Files may be gzip-compressed (detected by content).
public enum IDXElementType: UInt8, Sendable, CaseIterable {
    case uint8 = 0x08
    case float32 = 0x0D

    public var byteWidth: Int { self == .uint8 ? 1 : 4 }
    var name: String { self == .uint8 ? "uint8 (0x08)" : "float32 (0x0D)" }
}

/// One parsed IDX file: element type, sizes and the raw payload.
struct IDXArray {
    var type: IDXElementType
    var dimensions: [Int]
    /// Bytes after the header, exactly `dimensions.product × type.byteWidth` of them.
    var payload: ArraySlice<UInt8>

    /// Parses `bytes` (already decompressed) and checks the header against the payload length.
    ///
    /// - Parameters:
    ///   - expectedDimensions: 3 for images, 1 for labels.
    ///   - allowed: the element types the caller can use.
    ///   - compressed: whether `bytes` came out of gzip (messages then say "after decompression").
    static func parse(_ bytes: [UInt8], name: String, expectedDimensions: Int, allowed: [IDXElementType],
                      compressed: Bool) throws(DataError) -> IDXArray {
        let kind = expectedDimensions == 3 ? "idx3 images" : "idx\(expectedDimensions) labels"
        if bytes.isEmpty {
            throw DataError(name, "expected an IDX header (\(kind)), found an empty \(compressed ? "stream" : "file")")
        }
        guard bytes.count >= 4 else {
            throw DataError(name, "expected a 4-byte IDX magic number, found only \(bytes.count) bytes")
        }
        let magic = readUInt32(bytes, at: 0)
        guard bytes[0] == 0, bytes[1] == 0 else {
            throw DataError(name, "expected an IDX magic number 0x0000TTNN (\(kind)), found \(hex(magic))")
        }
        guard let type = IDXElementType(rawValue: bytes[2]), allowed.contains(type) else {
            let names = allowed.map(\.name).joined(separator: " or ")
            throw DataError(name, "expected element type \(names), found type byte \(hex2(bytes[2])) "
                + "(magic \(hex(magic)))")
        }
        guard Int(bytes[3]) == expectedDimensions else {
            throw DataError(name, "expected \(expectedDimensions) dimension(s) (\(kind), magic "
                + "\(hex(UInt32(type.rawValue) << 8 | UInt32(expectedDimensions)))), "
                + "found \(bytes[3]) (magic \(hex(magic)))")
        }
        let headerLength = 4 + 4 * expectedDimensions
        guard bytes.count >= headerLength else {
            throw DataError(name, "expected a \(headerLength)-byte header, found only \(bytes.count) bytes")
        }
        let dimensions = (0..<expectedDimensions).map { Int(readUInt32(bytes, at: 4 + 4 * $0)) }
        // Sizes are UInt32 each; their product fits Int64 for any real file, but guard the multiply anyway.
        var elements = 1
        for d in dimensions {
            let (product, overflow) = elements.multipliedReportingOverflow(by: d)
            if overflow { throw DataError(name, "header sizes \(dimensions) overflow") }
            elements = product
        }
        // Checked too: three UInt32 sizes of a damaged header can multiply to 2⁶² elements, and 4 bytes each
        // overflowed here (found by the long mutation run).
        let (payloadLength, payloadOverflow) = elements.multipliedReportingOverflow(by: type.byteWidth)
        let (expectedLength, lengthOverflow) = payloadLength.addingReportingOverflow(headerLength)
        if payloadOverflow || lengthOverflow { throw DataError(name, "header sizes \(dimensions) overflow") }
        guard bytes.count == expectedLength else {
            let after = compressed ? " after decompression" : ""
            let content = expectedDimensions == 3
                ? "\(grouped(dimensions[0])) images of \(dimensions[1])×\(dimensions[2])"
                : "\(grouped(dimensions[0])) labels"
            throw DataError(name, "expected \(grouped(expectedLength)) bytes\(after) for \(content), "
                + "found \(grouped(bytes.count))")
        }
        return IDXArray(type: type, dimensions: dimensions, payload: bytes[headerLength...])
    }

    /// The most bytes an IDX file may hold after decompression: 1 GiB, 20 times MNIST's largest file
    /// (47 MB of training images). A header claiming more is refused before anything is inflated.
    static let maximumDecompressedBytes = 1 << 30

    /// Inflates a gzip IDX stream header first: the 4 + 4·dimensions header bytes, then exactly as many
    /// bytes as that header implies and no more. A 1 MB bomb used to inflate to 2.1 GB (a 4 MB one aborted
    /// the process) before its header was ever checked. A header that is not valid comes back as it is, for
    /// `parse` to name what is wrong with it.
    static func decompress(_ raw: [UInt8], name: String, expectedDimensions: Int) throws(DataError) -> [UInt8] {
        let headerLength = 4 + 4 * expectedDimensions
        let head = try Gzip.decompressedPrefix(raw, count: headerLength, name: name)
        guard head.count == headerLength, head[0] == 0, head[1] == 0, let type = IDXElementType(rawValue: head[2]),
              Int(head[3]) == expectedDimensions else { return head }
        var length = type.byteWidth
        for k in 0 ..< expectedDimensions {
            let (product, overflow) = length.multipliedReportingOverflow(by: Int(readUInt32(head, at: 4 + 4 * k)))
            guard !overflow, product <= maximumDecompressedBytes else {
                throw DataError(name, "header sizes claim more than \(grouped(maximumDecompressedBytes)) bytes "
                    + "after decompression, expected an IDX file of at most that")
            }
            length = product
        }
        return try Gzip.decompress(raw, name: name, limit: headerLength + length)
    }

    /// Reads a file (plain or gzip) and parses it.
    static func read(_ url: URL, expectedDimensions: Int, allowed: [IDXElementType]) throws(DataError) -> IDXArray {
        let name = url.lastPathComponent
        let raw = try AtomicFile.read(url)
        let compressed = Gzip.isGzip(raw)
        let bytes = compressed ? try decompress(raw, name: name, expectedDimensions: expectedDimensions) : raw
        return try parse(bytes, name: name, expectedDimensions: expectedDimensions, allowed: allowed,
                         compressed: compressed)
    }

    /// Serialises header + payload.
    static func encode(type: IDXElementType, dimensions: [Int], payload: [UInt8]) -> [UInt8] {
        precondition(dimensions.allSatisfy { $0 >= 0 && $0 <= Int(UInt32.max) }, "IDX sizes must fit UInt32")
        precondition(payload.count == dimensions.reduce(1, *) * type.byteWidth, "payload does not match sizes")
        var out: [UInt8] = [0, 0, type.rawValue, UInt8(dimensions.count)]
        out.reserveCapacity(4 + 4 * dimensions.count + payload.count)
        for d in dimensions { appendUInt32(&out, UInt32(d)) }
        out.append(contentsOf: payload)
        return out
    }
}

// MARK: - Byte helpers

private func hex(_ v: UInt32) -> String {
    let s = String(v, radix: 16)
    return "0x" + String(repeating: "0", count: max(0, 8 - s.count)) + s
}

private func hex2(_ v: UInt8) -> String {
    let s = String(v, radix: 16)
    return "0x" + (s.count < 2 ? "0" + s : s)
}
