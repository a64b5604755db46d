import Foundation
import Inpainting
import NeuralCore
import TerminalRuntime
import TerminalUI
import TestSupport
import XCTest

/// `inpaint watch`'s runtime: lines appended to a log come back as the trainer's own events, and the
/// checkpoint the log names is reloaded whenever it is rewritten.
final class WatchRuntimeTests: XCTestCase {
    /// A watched run trained on MNIST while this UI browses Fashion-MNIST: the reload says so (as `l` does),
    /// and the weights are used all the same; of the same data, the usual notice.
    func testAReloadedCheckpointOfOtherDataSaysSo() throws {
        let directory = try temporaryDirectory(for: self)
        let log = directory.appendingPathComponent("run.jsonl").path
        let checkpoint = directory.appendingPathComponent("run.safetensors")
        try "".write(toFile: log, atomically: true, encoding: .utf8)
        let trained = stridedModel(seed: 9)
        try Checkpoint(model: trained, dataset: .mnist).write(to: checkpoint)
        let fashion = UIRuntime(inference: ModelReconstructor(model: stridedModel(seed: 1)), watching: log,
                                checkpoint: checkpoint.path, dataset: .fashion)
        let notices = fashion.poll().compactMap { if case .notice(let text) = $0 { return text } else { return nil } }
        XCTAssertEqual(notices, ["model run.safetensors was trained on MNIST, not Fashion-MNIST (--dataset fashion): expect poorer fills"])
        XCTAssertEqual(fashion.inference.model.parameters.values, trained.parameters.values, "shown all the same")
        let mnist = UIRuntime(inference: ModelReconstructor(model: stridedModel(seed: 1)), watching: log,
                              checkpoint: checkpoint.path, dataset: .mnist)
        XCTAssertTrue(mnist.poll().contains(.notice("reloaded \(checkpoint.path)")))
    }

    func testFollowsAppendedLinesSkipsBadOnesAndReloadsTheCheckpointTheLogNames() throws {
        let directory = try temporaryDirectory(for: self)
        let log = directory.appendingPathComponent("run.jsonl").path
        // A log as `inpaint train --log` wrote it before the event became Codable (JSONSerialization's doubles),
        // with a damaged line and an event this version does not know among them.
        try ("{\"event\":\"state\",\"state\":\"training\",\"time\":1795657456.3}\n"
             + "{\"epoch\":1,\"event\":\"step\",\"images_per_second\":800,\"learning_rate\":0.001,"
             + "\"loss\":0.034567890123456,\"step\":1,\"time\":1795657456.5}\n"
             + "not json at all\n"
             + "{\"event\":\"mystery\",\"step\":2}\n"
             + "{\"event\":\"evaluation\",\"loss\":null,\"step\":1}\n")
            .write(toFile: log, atomically: true, encoding: .utf8)
        let runtime = UIRuntime(inference: ModelReconstructor(model: stridedModel(seed: 1)), watching: log, checkpoint: nil)

        let first = runtime.poll()
        XCTAssertEqual(first.count, 3, "\(first)")
        guard first.count == 3 else { return }
        XCTAssertEqual(first[0], .training(.stateChanged(.training)))
        XCTAssertEqual(first[1], .training(.step(TrainingStep(step: 1, epoch: 1, loss: Float(0.034567890123456),
                                                              imagesPerSecond: 800, learningRate: 0.001))))
        guard case .training(.evaluation(1, let nullLoss)) = first[2] else { return XCTFail("\(first[2])") }
        XCTAssertTrue(nullLoss.isNaN, "null (a non-finite loss) reads back as NaN")
        XCTAssertEqual(runtime.poll(), [], "nothing new")

        // Half a line is kept until the rest arrives.
        try append("{\"event\":\"epoch\",\"epo", toFile: log)
        XCTAssertEqual(runtime.poll(), [])
        try append("ch\":2}\n", toFile: log)
        XCTAssertEqual(runtime.poll(), [.training(.epochFinished(epoch: 2))])

        // The log names a checkpoint relative to where training ran: found beside the log, and loaded.
        let trained = stridedModel(seed: 9)
        let checkpoint = directory.appendingPathComponent("run.safetensors")
        try Checkpoint(model: trained).write(to: checkpoint)
        try append("{\"event\":\"checkpoint\",\"path\":\"run.safetensors\"}\n", toFile: log)
        XCTAssertEqual(runtime.poll(), [.training(.checkpointWritten(path: "run.safetensors")), .modelUpdated(revision: 1),
                                        .notice("reloaded \(checkpoint.path)"),
                                        .modelIdentity(ModelIdentity(config: trained.config, origin: .watched(checkpoint.path)))])
        XCTAssertEqual(runtime.inference.model.parameters.values, trained.parameters.values)
        XCTAssertEqual(runtime.poll(), [], "not rewritten: not reloaded")

        // Rewritten the way `inpaint train` does it (a new file renamed over the old one).
        let newer = stridedModel(seed: 10)
        try Checkpoint(model: newer).write(to: checkpoint)
        XCTAssertEqual(runtime.poll(), [.modelUpdated(revision: 2), .notice("reloaded \(checkpoint.path)"),
                                        .modelIdentity(ModelIdentity(config: newer.config, origin: .watched(checkpoint.path)))])
        XCTAssertEqual(runtime.inference.model.parameters.values, newer.parameters.values)
    }

    func testTheWatchedRunIsNotControlledFromHere() throws {
        let log = try temporaryDirectory(for: self).appendingPathComponent("run.jsonl").path
        XCTAssertTrue(FileManager.default.createFile(atPath: log, contents: nil))
        let runtime = UIRuntime(inference: ModelReconstructor(model: stridedModel(seed: 1)), watching: log, checkpoint: nil)
        for effect: Effect in [.pauseTraining, .stepTraining, .setLearningRate(1), .resetModel, .saveCheckpoint(path: "x"),
                               .loadCheckpoint(path: "x"), .startPreset(.oneSeven)] {
            XCTAssertEqual(runtime.perform([effect]),
                           [.notice("watching: training runs elsewhere and is not controlled from here")], "\(effect)")
        }
        let image = TestDigits.bar()
        XCTAssertEqual(runtime.perform([.reconstruct(revision: 1, image: image, mask: image.map { _ in 1 })]).count, 1,
                       "the network still answers")
    }
}
