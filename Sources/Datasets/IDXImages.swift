import FileIO
import Foundation

/// A stack of grey images read from or written to an idx3 file.
///
/// Pixels are Floats in [0, 1]: uint8 files (type 0x08, MNIST) are divided by 255; float32 files (0x0D,
/// written by `inpaint fill --float`) are taken as they are.
public struct IDXImages: Sendable, Equatable {
    public let count: Int
    public let rows: Int
    public let columns: Int
    /// [count, rows, columns], row-major.
    public var pixels: [Float]

    public var pixelsPerImage: Int { rows * columns }

    public init(count: Int, rows: Int, columns: Int, pixels: [Float]) {
        precondition(count >= 0 && rows > 0 && columns > 0, "IDXImages sizes must be positive")
        precondition(pixels.count == count * rows * columns,
                     "IDXImages: \(pixels.count) pixels for \(count) images of \(rows)×\(columns)")
        self.count = count; self.rows = rows; self.columns = columns; self.pixels = pixels
    }

    /// Reads an idx3 file, plain or gzip (detected by content).
    public init(contentsOf url: URL) throws(DataError) {
        let array = try IDXArray.read(url, expectedDimensions: 3, allowed: [.uint8, .float32])
        try self.init(array, name: url.lastPathComponent)
    }

    /// Parses idx3 bytes (plain or gzip) that came from `name`.
    public init(bytes: [UInt8], name: String) throws(DataError) {
        let compressed = Gzip.isGzip(bytes)
        let plain = compressed ? try IDXArray.decompress(bytes, name: name, expectedDimensions: 3) : bytes
        let array = try IDXArray.parse(plain, name: name, expectedDimensions: 3, allowed: [.uint8, .float32],
                                       compressed: compressed)
        try self.init(array, name: name)
    }

    private init(_ array: IDXArray, name: String) throws(DataError) {
        let (n, r, c) = (array.dimensions[0], array.dimensions[1], array.dimensions[2])
        guard r > 0, c > 0 else { throw DataError(name, "expected images of at least 1×1, found \(r)×\(c)") }
        var pixels = [Float](repeating: 0, count: n * r * c)
        let payload = array.payload
        switch array.type {
        case .uint8:
            pixels.withUnsafeMutableBufferPointer { out in
                var i = 0
                // Division, not multiplication by 1/255: it matches torchvision's ToTensor bit for bit.
                for byte in payload { out[i] = Float(byte) / 255; i += 1 }
            }
        case .float32:
            var offset = payload.startIndex
            for i in 0..<pixels.count {
                pixels[i] = Float(bitPattern: readUInt32(payload, at: offset - payload.startIndex))
                offset += 4
            }
            // Refused, not clamped: a NaN is no grey level, and clamping would invent one silently (and a
            // NaN reaching a Float → UInt8 conversion traps). Finite values outside [0, 1] stay as they were.
            if let bad = pixels.firstIndex(where: { !$0.isFinite }) {
                throw DataError(name, "expected finite float32 pixels, found \(pixels[bad]) in image \(grouped(bad / (r * c))) "
                    + "at row \(bad % (r * c) / c), column \(bad % c)")
            }
        }
        self.init(count: n, rows: r, columns: c, pixels: pixels)
    }

    /// Image `index`: [rows·columns] Floats.
    public func image(at index: Int) -> ArraySlice<Float> {
        precondition(index >= 0 && index < count, "image index \(index) out of 0..<\(count)")
        let n = pixelsPerImage
        return pixels[index * n ..< (index + 1) * n]
    }

    /// The first `n` images (or all, if fewer).
    public func prefix(_ n: Int) -> IDXImages {
        let k = min(max(0, n), count)
        return IDXImages(count: k, rows: rows, columns: columns, pixels: Array(pixels[0 ..< k * pixelsPerImage]))
    }

    /// The images at `indices`, in that order.
    public func subset<S: Sequence>(_ indices: S) -> IDXImages where S.Element == Int {
        var out: [Float] = []
        var k = 0
        for i in indices { out.append(contentsOf: image(at: i)); k += 1 }
        return IDXImages(count: k, rows: rows, columns: columns, pixels: out)
    }

    /// The IDX bytes: uint8 rounds each pixel clamped to [0, 1] to the nearest of 0…255; float32 is exact.
    public func encoded(as type: IDXElementType = .uint8, gzip: Bool = true) -> [UInt8] {
        var payload: [UInt8]
        switch type {
        case .uint8:
            // NaN (which min/max pass through and UInt8(_:) traps on) becomes 0.
            payload = pixels.map { $0.isNaN ? 0 : UInt8((min(max($0, 0), 1) * 255).rounded()) }
        case .float32:
            payload = []
            payload.reserveCapacity(pixels.count * 4)
            for p in pixels { appendUInt32(&payload, p.bitPattern) }
        }
        let plain = IDXArray.encode(type: type, dimensions: [count, rows, columns], payload: payload)
        return gzip ? Gzip.compress(plain) : plain
    }

    /// Writes an idx3 file atomically (temporary file + rename).
    public func write(to url: URL, as type: IDXElementType = .uint8, gzip: Bool = true) throws(DataError) {
        try AtomicFile.write(encoded(as: type, gzip: gzip), to: url)
    }
}

/// Class labels read from or written to an idx1 file (uint8, 0…9 for MNIST).
public struct IDXLabels: Sendable, Equatable {
    public var labels: [UInt8]
    public var count: Int { labels.count }

    public init(labels: [UInt8]) { self.labels = labels }

    /// Reads an idx1 uint8 file, plain or gzip (detected by content).
    public init(contentsOf url: URL) throws(DataError) {
        let array = try IDXArray.read(url, expectedDimensions: 1, allowed: [.uint8])
        labels = Array(array.payload)
    }

    /// Parses idx1 bytes (plain or gzip) that came from `name`.
    public init(bytes: [UInt8], name: String) throws(DataError) {
        let compressed = Gzip.isGzip(bytes)
        let plain = compressed ? try IDXArray.decompress(bytes, name: name, expectedDimensions: 1) : bytes
        labels = Array(try IDXArray.parse(plain, name: name, expectedDimensions: 1, allowed: [.uint8],
                                          compressed: compressed).payload)
    }

    public subscript(index: Int) -> Int { Int(labels[index]) }

    public func prefix(_ n: Int) -> IDXLabels { IDXLabels(labels: Array(labels.prefix(max(0, n)))) }

    public func encoded(gzip: Bool = true) -> [UInt8] {
        let plain = IDXArray.encode(type: .uint8, dimensions: [labels.count], payload: labels)
        return gzip ? Gzip.compress(plain) : plain
    }

    /// Writes an idx1 file atomically.
    public func write(to url: URL, gzip: Bool = true) throws(DataError) {
        try AtomicFile.write(encoded(gzip: gzip), to: url)
    }
}
