import Foundation
import Inpainting
import NeuralCore

/// The network `inpaint tui` starts with: `--model`, else a preset's fresh network, else the bundled model
/// when it exists, else fresh random weights.
public struct StartingModel {
    public var network: ContextEncoder
    /// For the status block ("bundled (model.safetensors)", "fresh (seed 1)").
    public var label: String
    /// A trained model is fine-tuned at `UIRuntime.fineTuneLearningRate`, a fresh one trains at 1e-3.
    public var isTrained: Bool
    /// The `--model` file as read: its training state and Adam's moments, so the UI's training continues
    /// its run (nil for the bundled, a preset's or a fresh network).
    public var checkpoint: Checkpoint?

    public init(modelPath: String?, preset: PresetRun?, seed: UInt64) throws {
        if let modelPath {
            let checkpoint = try Checkpoint.read(contentsOf: URL(fileURLWithPath: modelPath))
            self.checkpoint = checkpoint
            network = checkpoint.model
            label = modelPath
            isTrained = true
        } else if let preset {
            network = preset.freshModel()
            label = "fresh \(preset.preset.config.architecture.rawValue) (seed \(seed))"
            isTrained = false
        } else if let bundled = try? Checkpoint.bundledModel(), FileManager.default.fileExists(atPath: bundled.path) {
            network = try Checkpoint.read(contentsOf: bundled).model
            label = "bundled (\(bundled.lastPathComponent))"
            isTrained = true
        } else {
            var generator = SeededGenerator(seed: seed)
            network = ContextEncoder(config: ModelConfig(), generator: &generator)
            label = "fresh (seed \(seed))"
            isTrained = false
        }
    }

    /// `inpaint watch`: the checkpoint when it exists; until the run writes its first one, fresh weights
    /// (replaced on the first reload).
    public init(watching checkpoint: String?) throws {
        if let checkpoint, FileManager.default.fileExists(atPath: checkpoint) {
            network = try Checkpoint.read(contentsOf: URL(fileURLWithPath: checkpoint)).model
            label = checkpoint
            isTrained = true
        } else {
            var generator = SeededGenerator(seed: 1)
            network = ContextEncoder(config: ModelConfig(), generator: &generator)
            label = checkpoint ?? "(waiting for the log to name a checkpoint)"
            isTrained = false
        }
    }
}
