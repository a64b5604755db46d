import Datasets
import FileIO
import Foundation
import Inpainting
import NeuralCore
import TestSupport
import XCTest

/// Issue 15's reproducers for the formats Inpainting owns (masks files, checkpoints and the recipes they
/// record): each is refused in one line naming the file, or read correctly, and never traps.
final class HostileInputTests: XCTestCase {
    // MARK: Masks files

    func testHugeNumbersInAMasksLineAreRefusedNotOverflowed() {
        for line in ["0 5 5 9223372036854775807 3", "0 9223372036854775807 5 3 3", "0 5 5 3 9223372036854775807",
                     "0 5 9223372036854775807 3 9223372036854775807", "9223372036854775807 5 5 3 3\n0 -9223372036854775808 5 3 3"] {
            assertDataError(["m.txt:"]) { try MasksFile(text: line, name: "m.txt") }
        }
        XCTAssertFalse(HoleRect(top: 5, left: 5, height: .max, width: 3).fits())
        XCTAssertFalse(HoleRect(top: .max, left: 0, height: .max, width: 1).fits())
        XCTAssertTrue(HoleRect(top: 20, left: 0, height: 8, width: 28).fits())
        XCTAssertFalse(HoleRect(top: 20, left: 0, height: 9, width: 28).fits())
    }

    func testCRLFMasksFilesReadLikeLF() throws {
        let lf = "# comment\n0 1 2 10 12\n1 3 4 9 11\n"
        let crlf = lf.replacingOccurrences(of: "\n", with: "\r\n")
        XCTAssertEqual(crlf.split(separator: "\n").count, 1, "Swift's \"\\r\\n\" is one Character: the case to cover")
        XCTAssertEqual(try MasksFile(text: crlf, name: "crlf.txt"), try MasksFile(text: lf, name: "lf.txt"))
        XCTAssertEqual(try MasksFile(text: crlf, name: "crlf.txt").count, 2)
        // An error in a CRLF file still names the right line, in one line.
        assertDataError(["crlf.txt:3:", "5 fields"]) { try MasksFile(text: "0 1 2 10 12\r\n\r\n1 2 3\r\n", name: "crlf.txt") }
    }

    /// 300 mutations of a valid masks file: each parses (to holes that fit) or throws one line.
    func testMutatedMasksFilesParseOrThrowOneLineNeverTrap() {
        let valid = Array(MasksFile.make(count: 12, seed: 4).text().utf8)
        var generator = SeededGenerator(seed: 15)
        var refused = 0
        for _ in 0 ..< mutationCaseCount(300) {
            var bytes = mutate(valid, using: &generator)
            if Bool.random(using: &generator) {   // and boundary integers in place of a field
                let text = String(decoding: bytes, as: UTF8.self)
                let big = ["9223372036854775807", "-9223372036854775808", "9223372036854775808", "99999999999999999999"]
                bytes = Array(text.replacingOccurrences(of: " 1", with: " " + big.randomElement(using: &generator)!).utf8)
            }
            guard let text = String(bytes: bytes, encoding: .utf8) else { continue }
            do {
                let masks = try MasksFile(text: text, name: "fuzz.txt")
                XCTAssertTrue(masks.holes.values.allSatisfy { $0.fits() })
            } catch {
                XCTAssertFalse(error.description.contains("\n"), "two lines: \(error)")
                XCTAssertTrue(error.description.hasPrefix("fuzz.txt"), "not naming the file: \(error)")
                refused += 1
            }
        }
        XCTAssertGreaterThan(refused, 0)
    }

    // MARK: Checkpoints

    private func model() -> ContextEncoder {
        var generator = SeededGenerator(seed: 7)
        return ContextEncoder(config: ModelConfig(architecture: .strided), generator: &generator)
    }

    private func scratch(_ name: String) throws -> URL {
        try makeTemporaryDirectory(self).appendingPathComponent(name)
    }

