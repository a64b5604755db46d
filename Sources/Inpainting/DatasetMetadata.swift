import Datasets

// Which data set a model or classifier file was trained on, recorded in its safetensors metadata so that a
// tool run with the other `--dataset` can say so (issue 14: a digits model on clothes labels a sneaker "a 9").

extension DatasetKind {
    /// The safetensors metadata key: `inpaint.dataset` = `mnist` or `fashion`, in checkpoints and in the
    /// classifier's files.
    public static let metadataKey = "inpaint.dataset"

    /// The data set a file's metadata records. A file without the key counts as MNIST: every file made
    /// before the key existed was trained on MNIST (the bundled assets/model.safetensors and
    /// assets/classifier.safetensors among them), and so are files saved by PyTorch from the report's
    /// recipe. An unknown value is an error naming the file.
    public init(metadata: [String: String], file: String) throws(DatasetMetadataError) {
        guard let text = metadata[Self.metadataKey] else { self = .mnist; return }
        guard let kind = DatasetKind(rawValue: text) else {
            throw DatasetMetadataError(file: file, detail: "metadata \(Self.metadataKey) is \(text.debugDescription), "
                + "expected one of \(DatasetKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        self = kind
    }

    /// One line saying that `file` (a model or a classifier, `what`) was trained on `self` but is used on
    /// `wanted`, or nil when they agree. The tools that print it keep going: the file still runs, it is
    /// only likely to do worse.
    public func mismatchNotice(_ what: String, file: String, wanted: DatasetKind) -> String? {
        guard self != wanted else { return nil }
        return "\(what) \(file) was trained on \(self), not \(wanted) (--dataset \(wanted.rawValue)): "
            + "expect poorer \(what == "classifier" ? "labels" : "fills")"
    }
}

/// A file whose `inpaint.dataset` metadata names no data set we know.
public struct DatasetMetadataError: Error, Equatable, CustomStringConvertible {
    public var file: String
    public var detail: String
    public var description: String { "\(file): \(detail)" }
}
