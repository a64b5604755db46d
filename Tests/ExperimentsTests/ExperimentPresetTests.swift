@testable import Experiments
import Foundation
@testable import Inpainting
import NeuralCore
import TestSupport
import XCTest

/// Each `inpaint tui --preset` yields its experiment's data and recipe, and `FullBatchTrainer` trains
/// exactly as the experiment's own loop does. On the bundled 1,000-digit sample (no training here).
final class ExperimentPresetTests: XCTestCase {
    private func context(seed: UInt64 = 1) throws -> ExperimentContext {
        let sample = try bundledSampleSplits()
        return ExperimentContext(train: sample.train, test: sample.test, seed: seed)
    }

    private func fullBatch(_ preset: ExperimentPreset, file: StaticString = #filePath, line: UInt = #line) -> FullBatchRecipe? {
        guard case .fullBatch(let recipe) = preset.training else {
            XCTFail("\(preset.name) should train full batch", file: file, line: line)
            return nil
        }
        return recipe
    }

    private func randomHoles(_ recipe: FullBatchRecipe) -> Bool {
        if case .randomRectangles = recipe.holes { return true } else { return false }
    }

    func testOneSevenIsTheFirstSevenAtAHundredPinnedPositions() throws {
        let c = try context()
        let p = try ExperimentName.oneSeven.preset(c)
        let recipe = try XCTUnwrap(fullBatch(p))
        XCTAssertEqual(p.config, ModelConfig(architecture: .paper, bias: false))
        XCTAssertEqual([recipe.count, recipe.steps], [100, 100])
        XCTAssertEqual(recipe.learningRate, 3e-3)
        let seven = Array(c.train.image(at: c.train.indices(ofLabel: 7)[0]))
        XCTAssertEqual(p.digits, seven)
        XCTAssertEqual(p.labels, [7])
        XCTAssertTrue(recipe.images == Array([[Float]](repeating: seven, count: 100).joined()))
        guard case .fixed(let masks) = recipe.holes else { return XCTFail("one-seven pins its holes") }
        let trainingHoles = Set((0..<100).map { i in Array(masks[(i * 784)..<((i + 1) * 784)]) })
        XCTAssertEqual(trainingHoles.count, 100, "100 different positions")
        // The UI starts at a position it never trained on, and the evaluation curve scores those positions.
        let hole = try XCTUnwrap(p.initialHole)
        XCTAssertEqual([hole.height, hole.width], [10, 10])
        XCTAssertFalse(trainingHoles.contains(hole.mask()))
        XCTAssertGreaterThan(p.evaluationCount, 0)
        XCTAssertTrue(p.evaluationImages == Array([[Float]](repeating: seven, count: p.evaluationCount).joined()))
    }

    func testBiasAddsBiasesAndATwoToCompare() throws {
        let p = try ExperimentName.bias.preset(context())
        XCTAssertTrue(p.config.bias)
        XCTAssertEqual(p.labels, [7, 2])
        XCTAssertEqual(p.groups.map(\.name), ["the one training 7", "a 2 it never saw"])
    }

    func testSevensAndDigitsTrainOnTheirSubsetsAndBrowseUnseenOnes() throws {
        let c = try context()
        let sevens = try ExperimentName.sevens.preset(c)
        let r = try XCTUnwrap(fullBatch(sevens))
        XCTAssertEqual([r.count, r.steps], [40, 200])
        XCTAssertEqual(r.learningRate, 1e-3)
        XCTAssertTrue(randomHoles(r))
        XCTAssertTrue(sevens.labels.allSatisfy { $0 == 7 })
        XCTAssertEqual(sevens.groups.map(\.name), ["training", "unseen test"])
        XCTAssertEqual(sevens.groups[0].range, 0..<40)
        XCTAssertTrue(Array(sevens.digits[0..<(40 * 784)]) == r.images, "the training 7s come first")
        XCTAssertEqual(sevens.evaluationCount, sevens.groups[1].range.count)

        let digits = try ExperimentName.digits.preset(c)
        let d = try XCTUnwrap(fullBatch(digits))
        XCTAssertEqual([d.count, d.steps], [200, 500])
        XCTAssertEqual(Set(digits.labels[0..<200]), Set(0...9))
    }

