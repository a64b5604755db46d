@testable import Datasets
@testable import Evaluation
@testable import Experiments
import Foundation
@testable import Inpainting
import NeuralCore
import TestSupport
import XCTest

/// The fast variants of the report's experiments (issue 6 §1) on the bundled 1,000-digit sample, with the
/// `strided` network so that each takes about a second in release. Each checks its figure's qualitative
/// claim with a number; margins are those the fast runs reach, not the report's.
final class ExperimentTests: XCTestCase {
    /// The sample split as `Dataset` splits it: the first 800 train, the last 200 test.
    private func context(seed: UInt64 = 1) throws -> ExperimentContext {
        let sample = try bundledSampleSplits()
        return ExperimentContext(train: sample.train, test: sample.test,
                                 seed: seed, fast: true, architecture: .strided)
    }

    private func run(_ name: ExperimentName) throws -> ExperimentResult {
        let result = try name.run(context())
        XCTAssertEqual(result.name, name)
        XCTAssertTrue(result.numbers.allSatisfy { $0.value.isFinite }, "\(name): \(result.numbers)")
        XCTAssertGreaterThan(result.figure.width, 100)
        XCTAssertNotNil(result.lossCurves)
        return result
    }

    func testNamesAreUniqueAndListed() {
        XCTAssertEqual(Set(ExperimentName.allCases.map(\.rawValue)).count, ExperimentName.allCases.count)
        XCTAssertTrue(ExperimentName.allCases.contains(.adversarial))
        XCTAssertTrue(ExperimentName.allCases.contains(.architectures))
        XCTAssertEqual(ExperimentName(rawValue: "one-seven"), .oneSeven)
        XCTAssertTrue(ExperimentName.allCases.allSatisfy { !$0.summary.isEmpty })
    }

    func testOneSevenFillsEveryPosition() throws {
        let r = try run(.oneSeven)
        XCTAssertLessThan(r["hole_mse_training_positions"]!, r["hole_mse_zero_fill"]! / 4)
        XCTAssertLessThan(r["hole_mse_unseen_positions"]!, r["hole_mse_zero_fill"]! / 4)
    }

    func testBiasMakesTheOutputIgnoreTheInput() throws {
        let r = try run(.bias)
        // Fast runs reach about 0.6; the full run is in docs/RESULTS.md.
        XCTAssertLessThan(r["difference_ratio_bias_over_no_bias"]!, 0.8)
    }

    func testSevensLearnsTheTrainingSetAndBeatsTheMeanSeven() throws {
        let r = try run(.sevens)
        XCTAssertLessThan(r["final_training_loss"]!, 0.03, "the report's bound")
        XCTAssertLessThan(r["hole_mse_in_sample"]!, r["hole_mse_unseen"]! / 3)
        XCTAssertLessThan(r["hole_mse_unseen"]!, r["hole_mse_mean_fill"]!)
        XCTAssertEqual(r.anchors.first { $0.key == "hole_mse_unseen" }?.value, 0.079)
    }

    func testDigitsBeatsTheMeanImageOnUnseenDigits() throws {
        let r = try run(.digits)
        XCTAssertLessThan(r["hole_mse_unseen"]!, r["hole_mse_mean_fill"]!)
        XCTAssertLessThan(r["hole_mse_in_sample"]!, r["hole_mse_unseen"]!)
    }

    func testMaskChannelRestoresMoreInk() throws {
        let r = try run(.position)
        XCTAssertGreaterThan(r["ink_restored_mask_channel"]!, r["ink_restored_one_channel"]! + 0.05)
    }

    func testNormalisingTheMaximumBrightensTheLargestHole() throws {
        let r = try run(.brightness)
        XCTAssertLessThan(abs(r["brightness_normalised_largest"]! - 1), abs(r["brightness_raw_largest"]! - 1))
    }

    func testMixingBlendsSevensAndNines() throws {
        let r = try run(.mixing)
        XCTAssertGreaterThan(r["other_class_share_7s"]!, 0.2)
        XCTAssertGreaterThan(r["other_class_share_9s"]!, 0.2)
        XCTAssertLessThan(r["other_class_share_7s"]!, 0.8, "a blend, not the other class")
    }

    func testFullScoresTheNetworkBesideTheFiveFills() throws {
        let r = try run(.full)
        for key in ["hole_mse_network", "hole_mse_zero", "hole_mse_mean_image", "hole_mse_harmonic", "hole_mse_biharmonic", "hole_mse_telea"] {
            XCTAssertNotNil(r[key], key)
        }
    }

