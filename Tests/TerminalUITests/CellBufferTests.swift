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
        XCTAssertEqual(RenderStyle.detect(terminalColors: 256, noColor: false, asciiFlag: false), .full)
        XCTAssertTrue(RenderStyle.detect(terminalColors: 256, noColor: false, asciiFlag: true).asciiDigits)
        XCTAssertEqual(RenderStyle.detect(terminalColors: 256, noColor: true, asciiFlag: false).colorDepth, .none)
        let basic = RenderStyle.detect(terminalColors: 8, noColor: false, asciiFlag: false)
        XCTAssertEqual(basic.colorDepth, .basic)
        XCTAssertTrue(basic.asciiDigits)
    }
}
