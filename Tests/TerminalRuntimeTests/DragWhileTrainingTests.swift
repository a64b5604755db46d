import Foundation
import Inpainting
import NeuralCore
import TerminalRuntime
import TerminalUI
import TestSupport
import XCTest

/// The UI's situation while training runs: a `Trainer` steps on a background thread while this thread,
/// standing in for the main queue, reconstructs digit after digit from `trainer.snapshot`, both calling
/// OpenBLAS at once (1 BLAS thread each, as `inpaint tui` sets it). Afterwards every reconstruction is
/// recomputed from the very same snapshot with nothing else running: they must be identical, bit for bit.
/// A torn snapshot (weights changing under the reader) or BLAS state shared between the two callers would
/// show up as a difference.
final class DragWhileTrainingTests: XCTestCase {
    func testReconstructionsDuringTrainingEqualSingleThreadedOnesFromTheSameSnapshot() throws {
        BLASThreads.set(1)
        // The strided network keeps the test to a few seconds; the paths (snapshot, workspace, GEMM) are
        // the ones the paper network uses.
        var generator = SeededGenerator(seed: 7)
        let config = ModelConfig(architecture: .strided)
        let model = ContextEncoder(config: config, generator: &generator)
        let digits = [TestDigits.ring(), TestDigits.bar(), TestDigits.seven()]
        let trainingImages = (0..<96).flatMap { digits[$0 % 3] }
        var options = TrainingOptions()
        options.batchSize = 16
        options.evalEvery = 0
        options.learningRate = 1e-2   // large, so every step moves the weights visibly
        let trainer = Trainer(model: model, images: trainingImages, count: 96, options: options) { _ in }
        let finished = DispatchSemaphore(value: 0)
        let training = Thread { trainer.run(); finished.signal() }
        training.start()

        struct Drag { var model: ContextEncoder; var image: [Float]; var mask: [Float]; var output: [Float] }
        var drags: [Drag] = []
        var snapshots = Set<Int>()   // distinct weight buffers seen, by address (each publish is a new copy)
        let reconstructor = ModelReconstructor(model: trainer.snapshot)
        var holes = SeededGenerator(seed: 11)
        let sampler = RectangleHoleSampler()
        let deadline = Date().addingTimeInterval(20)
        // Bounded by the deadline rather than a fixed count of drags: on a loaded machine the trainer may not
        // step at all during a few hundred fast reconstructions.
        while (drags.count < 60 || snapshots.count < 8) && drags.count < 5000 && Date() < deadline {
            let snapshot = trainer.snapshot
            reconstructor.model = snapshot
            snapshots.insert(snapshot.parameters.values.withUnsafeBufferPointer { Int(bitPattern: $0.baseAddress) })
            let image = digits[drags.count % 3], mask = sampler.sample(using: &holes).mask()
            drags.append(Drag(model: snapshot, image: image, mask: mask,
                              output: reconstructor.reconstruct(image: image, mask: mask)))
        }
        trainer.cancel()
        finished.wait()

        XCTAssertGreaterThanOrEqual(snapshots.count, 2, "training stepped while the reconstructions ran")
        for (i, drag) in drags.enumerated() {
            let reference = ModelReconstructor(model: drag.model).reconstruct(image: drag.image, mask: drag.mask)
            XCTAssertEqual(reference, drag.output, "reconstruction \(i) differs from its single-threaded recomputation")
            if reference != drag.output { break }
        }
        print("drag while training: \(drags.count) reconstructions over \(snapshots.count) snapshots, "
              + "trainer at step \(trainer.snapshotStep)")
    }
}
