import Datasets
import Dispatch
import Glibc
import Inpainting
import NeuralCore

/// Speed measurements of the context encoder (issue 4 §3), for `inpaint bench` to print. Measures, prints
/// nothing; every run uses seeded synthetic inputs so that numbers compare across machines and commits.
public enum ContextEncoderBenchmark {
    public struct Timing: Sendable, Codable, Equatable {
        /// Seconds per run, sorted ascending.
        public var seconds: [Double]
        public var median: Double { seconds.isEmpty ? .nan : seconds[seconds.count / 2] }
        /// 99th percentile (nearest rank).
        public var p99: Double { seconds.isEmpty ? .nan : seconds[min(seconds.count - 1, Int((0.99 * Double(seconds.count)).rounded(.up)) - 1)] }
    }

    public struct Training: Sendable, Codable, Equatable {
        public var config: ModelConfig
        public var batch: Int
        public var step: Timing
        /// Images per second at the median step time.
        public var imagesPerSecond: Double { Double(batch) / step.median }
        /// Forward + backward FLOPs per image (multiply-adds count two).
        public var flopsPerImage: Double
        public var gigaflopsPerSecond: Double { flopsPerImage * imagesPerSecond / 1e9 }
    }

    /// Full training steps (zero gradients, lossAndGradients, Adam) at `batch`, after `warmup` untimed steps.
    /// `concurrency`: Dispatch workers for the passes and Adam (see `ContextEncoderWorkspace`); BLAS threads
    /// are whatever the caller set.
    public static func training(config: ModelConfig, batch: Int = 64, steps: Int = 10, warmup: Int = 2, seed: UInt64 = 1,
                                concurrency: Int = 1) -> Training {
        var generator = SeededGenerator(seed: seed)
        var model = ContextEncoder(config: config, generator: &generator)
        let (images, masks) = syntheticBatch(count: batch, generator: &generator)
        let workspace = ContextEncoderWorkspace(config: config, maxBatch: batch, concurrency: concurrency)
        var gradients = model.parameters.zerosLike()
        var adam = Adam(parameterCount: model.parameters.count)
        var times: [Double] = []
        let clock = ContinuousClock()
        images.withUnsafeBufferPointer { x in masks.withUnsafeBufferPointer { m in
            for i in 0..<(warmup + steps) {
                let start = clock.now
                gradients.values.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
                _ = model.lossAndGradients(images: x.baseAddress!, masks: m.baseAddress!, count: batch, loss: .l2,
                                           knownWeight: 0, gradients: &gradients, workspace: workspace)
                adam.step(parameters: &model.parameters, gradients: gradients, concurrency: concurrency)
                if i >= warmup { times.append(seconds(clock.now - start)) }
            }
        } }
        return Training(config: config, batch: batch, step: Timing(seconds: times.sorted()),
                        flopsPerImage: flopsPerImage(config, backward: true))
    }

    /// Single-image forward latency (reconstruct with a preallocated workspace), `runs` timed runs, with the
    /// channel-wise weights in `precision` (the float16 or int8 copy is made during warm-up, as a reconstructor
    /// makes it once per model).
    public static func forwardLatency(config: ModelConfig, runs: Int = 200, warmup: Int = 10, seed: UInt64 = 1,
                                      concurrency: Int = 1, precision: InferencePrecision = .float32) -> Timing {
        var generator = SeededGenerator(seed: seed)
        let model = ContextEncoder(config: config, generator: &generator)
        let (images, masks) = syntheticBatch(count: 1, generator: &generator)
        let workspace = ContextEncoderWorkspace(config: config, maxBatch: 1, concurrency: concurrency)
        var output = [Float](repeating: 0, count: Digit.pixels)
        var times: [Double] = []
        let clock = ContinuousClock()
        images.withUnsafeBufferPointer { x in masks.withUnsafeBufferPointer { m in output.withUnsafeMutableBufferPointer { o in
            for i in 0..<(warmup + runs) {
                let start = clock.now
                model.reconstruct(images: x.baseAddress!, masks: m.baseAddress!, count: 1, into: o.baseAddress!, workspace: workspace,
                                  precision: precision)
                if i >= warmup { times.append(seconds(clock.now - start)) }
            }
        } } }
        return Timing(seconds: times.sorted())
    }

    /// One way to run a single-image forward: threads (1: the serial pass), the pool helpers' spin and the
    /// channel-wise weights' precision.
    public struct ForwardVariant: Sendable, Equatable {
        public var threads: Int
        public var spinNanoseconds: Int
        public var precision: InferencePrecision
        public init(threads: Int, spinNanoseconds: Int = WorkerPool.defaultSpinNanoseconds, precision: InferencePrecision = .int8) {
            self.threads = threads
            self.spinNanoseconds = spinNanoseconds
            self.precision = precision
        }
    }

