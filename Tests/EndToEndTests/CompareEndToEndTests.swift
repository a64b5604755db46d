import Foundation
import TestSupport
import XCTest

/// Two models side by side in the real binary under tmux: two `--model` files, and a comparison preset
/// training both its networks.
final class CompareEndToEndTests: XCTestCase {
    private var binary: URL { productsDirectory.appendingPathComponent("inpaint") }
    /// The chart colours of model 0 and model 1 in the 256-colour theme (`ComparisonView.seriesStyle`).
    private let colours = [81, 214]

    /// Braille cells with dots drawn in `colour` inside the chart (right of the panels).
    private func curveCells(_ screen: ScreenCapture, colour: Int, from x: Int) -> Int {
        screen.rows.reduce(0) { sum, row in
            sum + row.enumerated().filter { $0.offset >= x && $0.element.fg == colour
                && ($0.element.character.unicodeScalars.first.map { (0x2801...0x28FF).contains($0.value) } ?? false) }.count
        }
    }

    func testTwoModelFilesGetPanelsTitledWithTheirNamesAndACurveEach() throws {
        guard let tmuxPath = TmuxSession.tmuxPath() else { throw XCTSkip("tmux is not installed") }
        guard FileManager.default.isExecutableFile(atPath: binary.path) else { throw XCTSkip("no inpaint binary at \(binary.path)") }
        let folder = try makeTemporaryDirectory(self)
        // Two small models, each given a curve by a few training steps on the bundled sample.
        var paths: [String] = []
        for (name, seed) in [("alpha", "1"), ("beta", "2")] {
            let path = folder.appendingPathComponent("\(name).safetensors").path
            let initialised = try runInpaint(["init", "--arch", "strided", "--seed", seed, "--out", path])
            XCTAssertEqual(initialised.status, 0, initialised.stderr)
            let trained = try runInpaint(["train", "--resume", path, "--out", path, "--steps", "6", "--batch", "8",
                                          "--eval-every", "2", "--threads", "1"])
            XCTAssertEqual(trained.status, 0, trained.stderr)
            paths.append(path)
        }
        let tmux = try TmuxSession(tmux: tmuxPath, command: [binary.path, "tui", "--model", paths[0], "--model", paths[1],
                                                             "--save", folder.appendingPathComponent("s.safetensors").path],
                                   width: 150, height: 44)
        XCTAssertTrue(tmux.waitUntil(seconds: 20) { tmux.screen().text.contains("beta mse") },
                      "the UI did not come up with both models:\n\(tmux.screen().text)")
        let screen = tmux.screen()
        for title in ["alpha recon", "beta recon", "alpha mse", "beta mse", "comparing 2 models"] {
            XCTAssertTrue(screen.text.contains(title), "\(title):\n\(screen.text)")
        }
        let chart = try XCTUnwrap(screen.find("loss "))
        for colour in colours {
            XCTAssertGreaterThan(curveCells(screen, colour: colour, from: chart.x), 2, "a curve in colour \(colour):\n\(screen.text)")
        }
        // 80×24 holds one model's panels: the header says so, and Tab shows the other's.
        tmux.resize(width: 80, height: 24)
        XCTAssertTrue(tmux.waitUntil(seconds: 10) { tmux.screen().text.contains("(Tab)") }, tmux.screen().text)
        XCTAssertTrue(tmux.screen().text.contains("alpha recon"), tmux.screen().text)
        tmux.sendKey("Tab")
        XCTAssertTrue(tmux.waitUntil(seconds: 10) { tmux.screen().text.contains("beta recon") }, tmux.screen().text)
        tmux.quitWithoutSaving()
        XCTAssertEqual(tmux.exitStatus(), 0)
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.appendingPathComponent("s.safetensors").path),
                       "models compared as saved are not trained, so nothing is saved")
    }

    func testAComparisonPresetTrainsBothNetworks() throws {
        guard let tmuxPath = TmuxSession.tmuxPath() else { throw XCTSkip("tmux is not installed") }
        guard FileManager.default.isExecutableFile(atPath: binary.path) else { throw XCTSkip("no inpaint binary at \(binary.path)") }
        let tmux = try TmuxSession(tmux: tmuxPath, command: [binary.path, "tui", "--preset", "compare-bias"], width: 150, height: 44)
        XCTAssertTrue(tmux.waitUntil(seconds: 30) { tmux.screen().text.contains("no bias recon") },
                      "the UI did not come up:\n\(tmux.screen().text)")
        XCTAssertTrue(tmux.screen().text.contains("compare-bias"))
        XCTAssertTrue(tmux.screen().text.contains("with bias recon"))
        // Both networks step: each model's status line shows a step past 2, and each has a curve.
        func steps(_ text: String) -> [Int] {
            text.split(separator: "\n").compactMap { line -> Int? in
                guard let range = line.range(of: #"step (\d+)  loss"#, options: .regularExpression) else { return nil }
                return Int(line[range].split(separator: " ")[1])
            }
        }
        XCTAssertTrue(tmux.waitUntil(seconds: 120) { let s = steps(tmux.screen().text); return s.count == 2 && s.allSatisfy { $0 > 2 } },
                      "both train:\n\(tmux.screen().text)")
        let screen = tmux.screen()
        let chart = try XCTUnwrap(screen.find("loss "))
        for colour in colours {
            XCTAssertGreaterThan(curveCells(screen, colour: colour, from: chart.x), 2, "a curve in colour \(colour):\n\(screen.text)")
        }
        let shown = steps(screen.text)
        XCTAssertLessThanOrEqual(abs(shown[0] - shown[1]), 2, "they take turns: \(shown)")
        tmux.quitWithoutSaving()
        XCTAssertEqual(tmux.exitStatus(), 0)
    }

    func testTheXMenuStartsAComparisonInTheRunningUI() throws {
        guard let tmuxPath = TmuxSession.tmuxPath() else { throw XCTSkip("tmux is not installed") }
        guard FileManager.default.isExecutableFile(atPath: binary.path) else { throw XCTSkip("no inpaint binary at \(binary.path)") }
        let folder = try makeTemporaryDirectory(self)
        let save = folder.appendingPathComponent("s.safetensors").path
        let tmux = try TmuxSession(tmux: tmuxPath, command: [binary.path, "tui", "--save", save], width: 150, height: 44)
        XCTAssertTrue(tmux.waitUntil(seconds: 30) { tmux.shownStep().map { $0 > 0 } ?? false },
                      "the bundled model trains:\n\(tmux.screen().text)")
        tmux.sendLiteral("x")
        XCTAssertTrue(tmux.waitUntil { tmux.screen().text.contains("c  compare-bias") }, "the menu lists the comparisons:\n\(tmux.screen().text)")
        tmux.sendLiteral("c")
        XCTAssertTrue(tmux.waitUntil(seconds: 30) { tmux.screen().text.contains("no bias recon") },
                      "the comparison's panels:\n\(tmux.screen().text)")
        let text = tmux.screen().text
        XCTAssertTrue(text.contains("with bias recon") && text.contains("compare-bias"), text)
        func steps(_ text: String) -> [Int] {
            text.split(separator: "\n").compactMap { line -> Int? in
                guard let range = line.range(of: #"step (\d+)  loss"#, options: .regularExpression) else { return nil }
                return Int(line[range].split(separator: " ")[1])
            }
        }
        XCTAssertTrue(tmux.waitUntil(seconds: 120) { let s = steps(tmux.screen().text); return s.count == 2 && s.allSatisfy { $0 > 2 } },
                      "both fresh networks train:\n\(tmux.screen().text)")
        // The bundled model's training was dropped with it, as a preset's switch drops it: q quits at once,
        // and the line it prints reopens the comparison.
        tmux.sendLiteral("q")
        XCTAssertEqual(tmux.exitStatus(seconds: 30), 0)
        var after = ""
        XCTAssertTrue(tmux.waitUntil {
            after = (try? tmux.run(["capture-pane", "-p", "-J", "-S", "-", "-t", "tui"])) ?? ""
            return after.contains("tui --preset compare-bias --save")
        }, "the line on quit:\n\(after)")
        XCTAssertFalse(FileManager.default.fileExists(atPath: save), "nothing to save")
    }

    func testComparisonFlagsThatDoNotGoTogetherAreOneLineErrors() throws {
        guard FileManager.default.isExecutableFile(atPath: binary.path) else { throw XCTSkip("no inpaint binary at \(binary.path)") }
        assertOneLineError(try runInpaint(["tui", "--model", "a", "--model", "b", "--model", "c", "--model", "d"]), ["--model", "at most 3"])
        assertOneLineError(try runInpaint(["tui", "--preset", "compare-position", "--model", "a"]), ["--model", "compare-position"])
        assertOneLineError(try runInpaint(["tui", "--preset", "compare-position", "--mask-channel"]), ["--mask-channel"])
        assertOneLineError(try runInpaint(["tui", "--preset", "compare-nothing"]), ["--preset", "compare-nothing"])
        assertOneLineError(try runInpaint(["tui", "--model", "bundled", "--model", "/nonexistent/b.safetensors"]), ["--model", "b.safetensors"])
    }
}
