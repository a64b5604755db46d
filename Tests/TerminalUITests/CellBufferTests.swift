import TerminalUI
import XCTest

final class CellBufferTests: XCTestCase {
    func testNoChangesGivesNoRuns() {
        var a = CellBuffer(width: 10, height: 3)
        a.put("hello", x: 2, y: 1)
        XCTAssertEqual(a.changes(since: a), [])
    }

    func testChangedCellsBecomeRunsAndSmallGapsAreBridged() {
        let a = CellBuffer(width: 20, height: 2)
        var b = a
        b[1, 0] = Cell("x")
        b[3, 0] = Cell("y")     // gap of 1 unchanged cell: bridged into one run
        b[15, 0] = Cell("z")    // far away: its own run
        b[0, 1] = Cell("w")
        let runs = b.changes(since: a)
        XCTAssertEqual(runs.map { [$0.x, $0.y, $0.cells.count] }, [[1, 0, 3], [15, 0, 1], [0, 1, 1]])
        XCTAssertEqual(runs[0].cells.map(\.character), ["x", " ", "y"])
    }

    func testColourOnlyChangeIsAChange() {
        let a = CellBuffer(width: 4, height: 1)
        var b = a
        b[2, 0] = Cell(" ", background: .index(232))
        XCTAssertEqual(b.changes(since: a).count, 1)
    }

    func testNoPreviousOrOtherSizeRedrawsEverything() {
        let a = CellBuffer(width: 5, height: 2)
        XCTAssertEqual(a.changes(since: nil).map(\.cells.count), [5, 5])
        XCTAssertEqual(a.changes(since: CellBuffer(width: 4, height: 2)).count, 2)
    }

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
