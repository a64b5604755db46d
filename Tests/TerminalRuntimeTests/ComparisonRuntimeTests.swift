import Experiments
import Foundation
import Inpainting
import NeuralCore
import TerminalRuntime
import TerminalUI
import TestSupport
import XCTest

/// A trainer that only sleeps: each step takes `seconds` and reports a loss of 1 / step. It notes how
/// many trainers of its `Overlap` are inside a step at once, so a test can see that turns never overlap.
private final class SleepingTrainer: TrainingControl, @unchecked Sendable {
    final class Overlap: @unchecked Sendable {
        let lock = NSLock()
        var inside = 0, most = 0
        func enter() { lock.withLock { inside += 1; most = max(most, inside) } }
        func leave() { lock.withLock { inside -= 1 } }
    }

    private let gate = TrainingGate()
    private let seconds: Double
    private let steps: Int
    private let overlap: Overlap
    private let events: @Sendable (TrainingEvent) -> Void
    private let model: ContextEncoder

    init(model: ContextEncoder, seconds: Double, steps: Int = 1_000_000, overlap: Overlap,
         events: @escaping @Sendable (TrainingEvent) -> Void) {
        self.model = model; self.seconds = seconds; self.steps = steps; self.overlap = overlap; self.events = events
    }

    func pause() { gate.pause() }
    func resume() { gate.resume() }
    func stepOnce() { gate.stepOnce() }
    func cancel() { gate.cancel() }
    func setLearningRate(_ lr: Float) { gate.setLearningRate(lr) }
    var snapshot: ContextEncoder { model }

    func run() -> StopReason {
        events(.stateChanged(.training))
        var announced = TrainerState.training
        for step in 1...steps {
            guard case .step = gate.awaitStep(announced: &announced, announce: { events(.stateChanged($0)) }) else {
                events(.stopped(.cancelled))
                return .cancelled
            }
            overlap.enter()
            Thread.sleep(forTimeInterval: seconds)
            overlap.leave()
            events(.step(TrainingStep(step: step, epoch: 0, loss: 1 / Float(step), imagesPerSecond: 1, learningRate: 1e-3)))
        }
        events(.stopped(.finished))
        return .finished
    }
}

/// What an `AlternatingTraining` reported, gathered from its threads.
private final class Reports: @unchecked Sendable {
    private let lock = NSLock()
    private var all: [(model: Int, event: TrainingEvent)] = []
    func add(_ model: Int, _ event: TrainingEvent) { lock.withLock { all.append((model, event)) } }
    var events: [(model: Int, event: TrainingEvent)] { lock.withLock { all } }
    /// The model of every `.step`, in the order they arrived.
    var stepModels: [Int] { events.compactMap { if case .step = $0.event { $0.model } else { nil } } }
    func wait(seconds: Double = 20, until done: (Reports) -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while !done(self) { if Date() > deadline { return false }; Thread.sleep(forTimeInterval: 0.002) }
        return true
    }
}

final class ComparisonRuntimeTests: XCTestCase {
    private func sleeping(_ seconds: Double, steps: Int = 1_000_000, overlap: SleepingTrainer.Overlap) -> BackgroundTraining.Factory {
        { model, _, events in SleepingTrainer(model: model, seconds: seconds, steps: steps, overlap: overlap, events: events) }
    }

    func testTwoTrainersTakeTurnsStepByStepAndBothReport() {
        let overlap = SleepingTrainer.Overlap(), reports = Reports()
        let training = AlternatingTraining(models: [stridedModel(seed: 1), stridedModel(seed: 2)],
                                           factories: [sleeping(0.003, overlap: overlap), sleeping(0.001, overlap: overlap)],
                                           turns: .steps) { reports.add($0, $1) }
        training.start()
        XCTAssertTrue(reports.wait { $0.stepModels.count >= 20 }, "both train: \(reports.stepModels)")
        training.stop(waitingAtMost: 10)
        let order = Array(reports.stepModels.prefix(20))
        XCTAssertEqual(order, (0..<20).map { $0 % 2 }, "one step each in turn, though model 1's steps are 3× faster")
        XCTAssertEqual(overlap.most, 1, "never two steps at once: they share one core")
        // The trainers' own pause reports are not passed on; the pair's state is model 0's.
        XCTAssertFalse(reports.events.contains { $0.model == 1 && { if case .stateChanged = $0 { true } else { false } }($0.event) })
        XCTAssertTrue(reports.events.contains { $0.model == 0 && $0.event == .stateChanged(.training) })
    }

