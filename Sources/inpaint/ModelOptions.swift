import ArgumentParser
import Inpainting

/// The flags that choose a model's shape (`init`, and `train` when it starts from scratch).
struct ModelOptions: ParsableArguments {
    @Option(name: .customLong("arch"), help: "Architecture: paper (Hu & Velarde), strided or pooled (max pools in the encoder).")
    var architecture: Architecture = .paper

    @Flag(help: "Give every layer a bias (the report's Fig. 2 compares with and without).")
    var bias = false

    @Flag(help: "Feed the mask as a second input channel, [x⊙M, M].")
    var maskChannel = false

    @Option(help: "Kernel size of the paper architecture's convolutions (odd; the report gives none, 5 is ours).")
    var kernel: Int?

    func validate() throws {
        if let kernel {
            guard architecture == .paper else {
                throw ValidationError("--kernel applies to --arch paper only (strided and pooled have fixed kernels)")
            }
            guard kernel >= 1, kernel <= 27, kernel % 2 == 1 else {
                throw ValidationError("--kernel must be odd, from 1 to 27 (so padding keeps 28×28), found \(kernel)")
            }
        }
    }

    var config: ModelConfig {
        ModelConfig(architecture: architecture, bias: bias, maskChannel: maskChannel, kernelSize: kernel ?? 5)
    }
}

extension Architecture: ExpressibleByArgument {}
