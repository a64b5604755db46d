import NeuralCore

/// Which network: the report's (Hu & Velarde 2016 §2) or the project's faster strided variant (issue 4 §2).
public enum Architecture: String, Codable, Sendable, CaseIterable {
    case paper, strided
}

/// The reconstruction loss on the hole (see `MaskedLoss` for the exact formula).
public enum ReconstructionLoss: String, Codable, Sendable {
    case l2, l1

    var masked: MaskedLoss { self == .l2 ? .l2 : .l1 }
}

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
    /// so that padding k/2 keeps 28×28. Ignored by `strided`.
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

    /// (name, shape) in PyTorch state_dict order: enc.0.weight, [enc.0.bias], enc.2.weight, …, fc.weight,
    /// [fc.bias], dec.0.weight, …, dec.4.weight, [dec.4.bias].
    public var parameterLayout: [(name: String, shape: [Int])] {
        stages.flatMap { stage -> [(name: String, shape: [Int])] in
            var entries = [(name: "\(stage.name).weight", shape: stage.layer.weightShape)]
            if bias { entries.append((name: "\(stage.name).bias", shape: stage.layer.biasShape)) }
            return entries
        }
    }

    /// The seven layers in order, with their activations and the [C, H, W] each one produces.
    var stages: [Stage] {
        precondition((try? validate()) != nil, "invalid model config \(self); call validate() on configs from outside")
        let enc: [(inC: Int, outC: Int, k: Int, s: Int, p: Int)]
        let fcChannels: Int, fcSide: Int
        switch architecture {
        case .paper:
            let k = kernelSize, p = kernelSize / 2
            enc = [(1, 16, k, 1, p), (16, 16, k, 1, p), (16, 16, k, 1, p)]
            fcChannels = 16; fcSide = 28
        case .strided:
            enc = [(1, 16, 4, 2, 1), (16, 32, 4, 2, 1), (32, 64, 3, 1, 1)]
            fcChannels = 64; fcSide = 7
        }
        var stages: [Stage] = []
        var side = Digit.side
        let leaky = Activation.leakyReLU(slope: 0.2)  // DCGAN's slope, used by Pathak et al.'s encoder
        for (i, l) in enc.enumerated() {
            let conv = Conv2D(inChannels: i == 0 ? inputChannels : l.inC, outChannels: l.outC, kernelSize: l.k,
                              stride: l.s, padding: l.p, hasBias: bias)
            let input = (channels: conv.inChannels, height: side, width: side)
            side = conv.outputSize(height: side, width: side).height
            stages.append(Stage(name: "enc.\(2 * i)", layer: .conv(conv), activation: leaky,
                                input: input, output: (l.outC, side, side)))
        }
        precondition(side == fcSide, "encoder ends at \(side)×\(side), expected \(fcSide)")
        let features = fcSide * fcSide
        stages.append(Stage(name: "fc", layer: .channelWise(ChannelWiseLinear(channels: fcChannels, inFeatures: features,
                                                                               outFeatures: features, hasBias: bias)),
                            activation: .identity, input: (fcChannels, side, side), output: (fcChannels, side, side)))
        for (i, l) in enc.reversed().enumerated() {
            let convT = TransposedConv2D(inChannels: l.outC, outChannels: l.inC, kernelSize: l.k, stride: l.s,
                                         padding: l.p, hasBias: bias)
            let input = (channels: l.outC, height: side, width: side)
            side = convT.outputSize(height: side, width: side).height
            stages.append(Stage(name: "dec.\(2 * i)", layer: .transposedConv(convT), activation: i < 2 ? .relu : .sigmoid,
                                input: input, output: (l.inC, side, side)))
        }
        precondition(side == Digit.side, "decoder ends at \(side)×\(side), expected \(Digit.side)")
        return stages
    }
}

/// One layer of the context encoder followed by its activation.
struct Stage {
    enum Layer {
        case conv(Conv2D), channelWise(ChannelWiseLinear), transposedConv(TransposedConv2D)

        var weightShape: [Int] {
            switch self {
            case .conv(let l): l.weightShape
            case .channelWise(let l): l.weightShape
            case .transposedConv(let l): l.weightShape
            }
        }

        var biasShape: [Int] {
            switch self {
            case .conv(let l): l.biasShape
            case .channelWise(let l): l.biasShape
            case .transposedConv(let l): l.biasShape
            }
        }

        var initBound: Float {
            switch self {
            case .conv(let l): l.initBound
            case .channelWise(let l): l.initBound
            case .transposedConv(let l): l.initBound
            }
        }
    }

    var name: String
    var layer: Layer
    var activation: Activation
    var input: (channels: Int, height: Int, width: Int)
    var output: (channels: Int, height: Int, width: Int)

    var inputSize: Int { input.channels * input.height * input.width }
    var outputSize: Int { output.channels * output.height * output.width }

    /// Floats of scratch the layer needs for batches of up to `maxBatch` images (im2col columns of a chunk),
    /// or for one image split by output channel.
    func scratchCount(maxBatch: Int) -> Int {
        switch layer {
        case .conv(let l): max(l.scratchCount(height: input.height, width: input.width, maxBatch: maxBatch),
                               l.channelSplitScratchCount(height: input.height, width: input.width))
        case .transposedConv(let l): max(l.scratchCount(height: input.height, width: input.width, maxBatch: maxBatch),
                                         l.channelSplitScratchCount(height: input.height, width: input.width))
        case .channelWise: 0
        }
    }
}
