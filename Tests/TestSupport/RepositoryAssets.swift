import Datasets
import Foundation
import XCTest

/// The repository's `assets/` folder, from which tests read the bundled sample, model and classifier.
public let repositoryAssets = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("assets")

/// The bundled 1,000-digit sample, split as `Dataset` splits it: the first 800 to train, the last 200 to test.
/// Skips the calling test when the sample is missing.
public func bundledSampleSplits() throws -> (train: MNISTSplit, test: MNISTSplit) {
    let images = repositoryAssets.appendingPathComponent(DataLocator.sampleImagesFileName)
    guard FileManager.default.fileExists(atPath: images.path) else {
        throw XCTSkip("no bundled sample at \(repositoryAssets.path)")
    }
    let sample = try MNISTSplit(imagesURL: images,
                                labelsURL: repositoryAssets.appendingPathComponent(DataLocator.sampleLabelsFileName))
    return (sample.prefix(Dataset.sampleTrainingCount), sample.subset(Dataset.sampleTrainingCount..<sample.count))
}
