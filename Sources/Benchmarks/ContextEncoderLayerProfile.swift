#if canImport(Glibc)
import Glibc
#endif
import Datasets
import Inpainting
import NeuralCore

// Where a training step's time goes, layer by layer (issue 4 §3 asks for this profile when a speed target is
// missed). The step is taken apart into the same layer calls that `ContextEncoderPasses` makes, each timed
// on its own, serially (one Dispatch worker; BLAS threads as the caller set them). Measures, prints nothing.

extension ContextEncoderBenchmark {
    /// Median seconds of each part of a training step.
    public struct LayerProfile: Sendable, Codable, Equatable {
        public struct Part: Sendable, Codable, Equatable {
            /// "enc.0 conv 5×5 1→16", "activations", "loss", "adam", ...
            public var name: String
            public var forward: Double
            /// Zero for parts with no backward (Adam, zeroing the gradients).
            public var backward: Double
            /// Forward + backward FLOPs of this part for the whole batch (0 where pointwise work is not counted).
            public var flops: Double
            /// Bytes the part must read and write at least, for the pointwise parts whose limit is memory (Adam
            /// reads the weights, gradients and both moments and writes three of them back: 28 bytes a weight);
            /// 0 for the layers, whose limit is arithmetic.
            public var bytes: Double = 0
        }

        /// The two limits each part is held against, measured in the same run on the same threads, before and
        /// after the parts (the higher kept): a square sgemm's rate (the layers' FLOPs) and a STREAM-style
        /// triad's (the pointwise parts' bytes).
        public struct Limits: Sendable, Codable, Equatable {
            public var sgemmGigaflops: Double
            public var streamGigabytes: Double
        }

        public var config: ModelConfig
        public var batch: Int
        public var steps: Int
        /// true: seconds of CPU time of the calling thread (with one BLAS thread, a figure that other
        /// processes on a shared machine barely disturb); false: wall-clock seconds.
        public var threadCPUTime: Bool
        public var parts: [Part]
        public var limits: Limits
        /// The sum of the parts' medians, seconds (a step in pieces, close to but not a measured step).
        public var total: Double { parts.reduce(0) { $0 + $1.forward + $1.backward } }
    }