    /// All three networks train, are scored (with the bundled classifier) and sized; the figure has a row each.
    func testArchitecturesScoresAllThreeNetworks() throws {
        var context = try context()
        let assets = repositoryAssets
        context.classifier = try DigitClassifier.read(contentsOf: assets.appendingPathComponent(DigitClassifier.assetFileName))
        let r = try ExperimentName.architectures.run(context)
        XCTAssertTrue(r.numbers.allSatisfy { $0.value.isFinite }, "\(r.numbers)")
        for name in ["paper", "strided", "pooled"] {
            XCTAssertEqual(r["\(name)_steps"], Double(ArchitecturesExperiment.fastSteps), name)
            XCTAssertGreaterThan(r["\(name)_images_per_second"]!, 0, name)
            XCTAssertLessThan(r["\(name)_hole_mse"]!, 0.5, name)
            XCTAssertGreaterThan(r["\(name)_accuracy"]!, 0.1, name)
        }
        XCTAssertEqual(r["paper_weights"], 9_860_896)
        XCTAssertEqual(r["pooled_weights"], 212_176)
        // F32 weights plus a header of a few hundred bytes.
        XCTAssertEqual(r["pooled_model_megabytes"]!, 4 * 212_176 / 1e6, accuracy: 0.01)
        XCTAssertEqual(r.claims.count, 3)
        XCTAssertGreaterThan(r.figure.height, 5 * Digit.side * 3, "rows: input, three networks, truth")
    }

    /// The fast run is too short to say whether the fill sharpens (docs/RESULTS.md has the full run); it
    /// checks that both arms train, that the adversarial arm differs, and that every number is measured.
    func testAdversarialScoresBothArmsWithSharpness() throws {
        let r = try run(.adversarial)
        for tag in ["l2", "adversarial"] {
            for key in ["hole_mse", "psnr", "ssim", "decisive_fraction", "hole_gradient"] { XCTAssertNotNil(r["\(key)_\(tag)"], "\(key)_\(tag)") }
            XCTAssertLessThan(r["hole_mse_\(tag)"]!, 0.2, "\(tag) learned something")
        }
        XCTAssertNotEqual(r["hole_mse_adversarial"], r["hole_mse_l2"], "the adversarial term changed the network")
        XCTAssertEqual(r["final_discriminator_loss"]!, log(4.0), accuracy: 1, "D trained and reported its loss")
        // The truth's ink is crisp: most hole pixels near 0 or 1, steeper than any early fill.
        XCTAssertGreaterThan(r["decisive_fraction_truth"]!, 0.6)
        XCTAssertGreaterThan(r["hole_gradient_truth"]!, r["hole_gradient_l2"]!)
        XCTAssertEqual(r.claims.count, 3)
    }

    /// The sharpness numbers by hand on a 2-pixel hole: values 0.05 (decisive) and 0.5 (not).
    func testSharpnessByHand() {
        var image = [Float](repeating: 0, count: Digit.pixels), mask = [Float](repeating: 1, count: Digit.pixels)
        image[0] = 0.05; image[1] = 0.5; mask[0] = 0; mask[1] = 0
        XCTAssertEqual(Sharpness.decisiveFraction(image, masks: mask), 0.5)
        // pixel 0: dx = 0.45, dy = −0.05; pixel 1: dx = −0.5, dy = −0.5.
        let expected = ((0.45 * 0.45 + 0.05 * 0.05).squareRoot() + (0.5 as Double).squareRoot()) / 2
        XCTAssertEqual(Sharpness.meanGradient(image, masks: mask, count: 1), expected, accuracy: 1e-6)
    }

    /// A figure's numbers repeat bit for bit from the seed, and another seed gives other numbers.
    func testResultsRepeatFromTheSeed() throws {
        let a = try ExperimentName.mixing.run(context(seed: 3)), b = try ExperimentName.mixing.run(context(seed: 3))
        let c = try ExperimentName.mixing.run(context(seed: 4))
        XCTAssertEqual(a.numbers.map(\.value), b.numbers.map(\.value))
        XCTAssertEqual(a.figure, b.figure)
        XCTAssertNotEqual(a.numbers.map(\.value), c.numbers.map(\.value))
        let json = try JSONSerialization.jsonObject(with: a.json()) as? [String: Any]
        XCTAssertEqual(json?["experiment"] as? String, "mixing")
        XCTAssertNotNil((json?["numbers"] as? [String: Double])?["other_class_share_7s"])
    }
}
