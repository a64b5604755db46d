import Datasets
import NeuralCore

/// Which network: the report's (Hu & Velarde 2016 §2), the project's faster strided variant (issue 4 §2), or
/// the pooled variant (issue 6 §2: the report's future work, "pooling and strides").
///
/// Layer tables (C×H×W after each layer; names are the PyTorch twin's `nn.Sequential` indices):
///
///     paper    enc.0 conv k×k 1→16, enc.2 16→16, enc.4 16→16 (stride 1, pad k/2)     16×28×28
///              fc 16 × 784×784;  dec.0 convT 16→16, dec.2 16→16, dec.4 16→1 (k×k, s1) 1×28×28
///     strided  enc.0 conv 4×4 s2 p1 1→16 (16×14×14), enc.2 4×4 s2 p1 16→32 (32×7×7),
///              enc.4 3×3 p1 32→64 (64×7×7);  fc 64 × 49×49;
///              dec.0 convT 3×3 p1 64→32 (32×7×7), dec.2 4×4 s2 p1 32→16 (16×14×14), dec.4 4×4 s2 p1 16→1
///     pooled   enc.0 conv 5×5 p2 1→16, LeakyReLU, enc.2 MaxPool 2 (16×14×14);
///              enc.3 conv 5×5 p2 16→32, LeakyReLU, enc.5 MaxPool 2 (32×7×7);
///              enc.6 conv 3×3 p1 32→64 (64×7×7);  fc 64 × 49×49;  decoder as strided's
///
/// `pooled` differs from `strided` only in how the encoder shrinks the image: a stride-1 convolution
/// followed by a 2×2 max pool (the classic LeNet/VGG pattern) instead of a stride-2 convolution. Its
/// decoder keeps strided's learned 4×4 stride-2 transposed convolutions, so the comparison isolates
/// pooling against strides; 5×5 kernels are the paper's choice here, so that each pooled convolution
/// sees as much context as paper's.
public enum Architecture: String, Codable, Sendable, CaseIterable {
    case paper, strided, pooled
}

/// The reconstruction loss on the hole: NeuralCore's `MaskedLoss` (L2 or L1; see it for the exact formula).
/// The same raw values, so recipes in checkpoints decode as before.
public typealias ReconstructionLoss = MaskedLoss

/// A configuration that a checkpoint does not describe correctly.
public struct ModelConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String
}

/// Everything that fixes the network's shape. Stored in checkpoints as JSON; missing keys take the defaults.
public struct ModelConfig: Codable, Sendable, Equatable {
    public var architecture: Architecture
    /// The report compares with and without biases (its Fig. 2); without is its main model.
    public var bias: Bool
    /// false: the input is x ⊙ M (the report); true: two channels [x ⊙ M, M], so the network can tell a
    /// black known pixel from a hole.
    public var maskChannel: Bool
    /// Kernel side of all six convolutions of `paper` (the report gives none; 5 is our choice). Must be odd
    /// so that padding k/2 keeps 28×28. Ignored by `strided` and `pooled`.
    public var kernelSize: Int

    public init(architecture: Architecture = .paper, bias: Bool = false, maskChannel: Bool = false, kernelSize: Int = 5) {
        self.architecture = architecture; self.bias = bias; self.maskChannel = maskChannel; self.kernelSize = kernelSize
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        architecture = try c.decodeIfPresent(Architecture.self, forKey: .architecture) ?? .paper
        bias = try c.decodeIfPresent(Bool.self, forKey: .bias) ?? false
        maskChannel = try c.decodeIfPresent(Bool.self, forKey: .maskChannel) ?? false
        kernelSize = try c.decodeIfPresent(Int.self, forKey: .kernelSize) ?? 5
    }

    /// Throws when the configuration cannot build a network (e.g. an even or non-positive kernel size).
    public func validate() throws(ModelConfigError) {
        if architecture == .paper && (kernelSize < 1 || kernelSize % 2 == 0 || kernelSize > 27) {
            throw ModelConfigError(description: "model config: kernelSize must be odd and in 1...27 for the paper architecture, found \(kernelSize)")
        }
    }

    public var inputChannels: Int { maskChannel ? 2 : 1 }

    /// (name, shape) in PyTorch state_dict order: enc.0.weight, [enc.0.bias], enc.2.weight (enc.3 for
    /// `pooled`), …, fc.weight, [fc.bias], dec.0.weight, …, dec.4.weight, [dec.4.bias].
    public var parameterLayout: [(name: String, shape: [Int])] {
        stages.flatMap { stage -> [(name: String, shape: [Int])] in
            var entries = [(name: "\(stage.name).weight", shape: stage.layer.weightShape)]
            if bias { entries.append((name: "\(stage.name).bias", shape: stage.layer.biasShape)) }
            return entries
        }
    }

