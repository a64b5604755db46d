import Datasets
@testable import Experiments
import Foundation
import Inpainting
import TestSupport
import XCTest

/// On Fashion-MNIST the experiments about every class or the whole split run as they are; those that pick
/// digits by label (a 7, sevens, 7s and 9s) refuse in one line instead of training on whatever has label 7.
final class FashionExperimentTests: XCTestCase {
    private static let digitSpecific: Set<ExperimentName> = [.oneSeven, .bias, .sevens, .mixing]

    /// Fashion-MNIST as CI installs it (Debian's dataset-fashion-mnist), cut small: no training happens here.
    private func fashionContext() throws -> ExperimentContext {
        let probe = DataLocator.Probe(environment: [:], homeDirectory: "/nonexistent",
                                      fileExists: { FileManager.default.fileExists(atPath: $0) })
        guard let location = try? DataLocator(dataset: .fashion, probe: probe).locate(), location.origin == .system,
              let data = try? Dataset(location: location), let train = data.train, let test = data.test else {
            throw XCTSkip("no Fashion-MNIST in /usr/share/datasets/fashion-mnist (apt-get install dataset-fashion-mnist)")
        }
        return ExperimentContext(train: train.prefix(2000), test: test.prefix(300), fast: true, dataset: .fashion)
    }

    func testDigitSpecificExperimentsRefuseFashionInOneLine() throws {
        let split = MNISTSplit(images: IDXImages(count: 0, rows: 28, columns: 28, pixels: []), labels: IDXLabels(labels: []))
        let context = ExperimentContext(train: split, test: split, dataset: .fashion)
        for name in ExperimentName.allCases {
            let refusal = name.refusal(on: .fashion)
            XCTAssertEqual(refusal != nil, Self.digitSpecific.contains(name), "\(name)")
            XCTAssertNil(name.refusal(on: .mnist), "\(name) runs on MNIST")
            guard let refusal else { continue }
            XCTAssertTrue(refusal.hasPrefix("\(name.rawValue) is digit-specific"), refusal)
            XCTAssertTrue(refusal.contains("MNIST, not Fashion-MNIST"), refusal)
            XCTAssertFalse(refusal.contains("\n"))
            XCTAssertThrowsError(try name.run(context)) { XCTAssertEqual($0 as? ExperimentError, ExperimentError(refusal)) }
            XCTAssertThrowsError(try name.preset(context)) { XCTAssertEqual($0 as? ExperimentError, ExperimentError(refusal)) }
            XCTAssertTrue(name.listing.hasSuffix("[MNIST only]"), name.listing)
        }
    }

    func testTheOtherPresetsRunOnClothesAndKnowIt() throws {
        let context = try fashionContext()
        for name in ExperimentName.presets where !Self.digitSpecific.contains(name) {
            let preset = try name.preset(context)
            XCTAssertEqual(preset.dataset, .fashion, "\(name)")
            XCTAssertFalse(preset.labels.isEmpty, "\(name)")
        }
        // `digits` takes 20 of each of the ten classes, clothes as well as digits.
        let digits = try ExperimentName.digits.preset(context)
        XCTAssertEqual(Set(digits.labels), Set(0..<10))
    }
}
