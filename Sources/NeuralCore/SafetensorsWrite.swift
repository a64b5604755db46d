import Foundation

/// One tensor to write, with the element type to store it as.
public struct SafetensorsEntry: Sendable {
    public var name: String
    public var tensor: Tensor
    public var dtype: SafetensorsDType

    public init(name: String, tensor: Tensor, dtype: SafetensorsDType = .f32) {
        self.name = name; self.tensor = tensor; self.dtype = dtype
    }
}

extension SafetensorsFile {
    /// The bytes of a safetensors file holding `entries` in the given order (header keys and data alike,
    /// so a model's state_dict order survives) and `metadata` (keys sorted, for reproducible files).
    public static func encode(_ entries: [SafetensorsEntry], metadata: [String: String] = [:]) -> Data {
        var seen = Set<String>()
        for entry in entries {
            precondition(entry.name != "__metadata__", "__metadata__ is reserved")
            precondition(seen.insert(entry.name).inserted, "duplicate tensor name \(entry.name)")
        }
        var header = "{"
        var fields: [String] = []
        if !metadata.isEmpty {
            let pairs = metadata.keys.sorted().map { "\(jsonString($0)):\(jsonString(metadata[$0]!))" }
            fields.append("\"__metadata__\":{\(pairs.joined(separator: ","))}")
        }
        var offset = 0
        for entry in entries {
            let length = entry.tensor.count * entry.dtype.size
            let shape = entry.tensor.shape.map(String.init).joined(separator: ",")
            fields.append("\(jsonString(entry.name)):{\"dtype\":\"\(entry.dtype.rawValue)\",\"shape\":[\(shape)],\"data_offsets\":[\(offset),\(offset + length)]}")
            offset += length
        }
        header += fields.joined(separator: ",") + "}"
        // Pad with spaces to a multiple of 8 bytes, as Python's writer does, so the data part stays aligned.
        var headerBytes = Array(header.utf8)
        while headerBytes.count % 8 != 0 { headerBytes.append(UInt8(ascii: " ")) }

        var data = Data(capacity: 8 + headerBytes.count + offset)
        withUnsafeBytes(of: UInt64(headerBytes.count).littleEndian) { data.append(contentsOf: $0) }
        data.append(contentsOf: headerBytes)
        for entry in entries {
            data.append(encodeValues(entry.tensor.data, dtype: entry.dtype))
        }
        return data
    }

    /// Writes a safetensors file atomically: the bytes go to a temporary file in the same directory, are
    /// flushed to disk, and the temporary file is renamed over `url`, so a reader (or a crash) never sees
    /// half a checkpoint.
    public static func write(_ entries: [SafetensorsEntry], metadata: [String: String] = [:], to url: URL) throws(SafetensorsError) {
        try writeAtomically(encode(entries, metadata: metadata), to: url)
    }

    /// The atomic write used by `write`: temporary file beside `url`, fsync, rename.
    public static func writeAtomically(_ data: Data, to url: URL) throws(SafetensorsError) {
        let directory = url.deletingLastPathComponent()
        let temporary = directory.appendingPathComponent(".\(url.lastPathComponent).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp")
        do {
            try data.write(to: temporary)
            let handle = try FileHandle(forWritingTo: temporary)
            try handle.synchronize()
            try handle.close()
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw SafetensorsError(file: url.path, kind: .unwritable, detail: "cannot write (\(reason(error)))")
        }
        if rename(temporary.path, url.path) != 0 {
            let message = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw SafetensorsError(file: url.path, kind: .unwritable, detail: "cannot move the written file into place (\(message))")
        }
    }

    /// Float32 values → little-endian bytes of `dtype`. F16 and BF16 round to nearest even.
    static func encodeValues(_ values: [Float], dtype: SafetensorsDType) -> Data {
        var data = Data(count: values.count * dtype.size)
        data.withUnsafeMutableBytes { (out: UnsafeMutableRawBufferPointer) in
            switch dtype {
            case .f32:
                for (i, v) in values.enumerated() { out.storeBytes(of: v.bitPattern.littleEndian, toByteOffset: 4 * i, as: UInt32.self) }
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
