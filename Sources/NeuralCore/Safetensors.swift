import FileIO
import Foundation

// The safetensors format (https://github.com/huggingface/safetensors), the checkpoint format shared with
// PyTorch:
//
//   [8 bytes]  N, the header length, unsigned 64-bit little-endian
//   [N bytes]  a JSON object: for every tensor `"name": {"dtype": "F32", "shape": [16, 1, 5, 5],
//              "data_offsets": [begin, end]}`, plus an optional `"__metadata__": {"key": "value", …}`
//              whose values are strings; Python's writer pads it with spaces to a multiple of 8 bytes
//   [rest]     the tensors' raw little-endian bytes; `data_offsets` count from the start of this part
//
// Reading trusts nothing: every claim of the header is checked against the file before a byte of tensor
// data is used, and the first problem found is reported in one line that names the file.

/// The element types this project reads and writes. F32 is the training format; F16 halves the bundled
/// model; BF16 is read so that checkpoints saved from bfloat16 PyTorch models load too.
public enum SafetensorsDType: String, Sendable, CaseIterable, Codable {
    case f32 = "F32"
    case f16 = "F16"
    case bf16 = "BF16"

    /// Bytes per element.
    public var size: Int {
        switch self {
        case .f32: 4
        case .f16, .bf16: 2
        }
    }
}

/// What the header says about one tensor.
public struct SafetensorsTensorInfo: Sendable, Equatable {
    public var name: String
    public var dtype: SafetensorsDType
    public var shape: [Int]
    /// Byte range inside the data part (after the 8-byte length and the header).
    public var dataOffsets: Range<Int>

    public var elementCount: Int { shape.reduce(1, *) }
}

/// A problem with a safetensors file: `description` is one line, "FILE: what is wrong".
public struct SafetensorsError: Error, Equatable, CustomStringConvertible, LocalizedError {
    public enum Kind: Sendable, Equatable {
        case unreadable, empty, truncated, headerLength, json, entry, dtype, shapeMismatch, offsets, overlap
        case missingTensor, unwritable
        /// A metadata value its reader does not accept (e.g. an unknown `inpaint.dataset`).
        case metadata
    }

    public var file: String
    public var kind: Kind
    public var detail: String

    public init(file: String, kind: Kind, detail: String) {
        self.file = file; self.kind = kind; self.detail = detail
    }

    /// One line even if a detail quotes text with line breaks (e.g. a bad JSON header).
    public var description: String { "\(file): \(detail)".split(whereSeparator: \.isNewline).joined(separator: " ") }
    public var errorDescription: String? { description }
}

/// A validated safetensors file: its metadata, its header entries in data order, and the (memory-mapped)
/// bytes, decoded to Float32 on request — straight into the caller's buffer when loading a 39 MB model,
/// so that start-up makes no extra copy.
public struct SafetensorsFile: Sendable {
    /// The `__metadata__` map (empty when absent).
    public var metadata: [String: String]
    /// Header entries sorted by their position in the data part (PyTorch writes them in this order too).
    public var infos: [SafetensorsTensorInfo]
    /// The whole file; tensor data starts at `dataStart`.
    private let bytes: Data
    private let dataStart: Int

    public var names: [String] { infos.map(\.name) }

    public func info(named name: String) -> SafetensorsTensorInfo? { infos.first { $0.name == name } }

    /// One tensor converted to Float32, or nil when the file has no such tensor.
    public func tensor(named name: String) -> Tensor? {
        guard let info = info(named: name) else { return nil }
        let values = [Float](unsafeUninitializedCapacity: info.elementCount) { buffer, initialized in
            decode(info, into: buffer)
            initialized = info.elementCount
        }
        return Tensor(shape: info.shape, data: values)
    }

    /// Every tensor by name (convenient for small files; for big ones decode what you need).
    public var tensors: [String: Tensor] {
        Dictionary(uniqueKeysWithValues: infos.map { ($0.name, tensor(named: $0.name)!) })
    }

