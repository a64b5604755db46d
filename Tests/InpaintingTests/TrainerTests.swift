import Datasets
import Foundation
import Inpainting
import NeuralCore
import TestSupport
import XCTest

/// Collects events from the training thread.
private final class EventLog: @unchecked Sendable {
    private let lock = NSLock()
    private var events: [TrainingEvent] = []
    func append(_ e: TrainingEvent) { lock.lock(); events.append(e); lock.unlock() }
    var all: [TrainingEvent] { lock.lock(); defer { lock.unlock() }; return events }
    var steps: [TrainingStep] { all.compactMap { if case .step(let s) = $0 { return s } else { return nil } } }
    var states: [TrainerState] { all.compactMap { if case .stateChanged(let s) = $0 { return s } else { return nil } } }
}

final class TrainerTests: XCTestCase {
    /// Smooth synthetic "digits" (a blob each), so the tests need no data set: count×784 in [0, 1].
    private func blobs(count: Int, seed: UInt64) -> [Float] {
        var rng = SeededGenerator(seed: seed)
        var out = [Float](repeating: 0, count: count * Digit.pixels)
        for i in 0..<count {
            let cy = rng.uniform(8, 20), cx = rng.uniform(8, 20), r = rng.uniform(3, 7)
            for y in 0..<28 { for x in 0..<28 {
                let d = ((Float(y) - cy) * (Float(y) - cy) + (Float(x) - cx) * (Float(x) - cx)).squareRoot()
                out[i * Digit.pixels + y * 28 + x] = max(0, min(1, (r - d) / 2 + 0.5))
            } }
        }
        return out
    }

    private let config = ModelConfig(architecture: .strided)

    private func makeModel(seed: UInt64 = 3) -> ContextEncoder {
        var g = SeededGenerator(seed: seed)
        return ContextEncoder(config: config, generator: &g)
    }

    private func options(steps: Int) -> TrainingOptions {
        var o = TrainingOptions()
        o.batchSize = 8
        o.maxSteps = steps
        o.evalEvery = 4
        o.seed = 11
        return o
    }

    func testEventsAndLossDecrease() {
        let images = blobs(count: 40, seed: 1)
        let log = EventLog()
        let trainer = Trainer(model: makeModel(), images: images, count: 40, options: options(steps: 30),
                              evaluationImages: blobs(count: 16, seed: 2), evaluationCount: 16,
                              events: { log.append($0) })
        XCTAssertEqual(trainer.run(), .finished)
        let steps = log.steps
        XCTAssertEqual(steps.map(\.step), Array(1...30))
        XCTAssertEqual(steps.first?.epoch, 1)
        XCTAssertEqual(steps.last?.epoch, 6, "40 images in batches of 8: 5 steps per epoch")
        XCTAssertTrue(steps.allSatisfy { $0.loss.isFinite && $0.imagesPerSecond >= 0 && $0.learningRate == 1e-3 })
        // Every step carries every tensor's gradient norm, by checkpoint name, in the network's order.
        let names = makeModel().parameters.entries.map(\.name)
        XCTAssertTrue(steps.allSatisfy { $0.gradientNorms.map(\.name) == names }, "\(steps.first!.gradientNorms)")
        XCTAssertTrue(steps.allSatisfy { $0.gradientNorms.allSatisfy { $0.norm.isFinite && $0.norm > 0 } })
        let evaluations = log.all.compactMap { if case .evaluation(let s, let l) = $0 { return (s, l) } else { return nil } }
        XCTAssertEqual(evaluations.map(\.0), [4, 8, 12, 16, 20, 24, 28])
        XCTAssertLessThan(evaluations.last!.1, evaluations.first!.1, "held-out loss should fall while training")
        let epochs = log.all.compactMap { if case .epochFinished(let e) = $0 { return e } else { return nil } }
        XCTAssertEqual(epochs, [1, 2, 3, 4, 5, 6])
        XCTAssertEqual(log.states, [.training, .stopped])
        guard case .stopped(.finished) = log.all.last else { return XCTFail("last event should be stopped(finished)") }
    }

