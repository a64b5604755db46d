import Datasets
import FileIO
import Foundation
import Inpainting
import NeuralCore

extension DigitClassifier {
    /// The bundled MNIST classifier's file name inside `assets/`.
    public static let assetFileName = "classifier.safetensors"

    /// The bundled classifier for `dataset`: `classifier.safetensors` (MNIST, the first one, kept under its
    /// name) or `fashion-classifier.safetensors`.
    public static func assetFileName(for dataset: DatasetKind) -> String {
        dataset.bundledFileName(assetFileName)
    }

    /// The bundled classifier file for `dataset` (the first folder `locator` searches that holds it), or a
    /// one-line error naming every place searched.
    public static func bundledURL(for dataset: DatasetKind = .mnist,
                                  locator: AssetsLocator = AssetsLocator()) throws(DataError) -> URL {
        try locator.url(of: assetFileName(for: dataset))
    }

    /// Reads weights written by `write(to:)` (or by PyTorch's `save_file(model.state_dict())` for the
    /// same architecture), with the data set its metadata records (`inpaint.dataset`; none, as in the bundled
    /// MNIST classifier and every file written before the key existed, means MNIST). Throws a
    /// `SafetensorsError` naming the file, the tensor, what was expected and what was found.
    public static func read(contentsOf url: URL) throws(SafetensorsError) -> DigitClassifier {
        let file = try SafetensorsFile.read(contentsOf: url)
        let dataset: DatasetKind
        do {
            dataset = try DatasetKind(metadata: file.metadata, file: url.path)
        } catch {
            throw SafetensorsError(file: url.path, kind: .metadata, detail: error.detail)
        }
        var store = ParameterStore(layout: layout)
        for (name, shape) in layout {
            guard let tensor = file.tensors[name] else {
                throw SafetensorsError(file: url.path, kind: .missingTensor,
                                       detail: "no tensor \(name), expected a digit classifier with \(layout.map(\.name).joined(separator: ", "))")
            }
            guard tensor.shape == shape else {
                throw SafetensorsError(file: url.path, kind: .shapeMismatch,
                                       detail: "tensor \(name) has shape \(tensor.shape), expected \(shape)")
            }
            store.set(name, tensor)
        }
        var classifier = DigitClassifier(parameters: store)
        classifier.dataset = dataset
        return classifier
    }

    /// The bundled classifier for `dataset` (the first folder `locator` searches that holds it), or nil when
    /// there is none. Throws when the file is there but bad.
    public static func bundled(for dataset: DatasetKind = .mnist,
                               locator: AssetsLocator = AssetsLocator()) throws(SafetensorsError) -> DigitClassifier? {
        guard let url = try? bundledURL(for: dataset, locator: locator) else { return nil }
        return try read(contentsOf: url)
    }

    /// Writes the weights (Float32, state_dict order) atomically, with `metadata` in the header and the data
    /// set (`inpaint.dataset`) always recorded.
    public func write(to url: URL, metadata: [String: String] = [:]) throws(SafetensorsError) {
        let entries = parameters.entries.map { SafetensorsEntry(name: $0.name, tensor: parameters.tensor(named: $0.name)!) }
        var header = metadata
        header[DatasetKind.metadataKey] = dataset.rawValue
        try SafetensorsFile.write(entries, metadata: header, to: url)
    }
}
