import Foundation
import TestSupport
import XCTest

/// `inpaint tui --preset`: the real binary under tmux trains an experiment live and shows its digits.
final class PresetEndToEndTests: XCTestCase {
    private var binary: URL { productsDirectory.appendingPathComponent("inpaint") }

    /// The hole colour of the 256-colour theme (`Theme.hole`).
    private let holeColour = 24

    func testOneSevenPresetShowsItsSevenAndItsHeldOutHoleAndTrains() throws {
        guard let tmuxPath = TmuxSession.tmuxPath() else { throw XCTSkip("tmux is not installed") }
        guard FileManager.default.isExecutableFile(atPath: binary.path) else { throw XCTSkip("no inpaint binary at \(binary.path)") }
        let tmux = try TmuxSession(tmux: tmuxPath, command: [binary.path, "tui", "--preset", "one-seven"], width: 120, height: 40)
        XCTAssertTrue(tmux.waitUntil(seconds: 20) { tmux.screen().find("masked input") != nil },
                      "the UI did not come up:\n\(tmux.screen().text)")
        let screen = tmux.screen()
        let header = screen.text.split(separator: "\n").first.map(String.init) ?? ""
        XCTAssertTrue(header.contains("one-seven"), "the header names the preset: \(header)")
        XCTAssertTrue(header.contains("digit 1/1 (a 7, the one training 7)"), "the preset's single 7: \(header)")
        XCTAssertTrue(header.contains("hole 10×10"), "the experiment's 10×10 hole: \(header)")
        XCTAssertTrue(screen.text.contains("Fig. 1"), "the preset's hint is the first notice:\n\(screen.text)")

        // The 7 is drawn (bright pixels in the original panel), and the hole sits at the held-out position
        // the header names, on the masked-input panel.
        let original = try XCTUnwrap(screen.find("original")), masked = try XCTUnwrap(screen.find("masked input"))
        let ink = (0..<14).flatMap { cy in (0..<28).compactMap { cx in screen.halves(x: original.x + cx, y: original.y + 1 + cy) } }
            .filter { $0.upper > 240 || $0.lower > 240 }
        XCTAssertGreaterThan(ink.count, 10, "the original panel shows a digit:\n\(screen.text)")
        let position = try XCTUnwrap(header.range(of: #"at row +(\d+), col +(\d+)"#, options: .regularExpression).map { String(header[$0]) })
        let numbers = position.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
        let (top, left) = (numbers[0], numbers[1])
        let holeCell = try XCTUnwrap(screen.halves(x: masked.x + left + 5, y: masked.y + 1 + (top + 5) / 2))
        XCTAssertEqual(holeCell.upper, holeColour, "the hole's middle is tinted:\n\(screen.text)")

        // Training runs: the step count moves past 0.
        func step(_ text: String) -> Int? {
            text.split(separator: "\n").first { $0.contains("step ") && $0.contains("epoch") }
                .flatMap { $0.split(separator: " ").compactMap { Int($0) }.first }
        }
        XCTAssertTrue(tmux.waitUntil(seconds: 120) { (step(tmux.screen().text) ?? 0) > 0 },
                      "the preset trains:\n\(tmux.screen().text)")
        XCTAssertTrue(tmux.screen().text.contains("one-seven: 100 images, full batch, 100 steps"))

        tmux.quitWithoutSaving()
        XCTAssertEqual(tmux.exitStatus(), 0, "q exits with status 0")
        XCTAssertEqual(tmux.format("#{mouse_any_flag}"), "0", "mouse reporting is off after exit")
    }

    func testUnknownPresetAndMaskChannelWithoutPresetAreOneLineErrors() throws {
        guard FileManager.default.isExecutableFile(atPath: binary.path) else { throw XCTSkip("no inpaint binary at \(binary.path)") }
        assertOneLineError(try runInpaint(["tui", "--preset", "nine-nines"]), ["--preset", "nine-nines"])
        assertOneLineError(try runInpaint(["tui", "--mask-channel"]), ["--mask-channel"])
        // An experiment with no single live training: named, with where to run it instead.
        assertOneLineError(try runInpaint(["tui", "--preset", "architectures"]), ["--preset", "inpaint experiment architectures"])
    }
}
