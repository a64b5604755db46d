import Foundation
import Inpainting
import TerminalUI
import TestSupport
import XCTest

/// Compares `text` with `Snapshots/<name>.txt` beside this file. `INPAINT_UPDATE_SNAPSHOTS=1` rewrites the
/// golden file instead; a missing golden file is written and the test fails, so a new snapshot is looked at
/// once before it is trusted.
func assertSnapshot(_ text: String, named name: String, file: StaticString = #filePath, line: UInt = #line) {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Snapshots").appendingPathComponent(name + ".txt")
    let update = ProcessInfo.processInfo.environment["INPAINT_UPDATE_SNAPSHOTS"] == "1"
    guard !update, let golden = try? String(contentsOf: url, encoding: .utf8) else {
        try? FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try? text.write(to: url, atomically: true, encoding: .utf8)
        if !update { XCTFail("recorded a new snapshot \(url.path); check it and run again", file: file, line: line) }
        return
    }
    if golden != text {
        let goldenLines = golden.split(separator: "\n", omittingEmptySubsequences: false)
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        let first = zip(goldenLines, lines).enumerated().first { $0.element.0 != $0.element.1 }
        let detail = first.map { "line \($0.offset + 1):\n  golden: \($0.element.0)\n  actual: \($0.element.1)" }
            ?? "line counts differ: \(goldenLines.count) vs \(lines.count)"
        XCTFail("snapshot \(name) differs (INPAINT_UPDATE_SNAPSHOTS=1 rewrites it)\n\(detail)", file: file, line: line)
    }
}

/// The view tests' digits (`TestDigits`' synthetic ring, bar and seven) and states.
extension TestDigits {
    static let library = DigitLibrary(name: "test digits", images: ring() + bar() + seven(), labels: [0, 1, 7])

    /// A stand-in for the network's answer with visible structure: the original blurred towards gray.
    static func fakeReconstruction(of image: [Float]) -> [Float] { image.map { 0.25 + 0.5 * $0 } }

    /// A state with a reconstruction and some training history, at the given size.
    static func busyState(width: Int = 120, height: Int = 40, style: RenderStyle = .full) -> AppState {
        var state = AppState(library: library, style: style, screenWidth: width, screenHeight: height)
        state.reconstruction = fakeReconstruction(of: state.image)
        state.reconstructionRevision = 0
        state.training.activity = .training
        state.training.modelFile = "assets/model.safetensors"
        state.training.dataset = "MNIST (22699 train)"
        for step in stride(from: 0, through: 2000, by: 20) {
            let loss = 0.08 * Float(exp(-Double(step) / 600)) + 0.01 + 0.002 * Float(sin(Double(step)))
            _ = update(&state, .training(.step(TrainingStep(step: step, epoch: step / 700, loss: loss,
                                                            imagesPerSecond: 812, learningRate: 2e-4))))
            if step % 200 == 0 { _ = update(&state, .training(.evaluation(step: step, loss: loss * 1.1))) }
        }
        return state
    }
}