    func testTurnsByTimeGiveEachTheSameTrainingTimeAndEndWhenItIsSpent() {
        let overlap = SleepingTrainer.Overlap(), reports = Reports()
        let training = AlternatingTraining(models: [stridedModel(seed: 1), stridedModel(seed: 2)],
                                           factories: [sleeping(0.02, overlap: overlap), sleeping(0.005, overlap: overlap)],
                                           turns: .time(secondsEach: 0.4)) { reports.add($0, $1) }
        training.start()
        XCTAssertTrue(reports.wait { $0.events.contains { $0.model == 0 && $0.event == .stopped(.finished) } },
                      "the pair stops once each has had its time")
        let taken = training.turnsTaken
        training.stop(waitingAtMost: 10)
        for seconds in taken.seconds { XCTAssertEqual(seconds, 0.4, accuracy: 0.2, "\(taken)") }
        XCTAssertGreaterThan(taken.steps[1], 2 * taken.steps[0], "the faster network takes more steps: \(taken)")
        XCTAssertEqual(reports.stepModels.filter { $0 == 1 }.count, taken.steps[1])
        // While both train, the turns follow the time: about four of model 1's 5 ms steps per 20 ms one.
        let early = reports.stepModels.prefix(20)
        XCTAssertGreaterThanOrEqual(early.filter { $0 == 1 }.count, 13, "turns by time, not by step: \(Array(early))")
        XCTAssertEqual(overlap.most, 1)
    }

    func testPauseHoldsBothAndASingleStepStepsEachOnce() {
        let overlap = SleepingTrainer.Overlap(), reports = Reports()
        let training = AlternatingTraining(models: [stridedModel(seed: 1), stridedModel(seed: 2)],
                                           factories: [sleeping(0.001, overlap: overlap), sleeping(0.001, overlap: overlap)],
                                           turns: .steps) { reports.add($0, $1) }
        training.pause()
        training.start()
        XCTAssertTrue(reports.wait { $0.events.contains { $0.model == 0 && $0.event == .stateChanged(.paused) } })
        Thread.sleep(forTimeInterval: 0.1)
        XCTAssertEqual(reports.stepModels, [], "paused: no step")
        training.stepOnce()
        XCTAssertTrue(reports.wait { $0.stepModels.count == 2 })
        Thread.sleep(forTimeInterval: 0.1)
        XCTAssertEqual(reports.stepModels, [0, 1], "one step of each")
        training.resume()
        XCTAssertTrue(reports.wait { $0.stepModels.count >= 6 })
        training.stop(waitingAtMost: 10)
    }

    func testATrainerThatEndsLeavesTheTurnsToTheOther() {
        let overlap = SleepingTrainer.Overlap(), reports = Reports()
        let training = AlternatingTraining(models: [stridedModel(seed: 1), stridedModel(seed: 2)],
                                           factories: [sleeping(0.001, steps: 3, overlap: overlap), sleeping(0.001, steps: 8, overlap: overlap)],
                                           turns: .steps) { reports.add($0, $1) }
        training.start()
        XCTAssertTrue(reports.wait { $0.events.contains { $0.model == 0 && $0.event == .stopped(.finished) } })
        training.stop(waitingAtMost: 10)
        XCTAssertEqual(reports.stepModels.filter { $0 == 0 }.count, 3)
        XCTAssertEqual(reports.stepModels.filter { $0 == 1 }.count, 8)
    }

