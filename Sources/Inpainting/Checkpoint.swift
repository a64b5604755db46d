import Datasets
import FileIO
import Foundation
import NeuralCore

/// A model checkpoint: a safetensors file that loads straight into the PyTorch twin
/// (`model.load_state_dict(safetensors.torch.load_file(path), strict=False)`, or strict after dropping
/// the `optim.` keys).
///
/// Layout of the file:
/// - the parameters under their PyTorch names and layouts, e.g. paper: `enc.0.weight` [16,1,5,5],
///   `enc.2.weight` and `enc.4.weight` [16,16,5,5], `fc.weight` [16,784,784], `dec.0.weight` and
///   `dec.2.weight` [16,16,5,5], `dec.4.weight` [16,1,5,5] (ConvTranspose2d: [in, out, kh, kw]),
///   `*.bias` when the config has biases; F32, or F16 with `storage: .f16` (for the bundled model);
/// - optionally Adam's moments, always F32 (v can be far below F16's smallest normal):
///   `optim.m.<name>` and `optim.v.<name>` for every parameter;
/// - metadata: `format` = `pt` (what PyTorch tooling expects), `inpaint.config` = the ModelConfig as JSON,
///   `inpaint.training` = the TrainingState as JSON, `inpaint.dataset` = `mnist` or `fashion` (the data
///   it was trained on; a file without it, as everything written before the key existed, counts as MNIST,
///   see `DatasetKind.init(metadata:file:)`), `optim.step` = Adam's step count when the moments are present;
/// - after adversarial training, the discriminator under `disc.*` (F32) and its Adam's moments under
///   `optim.m.disc.*`/`optim.v.disc.*` with metadata `optim.disc.step` (see CheckpointDiscriminator.swift).
public struct Checkpoint: Sendable, Equatable {
    public var model: ContextEncoder
    public var training: TrainingState
    /// Adam's step count and moments, in the parameters' flat layout; nil when not saved.
    public var optimizer: AdamState?
    /// Adversarial training's discriminator and its Adam's state; nil when the run had none (or not saved).
    public var discriminator: Discriminator?
    public var discriminatorOptimizer: AdamState?
    /// The data set the weights were trained on (`inpaint.dataset`; MNIST when the file does not say).
    public var dataset: DatasetKind

    public init(model: ContextEncoder, training: TrainingState = TrainingState(), optimizer: AdamState? = nil,
                discriminator: Discriminator? = nil, discriminatorOptimizer: AdamState? = nil,
                dataset: DatasetKind = .mnist) {
        if let optimizer {
            precondition(optimizer.m.count == model.parameters.count && optimizer.v.count == model.parameters.count,
                         "optimizer moments must have one value per parameter")
        }
        if let discriminatorOptimizer {
            precondition(discriminator != nil && discriminatorOptimizer.m.count == discriminator!.parameters.count
                            && discriminatorOptimizer.v.count == discriminator!.parameters.count,
                         "discriminator moments need a discriminator and one value per weight")
        }
        self.model = model; self.training = training; self.optimizer = optimizer
        self.discriminator = discriminator; self.discriminatorOptimizer = discriminatorOptimizer
        self.dataset = dataset
    }

    static let configKey = "inpaint.config"
    static let trainingKey = "inpaint.training"
    static let optimizerStepKey = "optim.step"
    static let optimizerPrefix = "optim."
}

/// A checkpoint that cannot be read or written; `description` is one line naming the file.
public struct CheckpointError: Error, Equatable, CustomStringConvertible, LocalizedError {
    public var file: String
    public var detail: String

    public init(file: String, detail: String) { self.file = file; self.detail = detail }
    init(_ error: SafetensorsError) { self.init(file: error.file, detail: error.detail) }

    /// One line even if a detail quotes text with line breaks (e.g. bad JSON metadata).
    public var description: String { "\(file): \(detail)".split(whereSeparator: \.isNewline).joined(separator: " ") }
    public var errorDescription: String? { description }
}

// MARK: - Writing

