import Evaluation
import Foundation
import Inpainting
import NeuralCore
import TerminalRuntime
import TerminalUI
import TestSupport
import XCTest

/// The runtime without a terminal: effects in, messages out, and the network, the files and a real
/// trainer behind them.
final class UIRuntimeTests: XCTestCase {
    private let hole = HoleRect(top: 8, left: 8, height: 12, width: 12).mask()
    private let band = HoleRect(top: 0, left: 0, height: 10, width: 28).mask()

    private func exploring(_ model: ContextEncoder, training: TrainingPlan? = nil, savePath: URL? = nil,
                           classifier: DigitClassifier? = nil) throws -> UIRuntime {
        UIRuntime(inference: ModelReconstructor(model: model, classifier: classifier),
                  exploring: Exploration(savePath: savePath ?? URL(fileURLWithPath: "/nonexistent/unused.safetensors"),
                                         learningRate: nil, dataset: try bundledSample(), seed: 1, training: training))
    }

    func testReconstructAnswersWithTheReconstructionOfTheGivenMask() throws {
        let model = stridedModel(seed: 3)
        let runtime = try exploring(model)
        let image = TestDigits.seven()
        let expected = ModelReconstructor(model: model).reconstruct(image: image, mask: hole)
        XCTAssertEqual(runtime.perform([.reconstruct(revision: 4, image: image, mask: hole)]),
                       [.reconstructed(revision: 4, pixels: expected)])
        XCTAssertNotNil(runtime.lastReconstructMilliseconds, "the network's time is measured for the D overlay")
        // The mask is the one given: another hole gives another answer.
        let other = runtime.perform([.reconstruct(revision: 5, image: image, mask: band)])
        XCTAssertEqual(other, [.reconstructed(revision: 5, pixels: ModelReconstructor(model: model).reconstruct(image: image, mask: band))])
        XCTAssertNotEqual(other, [.reconstructed(revision: 5, pixels: expected)])
        XCTAssertEqual(runtime.perform([.setLearningRate(1e-3)]), [])
        XCTAssertNil(runtime.lastReconstructMilliseconds, "no reconstruct, no time")
    }

    func testOfSeveralQuestionsOnlyTheNewestInputIsAnswered() throws {
        let model = stridedModel(seed: 3)
        let runtime = try exploring(model)
        let image = TestDigits.ring()
        let answers = runtime.perform([
            .reconstruct(revision: 1, image: image, mask: hole), .encodeFeatures(revision: 1, image: image, mask: hole),
            .reconstruct(revision: 2, image: image, mask: band), .encodeFeatures(revision: 2, image: image, mask: band),
            .classify(revision: 2, original: image, composite: image),
        ])
        let reference = ModelReconstructor(model: model)
        XCTAssertEqual(answers, [
            .reconstructed(revision: 2, pixels: reference.reconstruct(image: image, mask: band)),
            .featuresEncoded(revision: 2, features: reference.encoderFeatures(image: image, mask: band)),
            .classified(revision: 2, guesses: nil),   // no classifier given: the panel says so
        ])
    }