    func testPositionAndBrightnessShareTheReportsSingleChannelNetwork() throws {
        let c = try context()
        let position = try ExperimentName.position.preset(c)
        XCTAssertFalse(position.config.maskChannel)
        XCTAssertTrue(try ExperimentName.position.preset(c, maskChannel: true).config.maskChannel)
        let r = try XCTUnwrap(fullBatch(position))
        XCTAssertEqual([r.count, r.steps], [200, 300])
        XCTAssertEqual(position.groups.first?.name, "unseen test", "the figure is about unseen digits")

        let brightness = try ExperimentName.brightness.preset(c)
        XCTAssertEqual(brightness.initialHole, HoleRect(top: 6, left: 6, height: 16, width: 16))
        XCTAssertTrue(try XCTUnwrap(fullBatch(brightness)).images == r.images)
    }

    func testMixingUsesSevensAndNinesAndTheAmbiguousHole() throws {
        let c = try context()
        let p = try ExperimentName.mixing.preset(c)
        let r = try XCTUnwrap(fullBatch(p))
        XCTAssertEqual([r.count, r.steps], [80, 300])
        XCTAssertEqual(Set(p.labels), [7, 9])
        XCTAssertEqual(p.initialHole, try MixingExperiment.setup(c).hole)
        XCTAssertTrue(p.evaluationMasks == Array([[Float]](repeating: p.initialHole!.mask(), count: p.evaluationCount).joined()))
    }

    func testFullTrainsTheWholeSplitWithTheBestRecipe() throws {
        let c = try context()
        let p = try ExperimentName.full.preset(c)
        guard case .minibatch(_, let count, let options) = p.training else { return XCTFail("full uses Trainer") }
        XCTAssertEqual(count, c.train.count)
        XCTAssertEqual(options.batchSize, 64)
        // The bundled model's recipe (assets/MODEL.md): mask channel, 30 epochs, Adam 1e-3, cosine decay.
        XCTAssertTrue(p.config.maskChannel)
        XCTAssertEqual(options.epochs, 30)
        XCTAssertNil(options.maxSteps)
        XCTAssertEqual(options.schedule, .cosine)
        XCTAssertEqual(options.learningRate, 1e-3)
        XCTAssertEqual(options.workers, 1, "the UI trains on one worker")
        XCTAssertEqual(p.labels.count, c.test.count)
    }

    /// Every experiment but `architectures` (three networks side by side) is a preset; asking for it throws.
    func testEveryExperimentButArchitecturesIsAPreset() throws {
        XCTAssertEqual(ExperimentName.presets, ExperimentName.allCases.filter { $0 != .architectures })
        XCTAssertThrowsError(try ExperimentName.architectures.preset(context()))
    }

    func testAdversarialTrainsTheExperimentsAdversarialArm() throws {
        var c = try context()
        let p = try ExperimentName.adversarial.preset(c)
        guard case .minibatch(_, let count, let options) = p.training else { return XCTFail("adversarial uses Trainer") }
        XCTAssertEqual(count, c.train.count)
        XCTAssertEqual(options.maxSteps, AdversarialExperiment.steps)
        XCTAssertEqual(options.adversarial, AdversarialOptions(weight: 0.001))
        c.adversarialWeight = 0.01
        guard case .minibatch(_, _, let stronger) = try ExperimentName.adversarial.preset(c).training else { return XCTFail() }
        XCTAssertEqual(stronger.adversarial?.weight, 0.01)
        guard case .minibatch(_, _, let full) = try ExperimentName.full.preset(c).training else { return XCTFail() }
        XCTAssertNil(full.adversarial, "full stays the L2 twin")
    }