extension Checkpoint {
    /// Writes the checkpoint atomically (temporary file + rename). `storage` is the element type of the
    /// parameters: `.f32` for training, `.f16` for a compact model that is only run.
    public func write(to url: URL, storage: SafetensorsDType = .f32) throws(CheckpointError) {
        var entries: [SafetensorsEntry] = []
        let store = model.parameters
        // Slices share the store's buffer: nothing is copied before the chunked write.
        for entry in store.entries {
            entries.append(SafetensorsEntry(name: entry.name, shape: entry.shape,
                                            values: store.values[entry.offset ..< entry.offset + entry.count], dtype: storage))
        }
        var metadata = ["format": "pt"]
        metadata[Self.configKey] = Self.json(model.config)
        metadata[Self.trainingKey] = Self.json(training)
        metadata[DatasetKind.metadataKey] = dataset.rawValue
        if let optimizer {
            for (prefix, values) in [("optim.m.", optimizer.m), ("optim.v.", optimizer.v)] {
                for entry in store.entries {
                    entries.append(SafetensorsEntry(name: prefix + entry.name, shape: entry.shape,
                                                    values: values[entry.offset ..< entry.offset + entry.count], dtype: .f32))
                }
            }
            metadata[Self.optimizerStepKey] = String(optimizer.step)
        }
        appendDiscriminator(to: &entries, metadata: &metadata)
        do {
            try SafetensorsFile.write(entries, metadata: metadata, to: url)
        } catch {
            throw CheckpointError(error)
        }
    }

    /// Sorted keys and NaN/∞ spelled out: the metadata of the same state is the same bytes, and a diverged
    /// loss in the history does not make the checkpoint unwritable.
    static func json<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        do {
            return String(decoding: try encoder.encode(value), as: UTF8.self)
        } catch {
            preconditionFailure("encoding \(T.self) as JSON failed: \(error)")
        }
    }
}

// MARK: - Reading

extension Checkpoint {
    /// Reads a checkpoint and checks it against its configuration: every tensor the configuration needs is
    /// present with the right shape, nothing else is (apart from `optim.*`). Files without
    /// `inpaint.config` (saved from PyTorch) get a configuration inferred from their tensors.
    public static func read(contentsOf url: URL) throws(CheckpointError) -> Checkpoint {
        let file: SafetensorsFile
        do {
            file = try SafetensorsFile.read(contentsOf: url)
        } catch {
            throw CheckpointError(error)
        }
        return try decode(file, path: url.path)
    }