    func testSaveThenLoadRoundTripsTheWeights() throws {
        let model = stridedModel(seed: 5)
        let path = try temporaryDirectory(for: self).appendingPathComponent("saved.safetensors")
        let runtime = try exploring(model, savePath: path)
        XCTAssertEqual(runtime.perform([.saveCheckpoint(path: path.path)]), [.notice("saved \(path.path)")])

        let reset = runtime.perform([.resetModel])
        XCTAssertEqual(reset, [.modelLabel("fresh random weights (R)"), .unsavedTraining(false),
                               .modelIdentity(ModelIdentity(config: model.config, origin: .fresh)),
                               .notice("model reset to fresh random weights"), .modelUpdated(revision: 1)])
        XCTAssertNotEqual(runtime.inference.model.parameters.values, model.parameters.values, "reset: new weights")
        XCTAssertEqual(runtime.inference.model.config, model.config)

        XCTAssertEqual(runtime.perform([.loadCheckpoint(path: path.path)]), [.notice("loaded \(path.path) (step 0)"), .modelLabel(path.path),
                                                            .unsavedTraining(false),
                                                            .modelIdentity(ModelIdentity(config: model.config, origin: .file(path.path))),
                                                            .modelUpdated(revision: 2)])
        XCTAssertEqual(runtime.inference.model.parameters.values, model.parameters.values, "load: the saved weights")

        try FileManager.default.removeItem(at: path)
        let failed = runtime.perform([.loadCheckpoint(path: path.path)])
        XCTAssertEqual(failed.count, 2)
        XCTAssertTrue(failed.first?.noticeText?.hasPrefix("load failed: ") ?? false, "\(failed)")
        XCTAssertEqual(runtime.inference.model.parameters.values, model.parameters.values, "a failed load keeps the weights")
    }

    func testWithoutTrainingTheControlsSaySo() throws {
        let runtime = try exploring(stridedModel(seed: 1))
        runtime.startTraining()   // no plan: nothing starts
        XCTAssertFalse(runtime.isTraining)
        for effect: Effect in [.pauseTraining, .resumeTraining, .stepTraining] {
            XCTAssertEqual(runtime.perform([effect]), [.notice("training is off (--no-train)")], "\(effect)")
        }
        XCTAssertEqual(runtime.perform([.quit]), [], "quit is the driver's")
        XCTAssertEqual(runtime.poll(), [])
    }

    func testTrainingControlPausesStepsAndResetsARealTrainer() throws {
        BLASThreads.set(1)
        let digits = [TestDigits.ring(), TestDigits.bar(), TestDigits.seven()]
        var options = TrainingOptions()
        options.batchSize = 8
        options.evalEvery = 0
        options.maxSteps = 100_000
        let plan = TrainingPlan.trainer(images: (0..<24).flatMap { digits[$0 % 3] }, count: 24, evaluationImages: [],
                                        evaluationCount: 0, options: options)
        let runtime = try exploring(stridedModel(seed: 2), training: plan)
        let news = NewsCounter()
        runtime.onNews = { news.count() }
        runtime.startTraining()
        addTeardownBlock { runtime.stop(waitingAtMost: 5) }
        XCTAssertTrue(runtime.isTraining)

        let first = pollUntil(runtime) { !steps(in: $0).isEmpty }
        XCTAssertEqual(first.first, .training(.stateChanged(.training)))
        XCTAssertEqual(steps(in: first).first?.step, 1)
        XCTAssertTrue(first.contains { if case .modelUpdated = $0 { true } else { false } }, "a step brings new weights")
        XCTAssertGreaterThan(news.value, 0, "the trainer's thread said there was news")

        XCTAssertEqual(runtime.perform([.pauseTraining]), [])
        let untilPaused = pollUntil(runtime) { $0.contains(.training(.stateChanged(.paused))) }
        XCTAssertTrue(untilPaused.contains(.training(.stateChanged(.paused))), "the trainer paused")
        let pausedAt = try XCTUnwrap((steps(in: first) + steps(in: untilPaused)).last?.step)
        Thread.sleep(forTimeInterval: 0.3)
        XCTAssertEqual(steps(in: runtime.poll()), [], "no step while paused")

        XCTAssertEqual(runtime.perform([.setLearningRate(5e-4), .stepTraining]), [])
        let stepped = pollUntil(runtime) { !steps(in: $0).isEmpty }
        XCTAssertEqual(steps(in: stepped).map(\.step), [pausedAt + 1], "s: exactly one step")
        XCTAssertEqual(steps(in: stepped).first?.learningRate, 5e-4, "the new rate is used from the next step")
        Thread.sleep(forTimeInterval: 0.3)
        XCTAssertEqual(steps(in: runtime.poll()), [], "paused again after the single step")

        // A reset starts a new trainer from fresh weights; the old one's last events (its stop) are dropped.
        let reset = runtime.perform([.resetModel])
        XCTAssertEqual(reset.first, .trainingReset)
        XCTAssertTrue(reset.contains(.notice("model reset to fresh random weights")))
        let restarted = pollUntil(runtime) { !steps(in: $0).isEmpty }
        XCTAssertEqual(steps(in: restarted).first?.step, 1, "the curves start over")
        XCTAssertEqual(steps(in: restarted).first?.learningRate, TrainingOptions().learningRate, "a fresh model trains at 1e-3")
        XCTAssertFalse(restarted.contains(.training(.stopped(.cancelled))), "the cancelled trainer's events are dropped")
    }

