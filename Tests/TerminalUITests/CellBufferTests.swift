import TerminalUI
import XCTest

final class CellBufferTests: XCTestCase {
    func testWritesOutsideAreClipped() {
        var a = CellBuffer(width: 3, height: 1)
        a.put("abcdef", x: 1, y: 0)
        a[-1, 0] = Cell("q")
        a[0, 5] = Cell("q")
        XCTAssertEqual((0..<3).map { a[$0, 0].character }, [" ", "a", "b"])
    }
}

final class PaletteTests: XCTestCase {
    func testGrayLevelsCoverBlackToWhite() {
        XCTAssertEqual(GrayPalette.indices.count, 26)
        XCTAssertEqual(GrayPalette.color(for: 0), .index(16))
        XCTAssertEqual(GrayPalette.color(for: 1), .index(231))
        XCTAssertEqual(GrayPalette.color(for: 0.5), .index(244))   // 128 is nearest to gray 244 (= 128)
        XCTAssertEqual(GrayPalette.level(for: -3), 0)
        // Monotone: a brighter pixel never gets a darker level.
        let levels = (0...100).map { GrayPalette.level(for: Float($0) / 100) }
        XCTAssertEqual(levels, levels.sorted())
    }

    func testAsciiRampEnds() {
        XCTAssertEqual(AsciiRamp.character(for: 0), " ")
        XCTAssertEqual(AsciiRamp.character(for: 1), "@")
    }

    func testStyleDetection() {
        XCTAssertEqual(RenderStyle.detect(terminalColors: 256, noColor: false, asciiFlag: false, utf8: true), .full)
        XCTAssertTrue(RenderStyle.detect(terminalColors: 256, noColor: false, asciiFlag: true, utf8: true).ascii)
        let noColor = RenderStyle.detect(terminalColors: 256, noColor: true, asciiFlag: false, utf8: true)
        XCTAssertEqual(noColor.colorDepth, .none)
        XCTAssertTrue(noColor.ascii)
        let basic = RenderStyle.detect(terminalColors: 8, noColor: false, asciiFlag: false, utf8: true)
        XCTAssertEqual(basic.colorDepth, .basic)
        XCTAssertTrue(basic.ascii)
        let noUTF8 = RenderStyle.detect(terminalColors: 256, noColor: false, asciiFlag: false, utf8: false)
        XCTAssertEqual(noUTF8.colorDepth, .gray256, "colours stay: only the characters need UTF-8")
        XCTAssertTrue(noUTF8.ascii, "a locale without UTF-8 draws everything in ASCII")
    }
}
