import Foundation
import Inpainting
import NeuralCore
@testable import TerminalRuntime
import TerminalUI
import TestSupport
import XCTest

/// The runtime's side of training seen from inside: the filmstrip's frames at the milestone steps (in `tui`
/// from the trainer's weights, in `watch` from each reloaded checkpoint), and the pace.
final class InsideRuntimeTests: XCTestCase {
    func testRecorderKeepsTheFirstFrameOfEachMilestoneAndSpacesTheNewest() {
        var recorder = FilmstripRecorder(latestInterval: 1)
        var made: [FilmstripFrame] = []
        let reconstruct: ([Float], [Float]) -> [Float] = { image, _ in image }
        XCTAssertNil(recorder.frame(at: 0, now: 0, reconstruct: reconstruct), "no input yet")
        recorder.fix(image: [Float](repeating: 0.5, count: 784), mask: [Float](repeating: 1, count: 784))
        for step in 0...1500 {
            // Ten steps a second.
            if let frame = recorder.frame(at: step, now: Double(step) / 10, reconstruct: reconstruct) { made.append(frame) }
        }
        XCTAssertEqual(made.filter { !$0.latest }.map(\.step), [0, 10, 100, 1000], "the milestones")
        let newest = made.filter(\.latest).map(\.step)
        XCTAssertEqual(newest.first, 20, "one second after the frame at 10")
        XCTAssertTrue(zip(newest, newest.dropFirst()).allSatisfy { $1 - $0 >= 10 }, "at most one a second: \(newest)")
        XCTAssertNil(recorder.frame(at: 1500, now: 1000, reconstruct: reconstruct), "the same step twice: no frame")
        recorder.clear()
        XCTAssertNil(recorder.frame(at: 1600, now: 2000, reconstruct: reconstruct), "cleared: no input")
    }

    func testPaceMeterMeasuresOverItsWindowAndForgetsAPause() {
        var meter = TrainingPaceMeter(totalSteps: 100)
        meter.note(step: 10, at: 100)
        XCTAssertNil(meter.stepsPerSecond, "one sample")
        meter.note(step: 12, at: 100.2)
        XCTAssertNil(meter.stepsPerSecond, "too short a span")
        meter.note(step: 20, at: 101)
        XCTAssertEqual(meter.stepsPerSecond ?? 0, 10, accuracy: 1e-9)
        for second in 2...30 { meter.note(step: 20 + 2 * second, at: 100 + Double(second)) }
        XCTAssertEqual(meter.stepsPerSecond ?? 0, 2, accuracy: 1e-9, "the old fast samples left the window")
        meter.restartWindow()
        meter.note(step: 90, at: 500)
        XCTAssertNil(meter.stepsPerSecond, "after a pause, measured afresh")
        XCTAssertEqual(meter.pace.totalSteps, 100)
    }

    /// A real trainer stepped one step at a time, with a reconstruction asked for after each step as the UI's
    /// tick does: the filmstrip's frames come at exactly steps 0, 10 and 100, each the fixed input through the
    /// weights of that step.
    func testFilmstripFramesComeAtTheMilestoneStepsWithThatStepsWeights() throws {
        BLASThreads.set(1)
        let digits = [TestDigits.ring(), TestDigits.bar(), TestDigits.seven()]
        var options = TrainingOptions()
        options.batchSize = 4
        options.evalEvery = 0
        options.maxSteps = 1000
        let plan = TrainingPlan.trainer(images: (0..<12).flatMap { digits[$0 % 3] }, count: 12, evaluationImages: [],
                                        evaluationCount: 0, options: options)
        XCTAssertEqual(plan.totalSteps, 1000)
        let runtime = UIRuntime(inference: ModelReconstructor(model: stridedModel(seed: 4)),
                                exploring: Exploration(savePath: URL(fileURLWithPath: "/nonexistent/unused.safetensors"),
                                                       learningRate: nil, dataset: try bundledSample(), seed: 1, training: plan))
        runtime.clock = { 0 }   // a clock that stands still: no newest frames, only the milestones
        let image = TestDigits.seven(), mask = HoleRect(top: 6, left: 6, height: 12, width: 12).mask()
        let first = runtime.perform([.filmstripSubject(image: image, mask: mask)])
        guard case .filmstripFrame(let start)? = first.first else { return XCTFail("\(first)") }
        XCTAssertEqual(start.step, 0)
        XCTAssertFalse(start.latest)
        XCTAssertEqual(start.pixels, runtime.inference.reconstruct(image: image, mask: mask), "the starting weights")

        runtime.startTraining()
        addTeardownBlock { runtime.stop(waitingAtMost: 5) }
        _ = runtime.perform([.pauseTraining])
        var messages = pollUntil(runtime) { $0.contains(.training(.stateChanged(.paused))) }
        var step = steps(in: messages).last?.step ?? 0
        XCTAssertLessThan(step, 10, "paused before the first milestone")
        var frames: [FilmstripFrame] = []
        var framesMatchTheirWeights = true
        while step < 120 {
            // As the UI's tick does after new weights: ask for a reconstruction (which reads the newest weights).
            _ = runtime.perform([.reconstruct(revision: step, image: TestDigits.ring(), mask: mask)])
            _ = runtime.perform([.stepTraining])
            messages = pollUntil(runtime) { !steps(in: $0).isEmpty && $0.contains { if case .modelUpdated = $0 { true } else { false } } }
            step = try XCTUnwrap(steps(in: messages).last?.step)
            for case .filmstripFrame(let frame) in messages {
                frames.append(frame)
                // The weights in use now are those of this step (paused): the frame is their reconstruction.
                if frame.pixels != runtime.inference.reconstruct(image: image, mask: mask) { framesMatchTheirWeights = false }
            }
        }
        XCTAssertEqual(frames.map(\.step), [10, 100], "the milestones after the start")
        XCTAssertTrue(frames.allSatisfy { !$0.latest })
        XCTAssertTrue(framesMatchTheirWeights, "each frame is the input through its own step's weights")
        XCTAssertNotEqual(frames.first?.pixels, start.pixels, "training changed the fill")
        XCTAssertTrue(messages.contains(.trainingPace(TrainingPace(totalSteps: 1000, stepsPerSecond: nil)))
                      || !frames.isEmpty, "the plan's end reaches the UI")
    }

