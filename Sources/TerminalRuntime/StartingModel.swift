import Datasets
import Foundation
import Inpainting
import NeuralCore
import TerminalUI

/// The network `inpaint tui` starts with: `--model`, else a preset's fresh network, else the bundled model
/// of the data set when it exists, else fresh random weights.
public struct StartingModel {
    public var network: ContextEncoder
    /// For the status block ("bundled (model.safetensors)", "fresh (seed 1)").
    public var label: String
    /// Where the weights came from, for the header (`identity`).
    public var origin: ModelIdentity.Origin
    /// A trained model is fine-tuned at `UIRuntime.fineTuneLearningRate`, a fresh one trains at 1e-3.
    public var isTrained: Bool
    /// The `--model` file as read: its training state and Adam's moments, so the UI's training continues
    /// its run (nil for the bundled, a preset's or a fresh network).
    public var checkpoint: Checkpoint?
    /// One line for the UI's first notice: the model was trained on another data set than the one browsed,
    /// or the data set's bundled model is missing (where it was looked for); nil when there is nothing to say.
    public var notice: String?

    /// `dataset` is what the UI browses; `locator` finds the bundled models (a test's own folder).
    public init(modelPath: String?, preset: PresetRun?, seed: UInt64, dataset: DatasetKind = .mnist,
                locator: AssetsLocator = AssetsLocator()) throws {
        if let modelPath {
            let checkpoint = try Checkpoint.read(contentsOf: URL(fileURLWithPath: modelPath))
            self.checkpoint = checkpoint
            network = checkpoint.model
            label = modelPath
            origin = .file(modelPath)
            isTrained = true
            // The file's name, not its path: the notice has one line of the terminal's width.
            notice = checkpoint.dataset.mismatchNotice("model", file: URL(fileURLWithPath: modelPath).lastPathComponent,
                                                       wanted: dataset)
            return
        }
        if let preset {
            network = preset.freshModel()
            label = "fresh \(preset.preset.config.architecture.rawValue) (seed \(seed))"
            origin = .fresh
            isTrained = false
            return
        }
        let bundled: URL
        do {
            bundled = try Checkpoint.bundledModel(for: dataset, locator: locator)
        } catch {
            var generator = SeededGenerator(seed: seed)
            network = ContextEncoder(config: ModelConfig(), generator: &generator)
            label = "fresh (seed \(seed))"
            origin = .fresh
            isTrained = false
            // MNIST's bundled model is simply absent from some installs (as before); a Fashion-MNIST session
            // without its model is worth a line naming where it was looked for, since it starts from scratch.
            // What happens first, then where it looked (which a narrow terminal may cut).
            if dataset != .mnist { notice = "\(error.file) missing, training a fresh network: \(error.detail)" }
            return
        }
        let checkpoint = try Checkpoint.read(contentsOf: bundled)   // there but damaged: an error, not a fresh start
        network = checkpoint.model
        label = "bundled (\(bundled.lastPathComponent))"
        origin = .bundled(bundled.lastPathComponent)
        isTrained = true
        notice = checkpoint.dataset.mismatchNotice("model", file: bundled.lastPathComponent, wanted: dataset)
    }

    /// `inpaint watch`: the checkpoint when it exists; until the run writes its first one, fresh weights
    /// (replaced on the first reload).
    public init(watching checkpoint: String?) throws {
        if let checkpoint, FileManager.default.fileExists(atPath: checkpoint) {
            network = try Checkpoint.read(contentsOf: URL(fileURLWithPath: checkpoint)).model
            label = checkpoint
            origin = .watched(checkpoint)
            isTrained = true
        } else {
            var generator = SeededGenerator(seed: 1)
            network = ContextEncoder(config: ModelConfig(), generator: &generator)
            label = checkpoint ?? "(waiting for the log to name a checkpoint)"
            origin = .watched(checkpoint ?? "(no checkpoint yet)")
            isTrained = false
        }
    }

    /// What the header says is training (or watched).
    public var identity: ModelIdentity { ModelIdentity(config: network.config, origin: origin) }
}
