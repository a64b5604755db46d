import Inpainting
import TerminalUI
import TestSupport
import XCTest

/// Terminals without UTF-8 (or `--ascii`, `NO_COLOR`, few colours): the chart and every symbol in ASCII,
/// the curves told apart by their marks.
final class AsciiFallbackTests: XCTestCase {
    /// `--ascii` in a 256-colour terminal: ASCII marks, colours kept.
    static let asciiInColour = RenderStyle(colorDepth: .gray256, ascii: true)
    /// `NO_COLOR` (or a terminal without colours).
    static let noColor = RenderStyle(colorDepth: .none)

    private func chart(_ style: RenderStyle, log: Bool = false) -> CellBuffer {
        let state = TestDigits.busyState(style: style)
        let theme = Theme.forStyle(style)
        var buffer = CellBuffer(width: 50, height: 12)
        buffer.asciiOnly = style.ascii
        BrailleChart(series: [.init(points: state.training.trainHistory.points, style: theme.trainSeries),
                              .init(points: state.training.evalHistory.points, style: theme.evalSeries)],
                     logScale: log, ascii: style.ascii).draw(into: &buffer, x: 0, y: 0, width: 50, height: 12, theme: theme)
        return buffer
    }

    private func nonASCII(_ buffer: CellBuffer) -> [Unicode.Scalar] { buffer.cells.map(\.character).filter { !$0.isASCII } }

    func testChartInAsciiMode() {
        let buffer = chart(Self.asciiInColour)
        XCTAssertEqual(nonASCII(buffer), [])
        assertSnapshot(snapshotText(buffer), named: "chart-ascii")
        assertSnapshot(snapshotText(chart(Self.asciiInColour, log: true)), named: "chart-ascii-log")
    }

    func testChartUnderNoColorTellsTheCurvesApartByMarks() {
        let buffer = chart(Self.noColor)
        XCTAssertEqual(nonASCII(buffer), [])
        assertSnapshot(snapshotText(buffer), named: "chart-no-color")
        let plot = buffer.cells.enumerated().filter { $0.offset % 50 >= 8 && $0.offset / 50 < 11 }.map(\.element.character)
        let lineMarks = Set(plot).intersection(["'", "-", "_", "|"]), evalMarks = Set(plot).intersection(["o"])
        XCTAssertFalse(lineMarks.isEmpty, "the training curve is a line of ' - _")
        XCTAssertFalse(evalMarks.isEmpty, "the held-out curve is its own mark, not the same white dots")
    }

    func testBrailleEvalCurveIsDashed() {
        // With colours and UTF-8 the curves differ by more than colour too: the eval curve skips every other
        // cell column. Only the eval series, so every drawn column of it is even.
        let state = TestDigits.busyState()
        let theme = Theme.forStyle(.full)
        var buffer = CellBuffer(width: 50, height: 12)
        BrailleChart(series: [.init(points: [], style: theme.trainSeries),
                              .init(points: state.training.evalHistory.points, style: theme.evalSeries)],
                     logScale: false).draw(into: &buffer, x: 0, y: 0, width: 50, height: 12, theme: theme)
        var columns = Set<Int>()
        for y in 0..<11 { for x in 8..<50 where buffer[x, y].character != "\u{2800}" { columns.insert(x - 8) } }
        XCTAssertFalse(columns.isEmpty)
        XCTAssertTrue(columns.allSatisfy { $0 % 2 == 0 }, "dashes: \(columns.sorted())")
    }

    func testWholeScreenNoColorHasOnlyASCIIAndDistinctLegend() {
        var state = TestDigits.busyState(width: 120, height: 40, style: Self.noColor)
        state.notice = "adversarial loss (λ = 0.999) — 10×10 hole… ≥ 2"
        let buffer = view(state)
        XCTAssertEqual(nonASCII(buffer), [])
        assertSnapshot(snapshotText(buffer), named: "screen-120x40-no-color")
    }

    func testTextsAreSpelledInASCII() {
        XCTAssertEqual(AsciiFallback.text("hole 12×12 — 1–9 …"), "hole 12x12 - 1-9 ...")
        XCTAssertEqual(AsciiFallback.text("plain"), "plain")
        XCTAssertEqual(AsciiFallback.text("日"), "?", "anything unknown is one '?', never its bytes")
        XCTAssertEqual(AsciiFallback.scalar("…"), ".")
        var buffer = CellBuffer(width: 8, height: 1)
        buffer.asciiOnly = true
        buffer.put("a×b", x: 0, y: 0)
        buffer[5, 0] = Cell("▀")
        buffer.fill(x: 6, y: 0, width: 2, height: 1, with: Cell("—"))
        XCTAssertEqual(buffer.cells.map { String($0.character) }.joined(), "axb  \"--")
    }

    func testEncoderSendsNoByteAbove0x7FInASCIIMode() {
        // Even a buffer that was not drawn ASCII-only (half blocks, '×') goes out as ASCII.
        var buffer = CellBuffer(width: 6, height: 2)
        buffer[0, 0] = Cell("▀", foreground: .index(240), background: .index(250))
        buffer[1, 0] = Cell("▀", foreground: .index(240), background: .index(240))
        buffer[2, 0] = Cell(" ", background: .index(250))
        buffer.put("1×2", x: 0, y: 1)
        var encoder = AnsiFrameEncoder(colorDepth: .gray256, asciiOnly: true)
        XCTAssertEqual(encoder.encode(buffer).filter { $0 >= 0x80 }, [])
        var unicode = AnsiFrameEncoder(colorDepth: .gray256)
        XCTAssertFalse(unicode.encode(buffer).filter { $0 >= 0x80 }.isEmpty, "the check can fail")
    }
}
