import Foundation
import Inpainting
import NeuralCore
import TerminalRuntime
import TerminalUI
import TestSupport
import XCTest

/// `w` and `l` with a file name typed at the prompt: the file is written or read, it becomes the one the
/// prompt offers and quitting saves to, and a missing or damaged file is a notice, never a crash.
final class CheckpointFileTests: XCTestCase {
    private func exploring(_ model: ContextEncoder, savePath: URL) throws -> UIRuntime {
        UIRuntime(inference: ModelReconstructor(model: model),
                  exploring: Exploration(savePath: savePath, learningRate: nil, dataset: try bundledSample(), seed: 1,
                                         training: nil))
    }

    func testSaveToATypedNameWritesThatFileAndMakesItCurrent() throws {
        let dir = try temporaryDirectory(for: self)
        let defaultPath = dir.appendingPathComponent("inpaint-tui.safetensors")
        let typed = dir.appendingPathComponent("typed.safetensors").path
        let model = stridedModel(seed: 4)
        let runtime = try exploring(model, savePath: defaultPath)
        XCTAssertEqual(runtime.savePath, defaultPath)

        XCTAssertEqual(runtime.perform([.saveCheckpoint(path: typed)]), [.notice("saved \(typed)"), .savePath(typed)])
        XCTAssertEqual(try Checkpoint.read(contentsOf: URL(fileURLWithPath: typed)).model.parameters.values,
                       model.parameters.values)
        XCTAssertFalse(FileManager.default.fileExists(atPath: defaultPath.path), "the typed file, not --save's")
        XCTAssertEqual(runtime.savePath?.path, typed, "quitting saves there now")
        XCTAssertEqual(runtime.perform([.saveCheckpoint(path: typed)]), [.notice("saved \(typed)")],
                       "the same file again: nothing changed")

        // Through update: the prompt's next default is the typed file.
        var state = AppState(library: DigitLibrary(name: "t", images: TestDigits.seven(), labels: [7]), style: .full)
        state.savePath = defaultPath.path
        for answer in runtime.perform([.saveCheckpoint(path: defaultPath.path)]) { _ = update(&state, answer) }
        XCTAssertEqual(state.savePath, defaultPath.path)
        XCTAssertEqual(runtime.savePath?.path, defaultPath.path)
    }

    func testAFailedSaveKeepsTheCurrentFile() throws {
        let dir = try temporaryDirectory(for: self)
        let runtime = try exploring(stridedModel(seed: 4), savePath: dir.appendingPathComponent("a.safetensors"))
        let answers = runtime.perform([.saveCheckpoint(path: dir.appendingPathComponent("no/such/folder/b.safetensors").path)])
        XCTAssertEqual(answers.count, 1, "\(answers)")
        XCTAssertTrue(answers.first?.noticeText?.hasPrefix("save failed: ") ?? false, "\(answers)")
        XCTAssertEqual(runtime.savePath, dir.appendingPathComponent("a.safetensors"))
    }

    func testLoadingAMissingOrDamagedFileSaysSoAndKeepsTheModel() throws {
        let dir = try temporaryDirectory(for: self)
        let model = stridedModel(seed: 6)
        let runtime = try exploring(model, savePath: dir.appendingPathComponent("a.safetensors"))
        let truncated = dir.appendingPathComponent("truncated.safetensors")
        try Checkpoint(model: stridedModel(seed: 7)).write(to: truncated)
        let bytes = try Data(contentsOf: truncated)
        try bytes.prefix(bytes.count / 2).write(to: truncated)
        let garbage = dir.appendingPathComponent("garbage.safetensors")
        try Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 2654435761 >> 7) }).write(to: garbage)
        let empty = dir.appendingPathComponent("empty.safetensors")
        try Data().write(to: empty)
        for path in [dir.appendingPathComponent("missing.safetensors").path, truncated.path, garbage.path, empty.path, dir.path] {
            let answers = runtime.perform([.loadCheckpoint(path: path)])
            let notices = answers.compactMap(\.noticeText)
            XCTAssertEqual(notices.count, 1, "\(path): \(answers)")
            XCTAssertTrue(notices[0].hasPrefix("load failed: "), notices[0])
            XCTAssertFalse(notices[0].contains("\n"), "one line: \(notices[0])")
            XCTAssertFalse(answers.contains { if case .savePath = $0 { true } else { false } }, "a failed load changes no file")
            XCTAssertEqual(runtime.inference.model.parameters.values, model.parameters.values, "\(path): the model stays")
        }
    }

    func testLoadingATypedNameNamesItInTheHeader() throws {
        let dir = try temporaryDirectory(for: self)
        let other = dir.appendingPathComponent("other.safetensors")
        let saved = stridedModel(seed: 8)
        try Checkpoint(model: saved).write(to: other)
        let runtime = try exploring(stridedModel(seed: 1), savePath: dir.appendingPathComponent("a.safetensors"))
        let answers = runtime.perform([.loadCheckpoint(path: other.path)])
        XCTAssertTrue(answers.contains(.savePath(other.path)), "\(answers)")
        XCTAssertTrue(answers.contains(.modelIdentity(ModelIdentity(config: saved.config, origin: .file(other.path)))), "\(answers)")
        XCTAssertEqual(runtime.inference.model.parameters.values, saved.parameters.values)
    }
}