    static func decode(_ file: SafetensorsFile, path: String) throws(CheckpointError) -> Checkpoint {
        func fail(_ detail: String) -> CheckpointError { CheckpointError(file: path, detail: detail) }

        let config: ModelConfig
        if let text = file.metadata[configKey] {
            do {
                config = try JSONDecoder().decode(ModelConfig.self, from: Data(text.utf8))
            } catch {
                throw fail("metadata \(configKey) is not a valid model configuration (\(Self.decodingReason(error))): \(text.prefix(120))")
            }
        } else {
            config = try inferConfig(from: file, fail: fail)
        }
        do {
            try config.validate()
        } catch {
            throw fail("metadata \(configKey): \(error.description)")
        }
        let describe = configDescription(config)

        let dataset: DatasetKind
        do {
            dataset = try DatasetKind(metadata: file.metadata, file: path)
        } catch {
            throw fail(error.detail)
        }

        var training = TrainingState()
        if let text = file.metadata[trainingKey] {
            let decoder = JSONDecoder()
            decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
            do {
                training = try decoder.decode(TrainingState.self, from: Data(text.utf8))
            } catch {
                throw fail("metadata \(trainingKey) is not a valid training state (\(Self.decodingReason(error)))")
            }
        }

        var store = ParameterStore(layout: config.parameterLayout)
        let expected = Set(store.names)
        let modelNames = file.names.filter { !$0.hasPrefix(optimizerPrefix) && !$0.hasPrefix(discriminatorPrefix) }
        if let unexpected = modelNames.first(where: { !expected.contains($0) }) {
            throw fail("unexpected tensor \(unexpected) for \(describe) (expected \(store.names.joined(separator: ", ")))")
        }
        for entry in store.entries {
            guard let info = file.info(named: entry.name) else {
                throw fail("missing tensor \(entry.name) \(entry.shape) for \(describe)")
            }
            guard info.shape == entry.shape else {
                throw fail("tensor \(entry.name) has shape \(info.shape), expected \(entry.shape) for \(describe)")
            }
            store.values.withUnsafeMutableBufferPointer { values in
                file.decode(info, into: UnsafeMutableBufferPointer(rebasing: values[entry.offset ..< entry.offset + entry.count]))
            }
        }

        let optimizer = try decodeOptimizer(file, layout: store, fail: fail)
        let (discriminator, discriminatorOptimizer) = try decodeDiscriminator(file, fail: fail)
        // One Inf weight makes every output NaN, which trapped in fill's Float → UInt8 conversion and printed
        // "MSE -nan" in eval: refused here, with the tensor's name, for every reader at once.
        try requireFinite(store.values, store, prefix: "", fail: fail)
        if let optimizer {
            try requireFinite(optimizer.m, store, prefix: "optim.m.", fail: fail)
            try requireFinite(optimizer.v, store, prefix: "optim.v.", fail: fail)
        }
        if let discriminator {
            try requireFinite(discriminator.parameters.values, discriminator.parameters, prefix: "", fail: fail)
            if let discriminatorOptimizer {
                try requireFinite(discriminatorOptimizer.m, discriminator.parameters, prefix: "optim.m.", fail: fail)
                try requireFinite(discriminatorOptimizer.v, discriminator.parameters, prefix: "optim.v.", fail: fail)
            }
        }
        return Checkpoint(model: ContextEncoder(config: config, parameters: store), training: training, optimizer: optimizer,
                          discriminator: discriminator, discriminatorOptimizer: discriminatorOptimizer, dataset: dataset)
    }

    /// Throws naming the tensor (`prefix` + the layout's name) and element of the first NaN or infinity.
    private static func requireFinite(_ values: [Float], _ layout: ParameterStore, prefix: String,
                                      fail: (String) -> CheckpointError) throws(CheckpointError) {
        guard let index = values.firstIndex(where: { !$0.isFinite }) else { return }
        let entry = layout.entries.last { $0.offset <= index }
        let name = entry.map { prefix + $0.name } ?? "?"
        throw fail("tensor \(name) holds \(values[index]) at element \(index - (entry?.offset ?? 0)), expected finite weights")
    }

    /// Adam's moments: absent entirely, or complete (m and v for every parameter, and the step).
    private static func decodeOptimizer(
        _ file: SafetensorsFile, layout store: ParameterStore, fail: (String) -> CheckpointError
    ) throws(CheckpointError) -> AdamState? {
        let optimizerNames = file.names.filter { $0.hasPrefix(optimizerPrefix) && !isDiscriminatorMoment($0) }
        guard !optimizerNames.isEmpty else { return nil }
        let expected = Set(store.names.flatMap { ["optim.m.\($0)", "optim.v.\($0)"] })
        if let unexpected = optimizerNames.first(where: { !expected.contains($0) }) {
            throw fail("unexpected optimizer tensor \(unexpected)")
        }
        guard let stepText = file.metadata[optimizerStepKey], let step = Int(stepText), step >= 0 else {
            throw fail("optimizer moments present but metadata \(optimizerStepKey) is missing or not a non-negative integer")
        }
        var state = AdamState(parameterCount: store.count)
        for entry in store.entries {
            for prefix in ["optim.m.", "optim.v."] {
                guard let info = file.info(named: prefix + entry.name) else {
                    throw fail("missing optimizer tensor \(prefix + entry.name) (a checkpoint holds all of Adam's moments or none)")
                }
                guard info.shape == entry.shape else {
                    throw fail("optimizer tensor \(prefix + entry.name) has shape \(info.shape), expected \(entry.shape)")
                }
                func load(_ values: inout [Float]) {
                    values.withUnsafeMutableBufferPointer { buffer in
                        file.decode(info, into: UnsafeMutableBufferPointer(rebasing: buffer[entry.offset ..< entry.offset + entry.count]))
                    }
                }
                if prefix == "optim.m." { load(&state.m) } else { load(&state.v) }
            }
        }
        state.step = step
        return state
    }