    /// `grad_norms` in the log's JSON: an object by tensor name, read back in the network's order whatever
    /// the object's key order; null for a non-finite norm; absent when not measured.
    func testGradientNormsRoundTripThroughTheLogsJSON() throws {
        let norms = [GradientNorm(name: "enc.0.weight", norm: 0.5), GradientNorm(name: "enc.2.weight", norm: 0.25),
                     GradientNorm(name: "fc.weight", norm: 2), GradientNorm(name: "fc.bias", norm: .infinity),
                     GradientNorm(name: "dec.0.weight", norm: 1), GradientNorm(name: "dec.4.weight", norm: 0.125)]
        let event = TrainingEvent.step(TrainingStep(step: 3, epoch: 1, loss: 0.1, imagesPerSecond: 10, learningRate: 1e-3,
                                                    gradientNorms: norms))
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys  // dec before enc: the reader must restore the order
        let text = String(decoding: try encoder.encode(event), as: UTF8.self)
        XCTAssert(text.contains("\"grad_norms\":{\"dec.0.weight\":1,"), text)
        XCTAssert(text.contains("\"fc.bias\":null"), text)
        guard case .step(let back) = try JSONDecoder().decode(TrainingEvent.self, from: Data(text.utf8)) else {
            return XCTFail("not a step: \(text)")
        }
        XCTAssertEqual(back.gradientNorms.map(\.name), norms.map(\.name))
        XCTAssertEqual(back.gradientNorms[2].norm, 2)
        XCTAssert(back.gradientNorms[3].norm.isNaN)
        let old = #"{"event":"step","step":1,"loss":0.2}"#
        guard case .step(let plain) = try JSONDecoder().decode(TrainingEvent.self, from: Data(old.utf8)) else { return XCTFail() }
        XCTAssertEqual(plain.gradientNorms, [])
    }

    /// A final save that fails is the run's outcome (issue 15: "done … model written" with no file):
    /// `.failed` naming the reason, announced once; a periodic failure is an event and training goes on.
    func testAFailedFinalSaveStopsAsFailedNotFinished() {
        struct DiskFull: Error, CustomStringConvertible { var description: String { "out.safetensors: No space left on device" } }
        let log = EventLog()
        var o = options(steps: 4)
        o.checkpointEvery = 3
        let trainer = Trainer(model: makeModel(), images: blobs(count: 16, seed: 1), count: 16, options: o,
                              checkpointSink: { _ in throw DiskFull() }, events: { log.append($0) })
        let reason = trainer.run()
        guard case .failed(let message) = reason else { return XCTFail("expected .failed, got \(reason)") }
        XCTAssertTrue(message.contains("No space left on device"), message)
        XCTAssertEqual(log.steps.count, 4, "a failed periodic save does not stop training")
        let stops = log.all.compactMap { if case .stopped(let r) = $0 { return r } else { return nil } }
        XCTAssertEqual(stops.count, 2, "the periodic failure at step 3, then the run's own stop: \(stops)")
        XCTAssertEqual(stops.last, reason)
    }

    func testPauseSingleStepAndCancelFromAnotherThread() {
        let log = EventLog()
        let trainer = Trainer(model: makeModel(), images: blobs(count: 16, seed: 1), count: 16,
                              options: options(steps: 1000), events: { log.append($0) })
        trainer.pause()
        let done = expectation(description: "run returns")
        let result = ResultBox()
        DispatchQueue.global().async { result.reason = trainer.run(); done.fulfill() }
        XCTAssertTrue(poll { log.states.contains(.paused) }, "trainer should report that it is paused")
        XCTAssertEqual(log.steps.count, 0, "no step may run while paused")
        trainer.stepOnce()
        trainer.stepOnce()
        XCTAssertTrue(poll { log.steps.count == 2 })
        Thread.sleep(forTimeInterval: 0.2)
        XCTAssertEqual(log.steps.count, 2, "exactly the requested single steps run")
        trainer.setLearningRate(5e-4)
        trainer.resume()
        XCTAssertTrue(poll { log.steps.count >= 5 })
        XCTAssertEqual(log.steps.last?.learningRate, 5e-4, "a learning-rate change applies on the next step")
        trainer.cancel()
        wait(for: [done], timeout: 30)
        XCTAssertEqual(result.reason, .cancelled)
        XCTAssertEqual(log.states.prefix(3), [.training, .paused, .training])
        XCTAssertEqual(trainer.snapshotStep, trainer.checkpoint().step, "the final snapshot is the final weights")
        XCTAssertEqual(trainer.snapshot.parameters, trainer.checkpoint().model.parameters)
    }

    func testSnapshotIsPublishedOnlyWhenAskedAndStaysImmutable() {
        let trainer = Trainer(model: makeModel(), images: blobs(count: 16, seed: 1), count: 16,
                              options: options(steps: 6), events: { _ in })
        let before = trainer.snapshot        // asks for a snapshot
        trainer.run()
        XCTAssertEqual(before.parameters, makeModel().parameters, "a snapshot already taken never changes")
        XCTAssertEqual(trainer.snapshot.parameters, trainer.checkpoint().model.parameters)
    }

