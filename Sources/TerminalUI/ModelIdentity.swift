import Inpainting

/// What is training, as the header says it: the network's shape (architecture, biases, the mask channel)
/// and where its weights came from. Set at start (`inpaint tui`, `watch`) and by the runtime's
/// `.modelIdentity` after a preset starts, a reset (`R`) or a load (`l`), so that a preset's fresh network is
/// never called "bundled", and a loaded one is named by its file.
public struct ModelIdentity: Sendable, Equatable {
    public enum Origin: Sendable, Equatable {
        /// The data set's bundled model (its file name).
        case bundled(String)
        /// Freshly initialised weights: a preset's, `R`'s, or no bundled model.
        case fresh
        /// A checkpoint file (`--model`, `l`): its path as given.
        case file(String)
        /// `inpaint watch`: the checkpoint a run elsewhere rewrites.
        case watched(String)
    }

    public var config: ModelConfig
    public var origin: Origin

    public init(config: ModelConfig, origin: Origin) { self.config = config; self.origin = origin }

    /// The header's forms, longest first: "paper, mask channel, fresh weights", "paper+mask fresh", …
    var headerForms: [String] {
        let shape = config.architecture.rawValue + (config.bias ? "+bias" : "")
        let channels = config.maskChannel ? "mask channel" : "1 channel, no mask"
        let short = shape + (config.maskChannel ? "+mask" : " 1-ch")
        switch origin {
        case .fresh:
            return ["\(shape), \(channels), fresh weights", "\(short) fresh"]
        case .bundled(let file):
            return ["\(shape), \(channels), bundled \(file)", "\(short) bundled"]
        case .file(let path), .watched(let path):
            let name = path.split(separator: "/").last.map(String.init) ?? path
            let stem = name.hasSuffix(".safetensors") ? String(name.dropLast(".safetensors".count)) : name
            let verb = origin == .watched(path) ? "watching" : "from"
            return ["\(shape), \(channels), \(verb) \(name)", "\(short) \(ModelIdentity.tail(name, 28))",
                    "\(short) \(ModelIdentity.tail(stem, 16))"]
        }
    }

    /// The last `count` characters of `name`, "…" in front when cut.
    static func tail(_ name: String, _ count: Int) -> String {
        name.count <= count ? name : "…" + name.suffix(count - 1)
    }
}