    /// A configuration read off the tensors of a file saved without our metadata (for example by PyTorch):
    /// the FC's shape names the architecture, `enc.0.weight` the input channels and kernel, `enc.0.bias` the
    /// biases.
    static func inferConfig(from file: SafetensorsFile, fail: (String) -> CheckpointError) throws(CheckpointError) -> ModelConfig {
        guard let fc = file.info(named: "fc.weight"), let first = file.info(named: "enc.0.weight"), first.shape.count == 4 else {
            throw fail("no metadata \(configKey) and no fc.weight/enc.0.weight to infer the model from (not a context encoder checkpoint?)")
        }
        let bias = file.info(named: "enc.0.bias") != nil
        let maskChannel = first.shape[1] == 2
        for architecture in Architecture.allCases {
            // 5 first: strided ignores the kernel size, and its configs say 5 (the default).
            for kernel in first.shape[2] == 5 ? [5] : [5, first.shape[2]] {
                let candidate = ModelConfig(architecture: architecture, bias: bias, maskChannel: maskChannel, kernelSize: kernel)
                guard (try? candidate.validate()) != nil else { continue }
                // Every tensor of the candidate's layout, not just fc and enc.0: strided and pooled share
                // the FC's shape and differ in their later encoder names (enc.2 against enc.3).
                if candidate.parameterLayout.allSatisfy({ file.info(named: $0.name)?.shape == $0.shape }) {
                    return candidate
                }
            }
        }
        throw fail("no metadata \(configKey), and fc.weight \(fc.shape) with enc.0.weight \(first.shape) match no known architecture")
    }

    /// "architecture paper (no biases, 1 input channel, kernel 5)", for error messages.
    static func configDescription(_ config: ModelConfig) -> String {
        "architecture \(config.architecture.rawValue) (\(config.bias ? "biases" : "no biases"), "
            + "\(config.inputChannels) input channel\(config.inputChannels == 1 ? "" : "s"), kernel \(config.kernelSize))"
    }

    /// The useful part of a DecodingError (which key, what was wrong), without Swift's debug dump.
    static func decodingReason(_ error: Error) -> String {
        switch error as? DecodingError {
        case .keyNotFound(let key, _): return "missing key \(key.stringValue)"
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            return path.isEmpty ? context.debugDescription : "\(path): \(context.debugDescription)"
        default: return "\(error)".split(separator: "\n").first.map(String.init) ?? "invalid"
        }
    }
}

// MARK: - The bundled models

extension Checkpoint {
    /// The bundled MNIST model's file name inside `assets/`.
    public static let bundledModelFileName = "model.safetensors"

    /// The bundled model for `dataset`: `model.safetensors` (MNIST, the first one, kept under its name) or
    /// `fashion-model.safetensors`.
    public static func bundledModelFileName(for dataset: DatasetKind) -> String {
        dataset.bundledFileName(bundledModelFileName)
    }

    /// The bundled model for `dataset`, from the first folder `locator` searches that holds it, or a one-line
    /// error that names every place searched and what to do instead.
    public static func bundledModel(for dataset: DatasetKind = .mnist,
                                    locator: AssetsLocator = AssetsLocator()) throws(CheckpointError) -> URL {
        let name = bundledModelFileName(for: dataset)
        do {
            return try locator.url(of: name)
        } catch {
            throw CheckpointError(file: name, detail: error.problem
                                      + ", or pass --model FILE (make one with `inpaint init` or `inpaint train`)")
        }
    }
}
