import Foundation
import Inpainting
import NeuralCore
import TerminalRuntime
import TerminalUI
import TestSupport
import XCTest

/// Issue 12 §2, nothing trained is lost: `w`, the exit (`q`, SIGHUP, SIGTERM) and `l` with a real trainer
/// behind the runtime, and a second runtime that continues the saved run.
final class TrainingPersistenceTests: XCTestCase {
    private let digits = [TestDigits.ring(), TestDigits.bar(), TestDigits.seven()]

    private func plan() -> TrainingPlan {
        var options = TrainingOptions()
        options.batchSize = 8
        options.evalEvery = 5
        options.maxSteps = 100_000
        return TrainingPlan.trainer(images: (0..<24).flatMap { digits[$0 % 3] }, count: 24,
                                    evaluationImages: digits.flatMap { $0 }, evaluationCount: 3, options: options)
    }

    private func runtime(saving path: URL, resuming: Checkpoint? = nil) throws -> UIRuntime {
        BLASThreads.set(1)
        let runtime = UIRuntime(inference: ModelReconstructor(model: resuming?.model ?? stridedModel(seed: 2)),
                                exploring: Exploration(savePath: path, learningRate: nil, dataset: try bundledSample(), seed: 1,
                                                       training: plan(), resuming: resuming))
        addTeardownBlock { runtime.stop(waitingAtMost: 5) }
        return runtime
    }

    /// Pauses the trainer and returns every message until it says so.
    private func pause(_ runtime: UIRuntime) -> [Message] {
        XCTAssertEqual(runtime.perform([.pauseTraining]), [])
        return pollUntil(runtime) { $0.contains(.training(.stateChanged(.paused))) }
    }

    func testTheExitSavesTheWholeStateAndAReopenedRuntimeContinuesTheRun() throws {
        let path = try temporaryDirectory(for: self).appendingPathComponent("tui.safetensors")
        let first = try runtime(saving: path)
        first.startTraining()
        let trained = pollUntil(first) { (steps(in: $0).last?.step ?? 0) >= 12 }
        XCTAssertEqual(trained.first { if case .unsavedTraining = $0 { true } else { false } }, .unsavedTraining(true),
                       "the first step says the training is not on disk")
        XCTAssertTrue(first.hasUnsavedTraining)

        let report = try XCTUnwrap(first.finish(saving: true), "unsaved training is saved on the way out")
        XCTAssertTrue(report.contains(path.path), report)
        let saved = try Checkpoint.read(contentsOf: path)
        XCTAssertGreaterThanOrEqual(saved.training.step, 12)
        XCTAssertTrue(report.contains("step \(saved.training.step)"), report)
        XCTAssertEqual(saved.optimizer?.step, saved.training.step, "Adam's moments are saved with their step")
        XCTAssertEqual(saved.training.notes[UIRuntime.writerNote.key], UIRuntime.writerNote.value)
        XCTAssertFalse(saved.training.loss.curve.isEmpty, "the curves are saved")
        XCTAssertEqual(saved.training.options?.learningRate, TrainingOptions().learningRate)
        XCTAssertNil(first.finish(saving: true), "nothing new to save the second time")

        // Reopened with that file (`inpaint tui --model FILE`): the step goes on from the saved one.
        let second = try runtime(saving: path.deletingLastPathComponent().appendingPathComponent("again.safetensors"),
                                 resuming: saved)
        XCTAssertEqual(second.inference.model.parameters.values, saved.model.parameters.values)
        second.startTraining()
        let resumed = pollUntil(second) { !steps(in: $0).isEmpty }
        XCTAssertEqual(steps(in: resumed).first?.step, saved.training.step + 1, "same step: the run continues")
    }

    func testQuitWithoutSavingWritesNothing() throws {
        let path = try temporaryDirectory(for: self).appendingPathComponent("tui.safetensors")
        let runtime = try runtime(saving: path)
        runtime.startTraining()
        _ = pollUntil(runtime) { !steps(in: $0).isEmpty }
        XCTAssertNil(runtime.finish(saving: false))
        XCTAssertFalse(FileManager.default.fileExists(atPath: path.path))
    }

