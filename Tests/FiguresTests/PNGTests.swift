import Datasets
import Figures
import Foundation
import Inpainting
import NeuralCore
import TestSupport
import XCTest

/// A minimal PNG reader for our own output (8-bit, filter 0, not interlaced): checks the signature and
/// every chunk's CRC, inflates IDAT and strips the filter bytes.
private func decodePNG(_ bytes: [UInt8]) throws -> (width: Int, height: Int, colourType: UInt8, pixels: [UInt8]) {
    XCTAssertEqual(Array(bytes.prefix(8)), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
    func u32(_ i: Int) -> Int { Int(bytes[i]) << 24 | Int(bytes[i + 1]) << 16 | Int(bytes[i + 2]) << 8 | Int(bytes[i + 3]) }
    var offset = 8
    var width = 0, height = 0, colourType: UInt8 = 0
    var idat: [UInt8] = []
    var types: [String] = []
    while offset < bytes.count {
        let length = u32(offset)
        let type = String(decoding: bytes[offset + 4 ..< offset + 8], as: UTF8.self)
        let data = Array(bytes[offset + 8 ..< offset + 8 + length])
        XCTAssertEqual(UInt32(u32(offset + 8 + length)), Gzip.crc32(bytes[offset + 4 ..< offset + 8 + length]),
                       "CRC of \(type)")
        types.append(type)
        switch type {
        case "IHDR":
            width = u32(offset + 8); height = u32(offset + 12)
            XCTAssertEqual(data[8], 8, "bit depth")
            colourType = data[9]
            XCTAssertEqual(Array(data[10...12]), [0, 0, 0])
        case "IDAT": idat += data
        default: break
        }
        offset += 12 + length
    }
    XCTAssertEqual(types.first, "IHDR"); XCTAssertEqual(types.last, "IEND")
    let raw = try Gzip.decompress(idat, format: .zlib, name: "IDAT")
    let stride = width * (colourType == 0 ? 1 : 3)
    XCTAssertEqual(raw.count, height * (stride + 1))
    var pixels: [UInt8] = []
    for y in 0..<height {
        XCTAssertEqual(raw[y * (stride + 1)], 0, "filter byte of row \(y)")
        pixels += raw[y * (stride + 1) + 1 ..< (y + 1) * (stride + 1)]
    }
    return (width, height, colourType, pixels)
}

final class PNGTests: XCTestCase {
    func testGreyRoundTrip() throws {
        let pixels = (0..<(7 * 5)).map { UInt8($0 * 7) }
        let image = PNGImage(width: 7, height: 5, channels: 1, pixels: pixels)
        let decoded = try decodePNG(image.encoded())
        XCTAssertEqual(decoded.width, 7); XCTAssertEqual(decoded.height, 5); XCTAssertEqual(decoded.colourType, 0)
        XCTAssertEqual(decoded.pixels, pixels)
    }

    func testRGBRoundTripAndFile() throws {
        var image = PNGImage(width: 4, height: 3, channels: 3, fill: [10, 20, 30])
        image.set(x: 3, y: 2, [255, 0, 128])
        image.set(x: 9, y: 9, [1, 1, 1])  // outside: ignored
        let dir = try makeTemporaryDirectory(self)
        let url = dir.appendingPathComponent("x.png")
        try image.write(to: url)
        let decoded = try decodePNG([UInt8](try Data(contentsOf: url)))
        XCTAssertEqual(decoded.colourType, 2)
        XCTAssertEqual(decoded.pixels, image.pixels)
        XCTAssertEqual(Array(decoded.pixels.suffix(3)), [255, 0, 128])
    }

    func testGreyFromFloatsClampsAndRounds() {
        XCTAssertEqual(PNGImage(width: 4, height: 1, grey: [-1, 0.5, 2, 0.002]).pixels, [0, 128, 255, 1])
    }

    func testGridPlacesDigitsCaptionsAndHoleTint() throws {
        var digit = [Float](repeating: 0, count: 784)
        digit[0] = 1  // top-left pixel of the first digit is white
        let hole = HoleRect(top: 10, left: 10, height: 5, width: 5)
        let grid = DigitGrid(columns: 2, cells: [
            .init(pixels: digit, caption: "7"),
            .init(pixels: [Float](repeating: 0, count: 784), caption: "0.03", mask: hole.mask()),
            .init(pixels: digit),
        ], title: "Fig 1", rowLabels: ["IN", "OUT"], scale: 2)
        let image = grid.render()
        let decoded = try decodePNG(image.encoded())
        XCTAssertEqual(decoded.pixels, image.pixels)
        XCTAssertEqual(grid.rows, 2)
        // Find the first digit's white corner: cells start after margin + row-label width, below the title.
        let labelWidth = BitmapFont.width(of: "OUT") + 4
        let x0 = 6 + labelWidth, y0 = 6 + 2 * 7 + 6
        XCTAssertEqual(image.pixel(x: x0, y: y0), [255, 255, 255])
        XCTAssertEqual(image.pixel(x: x0 + 1, y: y0 + 1), [255, 255, 255])
        XCTAssertEqual(image.pixel(x: x0 + 2, y: y0), [0, 0, 0])
        // The second cell's hole is tinted red, its known pixels stay black.
        let x1 = x0 + 56 + 4
        XCTAssertEqual(image.pixel(x: x1 + 2 * 12, y: y0 + 2 * 12), [89, 22, 22])
        XCTAssertEqual(image.pixel(x: x1, y: y0), [0, 0, 0])
        // Captions and labels put ink on the white background somewhere below the first row of digits.
        let captionRow = y0 + 56 + 2
        XCTAssertTrue((x0..<(x0 + 56)).contains { x in (captionRow..<(captionRow + 7)).contains { image.pixel(x: x, y: $0) == [0, 0, 0] } })
    }

    func testFontCoversDigitsAndLetters() {
        for ch in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ.,:-+=%()/*" {
            let g = BitmapFont.glyph(ch)
            XCTAssertEqual(g.count, 7, "\(ch)")
            XCTAssertTrue(g.allSatisfy { $0.count == 5 }, "\(ch)")
            XCTAssertNotEqual(g, BitmapFont.glyph("\u{1}"), "\(ch) falls back to the box")
        }
        XCTAssertEqual(BitmapFont.glyph("a"), BitmapFont.glyph("A"))
        // All digit glyphs differ from each other.
        XCTAssertEqual(Set("0123456789".map { BitmapFont.glyph($0).joined() }).count, 10)
    }

    func testRenderSampleFigureWhenAsked() throws {
        // Writes a figure of real digits for a person to look at: INPAINT_PNG_OUT=/tmp/grid.png.
        guard let out = ProcessInfo.processInfo.environment["INPAINT_PNG_OUT"],
              let dir = sharedDataDirectory else { throw XCTSkip("set INPAINT_PNG_OUT and INPAINT_DATA to write a figure") }
        let split = try MNISTSplit(imagesURL: dir.appendingPathComponent("t10k-images-idx3-ubyte.gz"),
                                   labelsURL: dir.appendingPathComponent("t10k-labels-idx1-ubyte.gz"))
        var rng = SeededGenerator(seed: 1)
        let sampler = MaskSampler(kind: .mixed)
        var cells: [DigitGrid.Cell] = []
        for i in 0..<8 { cells.append(.init(pixels: Array(split.image(at: i)), caption: "LABEL \(split.label(at: i))")) }
        for i in 0..<8 {
            let mask = sampler.sample(using: &rng).mask()
            cells.append(.init(pixels: zip(split.image(at: i), mask).map { $0 * $1 }, caption: "HOLE \(mask.filter { $0 == 0 }.count)", mask: mask))
        }
        try DigitGrid(columns: 8, cells: cells, title: "MNIST TEST 0-7, MIXED MASKS", rowLabels: ["DIGIT", "X*M"])
            .render().write(to: URL(fileURLWithPath: out))
    }
}


final class LineChartSVGTests: XCTestCase {
    func testChartHasOnePolylinePerSeriesAndEscapesText() throws {
        let chart = LineChartSVG(title: "loss <train & test>", xLabel: "step", yLabel: "MSE", series: [
            .init(name: "train", points: (0..<50).map { (Double($0), 1 / Double($0 + 1)) }),
            .init(name: "test", points: [(0, 0.5), (25, .nan), (49, 0.1)]),
        ], logY: true)
        let svg = chart.render()
        XCTAssertTrue(svg.hasPrefix("<svg"))
        XCTAssertTrue(svg.hasSuffix("</svg>\n"))
        XCTAssertEqual(svg.components(separatedBy: "<polyline").count - 1, 2)
        XCTAssertTrue(svg.contains("loss &lt;train &amp; test&gt;"))
        XCTAssertFalse(svg.contains("nan"))
        // The test series keeps its two finite points.
        let testLine = svg.components(separatedBy: "<polyline").last!.components(separatedBy: "points=\"")[1]
        XCTAssertEqual(testLine.prefix { $0 != "\"" }.split(separator: " ").count, 2)
        let dir = try makeTemporaryDirectory(self)
        try chart.write(to: dir.appendingPathComponent("c.svg"))
        if let out = ProcessInfo.processInfo.environment["INPAINT_SVG_OUT"] { try chart.write(to: URL(fileURLWithPath: out)) }
        // Every element is closed (self-closing or with its end tag): a cheap well-formedness check that
        // needs no XML parser (FoundationXML would add libxml2 to the test binary).
        let opened = svg.components(separatedBy: "<").count - 1
        let closed = svg.components(separatedBy: "/>").count - 1 + 2 * (svg.components(separatedBy: "</").count - 1)
        XCTAssertEqual(opened, closed)
    }
}
