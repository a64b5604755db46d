import Evaluation
import Foundation
import Inpainting
import NeuralCore
import TerminalRuntime
import TerminalUI
import TestSupport
import XCTest

/// The runtime's explain answers and group means (issue 13 §2–3): run off the caller's thread, only the
/// newest of a burst, handed over by `poll`.
final class ProbeAnswersTests: XCTestCase {
    private let mask = HoleRect(top: 8, left: 8, height: 12, width: 12).mask()

    private func exploring(_ model: ContextEncoder) throws -> UIRuntime {
        UIRuntime(inference: ModelReconstructor(model: model),
                  exploring: Exploration(savePath: URL(fileURLWithPath: "/nonexistent/unused.safetensors"),
                                         learningRate: nil, dataset: try bundledSample(), seed: 1, training: nil))
    }

    private func answers(_ runtime: UIRuntime) -> [Message] {
        XCTAssertTrue(runtime.waitForProbeAnswers(seconds: 30))
        return runtime.poll()
    }

    /// The answer is `ContextEncoder.explain`'s gradient for the same input, exactly (paper architecture: the
    /// channel-wise layer whose every position sees every other).
    func testExplainAnswerMatchesTheCoreExplanationOfTheSameInput() throws {
        var generator = SeededGenerator(seed: 5)
        let model = ContextEncoder(config: ModelConfig(architecture: .paper, bias: true), generator: &generator)
        let runtime = try exploring(model)
        let image = TestDigits.seven(), pixel = 14 * 28 + 13
        XCTAssertEqual(runtime.perform([.explain(revision: 7, image: image, mask: mask, pixel: pixel)]), [],
                       "answered later, through poll")
        let messages = answers(runtime)
        guard messages.count == 1, case .explained(let revision, let saliency?) = messages[0] else {
            return XCTFail("expected one explanation, got \(messages)")
        }
        let expected = model.explain(image: image, mask: mask, pixel: pixel)
        XCTAssertEqual(revision, 7)
        XCTAssertEqual(saliency.pixel, pixel)
        XCTAssertEqual(saliency.gradient, expected.inputGradient)
        XCTAssertEqual(saliency.value, expected.value)
        XCTAssertEqual(saliency.topFeature, expected.topFeature)
        XCTAssertEqual(saliency.topContribution, expected.featureContributions[expected.topFeature])
        XCTAssertEqual(saliency.topFeatureMap, expected.topFeatureMap)
        XCTAssertEqual(saliency.featureCount, 16)
        XCTAssertGreaterThan(saliency.gradient.filter { $0 != 0 }.count, 100, "not a vacuous match")
        // Another pixel, another gradient: the answer is for the pixel asked.
        _ = runtime.perform([.explain(revision: 8, image: image, mask: mask, pixel: 3 * 28 + 3)])
        guard case .explained(_, let other?)? = answers(runtime).first else { return XCTFail("no second answer") }
        XCTAssertNotEqual(other.gradient, saliency.gradient)
    }

    func testOfABurstOnlyTheNewestQuestionIsAnswered() throws {
        let runtime = try exploring(stridedModel(seed: 3))
        let image = TestDigits.ring()
        let burst = (1...5).map { Effect.explain(revision: $0, image: image, mask: mask, pixel: 100 + $0) }
        _ = runtime.perform(burst)
        let messages = answers(runtime)
        XCTAssertEqual(messages.count, 1, "\(messages)")
        guard case .explained(let revision, let saliency?)? = messages.first else { return XCTFail("\(messages)") }
        XCTAssertEqual(revision, 5)
        XCTAssertEqual(saliency.pixel, 105)
    }

    /// Each group's score is the evaluation's pooled hole MSE of the network's fill of its digits.
    func testGroupMeansAreTheHoleMSEOfEachGroupsDigits() throws {
        let model = stridedModel(seed: 4)
        let runtime = try exploring(model)
        let training = TestDigits.ring() + TestDigits.bar(), unseen = TestDigits.seven()
        _ = runtime.perform([.measureGroups(revision: 2, library: "sevens", mask: mask, groups: [
            GroupSample(name: "training", images: training, count: 2, groupSize: 2),
            GroupSample(name: "unseen test", images: unseen, count: 1, groupSize: 40),
        ])])
        let messages = answers(runtime)
        guard case .groupsMeasured(let revision, let library, let scores)? = messages.first else { return XCTFail("\(messages)") }
        XCTAssertEqual(revision, 2)
        XCTAssertEqual(library, "sevens")
        func expected(_ images: [Float], _ count: Int) -> Double {
            let reconstructions = model.reconstruct(images: images, masks: Array([[Float]](repeating: mask, count: count).joined()), count: count)
            var metrics = MetricsAccumulator()
            metrics.add(originals: images, reconstructions: reconstructions,
                        masks: Array([[Float]](repeating: mask, count: count).joined()), count: count)
            return metrics.overall.mse
        }
        XCTAssertEqual(scores.map(\.name), ["training", "unseen test"])
        XCTAssertEqual(scores[0].mse, expected(training, 2), accuracy: 1e-9)
        XCTAssertEqual(scores[1].mse, expected(unseen, 1), accuracy: 1e-9)
        XCTAssertNotEqual(scores[0].mse, scores[1].mse)
    }
}
