import FileIO
import Foundation

/// One tensor to write: its shape, its values (a slice, so a checkpoint can point into a parameter store's
/// flat buffer without copying it), and the element type to store them as.
public struct SafetensorsEntry: Sendable {
    public var name: String
    public var shape: [Int]
    /// shape.product values, row-major.
    public var values: ArraySlice<Float>
    public var dtype: SafetensorsDType

    public init(name: String, shape: [Int], values: ArraySlice<Float>, dtype: SafetensorsDType = .f32) {
        precondition(values.count == shape.reduce(1, *), "\(name): \(values.count) values for shape \(shape)")
        self.name = name; self.shape = shape; self.values = values; self.dtype = dtype
    }

    public init(name: String, tensor: Tensor, dtype: SafetensorsDType = .f32) {
        self.init(name: name, shape: tensor.shape, values: tensor.data[...], dtype: dtype)
    }

    public var tensor: Tensor { Tensor(shape: shape, data: Array(values)) }
}

extension SafetensorsFile {
    /// The bytes of a safetensors file holding `entries` in the given order (header keys and data alike,
    /// so a model's state_dict order survives) and `metadata` (keys sorted, for reproducible files).
    public static func encode(_ entries: [SafetensorsEntry], metadata: [String: String] = [:]) -> Data {
        var data = header(entries, metadata: metadata)
        for entry in entries { data.append(encodeValues(entry.values, dtype: entry.dtype)) }
        return data
    }

    /// Writes a safetensors file atomically: the bytes go to a temporary file in the same directory, are
    /// flushed to disk, and the temporary file is renamed over `url`, so a reader (or a crash) never sees
    /// half a checkpoint. Tensors are converted and written in chunks of 1 MB: saving a training
    /// checkpoint (weights and Adam's moments, 118 MB for the paper model) costs no second copy in memory.
    public static func write(_ entries: [SafetensorsEntry], metadata: [String: String] = [:], to url: URL) throws(SafetensorsError) {
        let chunk = 1 << 18 // elements
        try writeAtomically(to: url) { handle in
            try handle.write(contentsOf: header(entries, metadata: metadata))
            for entry in entries {
                var start = entry.values.startIndex
                while start < entry.values.endIndex {
                    let end = min(start + chunk, entry.values.endIndex)
                    try handle.write(contentsOf: encodeValues(entry.values[start ..< end], dtype: entry.dtype))
                    start = end
                }
            }
        }
    }

    /// Runs `body` on a temporary file beside `url` and moves it into place with the project's one atomic,
    /// durable write (`AtomicFile.write(to:_:)`); on any failure `url` is untouched.
    public static func writeAtomically(to url: URL, _ body: (FileHandle) throws -> Void) throws(SafetensorsError) {
        do {
            try AtomicFile.write(to: url, body)
        } catch {
            throw SafetensorsError(file: url.path, kind: .unwritable, detail: error.problem)
        }
    }

    /// The 8-byte length and the JSON header, padded with spaces to a multiple of 8 bytes as Python's
    /// writer does, so the data part stays aligned.
    static func header(_ entries: [SafetensorsEntry], metadata: [String: String]) -> Data {
        var seen = Set<String>()
        for entry in entries {
            precondition(entry.name != "__metadata__", "__metadata__ is reserved")
            precondition(seen.insert(entry.name).inserted, "duplicate tensor name \(entry.name)")
        }
        var fields: [String] = []
        if !metadata.isEmpty {
            let pairs = metadata.keys.sorted().map { "\(jsonString($0)):\(jsonString(metadata[$0]!))" }
            fields.append("\"__metadata__\":{\(pairs.joined(separator: ","))}")
        }
        var offset = 0
        for entry in entries {
            let length = entry.values.count * entry.dtype.size
            let shape = entry.shape.map(String.init).joined(separator: ",")
            fields.append("\(jsonString(entry.name)):{\"dtype\":\"\(entry.dtype.rawValue)\",\"shape\":[\(shape)],\"data_offsets\":[\(offset),\(offset + length)]}")
            offset += length
        }
        var json = Array(("{" + fields.joined(separator: ",") + "}").utf8)
        while json.count % 8 != 0 { json.append(UInt8(ascii: " ")) }
        var data = Data(capacity: 8 + json.count)
        withUnsafeBytes(of: UInt64(json.count).littleEndian) { data.append(contentsOf: $0) }
        data.append(contentsOf: json)
        return data
    }

    /// Float32 values → little-endian bytes of `dtype`. F16 and BF16 round to nearest even.
    static func encodeValues(_ values: ArraySlice<Float>, dtype: SafetensorsDType) -> Data {
        var data = Data(count: values.count * dtype.size)
        data.withUnsafeMutableBytes { (out: UnsafeMutableRawBufferPointer) in
            switch dtype {
            case .f32:
                #if _endian(little)
                values.withUnsafeBytes { out.copyMemory(from: $0) }
                #else
                for (i, v) in values.enumerated() { out.storeBytes(of: v.bitPattern.littleEndian, toByteOffset: 4 * i, as: UInt32.self) }
                #endif
            case .f16:
                for (i, v) in values.enumerated() { out.storeBytes(of: Float16(v).bitPattern.littleEndian, toByteOffset: 2 * i, as: UInt16.self) }
            case .bf16:
                for (i, v) in values.enumerated() { out.storeBytes(of: bfloat16Bits(v).littleEndian, toByteOffset: 2 * i, as: UInt16.self) }
            }
        }
        return data
    }

    /// The bfloat16 nearest to `value` (ties to even), as PyTorch's `.to(torch.bfloat16)` rounds.
    static func bfloat16Bits(_ value: Float) -> UInt16 {
        if value.isNaN { return 0x7FC0 }
        let bits = value.bitPattern
        let rounding: UInt32 = 0x7FFF + ((bits >> 16) & 1)
        return UInt16(truncatingIfNeeded: (bits &+ rounding) >> 16)
    }

    /// A JSON string literal (quotes, backslashes and control characters escaped).
    static func jsonString(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
