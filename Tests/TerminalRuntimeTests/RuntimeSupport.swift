import Datasets
import Foundation
import Inpainting
import NeuralCore
import TerminalRuntime
import TerminalUI
import XCTest

/// A small network (the strided one: 207k weights) so the runtime's tests run in well under a second each.
func stridedModel(seed: UInt64) -> ContextEncoder {
    var generator = SeededGenerator(seed: seed)
    return ContextEncoder(config: ModelConfig(architecture: .strided), generator: &generator)
}

/// The bundled 1,000-digit sample (800 train, 200 test), and nothing else: the probe sees only `assets/`,
/// so an installed MNIST cannot change what the tests train on.
func bundledSample() throws -> Dataset {
    let assets = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("assets").path
    let probe = DataLocator.Probe(environment: [:], homeDirectory: "/nonexistent",
                                  fileExists: { $0.hasPrefix(assets) && FileManager.default.fileExists(atPath: $0) })
    guard let location = try? DataLocator(assetsDirectory: assets, probe: probe).locate() else {
        throw XCTSkip("no bundled sample in \(assets)")
    }
    return try Dataset(location: location)
}

/// Polls `runtime` until `done` holds for the messages gathered so far (or `seconds` pass); returns them all.
func pollUntil(_ runtime: UIRuntime, seconds: Double = 30, _ done: ([Message]) -> Bool) -> [Message] {
    var messages: [Message] = []
    let deadline = Date().addingTimeInterval(seconds)
    while !done(messages) && Date() < deadline {
        messages += runtime.poll()
        if !done(messages) { Thread.sleep(forTimeInterval: 0.005) }
    }
    return messages
}

/// The training steps among `messages`.
func steps(in messages: [Message]) -> [TrainingStep] {
    messages.compactMap { if case .training(.step(let step)) = $0 { step } else { nil } }
}

extension Message {
    /// The text of a `.notice`, else nil.
    var noticeText: String? { if case .notice(let text) = self { text } else { nil } }
}
