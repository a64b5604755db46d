import Datasets
import FileIO
import Foundation
import NeuralCore

/// A fixed set of rectangular holes for reproducible benchmarks: one hole per image index.
///
/// Text format: `#` starts a comment (whole line or the rest of a line), blank lines are ignored, and each
/// other line is `index top left height width` — rows `top ..< top+height` and columns
/// `left ..< left+width` of image `index` are the hole.
public struct MasksFile: Sendable, Equatable {
    public var side: Int
    /// Image index → its hole.
    public var holes: [Int: HoleRect]

    public init(holes: [Int: HoleRect], side: Int = Digit.side) {
        precondition(holes.values.allSatisfy { $0.fits(side: side) }, "every hole must fit a \(side)×\(side) image")
        self.holes = holes
        self.side = side
    }

    /// Holes for images 0 ..< count drawn from the report's rectangle sampler with `seed`.
    public static func make(count: Int, seed: UInt64,
                            sampler: RectangleHoleSampler = RectangleHoleSampler()) -> MasksFile {
        precondition(count >= 0, "count must not be negative")
        var rng = SeededGenerator(seed: seed)
        var holes: [Int: HoleRect] = [:]
        for i in 0..<count { holes[i] = sampler.sample(using: &rng) }
        return MasksFile(holes: holes, side: sampler.side)
    }

    public var count: Int { holes.count }
    public var sortedIndices: [Int] { holes.keys.sorted() }
    public func hole(forImage index: Int) -> HoleRect? { holes[index] }

    /// The masks of images 0 ..< imageCount: [imageCount, side·side], 1 known, 0 hole.
    ///
    /// - Throws: `DataError` naming `name` when an image has no hole or a hole names an image that
    ///   does not exist (a masks file made for another data set).
    public func masks(forImageCount imageCount: Int, name: String) throws(DataError) -> [Float] {
        if let beyond = holes.keys.filter({ $0 >= imageCount }).min() {
            throw DataError(name, "expected image indices 0…\(grouped(imageCount - 1)) for \(grouped(imageCount)) "
                + "images, found index \(grouped(beyond))")
        }
        var out: [Float] = []
        out.reserveCapacity(imageCount * side * side)
        for i in 0..<imageCount {
            guard let hole = holes[i] else {
                throw DataError(name, "expected a hole for each of the \(grouped(imageCount)) images, "
                    + "found none for image \(grouped(i))")
            }
            out.append(contentsOf: hole.mask(side: side))
        }
        return out
    }

    // MARK: Reading

    public init(contentsOf url: URL, side: Int = Digit.side) throws(DataError) {
        let bytes = try AtomicFile.read(url)
        guard let text = String(bytes: bytes, encoding: .utf8) else {
            throw DataError(url.lastPathComponent, "expected UTF-8 text, found binary data")
        }
        try self.init(text: text, name: url.lastPathComponent, side: side)
    }

    /// Parses the text format; errors give the file name and line number: `masks.txt:7: …`.
    public init(text: String, name: String, side: Int = Digit.side) throws(DataError) {
        var holes: [Int: HoleRect] = [:]
        var lineOfIndex: [Int: Int] = [:]
        var lineNumber = 0
        // Split on scalars, not Characters: in Swift "\r\n" is one Character, unequal to "\n", so a CRLF
        // file would be one long line. The "\r" left at a line's end is a field separator below.
        for scalars in text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false) {
            let rawLine = Substring(scalars)
            lineNumber += 1
            let content = rawLine.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            let fields = content.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" })
            if fields.isEmpty { continue }
            let place = "\(name):\(lineNumber)"
            guard fields.count == 5 else {
                throw DataError(place, "expected 5 fields (index top left height width), found \(fields.count)")
            }
            var numbers: [Int] = []
            for (field, label) in zip(fields, ["index", "top", "left", "height", "width"]) {
                guard let value = Int(field) else {
                    throw DataError(place, "expected an integer for \(label), found \"\(field)\"")
                }
                numbers.append(value)
            }
            let index = numbers[0]
            guard index >= 0 else { throw DataError(place, "expected a non-negative image index, found \(index)") }
            let hole = HoleRect(top: numbers[1], left: numbers[2], height: numbers[3], width: numbers[4])
            guard hole.fits(side: side) else {
                throw DataError(place, "expected a non-empty rectangle inside the \(side)×\(side) image "
                    + "(rows and columns 0…\(side - 1)), found top \(hole.top) left \(hole.left) "
                    + "height \(hole.height) width \(hole.width)")
            }
            if let first = lineOfIndex[index] {
                throw DataError(place, "expected one hole per image, found a second hole for image \(index) "
                    + "(first on line \(first))")
            }
            holes[index] = hole
            lineOfIndex[index] = lineNumber
        }
        self.init(holes: holes, side: side)
    }

    // MARK: Writing

    /// The text form, lines sorted by index, after `comments` (each becomes a `# ` line).
    public func text(comments: [String] = []) -> String {
        var out = comments.map { "# \($0)\n" }.joined()
        out += "# index top left height width  (rows top..top+height-1, columns left..left+width-1 are the hole)\n"
        for index in sortedIndices {
            let h = holes[index]!
            out += "\(index) \(h.top) \(h.left) \(h.height) \(h.width)\n"
        }
        return out
    }

    /// Writes the text form atomically.
    public func write(to url: URL, comments: [String] = []) throws(DataError) {
        try AtomicFile.write(text: text(comments: comments), to: url)
    }
}