    func testSaveWhileTrainingKeepsTheRunGoingFromTheSameStepRateAndPause() throws {
        let path = try temporaryDirectory(for: self).appendingPathComponent("tui.safetensors")
        let runtime = try runtime(saving: path)
        runtime.startTraining()
        _ = pollUntil(runtime) { (steps(in: $0).last?.step ?? 0) >= 3 }
        let untilPaused = pause(runtime)
        XCTAssertEqual(runtime.perform([.setLearningRate(5e-4)]), [])

        let answers = runtime.perform([.saveCheckpoint(path: path.path)])
        let saved = try Checkpoint.read(contentsOf: path)
        XCTAssertTrue(answers.contains(.notice("saved step \(saved.training.step) to \(path.path)")), "\(answers)")
        XCTAssertTrue(answers.contains(.unsavedTraining(false)))
        XCTAssertGreaterThanOrEqual(saved.training.step, steps(in: untilPaused).last?.step ?? 0)
        XCTAssertEqual(saved.optimizer?.step, saved.training.step)
        XCTAssertEqual(saved.training.options?.learningRate, 5e-4, "the rate asked for is the rate saved")

        // Still paused after the save; one step goes on from the saved step at the new rate.
        let after = pollUntil(runtime, seconds: 1) { $0.contains(.training(.stateChanged(.paused))) }
        XCTAssertTrue(after.contains(.training(.stateChanged(.paused))), "\(after)")
        XCTAssertEqual(steps(in: after), [], "no step while paused")
        XCTAssertEqual(runtime.perform([.stepTraining]), [])
        let stepped = pollUntil(runtime) { !steps(in: $0).isEmpty }
        XCTAssertEqual(steps(in: stepped).map(\.step), [saved.training.step + 1])
        XCTAssertEqual(steps(in: stepped).first?.learningRate, 5e-4)
        XCTAssertTrue(stepped.contains(.unsavedTraining(true)), "a step after the save is unsaved again")
    }

    func testLoadKeepsThePauseTheRateAndTheHistory() throws {
        let path = try temporaryDirectory(for: self).appendingPathComponent("tui.safetensors")
        let runtime = try runtime(saving: path)
        runtime.startTraining()
        _ = pollUntil(runtime) { (steps(in: $0).last?.step ?? 0) >= 12 }
        _ = runtime.perform([.saveCheckpoint(path: path.path)])
        let saved = try Checkpoint.read(contentsOf: path)
        _ = pollUntil(runtime) { (steps(in: $0).last?.step ?? 0) >= saved.training.step + 5 }
        _ = pause(runtime)
        XCTAssertEqual(runtime.perform([.setLearningRate(2.5e-4)]), [])

        let loaded = runtime.perform([.loadCheckpoint(path: path.path)])
        XCTAssertFalse(loaded.contains(.trainingReset), "the curves are not cleared")
        XCTAssertTrue(loaded.contains(.trainingRestored(saved.training)), "the file's own curves are shown: \(loaded)")
        XCTAssertTrue(loaded.contains(.modelLabel(path.path)), "the status names the loaded file")
        let after = pollUntil(runtime, seconds: 1) { $0.contains(.training(.stateChanged(.paused))) }
        XCTAssertTrue(after.contains(.training(.stateChanged(.paused))), "still paused after the load: \(after)")
        XCTAssertEqual(steps(in: after), [])
        XCTAssertEqual(runtime.perform([.stepTraining]), [])
        let stepped = pollUntil(runtime) { !steps(in: $0).isEmpty }
        XCTAssertEqual(steps(in: stepped).map(\.step), [saved.training.step + 1], "the loaded run's own step goes on")
        XCTAssertEqual(steps(in: stepped).first?.learningRate, 2.5e-4, "the rate in use is kept")
    }

    /// Issue 12 §5: the `full` preset's data line said "0 steps" while its hint said 10,650.
    func testThePresetsDataLineCountsTheStepsItsHintDoes() throws {
        let run = try PresetRun(name: .full, dataset: try bundledSample(), seed: 1, maskChannel: false)
        let steps = try XCTUnwrap(run.totalSteps)
        XCTAssertGreaterThan(steps, 0)
        XCTAssertTrue(run.dataLabel.hasSuffix(" \(steps) steps"), run.dataLabel)
        XCTAssertTrue(run.start.hint.contains("\(steps) steps"), run.start.hint)
    }
}