    /// The paper model's 5×5 16→16 layers take Winograd F(4×4, 5×5) in four of their six passes: 20 steps stay
    /// within 1e-3 (relative) of the direct kernel's losses, and two runs with it repeat bit for bit.
    func testPaperTrainingWithWinogradIsCloseToDirectAndRepeats() {
        defer { WinogradConvolution.isEnabled = true }
        let images = blobs(count: 64, seed: 7)
        var o = options(steps: 20)
        o.batchSize = 16
        func run(winograd: Bool) -> (losses: [Float], weights: [Float]) {
            WinogradConvolution.isEnabled = winograd
            var g = SeededGenerator(seed: 3)
            let log = EventLog()
            let trainer = Trainer(model: ContextEncoder(config: ModelConfig(architecture: .paper), generator: &g),
                                  images: images, count: 64, options: o, events: { log.append($0) })
            XCTAssertEqual(trainer.run(), .finished)
            return (log.steps.map(\.loss), trainer.checkpoint().model.parameters.values)
        }
        let on = run(winograd: true), again = run(winograd: true), off = run(winograd: false)
        XCTAssertEqual(on.losses.count, 20)
        XCTAssertEqual(on.losses, again.losses, "same seed, same bits")
        XCTAssertEqual(on.weights, again.weights, "same seed, same bits")
        XCTAssertNotEqual(on.weights, off.weights, "the Winograd path should have been taken")
        let worst = zip(on.losses, off.losses).map { abs($0 - $1) / $1 }.max()!
        print(String(format: "paper model, 20 steps: Winograd vs direct loss, max relative difference %.2e", worst))
        XCTAssertLessThan(worst, 1e-3, "on \(on.losses)\noff \(off.losses)")
    }

    /// With and without adversarial training: the discriminator and its Adam travel in the same file.
    func testResumeFromACheckpointFileMatchesAnUninterruptedRunBitForBit() throws {
        for adversarial in [nil, AdversarialOptions(weight: 0.01)] {
            let images = blobs(count: 40, seed: 5)
            var o13 = options(steps: 13), o7 = options(steps: 7)
            o13.adversarial = adversarial
            o7.adversarial = adversarial
            let straight = Trainer(model: makeModel(), images: images, count: 40, options: o13, events: { _ in })
            straight.run()

            let first = Trainer(model: makeModel(), images: images, count: 40, options: o7, events: { _ in })
            first.run()
            // Through the real file format, as `train --resume` does.
            let url = FileManager.default.temporaryDirectory.appendingPathComponent("resume-\(UUID()).safetensors")
            defer { try? FileManager.default.removeItem(at: url) }
            try Checkpoint(first.checkpoint()).write(to: url)
            XCTAssertEqual(try SafetensorsFile.read(contentsOf: url).names.contains("disc.5.weight"), adversarial != nil)
            var restored = try Checkpoint.read(contentsOf: url).trainingCheckpoint()
            XCTAssertEqual(restored.options.adversarial, adversarial, "the recipe records the adversarial term")
            XCTAssertEqual(restored.adversary, first.checkpoint().adversary, "discriminator and its Adam, exactly")
            restored.options.maxSteps = 13
            let second = Trainer(model: restored.model, images: images, count: 40, options: restored.options,
                                 resumeFrom: restored, events: { _ in })
            second.run()
            XCTAssertEqual(second.checkpoint().step, 13)
            XCTAssertEqual(second.checkpoint().model.parameters.values, straight.checkpoint().model.parameters.values,
                           "resumed weights must equal the uninterrupted run's exactly (adversarial: \(adversarial != nil))")
            XCTAssertEqual(second.checkpoint().optimizer, straight.checkpoint().optimizer)
            XCTAssertEqual(second.checkpoint().adversary, straight.checkpoint().adversary)
            XCTAssertEqual(second.checkpoint().adversary?.optimizer.state.step, adversarial == nil ? nil : 13)
        }
    }

    func testAdversarialTermReportsBothLossesAndChangesOnlyWhatItShould() {
        let images = blobs(count: 40, seed: 6)
        var o = options(steps: 10)
        let plainLog = EventLog(), adversarialLog = EventLog()
        let plain = Trainer(model: makeModel(), images: images, count: 40, options: o, events: { plainLog.append($0) })
        plain.run()
        o.adversarial = AdversarialOptions(weight: 0.05)
        let adversarial = Trainer(model: makeModel(), images: images, count: 40, options: o, events: { adversarialLog.append($0) })
        adversarial.run()
        XCTAssertTrue(plainLog.steps.allSatisfy { $0.adversarial == nil })
        let losses = adversarialLog.steps.compactMap(\.adversarial)
        XCTAssertEqual(losses.count, 10)
        // An untrained D is unsure: L_D near ln 4 and L_adv near ln 2 at the start.
        XCTAssertEqual(Double(losses[0].discriminator), log(4.0), accuracy: 0.3)
        XCTAssertEqual(Double(losses[0].generator), log(2.0), accuracy: 0.3)
        // Same first batch and initial weights: the first reconstruction loss is the same; the weights then differ.
        XCTAssertEqual(adversarialLog.steps[0].loss, plainLog.steps[0].loss)
        XCTAssertNotEqual(adversarial.checkpoint().model.parameters.values, plain.checkpoint().model.parameters.values)
        XCTAssertNil(plain.checkpoint().adversary)
        XCTAssertEqual(adversarial.checkpoint().adversary?.optimizer.state.step, 10)
    }