    private func assertCheckpointError(_ fragments: [String], file: StaticString = #filePath, line: UInt = #line,
                                       _ body: () throws -> Void) {
        do {
            try body()
            XCTFail("expected an error mentioning \(fragments)", file: file, line: line)
        } catch {
            let text = "\(error)"
            XCTAssertTrue(error is CheckpointError, "expected a CheckpointError, got \(type(of: error))", file: file, line: line)
            XCTAssertFalse(text.contains("\n"), "two lines: \(text)", file: file, line: line)
            for f in fragments { XCTAssertTrue(text.contains(f), "\"\(f)\" not in: \(text)", file: file, line: line) }
        }
    }

    func testANonFiniteWeightOrMomentIsRefusedAtLoadWithTheTensorName() throws {
        let url = try scratch("inf.safetensors")
        for bad: Float in [.infinity, -.infinity, .nan] {
            var broken = model()
            let entry = broken.parameters.entries[2]
            broken.parameters.values[entry.offset + 3] = bad
            try Checkpoint(model: broken).write(to: url)
            assertCheckpointError(["inf.safetensors", entry.name, "element 3", "finite"]) {
                _ = try Checkpoint.read(contentsOf: url)
            }
        }
        let good = model()
        var moments = AdamState(parameterCount: good.parameters.count)
        moments.step = 3
        moments.v[good.parameters.entries[1].offset] = .infinity
        try Checkpoint(model: good, optimizer: moments).write(to: url)
        assertCheckpointError(["optim.v.\(good.parameters.entries[1].name)", "element 0"]) {
            _ = try Checkpoint.read(contentsOf: url)
        }
        try Checkpoint(model: good).write(to: url)
        XCTAssertNoThrow(try Checkpoint.read(contentsOf: url))
    }

    func testARecordedRecipeIsValidatedLikeFlagsBeforeResuming() throws {
        let encoder = model()
        func checkpoint(step: Int = 0, adamStep: Int? = nil, _ change: (inout TrainingOptions) -> Void = { _ in }) -> Checkpoint {
            var options = TrainingOptions()
            change(&options)
            var moments: AdamState? = nil
            if let adamStep { moments = AdamState(parameterCount: encoder.parameters.count); moments!.step = adamStep }
            return Checkpoint(model: encoder, training: TrainingState(step: step, options: options), optimizer: moments)
        }
        XCTAssertNoThrow(try checkpoint(step: 10, adamStep: 10).validateForResume(file: "ok.safetensors"))
        XCTAssertNoThrow(try checkpoint { $0.adversarial = AdversarialOptions() }.validateForResume(file: "ok.safetensors"))
        let cases: [(Checkpoint, String)] = [
            (checkpoint { $0.batchSize = 0 }, "batch size 0"),
            (checkpoint { $0.batchSize = -1 }, "batch size -1"),
            (checkpoint { $0.batchSize = 1_000_000_000_000 }, "batch size 1000000000000"),
            (checkpoint { $0.batchSize = 1_000_000 }, "batch size 1000000"),
            (checkpoint(step: -5), "step -5"),
            (checkpoint(adamStep: Int.max), "optimizer step 9223372036854775807"),
            (checkpoint { $0.learningRate = -1 }, "learning rate -1.0"),
            (checkpoint { $0.learningRate = .nan }, "learning rate nan"),
            (checkpoint { $0.beta1 = 5 }, "betas 5.0"),
            (checkpoint { $0.epsilon = -1 }, "epsilon -1.0"),
            (checkpoint { $0.maxSteps = Int.max }, "maximum steps"),
            (checkpoint { $0.warmupSteps = -3 }, "warm-up steps -3"),
            (checkpoint { $0.adversarial = AdversarialOptions(weight: 2) }, "adversarial weight 2.0"),
        ]
        for (bad, fragment) in cases {
            assertCheckpointError(["run.safetensors", fragment]) { try bad.validateForResume(file: "run.safetensors") }
        }
        // Through the file, as `train --resume` reads it.
        let url = try scratch("recipe.safetensors")
        try checkpoint { $0.batchSize = 0 }.write(to: url)
        assertCheckpointError(["recipe.safetensors", "recorded recipe has batch size 0"]) {
            try Checkpoint.read(contentsOf: url).validateForResume(file: url.path)
        }
    }
}
