import Foundation
import TestSupport
import XCTest

/// The real `inpaint tui --dataset fashion` in tmux: clothes named by class in the header and the top-3
/// panel, and the one notice when the model was trained on MNIST.
final class TuiFashionEndToEndTests: XCTestCase {
    private var binary: URL { productsDirectory.appendingPathComponent("inpaint") }

    private func start(_ extra: [String]) throws -> TmuxSession {
        guard let tmux = TmuxSession.tmuxPath() else { throw XCTSkip("tmux is not installed") }
        guard FileManager.default.isExecutableFile(atPath: binary.path) else { throw XCTSkip("no inpaint binary at \(binary.path)") }
        guard FileManager.default.fileExists(atPath: "/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz") else {
            throw XCTSkip("no Fashion-MNIST in /usr/share/datasets/fashion-mnist (apt-get install dataset-fashion-mnist)")
        }
        let session = try TmuxSession(tmux: tmux, command: [binary.path, "tui", "--no-train", "--dataset", "fashion"] + extra,
                                      width: 120, height: 40)
        XCTAssertTrue(session.waitUntil(seconds: 30) { session.screen().find("masked input") != nil },
                      "the UI did not come up:\n\(session.screen().text)")
        return session
    }

    func testClothesAreNamedAndAnMNISTModelIsNoticedOnce() throws {
        let model = repositoryAssets.appendingPathComponent("model.safetensors")   // MNIST's, recorded by absence
        guard FileManager.default.fileExists(atPath: model.path) else { throw XCTSkip("no bundled model") }
        let tmux = try start(["--model", model.path])
        let screen = tmux.screen().text
        let lines = screen.split(separator: "\n", omittingEmptySubsequences: false)
        // The first Fashion-MNIST test image is an ankle boot (label 9): the issue's "a 9" is gone.
        XCTAssertTrue(lines[0].contains("item 1/10000 (Ankle boot)"), String(lines[0]))
        XCTAssertEqual(lines.filter { $0.contains("was trained on MNIST, not Fashion-MNIST") }.count, 1, screen)
        tmux.sendKey("t")
        let guess = #"(T-shirt/top|Trouser|Pullover|Dress|Coat|Sandal|Shirt|Sneaker|Bag|Ankle boot) +\d+\.\d%"#
        XCTAssertTrue(tmux.waitUntil(seconds: 10) { tmux.screen().text.range(of: guess, options: .regularExpression) != nil },
                      "the top-3 panel names classes:\n\(tmux.screen().text)")
        tmux.sendKey("q")
        XCTAssertEqual(tmux.exitStatus(), 0)
    }
}