    /// Times every layer's forward and backward, the activations, the loss, zeroing the gradients and Adam,
    /// over `steps` steps after `warmup`; seeded synthetic inputs as `training`.
    /// `threadCPUTime`: time with the calling thread's CPU clock instead of the wall clock (meaningful with
    /// one BLAS thread only, since BLAS's own workers are not counted).
    /// `quick`: small limit measurements (for tests, not for numbers).
    public static func layerProfile(config: ModelConfig, batch: Int = 64, steps: Int = 10, warmup: Int = 2,
                                    seed: UInt64 = 1, threadCPUTime: Bool = false, quick: Bool = false) -> LayerProfile {
        // The limits before and after the parts, the higher of each kept: on a shared machine the best rate it
        // showed is the nearest to what it can do.
        func measureLimits() -> LayerProfile.Limits {
            LayerProfile.Limits(sgemmGigaflops: sgemmGigaflops(n: quick ? 256 : 1024, runs: quick ? 2 : 7),
                                streamGigabytes: streamGigabytes(megabytes: quick ? 8 : 64, runs: quick ? 2 : 7))
        }
        let before = measureLimits()
        var generator = SeededGenerator(seed: seed)
        var model = ContextEncoder(config: config, generator: &generator)
        let (images, masks) = syntheticBatch(count: batch, generator: &generator)
        let ws = ContextEncoderWorkspace(config: config, maxBatch: batch, concurrency: 1)
        var gradients = model.parameters.zerosLike()
        var adam = Adam(parameterCount: model.parameters.count)
        let stages = ws.stages
        // samples[part] = (forward seconds, backward seconds) per timed step
        var forward = [[Double]](repeating: [], count: stages.count + 4)
        var backward = forward
        let activationPart = stages.count, lossPart = stages.count + 1, zeroPart = stages.count + 2, adamPart = stages.count + 3
        let clock = ContinuousClock()
        func time(_ body: () -> Void) -> Double {
            if threadCPUTime {
                let start = threadCPUSeconds()
                body()
                return threadCPUSeconds() - start
            }
            let start = clock.now
            body()
            return seconds(clock.now - start)
        }

        for step in 0..<(warmup + steps) {
            let keep = step >= warmup
            var activationForward = 0.0, activationBackward = 0.0
            let zero = time { gradients.values.withUnsafeMutableBufferPointer { $0.update(repeating: 0) } }
            images.withUnsafeBufferPointer { xb in masks.withUnsafeBufferPointer { mb in
                let x = xb.baseAddress!, m = mb.baseAddress!
                for i in 0..<(batch * Digit.pixels) { ws.input[i] = x[i] * m[i] }  // maskChannel is not profiled
                model.parameters.values.withUnsafeBufferPointer { pb in gradients.values.withUnsafeMutableBufferPointer { gb in
                    let p = pb.baseAddress!, g = gb.baseAddress!
                    // Forward, stage by stage.
                    var source = UnsafePointer(ws.input)
                    for (s, stage) in stages.enumerated() {
                        let out = ws.layerOutputs[s], w = p + ws.weightOffsets[s], b = ws.biasOffsets[s].map { p + $0 }
                        let input = source
                        let t = time {
                            stage.layer.forward(input: input, batch: batch, height: stage.input.height, width: stage.input.width,
                                                weight: w, bias: b, output: out, scratch: ws.scratch)
                        }
                        if keep { forward[s].append(t) }
                        // A max pool (pooled's encoder) counts as part of the activations: pointwise-cheap, no FLOPs.
                        activationForward += time {
                            stage.activation.forward(input: out, output: out, count: batch * stage.layerOutputSize)
                            if let argmax = ws.poolArgmax[s] {
                                MaxPool2D.forward(ws.activations[s], argmax: argmax, out, batch: batch,
                                                  channels: stage.layerOutput.channels, height: stage.layerOutput.height,
                                                  width: stage.layerOutput.width, window: stage.poolWindow)
                            }
                        }
                        source = UnsafePointer(ws.activations[s])
                    }
                    let pixels = batch * Digit.pixels
                    let lossForward = time {
                        _ = MaskedLoss.l2.forward(prediction: ws.output, target: x, mask: m, count: pixels)
                    }
                    let lossBackward = time {
                        MaskedLoss.l2.backward(prediction: ws.output, target: x, mask: m, count: pixels, dPrediction: ws.gradientA)
                    }
                    if keep { forward[lossPart].append(lossForward); backward[lossPart].append(lossBackward) }
                    // Backward, stage by stage.
                    var dOut = ws.gradientA, dIn = ws.gradientB
                    for s in stride(from: stages.count - 1, through: 0, by: -1) {
                        let stage = stages[s]
                        let dy = ws.poolArgmax[s] == nil ? dOut : ws.poolGradient
                        let out = UnsafePointer(ws.layerOutputs[s])
                        let input = s == 0 ? UnsafePointer(ws.input) : UnsafePointer(ws.activations[s - 1])
                        activationBackward += time {
                            if let argmax = ws.poolArgmax[s] {
                                dy.update(repeating: 0, count: batch * stage.layerOutputSize)
                                MaxPool2D.backward(dx: dy, dy: dOut, argmax: argmax, outputCount: batch * stage.outputSize)
                            }
                            stage.activation.backward(output: out, dOutput: dy, dInput: dy, count: batch * stage.layerOutputSize)
                        }
                        let w = p + ws.weightOffsets[s], dw = g + ws.weightOffsets[s], db = ws.biasOffsets[s].map { g + $0 }
                        let dx: UnsafeMutablePointer<Float>? = s == 0 ? nil : dIn
                        let t = time {
                            stage.layer.backward(input: input, batch: batch, height: stage.input.height, width: stage.input.width,
                                                 weight: w, dOutput: dy, dInput: dx, dWeight: dw, dBias: db, scratch: ws.scratch)
                        }
                        if keep { backward[s].append(t) }
                        swap(&dOut, &dIn)
                    }
                } }
            } }
            let update = time { adam.step(parameters: &model.parameters, gradients: gradients) }
            if keep {
                forward[activationPart].append(activationForward); backward[activationPart].append(activationBackward)
                forward[zeroPart].append(zero); backward[zeroPart].append(0)
                forward[adamPart].append(update); backward[adamPart].append(0)
            }
        }

        func median(_ values: [Double]) -> Double { values.isEmpty ? 0 : values.sorted()[values.count / 2] }
        var parts: [LayerProfile.Part] = []
        for (s, stage) in stages.enumerated() {
            let macs = stage.multiplyAdds
            parts.append(.init(name: "\(stage.name) \(stage.layer.summary)", forward: median(forward[s]),
                               backward: median(backward[s]), flops: 2 * macs * Double(batch) * (s == 0 ? 2 : 3)))
        }
        // Least traffic of the pointwise parts, 4-byte floats: an activation reads and writes its map forward and
        // reads the map and the gradient and writes the gradient backward; the loss reads prediction, target and
        // mask (and writes the gradient backward); zeroing writes every gradient; Adam as `Part.bytes` says.
        let activationFloats = Double(batch * stages.reduce(0) { $0 + $1.layerOutputSize })
        let pixels = Double(batch * Digit.pixels), weights = Double(model.parameters.count)
        let traffic = [activationPart: 4 * (2 + 3) * activationFloats, lossPart: 4 * (3 + 4) * pixels,
                       zeroPart: 4 * weights, adamPart: 4 * 7 * weights]
        for (part, name) in [(activationPart, "activations"), (lossPart, "loss"), (zeroPart, "zero gradients"), (adamPart, "adam (fused)")] {
            parts.append(.init(name: name, forward: median(forward[part]), backward: median(backward[part]), flops: 0,
                               bytes: traffic[part] ?? 0))
        }
        let after = measureLimits()
        let limits = LayerProfile.Limits(sgemmGigaflops: max(before.sgemmGigaflops, after.sgemmGigaflops),
                                         streamGigabytes: max(before.streamGigabytes, after.streamGigabytes))
        return LayerProfile(config: config, batch: batch, steps: steps, threadCPUTime: threadCPUTime, parts: parts, limits: limits)
    }

