import Datasets
import Foundation

/// A PNG as the project writes it, read back for tests: 8-bit grey (colour type 0) or RGB (2), filter 0,
/// not interlaced. Checks the signature and every chunk's CRC; throws on anything else.
public struct DecodedPNG: Sendable {
    public var width: Int
    public var height: Int
    public var channels: Int
    /// [height, width, channels], row-major.
    public var pixels: [UInt8]

    public struct Problem: Error, CustomStringConvertible { public var description: String }

    public init(_ bytes: [UInt8]) throws {
        guard bytes.count > 8, Array(bytes.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] else {
            throw Problem(description: "not a PNG signature")
        }
        func u32(_ i: Int) -> Int { Int(bytes[i]) << 24 | Int(bytes[i + 1]) << 16 | Int(bytes[i + 2]) << 8 | Int(bytes[i + 3]) }
        var offset = 8, width = 0, height = 0, colourType: UInt8 = 0
        var idat: [UInt8] = []
        var sawEnd = false
        while offset + 12 <= bytes.count {
            let length = u32(offset)
            guard offset + 12 + length <= bytes.count else { throw Problem(description: "chunk past the end") }
            let type = String(decoding: bytes[offset + 4 ..< offset + 8], as: UTF8.self)
            guard UInt32(u32(offset + 8 + length)) == Gzip.crc32(bytes[offset + 4 ..< offset + 8 + length]) else {
                throw Problem(description: "bad CRC in \(type)")
            }
            let data = Array(bytes[offset + 8 ..< offset + 8 + length])
            switch type {
            case "IHDR":
                width = u32(offset + 8); height = u32(offset + 12)
                guard data[8] == 8, data[10] == 0, data[11] == 0, data[12] == 0 else { throw Problem(description: "unsupported IHDR") }
                colourType = data[9]
            case "IDAT": idat += data
            case "IEND": sawEnd = true
            default: break
            }
            offset += 12 + length
        }
        guard sawEnd, colourType == 0 || colourType == 2 else { throw Problem(description: "no IEND, or colour type \(colourType)") }
        let channels = colourType == 0 ? 1 : 3
        let raw = try Gzip.decompress(idat, format: .zlib, name: "IDAT")
        let stride = width * channels
        guard raw.count == height * (stride + 1) else { throw Problem(description: "IDAT holds \(raw.count) bytes") }
        var pixels: [UInt8] = []
        pixels.reserveCapacity(height * stride)
        for y in 0..<height {
            guard raw[y * (stride + 1)] == 0 else { throw Problem(description: "filter \(raw[y * (stride + 1)]) in row \(y)") }
            pixels += raw[y * (stride + 1) + 1 ..< (y + 1) * (stride + 1)]
        }
        self.width = width; self.height = height; self.channels = channels; self.pixels = pixels
    }

    public init(contentsOf url: URL) throws { try self.init([UInt8](try Data(contentsOf: url))) }

    public func pixel(x: Int, y: Int) -> [UInt8] {
        let base = (y * width + x) * channels
        return Array(pixels[base ..< base + channels])
    }
}
