/// MNIST or Zalando's Fashion-MNIST (same IDX format and file names, 28×28 grey images, ten classes).
public enum DatasetKind: String, Sendable, CaseIterable, Codable, CustomStringConvertible {
    case mnist, fashion

    public var description: String { self == .mnist ? "MNIST" : "Fashion-MNIST" }

    /// The names of labels 0–9: the digits themselves for MNIST; for Fashion-MNIST the order its authors
    /// document (Xiao, Rasul & Vollgraf 2017, "Fashion-MNIST", Table 1, and the dataset's README).
    public var classNames: [String] {
        switch self {
        case .mnist: return (0..<10).map(String.init)
        case .fashion: return ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                               "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
        }
    }

    /// The name of `label` ("7", "Ankle boot"); a label outside 0–9 is shown as its number.
    public func className(_ label: Int) -> String {
        classNames.indices.contains(label) ? classNames[label] : String(label)
    }

    /// What an image of class `label` is called in running text: "a 7" for a digit, "Ankle boot" for clothes
    /// (no article: "a Ankle boot" reads wrong and the names are nouns already).
    public func classPhrase(_ label: Int) -> String {
        self == .mnist ? "a \(label)" : className(label)
    }

    /// The bundled file of this data set for the MNIST file `name`: MNIST's keep their first names
    /// (`model.safetensors`), the others are prefixed (`fashion-model.safetensors`).
    public func bundledFileName(_ name: String) -> String {
        self == .mnist ? name : "\(rawValue)-\(name)"
    }

    /// What one image is called: "digit" or "item" (the UI's header and prompts).
    public var itemNoun: String { self == .mnist ? "digit" : "item" }
}
