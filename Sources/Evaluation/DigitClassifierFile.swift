import Datasets
import Foundation
import Inpainting
import NeuralCore

extension DigitClassifier {
    /// The bundled classifier's file name inside `assets/`.
    public static let assetFileName = "classifier.safetensors"

    /// Reads weights written by `write(to:)` (or by PyTorch's `save_file(model.state_dict())` for the
    /// same architecture). Throws a `SafetensorsError` naming the file, the tensor, what was expected
    /// and what was found.
    public static func read(contentsOf url: URL) throws(SafetensorsError) -> DigitClassifier {
        let file = try SafetensorsFile.read(contentsOf: url)
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
        return DigitClassifier(parameters: store)
    }

    /// The bundled classifier (the first folder `AssetsLocator` searches that holds it), or nil when there
    /// is none. Throws when the file is there but bad.
    public static func bundled() throws(SafetensorsError) -> DigitClassifier? {
        guard let assets = AssetsLocator.forCurrentExecutable(marker: assetFileName) else { return nil }
        return try read(contentsOf: URL(fileURLWithPath: assets).appendingPathComponent(assetFileName))
    }

    /// Writes the weights (Float32, state_dict order) atomically, with `metadata` in the header.
    public func write(to url: URL, metadata: [String: String] = [:]) throws(SafetensorsError) {
        let entries = parameters.entries.map { SafetensorsEntry(name: $0.name, tensor: parameters.tensor(named: $0.name)!) }
        try SafetensorsFile.write(entries, metadata: metadata, to: url)
    }
}