    /// While training runs, a drag's motion (a changed input) keeps weights taken less than
    /// `dragWeightsInterval` ago instead of quantising each new snapshot; once that is due, `poll` says
    /// `.modelUpdated` and the refresh of the same input (the tick's) takes the newest weights, so a drag that
    /// ends as training pauses is not left showing older ones.
    func testADragMotionKeepsRecentWeightsAndPollBringsTheNewestWhenDue() throws {
        BLASThreads.set(1)
        let digits = [TestDigits.ring(), TestDigits.bar(), TestDigits.seven()]
        var options = TrainingOptions()
        options.batchSize = 8
        options.evalEvery = 0
        options.maxSteps = 100_000
        options.learningRate = 1e-2   // every step moves the weights
        let plan = TrainingPlan.trainer(images: (0..<24).flatMap { digits[$0 % 3] }, count: 24, evaluationImages: [],
                                        evaluationCount: 0, options: options)
        let runtime = try exploring(stridedModel(seed: 6), training: plan)
        var now = 0.0
        runtime.clock = { now }
        runtime.startTraining()
        addTeardownBlock { runtime.stop(waitingAtMost: 5) }
        let image = TestDigits.seven()

        _ = runtime.perform([.reconstruct(revision: 1, image: image, mask: hole)])   // weights taken at t = 0
        let taken = runtime.inference.model
        XCTAssertGreaterThanOrEqual(steps(in: pollUntil(runtime) { steps(in: $0).count >= 2 }).count, 2)
        XCTAssertEqual(runtime.perform([.pauseTraining]), [])
        XCTAssertTrue(pollUntil(runtime) { $0.contains(.training(.stateChanged(.paused))) }
            .contains(.training(.stateChanged(.paused))))

        now = 0.1
        let motion = runtime.perform([.reconstruct(revision: 2, image: image, mask: band)])
        XCTAssertEqual(runtime.inference.model.parameters.values, taken.parameters.values,
                       "a motion 0.1 s after the weights were taken keeps them, though training stepped since")
        XCTAssertEqual(motion, [.reconstructed(revision: 2, pixels: ModelReconstructor(model: taken).reconstruct(image: image, mask: band))])
        XCTAssertFalse(runtime.poll().contains { if case .modelUpdated = $0 { true } else { false } },
                       "paused and not yet due: nothing to say")

        now = 0.1 + UIRuntime.dragWeightsInterval
        XCTAssertTrue(runtime.poll().contains { if case .modelUpdated = $0 { true } else { false } },
                      "the held-back weights are due: the UI is told to refresh")
        _ = runtime.perform([.reconstruct(revision: 3, image: image, mask: band)])   // the tick's refresh: same input
        XCTAssertNotEqual(runtime.inference.model.parameters.values, taken.parameters.values, "the refresh takes the newest weights")
        XCTAssertFalse(runtime.poll().contains { if case .modelUpdated = $0 { true } else { false } }, "said once")
    }
    /// `R` with a recipe's fresh run (as `inpaint tui` gives the paper network with the mask channel
    /// `--recipe fast`): the fresh weights train with that recipe's warm-up and length, not the plan's rate.
    func testResetTrainsFreshWeightsWithTheRecipesRun() throws {
        BLASThreads.set(1)
        let digits = [TestDigits.ring(), TestDigits.bar(), TestDigits.seven()]
        let images = (0..<24).flatMap { digits[$0 % 3] }
        var options = TrainingOptions()
        options.batchSize = 8
        options.evalEvery = 0
        options.maxSteps = 100_000
        var plan = TrainingPlan.trainer(images: images, count: 24, evaluationImages: [], evaluationCount: 0, options: options)
        var recipe = options
        recipe.maxSteps = nil
        recipe.epochs = 2                      // 6 steps of 8 images
        recipe.learningRate = 2e-3
        recipe.warmupSteps = 4
        recipe.schedule = .cosine
        plan.freshRun = .init(name: "fast", config: stridedModel(seed: 2).config,
                              plan: .trainer(images: images, count: 24, evaluationImages: [], evaluationCount: 0, options: recipe))
        let runtime = try exploring(stridedModel(seed: 2), training: plan)
        runtime.startTraining()
        addTeardownBlock { runtime.stop(waitingAtMost: 5) }
        XCTAssertEqual(steps(in: pollUntil(runtime) { !steps(in: $0).isEmpty }).first?.learningRate, 1e-3, "the plan's own rate")

        let reset = runtime.perform([.resetModel])
        XCTAssertEqual(reset.first, .trainingReset)
        XCTAssertTrue(reset.contains(.notice("model reset to fresh random weights, training with --recipe fast (6 steps)")), "\(reset)")
        XCTAssertTrue(reset.contains(.modelLabel("fresh weights, --recipe fast (R)")))
        let run = pollUntil(runtime) { $0.contains(.training(.stopped(.finished))) }
        let rates = steps(in: run).map(\.learningRate)
        XCTAssertEqual(steps(in: run).map(\.step), Array(1...6), "the recipe's length: it finishes")
        XCTAssertEqual(Double(rates[0]), 2e-3 / 4, accuracy: 1e-9, "the recipe's warm-up")
        XCTAssertGreaterThan(rates[3], rates[5], "then the cosine decays")

        // A network the recipe is not for (here the recipe is the paper one's) resets to the session's plan.
        plan.freshRun?.config = ModelConfig(architecture: .paper, maskChannel: true)
        let other = try exploring(stridedModel(seed: 2), training: plan)
        other.startTraining()
        addTeardownBlock { other.stop(waitingAtMost: 5) }
        let plain = other.perform([.resetModel])
        XCTAssertTrue(plain.contains(.notice("model reset to fresh random weights")), "\(plain)")
        XCTAssertEqual(steps(in: pollUntil(other) { !steps(in: $0).isEmpty }).first?.learningRate, 1e-3, "the plan's rate")
    }

    func testPresetFromTheMenuReplacesTheNetwork() throws {
        let runtime = try exploring(stridedModel(seed: 1))
        let answers = runtime.perform([.startPreset(.oneSeven)])
        let run = try PresetRun(name: .oneSeven, dataset: try bundledSample(), seed: 1, maskChannel: false)
        XCTAssertEqual(answers, [.presetStarted(run.start), .notice("one-seven: a fresh network, not training (--no-train)"),
                                 .modelLabel("fresh paper (seed 1)"), .modelIdentity(run.identity), .modelUpdated(revision: 1)])
        XCTAssertEqual(run.identity, ModelIdentity(config: ModelConfig(), origin: .fresh), "the header: fresh, never bundled")
        XCTAssertEqual(runtime.inference.model.parameters.values, run.freshModel().parameters.values)
    }
}

/// Counts `onNews` calls from the training thread.
private final class NewsCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var calls = 0
    func count() { lock.withLock { calls += 1 } }
    var value: Int { lock.withLock { calls } }
}