    /// Converts one tensor's elements to Float32 into `destination` (exactly `info.elementCount` long).
    public func decode(_ info: SafetensorsTensorInfo, into destination: UnsafeMutableBufferPointer<Float>) {
        precondition(destination.count == info.elementCount, "\(info.name): destination holds \(destination.count) floats, tensor has \(info.elementCount)")
        bytes.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            let slice = UnsafeRawBufferPointer(rebasing: raw[dataStart + info.dataOffsets.lowerBound ..< dataStart + info.dataOffsets.upperBound])
            Self.decode(slice, dtype: info.dtype, into: destination)
        }
    }

    /// The JSON header may not be larger than this (the reference Rust reader's limit, 100 MB); a larger
    /// claim is a corrupt length, and refusing it early avoids allocating gigabytes for garbage.
    public static let maximumHeaderLength = 100_000_000

    /// Reads and validates a file. Throws a `SafetensorsError` naming `url.path` for any problem.
    public static func read(contentsOf url: URL) throws(SafetensorsError) -> SafetensorsFile {
        let bytes: Data
        do {
            // Mapped, not read: a 39 MB model pages in as it is decoded. Safe because every writer here
            // replaces a file by rename (the mapping keeps the old inode), never truncates it in place.
            bytes = try Data(contentsOf: url, options: .mappedIfSafe)
        } catch {
            throw SafetensorsError(file: url.path, kind: .unreadable, detail: "cannot read file (\(Self.reason(error)))")
        }
        return try parse(bytes, file: url.path)
    }

    /// Validates and decodes the bytes of a safetensors file; `file` names it in errors.
    public static func parse(_ bytes: Data, file: String) throws(SafetensorsError) -> SafetensorsFile {
        func fail(_ kind: SafetensorsError.Kind, _ detail: String) -> SafetensorsError {
            SafetensorsError(file: file, kind: kind, detail: detail)
        }
        if bytes.isEmpty { throw fail(.empty, "empty file, expected a safetensors file (8-byte header length, JSON header, data)") }
        if bytes.count < 8 { throw fail(.truncated, "file has \(bytes.count) bytes, expected at least 8 for the header length") }

        var headerLength: UInt64 = 0
        for (i, byte) in bytes.prefix(8).enumerated() { headerLength |= UInt64(byte) << (8 * UInt64(i)) }
        let available = bytes.count - 8
        guard headerLength <= UInt64(available) else {
            throw fail(.headerLength, "header length \(headerLength) exceeds the \(available) bytes after it (truncated or not a safetensors file)")
        }
        guard headerLength <= UInt64(maximumHeaderLength) else {
            throw fail(.headerLength, "header length \(headerLength) exceeds the \(maximumHeaderLength)-byte limit")
        }
        let headerEnd = 8 + Int(headerLength)
        let headerBytes = bytes.subdata(in: bytes.startIndex + 8 ..< bytes.startIndex + headerEnd)
        guard headerBytes.first == UInt8(ascii: "{") else {
            throw fail(.json, "header does not start with '{', expected a JSON object (not a safetensors file?)")
        }
        let json: Any
        do {
            json = try JSONSerialization.jsonObject(with: headerBytes, options: [])
        } catch {
            throw fail(.json, "header is not valid JSON (\(Self.jsonReason(error)))")
        }
        guard let object = json as? [String: Any] else { throw fail(.json, "header is JSON but not an object") }

        var metadata: [String: String] = [:]
        var infos: [SafetensorsTensorInfo] = []
        let dataLength = bytes.count - headerEnd
        // Sorted so that the same bad file always gets the same message.
        for (name, value) in object.sorted(by: { $0.key < $1.key }) {
            if name == "__metadata__" {
                guard let map = value as? [String: Any] else { throw fail(.json, "__metadata__ is not an object") }
                for (key, entry) in map {
                    guard let text = entry as? String else { throw fail(.json, "__metadata__[\(key)] is not a string") }
                    metadata[key] = text
                }
                continue
            }
            infos.append(try parseEntry(name: name, value: value, dataLength: dataLength, fail: fail))
        }

        infos.sort { ($0.dataOffsets.lowerBound, $0.dataOffsets.upperBound, $0.name) < ($1.dataOffsets.lowerBound, $1.dataOffsets.upperBound, $1.name) }
        for (previous, next) in zip(infos, infos.dropFirst()) where next.dataOffsets.lowerBound < previous.dataOffsets.upperBound {
            throw fail(.overlap, "tensors \(previous.name) (bytes \(previous.dataOffsets)) and \(next.name) (bytes \(next.dataOffsets)) overlap")
        }
        // As the reference loader (safetensors' `Metadata::validate`): the tensors tile the data part exactly,
        // from byte 0 with no gap, to its last byte. A gap or a spare byte means the header and the data
        // disagree (four bytes inserted after the header, a length one short), and every tensor is shifted.
        var covered = 0
        for info in infos {
            guard info.dataOffsets.lowerBound == covered else {
                throw fail(.offsets, "tensor \(info.name) starts at data byte \(info.dataOffsets.lowerBound), expected \(covered) "
                    + "(the tensors must cover the data without gaps)")
            }
            covered = info.dataOffsets.upperBound
        }
        guard covered == dataLength else {
            throw fail(.offsets, "the tensors cover \(covered) bytes of data, found \(dataLength) after the \(headerLength)-byte header "
                + "(bytes inserted, or a wrong header length)")
        }

        return SafetensorsFile(metadata: metadata, infos: infos, bytes: bytes, dataStart: bytes.startIndex + headerEnd)
    }

    private static func parseEntry(
        name: String, value: Any, dataLength: Int, fail: (SafetensorsError.Kind, String) -> SafetensorsError
    ) throws(SafetensorsError) -> SafetensorsTensorInfo {
        guard let entry = value as? [String: Any] else { throw fail(.entry, "tensor \(name): entry is not an object") }
        guard let dtypeName = entry["dtype"] as? String else { throw fail(.entry, "tensor \(name): missing dtype") }
        guard let dtype = SafetensorsDType(rawValue: dtypeName) else {
            throw fail(.dtype, "tensor \(name): dtype \(dtypeName) not supported, expected F32, F16 or BF16")
        }
        guard let shapeValues = entry["shape"] as? [Any], let shape = integers(shapeValues), shape.allSatisfy({ $0 >= 0 }) else {
            throw fail(.entry, "tensor \(name): shape must be a list of non-negative integers")
        }
        guard let offsetValues = entry["data_offsets"] as? [Any], let offsets = integers(offsetValues), offsets.count == 2 else {
            throw fail(.entry, "tensor \(name): data_offsets must be two integers [begin, end]")
        }
        let (begin, end) = (offsets[0], offsets[1])
        guard begin >= 0, begin <= end else {
            throw fail(.offsets, "tensor \(name): data_offsets [\(begin), \(end)] are not an increasing pair")
        }
        guard end <= dataLength else {
            throw fail(.offsets, "tensor \(name): data_offsets [\(begin), \(end)] reach past the \(dataLength) bytes of data (truncated file?)")
        }
        var bytesNeeded = dtype.size
        for dim in shape {
            let (product, overflow) = bytesNeeded.multipliedReportingOverflow(by: dim)
            guard !overflow else { throw fail(.shapeMismatch, "tensor \(name): shape \(shape) is too large") }
            bytesNeeded = product
        }
        guard bytesNeeded == end - begin else {
            throw fail(.shapeMismatch, "tensor \(name): shape \(shape) of \(dtypeName) needs \(bytesNeeded) bytes, data_offsets [\(begin), \(end)] give \(end - begin)")
        }
        return SafetensorsTensorInfo(name: name, dtype: dtype, shape: shape, dataOffsets: begin ..< end)
    }

    /// JSON numbers to Ints; nil when any is not an integer (1.5, true, "3").
    private static func integers(_ values: [Any]) -> [Int]? {
        var result: [Int] = []
        for value in values {
            // Foundation on Linux answers `is Bool` for any 0 or 1, so booleans are told apart by their type code.
            guard let number = value as? NSNumber, String(cString: number.objCType) != "c" else { return nil }
            let double = number.doubleValue
            guard double == double.rounded(), abs(double) < 9.0e15 else { return nil }
            result.append(number.intValue)
        }
        return result
    }

    /// Little-endian bytes of `destination.count` elements → Float32.
    static func decode(_ raw: UnsafeRawBufferPointer, dtype: SafetensorsDType, into out: UnsafeMutableBufferPointer<Float>) {
        let count = out.count
        precondition(raw.count == count * dtype.size)
        switch dtype {
        case .f32:
            #if _endian(little)
            if count > 0 { UnsafeMutableRawPointer(out.baseAddress!).copyMemory(from: raw.baseAddress!, byteCount: 4 * count) }
            #else
            for i in 0..<count {
                out[i] = Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)))
            }
            #endif
        case .f16:
            // A table of all 65,536 halves: x86 has no Float16 arithmetic in Swift's default target, so each
            // Float(Float16) is a library call, and a 9.86 M-weight model took 70 ms to widen.
            float16Table.withUnsafeBufferPointer { table in
                for i in 0..<count {
                    out[i] = table[Int(UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)))]
                }
            }
        case .bf16:
            // bfloat16 is the top half of a Float32.
            for i in 0..<count {
                let bits = UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))
                out[i] = Float(bitPattern: UInt32(bits) << 16)
            }
        }
    }

    /// Float32 value of every float16 bit pattern.
    static let float16Table: [Float] = (0...UInt16.max).map { Float(Float16(bitPattern: $0)) }

    /// Where and why JSONSerialization gave up ("Unexpected end of file", "Invalid value around line 1,
    /// column 10"), which Foundation keeps in the debug description; its localized description is only
    /// "The data is not in the correct format." whatever the problem (48 malformed headers in issue 15).
    static func jsonReason(_ error: Error) -> String {
        if let detail = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String, !detail.isEmpty {
            return detail.split(whereSeparator: \.isNewline).joined(separator: " ")
        }
        return reason(error)
    }

    /// A short reason from a Foundation error, without its multi-line userInfo dump.
    static func reason(_ error: Error) -> String { errorReason(error) }
}