    /// Single-image forward latency of several variants, measured in `rounds` alternating rounds of `runs`
    /// forwards each (after `warmup` per variant and round), so that a machine whose load changes affects all
    /// alike; `pause` seconds between forwards (0: back to back; a drag's motions come ~30 ms apart, long
    /// enough for the helpers to fall asleep). One workspace per variant, made before the first round.
    public static func forwardVariants(config: ModelConfig, variants: [ForwardVariant], rounds: Int = 5, runs: Int = 100,
                                       warmup: Int = 5, pause: Double = 0, seed: UInt64 = 1) -> [Timing] {
        var generator = SeededGenerator(seed: seed)
        let model = ContextEncoder(config: config, generator: &generator)
        let (images, masks) = syntheticBatch(count: 1, generator: &generator)
        let workspaces = variants.map { variant in
            let workspace = ContextEncoderWorkspace(config: config, maxBatch: 1, concurrency: max(2, variant.threads))
            workspace.singleImageSpinNanoseconds = variant.spinNanoseconds
            workspace.singleImageThreads = variant.threads
            return workspace
        }
        var times = [[Double]](repeating: [], count: variants.count)
        var output = [Float](repeating: 0, count: Digit.pixels)
        let clock = ContinuousClock()
        images.withUnsafeBufferPointer { x in masks.withUnsafeBufferPointer { m in output.withUnsafeMutableBufferPointer { o in
            for _ in 0..<rounds {
                for (v, workspace) in workspaces.enumerated() {
                    for i in 0..<(warmup + runs) {
                        if pause > 0 { sleepSeconds(pause) }
                        let start = clock.now
                        model.reconstruct(images: x.baseAddress!, masks: m.baseAddress!, count: 1, into: o.baseAddress!,
                                          workspace: workspace, precision: variants[v].precision)
                        if i >= warmup { times[v].append(seconds(clock.now - start)) }
                    }
                }
            }
        } } }
        return times.map { Timing(seconds: $0.sorted()) }
    }

    static func sleepSeconds(_ s: Double) {
        var t = timespec(tv_sec: Int(s), tv_nsec: Int((s - Double(Int(s))) * 1e9))
        nanosleep(&t, nil)
    }

    /// The machine's sgemm rate on square n×n×n products (GFLOP/s, median of `runs`), for "fraction of peak".
    /// `concurrency` products run at once on Dispatch workers, each with its own matrices and whatever BLAS
    /// threads the caller set, and their FLOPs are summed: the peak of the same parallelism that training with
    /// that many workers uses (a 2-worker run against a 1-thread peak would claim up to twice the real fraction).
    public static func sgemmGigaflops(n: Int = 1024, runs: Int = 5, concurrency: Int = 1) -> Double {
        precondition(concurrency >= 1, "sgemm benchmark concurrency must be ≥ 1, got \(concurrency)")
        var generator = SeededGenerator(seed: 3)
        let a = (0..<(n * n)).map { _ in generator.uniform(-1, 1) }, b = a
        let products = (0..<concurrency).map { _ in UnsafeMutablePointer<Float>.allocate(capacity: n * n) }
        defer { products.forEach { $0.deallocate() } }
        var times: [Double] = []
        let clock = ContinuousClock()
        a.withUnsafeBufferPointer { ap in b.withUnsafeBufferPointer { bp in
            let a = ap.baseAddress!, b = bp.baseAddress!
            func product(_ worker: Int) {
                sgemm(transA: false, transB: false, m: n, n: n, k: n, alpha: 1, a: a, lda: n, b: b, ldb: n, beta: 0,
                      c: products[worker], ldc: n)
            }
            for _ in 0..<(runs + 1) {
                let start = clock.now
                if concurrency == 1 { product(0) } else { DispatchQueue.concurrentPerform(iterations: concurrency, execute: product) }
                times.append(seconds(clock.now - start))
            }
        } }
        times.removeFirst()
        return 2 * Double(n * n * n) * Double(concurrency) / times.sorted()[times.count / 2] / 1e9
    }

    /// FLOPs of one image through the model: forward only, or forward + backward (weight gradients for every
    /// layer, input gradients for all but the first). Pointwise work is not counted.
    public static func flopsPerImage(_ config: ModelConfig, backward: Bool) -> Double {
        var forward = 0.0, total = 0.0
        for (i, stage) in config.stages.enumerated() {
            let macs = stage.multiplyAdds
            forward += 2 * macs
            total += 2 * macs * (i == 0 ? 2 : 3)
        }
        return backward ? total : forward
    }

    static func syntheticBatch(count: Int, generator: inout SeededGenerator) -> (images: [Float], masks: [Float]) {
        let images = (0..<(count * Digit.pixels)).map { _ in generator.nextUnitFloat() }
        let masks = (0..<count).flatMap { n in HoleRect(top: 4 + n % 10, left: 6 + n % 8, height: 10, width: 12).mask() }
        return (images, masks)
    }

    static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) * 1e-18
    }
}