    /// The machine's memory rate on one thread, GB/s (median of `runs`): a STREAM triad a = b + s·c over three
    /// arrays of `megabytes` each (larger than the caches), counting the 3 arrays' bytes as moved.
    public static func streamGigabytes(megabytes: Int = 64, runs: Int = 5) -> Double {
        let count = megabytes << 18   // floats
        let a = UnsafeMutablePointer<Float>.allocate(capacity: count), b = UnsafeMutablePointer<Float>.allocate(capacity: count)
        let c = UnsafeMutablePointer<Float>.allocate(capacity: count)
        defer { a.deallocate(); b.deallocate(); c.deallocate() }
        b.initialize(repeating: 1, count: count)
        c.initialize(repeating: 2, count: count)
        a.initialize(repeating: 0, count: count)   // every page touched before the first timed run
        let clock = ContinuousClock()
        var times: [Double] = []
        for run in 0..<(runs + 1) {
            let scalar = SIMD8<Float>(repeating: Float(run + 1) * 0.5), start = clock.now
            // In 8-float vectors, as the kernels under test move memory (a scalar loop measures the loop instead).
            let vectors = count / 8
            a.withMemoryRebound(to: SIMD8<Float>.self, capacity: vectors) { a8 in
                b.withMemoryRebound(to: SIMD8<Float>.self, capacity: vectors) { b8 in
                    c.withMemoryRebound(to: SIMD8<Float>.self, capacity: vectors) { c8 in
                        for i in 0..<vectors { a8[i] = b8[i] + scalar * c8[i] }
                    }
                }
            }
            times.append(seconds(clock.now - start))
        }
        times.removeFirst()
        precondition(a[count - 1] == 1 + Float(runs + 1) * 0.5 * 2, "the triad was not computed")
        return 3 * 4 * Double(count) / times.sorted()[times.count / 2] / 1e9
    }

    static func threadCPUSeconds() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
    }
}

extension Stage {
    /// Multiply-adds of one image's forward pass through this layer (as `flopsPerImage` counts them).
    var multiplyAdds: Double { layer.multiplyAdds(height: input.height, width: input.width) }
}
