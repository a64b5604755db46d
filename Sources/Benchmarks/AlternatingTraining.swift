import Datasets
import Inpainting
import NeuralCore

extension ContextEncoderBenchmark {
    /// Training steps timed as `training` times them, with variants taking turns step by step: `setups[i % n]`
    /// runs (untimed) before step i, `steps` timed steps per variant after `warmup` each. On a shared machine
    /// whose load changes from second to second, neighbouring steps see the same load, so the variants'
    /// medians compare where separate runs (even alternating ones) do not. One model and workspace for all:
    /// a setup may change only how a step is computed (which kernels), not the network.
    public static func alternatingTraining(config: ModelConfig, batch: Int = 64, steps: Int = 100, warmup: Int = 3,
                                           seed: UInt64 = 1, concurrency: Int = 1,
                                           setups: [() -> Void]) -> [Training] {
        precondition(!setups.isEmpty, "alternatingTraining: no variants")
        var generator = SeededGenerator(seed: seed)
        var model = ContextEncoder(config: config, generator: &generator)
        let (images, masks) = syntheticBatch(count: batch, generator: &generator)
        let workspace = ContextEncoderWorkspace(config: config, maxBatch: batch, concurrency: concurrency)
        var gradients = model.parameters.zerosLike()
        var adam = Adam(parameterCount: model.parameters.count)
        var times = [[Double]](repeating: [], count: setups.count)
        let clock = ContinuousClock()
        images.withUnsafeBufferPointer { x in masks.withUnsafeBufferPointer { m in
            for i in 0..<((warmup + steps) * setups.count) {
                let variant = i % setups.count
                setups[variant]()
                let start = clock.now
                gradients.values.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
                _ = model.lossAndGradients(images: x.baseAddress!, masks: m.baseAddress!, count: batch, loss: .l2,
                                           knownWeight: 0, gradients: &gradients, workspace: workspace)
                adam.step(parameters: &model.parameters, gradients: gradients, concurrency: concurrency)
                if i >= warmup * setups.count { times[variant].append(seconds(clock.now - start)) }
            }
        } }
        return times.map {
            Training(config: config, batch: batch, step: Timing(seconds: $0.sorted()), flopsPerImage: flopsPerImage(config, backward: true))
        }
    }
}