    /// `watch`: a frame for each checkpoint reloaded, labelled with the checkpoint's step; the pace from the
    /// log's times and the end from the checkpoint's recipe.
    func testWatchMakesFramesFromReloadedCheckpointsAndThePaceFromTheLog() throws {
        let directory = try temporaryDirectory(for: self)
        let log = directory.appendingPathComponent("run.jsonl").path
        let checkpoint = directory.appendingPathComponent("run.safetensors")
        var options = TrainingOptions()
        options.maxSteps = 400
        func write(step: Int, seed: UInt64) throws {
            try Checkpoint(model: stridedModel(seed: seed),
                           training: TrainingState(step: step, epoch: 1, loss: LossSummary(), options: options)).write(to: checkpoint)
        }
        func stepLine(_ step: Int, time: Double) -> String {
            "{\"epoch\":1,\"event\":\"step\",\"images_per_second\":800,\"learning_rate\":0.001,\"loss\":0.03,\"step\":\(step),\"time\":\(time)}\n"
        }
        try write(step: 5, seed: 1)
        // Steps 1…40 written over 8 s: 5 steps a second, whenever they are read.
        try (1...40).map { stepLine($0, time: 1_795_657_456 + Double($0) * 0.2) }.joined()
            .write(toFile: log, atomically: true, encoding: .utf8)
        let runtime = UIRuntime(inference: ModelReconstructor(model: stridedModel(seed: 7)), watching: log,
                                checkpoint: checkpoint.path)
        let first = runtime.poll()
        let paces = first.compactMap { if case .trainingPace(let pace) = $0 { pace } else { nil } }
        XCTAssertEqual(paces.last?.totalSteps, 400, "the checkpoint's recipe: --steps 400")
        XCTAssertEqual(paces.last?.stepsPerSecond ?? 0, 5, accuracy: 1e-4, "the log's times: 5 steps a second")
        let image = TestDigits.seven(), mask = HoleRect(top: 6, left: 6, height: 12, width: 12).mask()
        var frames: [FilmstripFrame] = []
        for case .filmstripFrame(let f) in runtime.perform([.filmstripSubject(image: image, mask: mask)]) { frames.append(f) }
        for (step, seed) in [(12, 2), (30, 3), (150, 4)] as [(Int, UInt64)] {
            try write(step: step, seed: seed)
            for case .filmstripFrame(let f) in runtime.poll() { frames.append(f) }
        }
        XCTAssertEqual(frames.map(\.step), [5, 12, 30, 150], "one frame per checkpoint, with its step")
        XCTAssertEqual(frames.map(\.latest), [false, false, true, false], "30 is no milestone after 12: the newest")
        XCTAssertEqual(frames.last?.pixels, ModelReconstructor(model: stridedModel(seed: 4)).reconstruct(image: image, mask: mask))
    }
}