    /// The live trainer and the experiment's loop give the same weights bit for bit, for pinned holes and
    /// for fresh random rectangles, including the chunked (>100 images) gradient average.
    func testFullBatchTrainerEqualsTheExperimentLoop() {
        var g = SeededGenerator(seed: 5)
        let images = (0..<(101 * 784)).map { _ in g.nextUnitFloat() < 0.2 ? g.nextUnitFloat() : 0 }
        let fixed = (0..<101).flatMap { i in HoleRect(top: i % 18, left: (i * 7) % 18, height: 10, width: 10).mask() }
        for holes in [FullBatchRecipe.Holes.fixed(fixed), .randomRectangles] {
            var rng = SeededGenerator(seed: 9)
            let start = ContextEncoder(config: ModelConfig(architecture: .strided), generator: &rng)
            var expected = start
            let random = ExperimentTraining.randomRectangles(count: 101)
            let losses = ExperimentTraining.train(&expected, images: images, count: 101, steps: 3, learningRate: 2e-3,
                                                  seed: 4, phase: "test", progress: { _ in }) { step, rng in
                if case .fixed(let m) = holes { return m }
                return random(step, &rng)
            }
            let recipe = FullBatchRecipe(images: images, count: 101, holes: holes, steps: 3, learningRate: 2e-3, seed: 4)
            let events = EventLog()
            let trainer = FullBatchTrainer(model: start, recipe: recipe, evaluationImages: Array(images[0..<(2 * 784)]),
                                           evaluationMasks: Array(fixed[0..<(2 * 784)]), evaluationEvery: 2) { events.append($0) }
            XCTAssertEqual(trainer.run(), .finished)
            XCTAssertTrue(trainer.snapshot == expected, "the live trainer drifted from the experiment loop")
            XCTAssertEqual(events.stepLosses, losses)
            XCTAssertEqual(events.evaluationSteps, [2, 3])
        }
    }

    func testFullBatchTrainerStepsOneAtATimeWhilePausedAndCancels() {
        var g = SeededGenerator(seed: 2)
        let images = (0..<(4 * 784)).map { _ in g.nextUnitFloat() }
        let model = ContextEncoder(config: ModelConfig(architecture: .strided), generator: &g)
        let recipe = FullBatchRecipe(images: images, count: 4, holes: .randomRectangles, steps: 50, learningRate: 1e-3, seed: 1)
        let events = EventLog()
        let trainer = FullBatchTrainer(model: model, recipe: recipe) { events.append($0) }
        trainer.pause()
        trainer.stepOnce()
        trainer.stepOnce()
        let done = DispatchSemaphore(value: 0)
        DispatchQueue.global().async { trainer.run(); done.signal() }
        let deadline = Date().addingTimeInterval(30)
        while events.stepLosses.count < 2 && Date() < deadline { usleep(10_000) }
        usleep(100_000)
        XCTAssertEqual(events.stepLosses.count, 2, "paused: only the two single steps run")
        trainer.cancel()
        XCTAssertEqual(done.wait(timeout: .now() + 30), .success)
        XCTAssertEqual(events.stopReason, .cancelled)
    }
}

/// Collects a trainer's events from its thread.
private final class EventLog: @unchecked Sendable {
    private let lock = NSLock()
    private var events: [TrainingEvent] = []
    func append(_ event: TrainingEvent) { lock.lock(); events.append(event); lock.unlock() }
    private var all: [TrainingEvent] { lock.lock(); defer { lock.unlock() }; return events }
    var stepLosses: [Float] { all.compactMap { if case .step(let s) = $0 { return s.loss } else { return nil } } }
    var evaluationSteps: [Int] { all.compactMap { if case .evaluation(let step, _) = $0 { return step } else { return nil } } }
    var stopReason: StopReason? { all.compactMap { if case .stopped(let r) = $0 { return r } else { return nil } }.last }
}
