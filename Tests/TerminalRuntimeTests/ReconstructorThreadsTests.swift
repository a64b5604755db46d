import Foundation
import Inpainting
import NeuralCore
import TerminalRuntime
import TestSupport
import XCTest

/// Issue 16: the UI's reconstructions on two threads when they win, one when they lose.
final class ReconstructorThreadsTests: XCTestCase {
    private let hole = HoleRect(top: 8, left: 6, height: 12, width: 14).mask()

    private func paperModel(seed: UInt64) -> ContextEncoder {
        var g = SeededGenerator(seed: seed)
        return ContextEncoder(config: ModelConfig(architecture: .paper, maskChannel: true), generator: &g)
    }

    /// Whatever the thread choice picks, each drag motion's reconstruction equals the one-thread reconstructor's,
    /// and the choice has times of both settings after its warm-up.
    func testTwoThreadReconstructorMatchesOneThread() {
        let model = paperModel(seed: 80)
        let two = ModelReconstructor(model: model, threads: 2), one = ModelReconstructor(model: model, threads: 1)
        XCTAssertNil(one.threadChoice)
        let image = TestDigits.seven()
        var mask = hole
        for step in 0..<24 {
            mask[(100 + 29 * step) % mask.count] = 0
            XCTAssertEqual(two.reconstruct(image: image, mask: mask), one.reconstruct(image: image, mask: mask), "motion \(step)")
        }
        XCTAssertEqual(two.threadChoice?.threads, 2)
        XCTAssertNotEqual(two.encoderFeatures(image: image, mask: hole), nil)
    }

    /// Two reconstructors (the compared models) on two threads at once, each with its own workspace and pool.
    func testTwoReconstructorsOnTwoThreads() {
        let models = [paperModel(seed: 81), paperModel(seed: 82)]
        let image = TestDigits.seven()
        let expected = models.map { ModelReconstructor(model: $0, threads: 1).reconstruct(image: image, mask: hole) }
        let reconstructors = models.map { ModelReconstructor(model: $0, threads: 2) }
        let results = UnsafeMutablePointer<[Float]>.allocate(capacity: 2)
        results.initialize(repeating: [], count: 2)
        defer { results.deinitialize(count: 2); results.deallocate() }
        DispatchQueue.concurrentPerform(iterations: 2) { t in
            var last: [Float] = []
            for _ in 0..<40 { last = reconstructors[t].reconstruct(image: image, mask: hole) }
            results[t] = last
        }
        XCTAssertEqual(results[0], expected[0])
        XCTAssertEqual(results[1], expected[1])
    }
}