    func testAStepLimitGivesEachTrainerThatManyStepsByStepEvenWithTurnsByTime() {
        let overlap = SleepingTrainer.Overlap(), reports = Reports()
        // Turns by time would give the 1 ms trainer about ten turns per 10 ms one; the limit takes turns by step.
        let training = AlternatingTraining(models: [stridedModel(seed: 1), stridedModel(seed: 2)],
                                           factories: [sleeping(0.01, overlap: overlap), sleeping(0.001, overlap: overlap)],
                                           turns: .time(secondsEach: 60)) { reports.add($0, $1) }
        training.start(stepsEach: 5)
        XCTAssertTrue(reports.wait { $0.events.contains { $0.model == 0 && $0.event == .stateChanged(.paused) } },
                      "the pair waits once both have had their steps: \(reports.events)")
        Thread.sleep(forTimeInterval: 0.1)
        training.stop(waitingAtMost: 10)
        XCTAssertEqual(reports.stepModels, [0, 1, 0, 1, 0, 1, 0, 1, 0, 1], "five each, in turn, and no more")
        XCTAssertEqual(training.turnsTaken.steps, [5, 5])
    }

    func testAStepLimitPastATrainersEndStopsThePairWhenBothEnded() {
        let overlap = SleepingTrainer.Overlap(), reports = Reports()
        let training = AlternatingTraining(models: [stridedModel(seed: 1), stridedModel(seed: 2)],
                                           factories: [sleeping(0.001, steps: 2, overlap: overlap), sleeping(0.001, steps: 3, overlap: overlap)],
                                           turns: .steps) { reports.add($0, $1) }
        training.start(stepsEach: 10)
        XCTAssertTrue(reports.wait { $0.events.contains { $0.model == 0 && $0.event == .stopped(.finished) } })
        training.stop(waitingAtMost: 10)
        XCTAssertEqual(reports.stepModels.filter { $0 == 0 }.count, 2)
        XCTAssertEqual(reports.stepModels.filter { $0 == 1 }.count, 3)
        XCTAssertFalse(reports.events.contains { $0.model == 0 && $0.event == .stateChanged(.paused) }, "ended, not paused")
    }

    // MARK: the runtime

    private func runtime(_ models: [ContextEncoder], plan: ComparedModels.Plan?) throws -> UIRuntime {
        let runtime = UIRuntime(inference: ModelReconstructor(model: models[0]),
                                exploring: Exploration(savePath: URL(fileURLWithPath: "/nonexistent/unused.safetensors"),
                                                       learningRate: nil, dataset: try bundledSample(), seed: 1, training: nil))
        runtime.compared = ComparedModels(others: models.dropFirst().map { ModelReconstructor(model: $0) }, plan: plan)
        return runtime
    }

    func testTheSameInputGoesThroughEveryModel() throws {
        let models = [stridedModel(seed: 1), stridedModel(seed: 2), stridedModel(seed: 3)]
        let runtime = try runtime(models, plan: nil)
        let image = TestDigits.seven(), mask = HoleRect(top: 8, left: 8, height: 12, width: 12).mask()
        let answers = runtime.perform([.reconstruct(revision: 7, image: image, mask: mask)])
        let expected = models.map { ModelReconstructor(model: $0).reconstruct(image: image, mask: mask) }
        XCTAssertEqual(answers, [.reconstructed(revision: 7, pixels: expected[0]),
                                 .comparedReconstructed(model: 1, revision: 7, pixels: expected[1]),
                                 .comparedReconstructed(model: 2, revision: 7, pixels: expected[2])])
        XCTAssertNotEqual(expected[1], expected[2])
        // Compared as saved: the training keys say training is off, and nothing replaces one of the models.
        XCTAssertEqual(runtime.perform([.pauseTraining]).compactMap(\.noticeText).count, 1)
        XCTAssertTrue(runtime.perform([.resetModel]).compactMap(\.noticeText).first?.contains("not while comparing") == true)
        XCTAssertTrue(runtime.perform([.startComparison(.bias)]).compactMap(\.noticeText).first?.contains("not while comparing") == true,
                      "saved models compared as they are stay on screen")
        XCTAssertTrue(runtime.perform([.startPreset(.oneSeven)]).compactMap(\.noticeText).first?.contains("not while comparing") == true)
        XCTAssertEqual(runtime.perform([.reconstruct(revision: 8, image: image, mask: mask)]).first,
                       .reconstructed(revision: 8, pixels: expected[0]), "model 0 is still its own")
    }

