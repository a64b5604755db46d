import Foundation
import TestSupport
import XCTest

/// Training seen from inside, in the real binary under tmux: a preset trains with the gradient pane (`G`)
/// and the filmstrip (`M`) on; the pane lists the network's tensors with their norms, the filmstrip gains a
/// frame once step 10 is passed, and the status block says how far the run is.
final class TuiInsideEndToEndTests: XCTestCase {
    private var binary: URL { productsDirectory.appendingPathComponent("inpaint") }

    func testGradientPaneFilmstripAndProgressWhileAPresetTrains() throws {
        guard let tmuxPath = TmuxSession.tmuxPath() else { throw XCTSkip("tmux is not installed") }
        guard FileManager.default.isExecutableFile(atPath: binary.path) else { throw XCTSkip("no inpaint binary at \(binary.path)") }
        let tmux = try TmuxSession(tmux: tmuxPath, command: [binary.path, "tui", "--preset", "one-seven"], width: 150, height: 44)
        XCTAssertTrue(tmux.waitUntil(seconds: 20) { tmux.screen().find("masked input") != nil },
                      "the UI did not come up:\n\(tmux.screen().text)")
        tmux.sendKey("G")
        tmux.sendKey("M")
        XCTAssertTrue(tmux.waitUntil(seconds: 60) { tmux.screen().text.contains("fc.weight") },
                      "the gradient pane lists the tensors once a step reports them:\n\(tmux.screen().text)")
        let screen = tmux.screen().text
        for name in ["gradient L2 norm per tensor", "enc.0.weight", "dec.4.weight", "fill over training", "loss "] {
            XCTAssertTrue(screen.contains(name), "\(name) on screen at 150×44 (the loss chart stays):\n\(screen)")
        }
        let fcRow = try XCTUnwrap(screen.split(separator: "\n").first { $0.contains("fc.weight") })
        XCTAssertNotNil(fcRow.split(separator: " ").last.flatMap { Double($0) }, "fc.weight's norm as a number: \(fcRow)")

        // The filmstrip: the run's first frame, then one at the first step past 10.
        func filmstripLabels(_ text: String) -> [Int] {
            let rows = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            guard let title = rows.firstIndex(where: { $0.contains("fill over training") }),
                  let column = rows[title].range(of: "fill over training").map({ rows[title].distance(from: rows[title].startIndex, to: $0.lowerBound) })
            else { return [] }
            // The label row: the first row under the title whose part from the pane's column is only numbers.
            for row in rows[(title + 1)...].prefix(12) {
                let part = row.dropFirst(column)
                let tokens = part.split(separator: " ")
                if !tokens.isEmpty, tokens.allSatisfy({ Int($0) != nil }) { return tokens.compactMap { Int($0) } }
            }
            return []
        }
        XCTAssertTrue(tmux.waitUntil(seconds: 180) { filmstripLabels(tmux.screen().text).contains { (10..<100).contains($0) } },
                      "a frame at the milestone 10:\n\(tmux.screen().text)")
        let labels = filmstripLabels(tmux.screen().text)
        XCTAssertLessThan(labels.first ?? 99, 10, "the first frame is the run's start: \(labels)")

        let progress = try XCTUnwrap(tmux.screen().text.split(separator: "\n").first { $0.contains("progress") },
                                     "the progress line:\n\(tmux.screen().text)")
        XCTAssertNotNil(progress.range(of: #"\d+/100 \(\d+%\)"#, options: .regularExpression), "step N of the preset's 100: \(progress)")

        // G and M again: the loss chart alone, as before.
        tmux.sendKey("G")
        tmux.sendKey("M")
        XCTAssertTrue(tmux.waitUntil(seconds: 10) { !tmux.screen().text.contains("fill over training") && !tmux.screen().text.contains("fc.weight") },
                      "both panes hidden:\n\(tmux.screen().text)")
        tmux.quitWithoutSaving()
        XCTAssertEqual(tmux.exitStatus(), 0, "q exits with status 0")
    }
}