    /// The seven layers in order, with their activations and the [C, H, W] each one produces.
    package var stages: [Stage] {
        precondition((try? validate()) != nil, "invalid model config \(self); call validate() on configs from outside")
        typealias Conv = (inC: Int, outC: Int, k: Int, s: Int, p: Int)
        let enc: [Conv], dec: [Conv], pool: Int
        let fcChannels: Int, fcSide: Int
        switch architecture {
        case .paper:
            let k = kernelSize, p = kernelSize / 2
            enc = [(1, 16, k, 1, p), (16, 16, k, 1, p), (16, 16, k, 1, p)]
            dec = enc.reversed().map { ($0.outC, $0.inC, $0.k, $0.s, $0.p) }
            fcChannels = 16; fcSide = 28; pool = 1
        case .strided:
            enc = [(1, 16, 4, 2, 1), (16, 32, 4, 2, 1), (32, 64, 3, 1, 1)]
            dec = enc.reversed().map { ($0.outC, $0.inC, $0.k, $0.s, $0.p) }
            fcChannels = 64; fcSide = 7; pool = 1
        case .pooled:
            enc = [(1, 16, 5, 1, 2), (16, 32, 5, 1, 2), (32, 64, 3, 1, 1)]
            dec = [(64, 32, 3, 1, 1), (32, 16, 4, 2, 1), (16, 1, 4, 2, 1)]  // strided's decoder
            fcChannels = 64; fcSide = 7; pool = 2
        }
        var stages: [Stage] = []
        var side = Digit.side
        var moduleIndex = 0  // the PyTorch twin's nn.Sequential index of each convolution
        let leaky = Activation.leakyReLU(slope: 0.2)  // DCGAN's slope, used by Pathak et al.'s encoder
        for (i, l) in enc.enumerated() {
            let conv = Conv2D(inChannels: i == 0 ? inputChannels : l.inC, outChannels: l.outC, kernelSize: l.k,
                              stride: l.s, padding: l.p, hasBias: bias)
            let input = (channels: conv.inChannels, height: side, width: side)
            side = conv.outputSize(height: side, width: side).height
            let layerOutput = (channels: l.outC, height: side, width: side)
            // pooled: every encoder convolution but the last is followed by a max pool (7×7 is small enough).
            let window = i < enc.count - 1 ? pool : 1
            side /= window
            stages.append(Stage(name: "enc.\(moduleIndex)", layer: conv, activation: leaky, input: input,
                                layerOutput: layerOutput, poolWindow: window, output: (l.outC, side, side)))
            moduleIndex += window > 1 ? 3 : 2
        }
        precondition(side == fcSide, "encoder ends at \(side)×\(side), expected \(fcSide)")
        let features = fcSide * fcSide
        let fc = ChannelWiseLinear(channels: fcChannels, inFeatures: features, outFeatures: features, hasBias: bias)
        stages.append(Stage(name: "fc", layer: fc, activation: .identity, input: (fcChannels, side, side),
                            output: (fcChannels, side, side)))
        for (i, l) in dec.enumerated() {
            let convT = TransposedConv2D(inChannels: l.inC, outChannels: l.outC, kernelSize: l.k, stride: l.s,
                                         padding: l.p, hasBias: bias)
            let input = (channels: l.inC, height: side, width: side)
            side = convT.outputSize(height: side, width: side).height
            stages.append(Stage(name: "dec.\(2 * i)", layer: convT, activation: i < 2 ? .relu : .sigmoid,
                                input: input, output: (l.outC, side, side)))
        }
        precondition(side == Digit.side, "decoder ends at \(side)×\(side), expected \(Digit.side)")
        return stages
    }
}

/// One layer of the context encoder followed by its activation (and, for `pooled`, a max pool).
package struct Stage {
    package var name: String
    package var layer: any Layer
    package var activation: Activation
    package var input: (channels: Int, height: Int, width: Int)
    /// What the layer and its activation produce, before the pool; `output` when there is no pool.
    package var layerOutput: (channels: Int, height: Int, width: Int)
    /// 2 for `pooled`'s first two encoder stages: a MaxPool2d(2) after the activation (the twin's enc.N+2,
    /// no parameters); 1 for none.
    package var poolWindow: Int
    /// [C, H, W] the stage hands to the next one (after the pool, if any).
    package var output: (channels: Int, height: Int, width: Int)

    init(name: String, layer: any Layer, activation: Activation, input: (channels: Int, height: Int, width: Int),
         layerOutput: (channels: Int, height: Int, width: Int)? = nil, poolWindow: Int = 1,
         output: (channels: Int, height: Int, width: Int)) {
        self.name = name; self.layer = layer; self.activation = activation; self.input = input
        self.layerOutput = layerOutput ?? output; self.poolWindow = poolWindow; self.output = output
        precondition(self.layerOutput.channels == output.channels && self.layerOutput.height / poolWindow == output.height,
                     "\(name): pooling \(self.layerOutput) by \(poolWindow) does not give \(output)")
    }

    package var inputSize: Int { input.channels * input.height * input.width }
    package var layerOutputSize: Int { layerOutput.channels * layerOutput.height * layerOutput.width }
    package var outputSize: Int { output.channels * output.height * output.width }
    package var isPooled: Bool { poolWindow > 1 }

    /// Floats of scratch the layer needs for batches of up to `maxBatch` images (im2col columns of a chunk),
    /// or for one image split by output channel.
    package func scratchCount(maxBatch: Int) -> Int {
        max(layer.scratchCount(height: input.height, width: input.width, maxBatch: maxBatch),
            layer.channelSplitScratchCount(height: input.height, width: input.width))
    }
}