    func testAComparisonsTrainingReportsModelZeroAsTrainingAndTheOthersTagged() throws {
        let overlap = SleepingTrainer.Overlap()
        let models = [stridedModel(seed: 1), stridedModel(seed: 2)]
        let runtime = try runtime(models, plan: ComparedModels.Plan(
            factories: [sleeping(0.002, overlap: overlap), sleeping(0.002, overlap: overlap)], turns: .steps))
        runtime.startTraining()
        defer { runtime.stop(waitingAtMost: 10) }
        let messages = pollUntil(runtime) { messages in
            steps(in: messages).count >= 3
                && messages.filter { if case .comparedTraining(1, .step) = $0 { true } else { false } }.count >= 3
        }
        XCTAssertGreaterThanOrEqual(steps(in: messages).count, 3, "model 0's steps arrive as .training")
        XCTAssertTrue(messages.contains { if case .modelUpdated = $0 { true } else { false } })
        XCTAssertFalse(messages.contains { if case .comparedTraining(0, _) = $0 { true } else { false } })
        _ = runtime.perform([.pauseTraining])
        XCTAssertTrue(pollUntil(runtime) { $0.contains(.training(.stateChanged(.paused))) }.contains(.training(.stateChanged(.paused))))
    }

    // MARK: the x menu's comparisons

    func testTheMenusComparisonReplacesTheSessionsTrainingWithBothNetworks() throws {
        let dataset = try bundledSample()
        let train = try XCTUnwrap(dataset.train)
        var options = TrainingOptions()
        options.batchSize = 8
        options.evalEvery = 0
        let plan = TrainingPlan.trainer(images: Array(train.images.pixels), count: train.count, evaluationImages: [],
                                        evaluationCount: 0, options: options)
        let runtime = UIRuntime(inference: ModelReconstructor(model: stridedModel(seed: 1)),
                                exploring: Exploration(savePath: URL(fileURLWithPath: "/nonexistent/unused.safetensors"),
                                                       learningRate: nil, dataset: dataset, seed: 1, training: plan))
        runtime.startTraining()
        defer { runtime.stop(waitingAtMost: 30) }
        XCTAssertFalse(steps(in: pollUntil(runtime) { steps(in: $0).count >= 2 }).isEmpty, "the session's own model trains")

        let answers = runtime.perform([.startComparison(.bias)])
        let started = answers.compactMap { if case .comparisonStarted(let start) = $0 { start } else { nil } }
        XCTAssertEqual(started.map(\.names), [["with bias", "no bias"]])
        XCTAssertEqual(started.first?.firstArm.library.labels, [7, 2])
        XCTAssertTrue(answers.contains(.trainingReset) && answers.contains(.unsavedTraining(false)), "\(answers)")
        XCTAssertFalse(runtime.isTraining, "the session's own trainer is gone")
        XCTAssertEqual(runtime.compared?.isTraining, true)
        XCTAssertFalse(runtime.hasUnsavedTraining, "a comparison is not saved: quitting does not ask")

        let messages = pollUntil(runtime, seconds: 60) { m in
            steps(in: m).count >= 2 && m.contains { if case .comparedTraining(1, .step) = $0 { true } else { false } }
        }
        XCTAssertEqual(steps(in: messages).prefix(2).map(\.step), [1, 2], "model 0 is the fresh arm, from step 1")
        XCTAssertTrue(messages.contains { if case .comparedTraining(1, .step) = $0 { true } else { false } }, "and model 1 trains")
        let image = TestDigits.seven(), mask = HoleRect(top: 8, left: 8, height: 12, width: 12).mask()
        let fills = runtime.perform([.reconstruct(revision: 1, image: image, mask: mask)])
        XCTAssertEqual(fills.count, 2, "both networks fill the input: \(fills.map { "\($0)".prefix(40) })")

        // Another comparison from the menu replaces this one, training too.
        let switched = runtime.perform([.startComparison(.position)])
        XCTAssertEqual(switched.compactMap { message -> ComparisonName? in
            if case .comparisonStarted(let start) = message { start.name } else { nil }
        }, [.position],
                       "\(switched.compactMap(\.noticeText))")
        XCTAssertTrue(switched.contains(.trainingReset))
        XCTAssertEqual(runtime.compared?.isTraining, true, "the new comparison trains")
        XCTAssertFalse(runtime.isTraining)
        let afterSwitch = pollUntil(runtime, seconds: 60) { steps(in: $0).count >= 1 }
        XCTAssertEqual(steps(in: afterSwitch).first?.step, 1, "the new comparison's model 0 starts at step 1")

        // A preset from the menu: one network again, with a trainer of its own.
        let preset = runtime.perform([.startPreset(.oneSeven)])
        XCTAssertTrue(preset.contains { if case .presetStarted = $0 { true } else { false } }, "\(preset.compactMap(\.noticeText))")
        XCTAssertNil(runtime.compared, "the comparison is gone")
        XCTAssertTrue(runtime.isTraining, "the preset trains")
        XCTAssertEqual(steps(in: pollUntil(runtime, seconds: 60) { steps(in: $0).count >= 1 }).first?.step, 1)
        XCTAssertEqual(runtime.perform([.reconstruct(revision: 2, image: image, mask: mask)]).count, 1, "one network fills the input")
        // And back to a comparison: the preset's trainer gives way again.
        let back = runtime.perform([.startComparison(.bias)])
        XCTAssertEqual(back.compactMap { message -> ComparisonName? in
            if case .comparisonStarted(let start) = message { start.name } else { nil }
        }, [.bias])
        XCTAssertEqual(runtime.compared?.isTraining, true)
    }

