import Datasets
import FileIO
import Foundation

/// An 8-bit grey or RGB image and a small PNG encoder (PNG 1.2 spec: signature, IHDR, one IDAT of
/// zlib-deflated scanlines with filter 0, IEND; CRC-32 per chunk from zlib).
public struct PNGImage: Sendable, Equatable {
    public let width: Int
    public let height: Int
    /// 1 = grey (PNG colour type 0), 3 = RGB (colour type 2).
    public let channels: Int
    /// [height, width, channels], row-major.
    public var pixels: [UInt8]

    public init(width: Int, height: Int, channels: Int, pixels: [UInt8]) {
        precondition(width > 0 && height > 0 && (channels == 1 || channels == 3), "PNG size or channels invalid")
        precondition(pixels.count == width * height * channels, "PNG pixel count does not match the size")
        self.width = width; self.height = height; self.channels = channels; self.pixels = pixels
    }

    /// A uniform image.
    public init(width: Int, height: Int, channels: Int, fill: [UInt8]) {
        precondition(fill.count == channels, "fill needs one value per channel")
        var pixels = [UInt8](repeating: 0, count: width * height * channels)
        for i in stride(from: 0, to: pixels.count, by: channels) {
            for c in 0..<channels { pixels[i + c] = fill[c] }
        }
        self.init(width: width, height: height, channels: channels, pixels: pixels)
    }

    /// A grey image from Floats in [0, 1] (clamped, rounded): [height·width].
    public init(width: Int, height: Int, grey: [Float]) {
        precondition(grey.count == width * height, "grey image needs width·height values")
        self.init(width: width, height: height, channels: 1,
                  pixels: grey.map { UInt8((min(max($0, 0), 1) * 255).rounded()) })
    }

    /// Sets one pixel; coordinates outside the image are ignored (text and frames may overhang).
    public mutating func set(x: Int, y: Int, _ colour: [UInt8]) {
        guard x >= 0, y >= 0, x < width, y < height else { return }
        precondition(colour.count == channels, "colour needs \(channels) values")
        let base = (y * width + x) * channels
        for c in 0..<channels { pixels[base + c] = colour[c] }
    }

    public func pixel(x: Int, y: Int) -> [UInt8] {
        let base = (y * width + x) * channels
        return Array(pixels[base ..< base + channels])
    }

    /// The PNG file's bytes.
    public func encoded() -> [UInt8] {
        var out: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        var header: [UInt8] = []
        appendUInt32(&header, UInt32(width))
        appendUInt32(&header, UInt32(height))
        header += [8, channels == 1 ? 0 : 2, 0, 0, 0]  // depth 8, colour type, deflate, filter 0, no interlace
        appendChunk(&out, "IHDR", header)
        let stride = width * channels
        var scanlines: [UInt8] = []
        scanlines.reserveCapacity(height * (stride + 1))
        for y in 0..<height {
            scanlines.append(0)  // filter type None: these figures are small and flat, filters gain little
            scanlines += pixels[y * stride ..< (y + 1) * stride]
        }
        appendChunk(&out, "IDAT", Gzip.compress(scanlines, format: .zlib))
        appendChunk(&out, "IEND", [])
        return out
    }

    /// Writes the PNG atomically.
    public func write(to url: URL) throws(DataError) {
        try AtomicFile.write(encoded(), to: url)
    }

    private func appendChunk(_ out: inout [UInt8], _ type: String, _ data: [UInt8]) {
        appendUInt32(&out, UInt32(data.count))
        let typed = Array(type.utf8) + data
        out += typed
        appendUInt32(&out, Gzip.crc32(typed))
    }
}
