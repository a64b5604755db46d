import ArgumentParser
import Datasets
import Foundation
import Inpainting
import NeuralCore

/// `inpaint init`: a freshly initialised model (PyTorch's default distributions, from a seed) as a
/// checkpoint that also loads in PyTorch.
struct InitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Write a freshly initialised model to a safetensors checkpoint.")

    @OptionGroup var model: ModelOptions

    @Option(help: "Seed of the initialisation; the same seed gives the same file.")
    var seed: UInt64

    @Option(help: "The checkpoint to write (.safetensors).")
    var out: String

    @Flag(help: "Store the weights as float16 (half the size; for a model that is only run).")
    var half = false

    @Option(help: "The data set to record (mnist or fashion): what it will be trained on, so `train --resume` on it says nothing.")
    var dataset: DatasetKind = .mnist

    func run() throws {
        let config = model.config
        var generator = SeededGenerator(seed: seed)
        let encoder = ContextEncoder(config: config, generator: &generator)
        let checkpoint = Checkpoint(model: encoder, training: TrainingState(seed: seed), dataset: dataset)
        try checkpoint.write(to: URL(fileURLWithPath: out), storage: half ? .f16 : .f32)
        print("wrote \(out): \(config.architecture.rawValue) model, \(encoder.parameters.count) parameters, seed \(seed)")
    }
}