    // MARK: a screenshot after steps

    /// `inpaint tui --preset NAME --screenshot … --after-steps N` without the binary: the state and runtime
    /// as `TuiCommand` builds them, then the headless frame.
    private func headless(_ name: ComparisonName, steps: Int) throws -> HeadlessFrame.Outcome {
        let run = try ComparisonRun(name: name, dataset: try bundledSample(), seed: 1)
        let models = run.freshModels()
        var state = AppState(library: run.library, style: .full, seed: 1)
        run.apply(to: &state)
        state.screenWidth = 150
        state.screenHeight = 44
        let runtime = UIRuntime(inference: ModelReconstructor(model: models[0]),
                                exploring: Exploration(savePath: URL(fileURLWithPath: "/nonexistent/unused.safetensors"),
                                                       learningRate: nil, dataset: try bundledSample(), seed: 1, training: nil))
        runtime.compared = ComparedModels(others: models.dropFirst().map { ModelReconstructor(model: $0) },
                                          plan: run.plan(learningRate: nil))
        return HeadlessFrame.render(state, runtime: runtime, afterSteps: steps)
    }

    func testAScreenshotAfterStepsStepsEveryNetworkOfAComparisonAndDrawsBoth() throws {
        let outcome = try headless(.position, steps: 2)
        let state = outcome.state
        XCTAssertEqual(outcome.steps, 2)
        XCTAssertEqual(state.training.trainHistory.points.map(\.step), [1, 2], "model 0's curve")
        XCTAssertEqual(state.comparison.others[0].trainHistory.points.map(\.step), [1, 2], "model 1's curve")
        XCTAssertEqual(state.comparison.others[0].step, 2)
        XCTAssertNotEqual(state.training.trainHistory.points.map(\.loss), state.comparison.others[0].trainHistory.points.map(\.loss),
                          "two networks, two curves")
        let zero = try XCTUnwrap(state.reconstruction(ofModel: 0)), one = try XCTUnwrap(state.reconstruction(ofModel: 1))
        XCTAssertNotEqual(zero, one, "each model's own panels")
        XCTAssertEqual(state.training.activity, .paused, "both wait for the next step")
        let text = ScreenImage.text(outcome.screen)
        XCTAssertTrue(text.contains("1 channel recon") && text.contains("mask channel recon"), text)

        // The same seeds, the same run: a screenshot repeats bit for bit.
        let again = try headless(.position, steps: 2).state
        XCTAssertEqual(again.training.trainHistory.points.map(\.loss), state.training.trainHistory.points.map(\.loss))
        XCTAssertEqual(again.comparison.others[0].trainHistory.points.map(\.loss), state.comparison.others[0].trainHistory.points.map(\.loss))
        XCTAssertEqual(again.reconstruction(ofModel: 1), one)
    }

