import FileIO
import Foundation

/// Which half of MNIST (or Fashion-MNIST) a file holds.
public enum SplitName: String, Sendable, CaseIterable, CustomStringConvertible {
    case train, test

    /// The official file stem: `train-…` for training, `t10k-…` for the test split.
    var filePrefix: String { self == .train ? "train" : "t10k" }
    /// `train-images-idx3-ubyte`, `t10k-images-idx3-ubyte`.
    public var imagesFileName: String { "\(filePrefix)-images-idx3-ubyte" }
    /// `train-labels-idx1-ubyte`, `t10k-labels-idx1-ubyte`.
    public var labelsFileName: String { "\(filePrefix)-labels-idx1-ubyte" }
    public var description: String { rawValue }
}

/// Images with their labels, checked to agree in count and to be 28×28.
public struct MNISTSplit: Sendable, Equatable {
    public var images: IDXImages
    public var labels: IDXLabels

    public var count: Int { images.count }

    /// Pairs images and labels; they must agree in count (a programmer error otherwise — files are
    /// checked by `init(imagesURL:labelsURL:)`).
    public init(images: IDXImages, labels: IDXLabels) {
        precondition(images.count == labels.count, "\(images.count) images but \(labels.count) labels")
        self.images = images
        self.labels = labels
    }

    /// Reads an images file and a labels file (plain or gzip) and checks that they describe the same
    /// number of 28×28 digits.
    public init(imagesURL: URL, labelsURL: URL) throws(DataError) {
        let images = try IDXImages(contentsOf: imagesURL)
        guard images.rows == Digit.side, images.columns == Digit.side else {
            throw DataError(imagesURL.lastPathComponent,
                            "expected 28×28 images, found \(images.rows)×\(images.columns)")
        }
        let labels = try IDXLabels(contentsOf: labelsURL)
        guard labels.count == images.count else {
            throw DataError(labelsURL.lastPathComponent, "expected \(grouped(images.count)) labels to match "
                + "\(imagesURL.lastPathComponent), found \(grouped(labels.count))")
        }
        self.init(images: images, labels: labels)
    }

    /// Digit `index`: [784] Floats in [0, 1].
    public func image(at index: Int) -> ArraySlice<Float> { images.image(at: index) }
    public func label(at index: Int) -> Int { labels[index] }

    /// Indices of every image whose label is `label`, in file order.
    public func indices(ofLabel label: Int) -> [Int] {
        labels.labels.indices.filter { Int(labels.labels[$0]) == label }
    }

    /// The images at `indices` with their labels, in that order.
    public func subset<S: Sequence>(_ indices: S) -> MNISTSplit where S.Element == Int {
        let list = Array(indices)
        return MNISTSplit(images: images.subset(list), labels: IDXLabels(labels: list.map { labels.labels[$0] }))
    }

    /// The first `n` digits.
    public func prefix(_ n: Int) -> MNISTSplit {
        MNISTSplit(images: images.prefix(n), labels: labels.prefix(n))
    }
}

/// The loaded data set: whatever splits the location holds.
public struct Dataset: Sendable {
    public var location: DataLocation
    public var train: MNISTSplit?
    public var test: MNISTSplit?

    /// How many of the bundled sample's 1,000 digits serve as training data when the sample is all there
    /// is (our choice: 80 % train, the last 20 % held out so that evaluation never sees training digits).
    public static let sampleTrainingCount = 800

    /// Loads every split the location lists. The bundled sample has one file pair; it is cut into a
    /// training part (the first `sampleTrainingCount`) and a test part (the rest).
    public init(location: DataLocation) throws(DataError) {
        self.location = location
        var loaded: [SplitName: MNISTSplit] = [:]
        for (split, files) in location.splits {
            loaded[split] = try MNISTSplit(imagesURL: files.images, labelsURL: files.labels)
        }
        if location.isBundledSample, let sample = loaded[.test] ?? loaded[.train] {
            let cut = min(Dataset.sampleTrainingCount, sample.count)
            train = sample.prefix(cut)
            test = sample.subset(cut..<sample.count)
        } else {
            train = loaded[.train]
            test = loaded[.test]
        }
    }

    public func split(_ name: SplitName) -> MNISTSplit? { name == .train ? train : test }
}
