import NeuralCore

// Adversarial training's discriminator in the same safetensors file as the context encoder, so that one
// file resumes a run bit for bit: weights `disc.0.weight`, …, `disc.5.bias` (always F32: 35 k values), and
// Adam's moments `optim.m.disc.*`/`optim.v.disc.*` with metadata `optim.disc.step`, beside the generator's
// `optim.m.*`. PyTorch loads the generator alone after dropping both prefixes:
// `{k: v for k, v in load_file(path).items() if not k.startswith(("optim.", "disc."))}`.

extension Checkpoint {
    static let discriminatorPrefix = "disc."
    static let discriminatorStepKey = "optim.disc.step"
    private static let discriminatorMomentPrefixes = ["optim.m.disc.", "optim.v.disc."]

    static func isDiscriminatorMoment(_ name: String) -> Bool {
        discriminatorMomentPrefixes.contains { name.hasPrefix($0) }
    }

    func appendDiscriminator(to entries: inout [SafetensorsEntry], metadata: inout [String: String]) {
        guard let discriminator else { return }
        let store = discriminator.parameters
        func slices(_ prefix: String, _ values: [Float]) -> [SafetensorsEntry] {
            store.entries.map { SafetensorsEntry(name: prefix + $0.name, shape: $0.shape,
                                                 values: values[$0.offset ..< $0.offset + $0.count], dtype: .f32) }
        }
        entries += slices("", store.values)
        if let discriminatorOptimizer {
            entries += slices("optim.m.", discriminatorOptimizer.m) + slices("optim.v.", discriminatorOptimizer.v)
            metadata[Self.discriminatorStepKey] = String(discriminatorOptimizer.step)
        }
    }

    /// The discriminator (absent, or every tensor of `Discriminator.layout`) and its moments (absent, or m
    /// and v of every tensor plus the step).
    static func decodeDiscriminator(_ file: SafetensorsFile, fail: (String) -> CheckpointError)
        throws(CheckpointError) -> (Discriminator?, AdamState?)
    {
        let names = file.names.filter { $0.hasPrefix(discriminatorPrefix) }
        let momentNames = file.names.filter(isDiscriminatorMoment)
        guard !names.isEmpty else {
            if let stray = momentNames.first { throw fail("optimizer tensor \(stray) without the discriminator's weights (disc.*)") }
            return (nil, nil)
        }
        var store = ParameterStore(layout: Discriminator.layout)
        let expected = "expected \(store.names.joined(separator: ", "))"
        if let unexpected = names.first(where: { store.entry(named: $0) == nil }) {
            throw fail("unexpected discriminator tensor \(unexpected) (\(expected))")
        }
        func load(_ name: String, shape: [Int], into values: inout [Float], at offset: Int, what: String) throws(CheckpointError) {
            guard let info = file.info(named: name) else { throw fail("missing \(what) \(name) \(shape) (\(expected))") }
            guard info.shape == shape else { throw fail("\(what) \(name) has shape \(info.shape), expected \(shape)") }
            values.withUnsafeMutableBufferPointer { buffer in
                file.decode(info, into: UnsafeMutableBufferPointer(rebasing: buffer[offset ..< offset + shape.reduce(1, *)]))
            }
        }
        for entry in store.entries {
            try load(entry.name, shape: entry.shape, into: &store.values, at: entry.offset, what: "discriminator tensor")
        }
        guard !momentNames.isEmpty else { return (Discriminator(parameters: store), nil) }
        guard let stepText = file.metadata[discriminatorStepKey], let step = Int(stepText), step >= 0 else {
            throw fail("discriminator moments present but metadata \(discriminatorStepKey) is missing or not a non-negative integer")
        }
        if let unexpected = momentNames.first(where: { name in
            store.entry(named: String(name.dropFirst("optim.m.".count))) == nil
        }) {
            throw fail("unexpected optimizer tensor \(unexpected)")
        }
        var state = AdamState(parameterCount: store.count)
        for entry in store.entries {
            try load("optim.m." + entry.name, shape: entry.shape, into: &state.m, at: entry.offset, what: "optimizer tensor")
            try load("optim.v." + entry.name, shape: entry.shape, into: &state.v, at: entry.offset, what: "optimizer tensor")
        }
        state.step = step
        return (Discriminator(parameters: store), state)
    }
}