    func testAScreenshotAfterStepsHasTheHeldOutPointOfEachNetworksLastStep() throws {
        // The full-batch presets score their held-out digits every 10 steps, after the step: the second
        // network's last evaluation comes after the pair has stopped taking turns, and must still be drawn.
        let state = try headless(.bias, steps: 10).state
        XCTAssertEqual(state.training.evalHistory.points.map(\.step), [10])
        XCTAssertEqual(state.comparison.others[0].evalHistory.points.map(\.step), [10])
        XCTAssertNotNil(state.comparison.others[0].evalLoss)
    }

    func testAScreenshotOfTheAdversarialComparisonHasTheDiscriminatorsCurve() throws {
        let state = try headless(.adversarial, steps: 2).state
        XCTAssertEqual(state.training.trainHistory.points.count, 2)
        XCTAssertEqual(state.comparison.others[0].trainHistory.points.count, 2)
        XCTAssertEqual(state.comparison.discriminatorModel, 1, "the L2 + adversarial arm's discriminator")
        XCTAssertEqual(state.comparison.discriminatorHistory.points.map(\.step), [1, 2])
    }

    // MARK: the presets

    func testComparisonPresetsTrainTheirArmsRecipes() throws {
        let dataset = try bundledSample()
        let position = try ComparisonRun(name: .position, dataset: dataset, seed: 1)
        XCTAssertEqual(position.names, ["1 channel", "mask channel"])
        XCTAssertEqual(position.arms.map(\.preset.config.maskChannel), [false, true])
        XCTAssertEqual(position.arms[0].preset.digits, position.arms[1].preset.digits, "the same digits for both")

        let bias = try ComparisonRun(name: .bias, dataset: dataset, seed: 1)
        XCTAssertEqual(bias.arms.map(\.preset.config.bias), [true, false])
        XCTAssertEqual(bias.library.labels, [7, 2], "the 7 and the 2 it never saw")

        let adversarial = try ComparisonRun(name: .adversarial, dataset: dataset, seed: 1)
        let options = adversarial.arms.map { arm -> TrainingOptions? in
            if case .minibatch(_, _, let options) = arm.preset.training { options } else { nil }
        }
        XCTAssertNil(options[0]?.adversarial)
        XCTAssertNotNil(options[1]?.adversarial)
        XCTAssertEqual(options[0]?.maxSteps, options[1]?.maxSteps)

        let architectures = try ComparisonRun(name: .architectures, dataset: dataset, seed: 1)
        XCTAssertEqual(architectures.arms.map(\.preset.config.architecture), [.paper, .strided])
        XCTAssertEqual(architectures.plan(learningRate: nil).turns, .time(secondsEach: 180), "equal wall time")
        XCTAssertEqual(position.plan(learningRate: nil).turns, .steps)

        var state = AppState(library: position.library, style: .full)
        position.apply(to: &state)
        XCTAssertEqual(state.comparison.names, ["1 channel", "mask channel"])
        XCTAssertEqual(state.preset, "compare-position")
    }
}