    func testCosineScheduleWithWarmupReachesEveryStepAndSurvivesACheckpoint() throws {
        var o = options(steps: 12)
        o.schedule = .cosine
        o.warmupSteps = 2
        // Hand-computed: warm-up 1/2, 2/2 of the rate, then 0.5·(1 + cos(π·k/10)) for k = 0…9.
        let expected: [Float] = [0.5, 1] + (0..<10).map { Float(0.5 * (1 + cos(Double.pi * Double($0) / 10))) }
        for (s, factor) in expected.enumerated() {
            XCTAssertEqual(o.learningRate(base: 1e-3, step: s, totalSteps: 12), 1e-3 * factor, accuracy: 1e-9)
        }
        XCTAssertEqual(o.learningRate(base: 1e-3, step: 5, totalSteps: nil), 1e-3, "open-ended runs stay constant")

        let images = blobs(count: 40, seed: 5)
        let log = EventLog()
        let straight = Trainer(model: makeModel(), images: images, count: 40, options: o, events: { log.append($0) })
        straight.run()
        for (got, factor) in zip(log.steps.map(\.learningRate), expected) { XCTAssertEqual(got, 1e-3 * factor, accuracy: 1e-9) }

        // Interrupted at step 5 (as by Ctrl-C), saved, resumed: the schedule continues where it was.
        final class Box: @unchecked Sendable { var trainer: Trainer? }
        let box = Box()
        let first = Trainer(model: makeModel(), images: images, count: 40, options: o, events: { event in
            if case .step(let s) = event, s.step == 5 { box.trainer?.cancel() }
        })
        box.trainer = first
        XCTAssertEqual(first.run(), .cancelled)
        XCTAssertEqual(first.checkpoint().step, 5)
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("cosine-\(UUID()).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        try Checkpoint(first.checkpoint()).write(to: url)
        let restored = try Checkpoint.read(contentsOf: url).trainingCheckpoint()
        XCTAssertEqual(restored.options.schedule, .cosine)
        XCTAssertEqual(restored.options.warmupSteps, 2)
        let second = Trainer(model: restored.model, images: images, count: 40, options: restored.options,
                             resumeFrom: restored, events: { _ in })
        second.run()
        XCTAssertEqual(second.checkpoint().model.parameters.values, straight.checkpoint().model.parameters.values)
    }

    func testNonFiniteLossStopsWithoutTouchingWeightsOrSaving() {
        var images = blobs(count: 8, seed: 1)
        for i in stride(from: 0, to: images.count, by: 97) { images[i] = .nan }
        let log = EventLog()
        let saves = ResultBox()
        let model = makeModel()
        let trainer = Trainer(model: model, images: images, count: 8, options: options(steps: 10),
                              checkpointSink: { _ in saves.count += 1; return "x" }, events: { log.append($0) })
        XCTAssertEqual(trainer.run(), .nonFiniteLoss(step: 1))
        XCTAssertEqual(trainer.checkpoint().model.parameters, model.parameters, "no update from a NaN loss")
        XCTAssertEqual(trainer.checkpoint().step, 0)
        XCTAssertEqual(saves.count, 0, "the last good checkpoint on disk is kept")
        XCTAssertTrue(log.steps.isEmpty)
    }

    func testCheckpointsAreRequestedEveryNStepsAndAtTheEnd() {
        var o = options(steps: 7)
        o.checkpointEvery = 3
        let saved = ResultBox()
        let log = EventLog()
        let trainer = Trainer(model: makeModel(), images: blobs(count: 16, seed: 1), count: 16, options: o,
                              checkpointSink: { state in saved.steps.append(state.step); return "/tmp/ck-\(state.step)" },
                              events: { log.append($0) })
        trainer.run()
        XCTAssertEqual(saved.steps, [3, 6, 7])
        let paths = log.all.compactMap { if case .checkpointWritten(let p) = $0 { return p } else { return nil } }
        XCTAssertEqual(paths, ["/tmp/ck-3", "/tmp/ck-6", "/tmp/ck-7"])
    }

    private func poll(timeout: TimeInterval = 30, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if condition() { return true }
            Thread.sleep(forTimeInterval: 0.01)
        }
        return condition()
    }
}

private final class ResultBox: @unchecked Sendable {
    var reason: StopReason?
    var count = 0
    var steps: [Int] = []
}
