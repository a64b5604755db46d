import ArgumentParser
import Benchmarks
import Foundation
import Inpainting
import NeuralCore

/// `inpaint bench`: the speed figures of issue 4 §3 in one run — training throughput of `paper` and
/// `strided`, single-image forward latency of `paper`, achieved GFLOP/s against this machine's sgemm rate
/// measured in the same run, and peak resident memory. `scripts/bench_pytorch.py` prints the same fields
/// for PyTorch so that the two can be compared as ratios.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure training throughput, forward latency and achieved GFLOP/s.",
        discussion: """
            Inputs are seeded synthetic images with rectangular holes; no data set is read. A training step \
            is zeroing the gradients, forward, loss, backward and one fused Adam update; its time is the \
            median over the timed steps after warm-up. Compare with PyTorch by running \
            `venv/bin/python scripts/bench_pytorch.py --json > torch.json` and then \
            `inpaint bench --against torch.json`.
            """)

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    @Option(help: "OpenBLAS threads per worker (default: the cores divided by --workers).")
    var threads: Int?

    @Option(help: """
        Dispatch workers that split each pass by images (default: what inpaint train runs, one per core on \
        single-threaded BLAS; with only --threads given, one).
        """)
    var workers: Int?

    @Option(help: """
        The channel-wise weights of the forward-latency row: int8 (the inference path of fill and the UI), float16 \
        or float32. With --forward-only, the other two are timed beside it on two threads.
        """)
    var precision: InferencePrecision = .int8

    @Flag(help: "A few iterations only (seconds; for tests, not for numbers).")
    var quick = false

    @Option(help: "A JSON report of scripts/bench_pytorch.py --json to print beside ours, with ratios.")
    var against: String?

    @Flag(help: "Instead: where a training step's time goes, layer by layer (forward and backward).")
    var layers = false

    @Flag(help: """
        Instead: the single-image forward on one thread and on two (the pool's helper spinning 0, 20, 100 or \
        500 µs before it sleeps), in 5 alternating rounds.
        """)
    var forwardOnly = false

    @Option(help: "With --forward-only: milliseconds between two forwards (a drag's motions come ~30 ms apart).")
    var pauseMs: Double = 0

    @Option(name: .customLong("arch"), help: "The architecture --layers profiles: paper, strided or pooled.")
    var architecture: Architecture = .paper

    @Flag(help: "With --layers and --threads 1: time with the thread's CPU clock, which a loaded machine barely disturbs.")
    var cpuClock = false

    @Flag(inversion: .prefixedNo, help: """
        The direct kernels of the stride-2 4×4 layers (strided, pooled); --no-stride-two-kernels times their \
        im2col + sgemm path instead.
        """)
    var strideTwoKernels = true

    @Flag(help: """
        Instead: strided training with the stride-2 kernels and with im2col + sgemm in their place taking \
        turns step by step, in 3 rounds (--workers and --threads as for the table).
        """)
    var compareStrideTwo = false

    @Flag(help: "Run the 5×5 16→16 same convolutions on the direct kernel instead of Winograd F(4×4, 5×5), to compare the two.")
    var noWinograd = false

    func validate() throws {
        if let threads, threads <= 0 { throw ValidationError("--threads must be positive, found \(threads)") }
        if cpuClock && !(layers && threads == 1) {
            throw ValidationError("--cpu-clock needs --layers and --threads 1 (BLAS worker threads' CPU time is not counted)")
        }
        if let workers, workers < 1 { throw ValidationError("--workers must be at least 1, found \(workers)") }
        if !(pauseMs >= 0 && pauseMs <= 1000) { throw ValidationError("--pause-ms must be in 0...1000, found \(pauseMs)") }
        if pauseMs > 0 && !forwardOnly { throw ValidationError("--pause-ms needs --forward-only") }
        if compareStrideTwo && (layers || forwardOnly || json || against != nil) {
            throw ValidationError("--compare-stride-two prints its own rounds; it takes no --layers, --forward-only, --json or --against")
        }
    }

    /// Workers × BLAS threads. With neither flag: `inpaint train`'s default (a worker per core, each on a
    /// single-threaded BLAS), so that the bare command measures what training does. With one flag, the
    /// other fills the cores (`--threads 2` alone is one worker driving a two-threaded BLAS).
    static func parallelism(workers: Int?, threads: Int?, cores: Int) -> (workers: Int, threads: Int) {
        switch (workers, threads) {
        case let (w?, t?): return (w, t)
        case let (w?, nil): return (w, max(1, cores / w))
        case let (nil, t?): return (max(1, cores / t), t)
        case (nil, nil): return (cores, 1)
        }
    }

    /// Iteration counts: the full run takes about 10 s on the 2-core machine of issue 4 §3.
    private var plan: (paperSteps: Int, stridedSteps: Int, warmup: Int, forwardRuns: Int, sgemmSide: Int) {
        quick ? (3, 5, 1, 20, 256) : (40, 150, 5, 500, 1024)
    }

    func run() throws {
        // Read the reference first so that a bad path fails before ten seconds of measuring.
        let reference = try against.map(readReference)
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let plan = plan, batch = 64  // issue 4 §3 fixes batch 64
        StrideTwoConvolution.isEnabled = strideTwoKernels
        WinogradConvolution.isEnabled = !noWinograd
        if forwardOnly { return try forwardVariants() }
        if layers {
            let threadCount = threads ?? cores
            BLASThreads.set(threadCount)
            return try profileLayers(batch: batch, threads: threadCount)
        }
        let (workers, threadCount) = Self.parallelism(workers: self.workers, threads: threads, cores: cores)
        BLASThreads.set(threadCount)
        if compareStrideTwo { return compareStrideTwoKernels(workers: workers, threads: threadCount, batch: batch) }

        // The peak of the parallelism training uses: `workers` products at once, each on `threadCount` BLAS threads.
        let sgemm = ContextEncoderBenchmark.sgemmGigaflops(n: plan.sgemmSide, runs: quick ? 2 : 7, concurrency: workers)
        let paper = ContextEncoderBenchmark.training(config: ModelConfig(architecture: .paper), batch: batch,
                                                     steps: plan.paperSteps, warmup: plan.warmup, concurrency: workers)
        let peakResident = ProcessMemory.peakResidentBytes().map { Double($0) / 1_048_576 }
        let strided = ContextEncoderBenchmark.training(config: ModelConfig(architecture: .strided), batch: batch,
                                                       steps: plan.stridedSteps, warmup: plan.warmup, concurrency: workers)
        // The forward splits the channel-wise layer over the same workers as training.
        func latency(_ precision: InferencePrecision) -> ContextEncoderBenchmark.Timing {
            ContextEncoderBenchmark.forwardLatency(config: ModelConfig(architecture: .paper), runs: plan.forwardRuns,
                                                   warmup: plan.warmup * 4, concurrency: workers, precision: precision)
        }
        let forward = latency(precision)
        let forwardFloat32 = precision == .float32 ? nil : latency(.float32)
        let forwardFlops = ContextEncoderBenchmark.flopsPerImage(ModelConfig(architecture: .paper), backward: false)

        func figures(_ t: ContextEncoderBenchmark.Training) -> BenchReport.TrainFigures {
            .init(imagesPerSecond: t.imagesPerSecond, stepMsMedian: 1000 * t.step.median, stepMsMin: 1000 * t.step.seconds[0],
                  steps: t.step.seconds.count,
                  mflopPerImage: t.flopsPerImage / 1e6, gflops: t.gigaflopsPerSecond, fractionOfPeak: t.gigaflopsPerSecond / sgemm)
        }
        func forwardFigures(_ t: ContextEncoderBenchmark.Timing, _ precision: InferencePrecision) -> BenchReport.ForwardFigures {
            let gflops = forwardFlops / t.median / 1e9
            return .init(medianMs: 1000 * t.median, p99Ms: 1000 * t.p99, minMs: 1000 * t.seconds[0], runs: t.seconds.count,
                         gflops: gflops, fractionOfPeak: gflops / sgemm, precision: precision.rawValue)
        }
        let report = BenchReport(
            tool: "inpaint", threads: threadCount, workers: workers, batch: batch, sgemmGflops: sgemm,
            paperTrain: figures(paper), stridedTrain: figures(strided),
            paperForward: forwardFigures(forward, precision),
            paperForwardFloat32: forwardFloat32.map { forwardFigures($0, .float32) },
            peakResidentMb: peakResident)

        if json {
            print(String(decoding: try BenchReport.encoder.encode(report), as: UTF8.self))
        } else {
            print(report.table(against: reference))
        }
    }

    private func forwardVariants() throws {
        BLASThreads.set(1)
        let sgemm = ContextEncoderBenchmark.sgemmGigaflops(n: quick ? 256 : 1024, runs: quick ? 2 : 5,
                                                           concurrency: ProcessInfo.processInfo.activeProcessorCount)
        let variants = [ContextEncoderBenchmark.ForwardVariant(threads: 1, precision: precision)]
            + [0, 20_000, 100_000, 500_000].map {
                ContextEncoderBenchmark.ForwardVariant(threads: 2, spinNanoseconds: $0, precision: precision)
            }
            + InferencePrecision.allCases.filter { $0 != precision }.map { ContextEncoderBenchmark.ForwardVariant(threads: 2, precision: $0) }
        let rounds = quick ? 1 : 5, runs = quick ? 10 : (pauseMs > 0 ? 60 : 200)
        let timings = ContextEncoderBenchmark.forwardVariants(config: ModelConfig(architecture: .paper), variants: variants,
                                                              rounds: rounds, runs: runs, pause: pauseMs / 1000)
        print("paper forward, 1 image, \(precision.rawValue) channel-wise weights, \(rounds) alternating rounds of \(runs), "
              + String(format: "%.0f ms apart; sgemm peak %.0f GFLOP/s (both cores)", pauseMs, sgemm))
        let serial = timings[0].median
        for (variant, t) in zip(variants, timings) {
            let name = (variant.threads == 1 ? "1 thread" : "2 threads, spin \(variant.spinNanoseconds / 1000) µs")
                + (variant.precision == precision ? "" : ", \(variant.precision.rawValue)")
            print(name.padding(toLength: 33, withPad: " ", startingAt: 0)
                  + String(format: "median %.3f ms  p99 %.3f ms  min %.3f ms  (%.2f× 1 thread)",
                           1000 * t.median, 1000 * t.p99, 1000 * t.seconds[0], t.median / serial))
        }
    }

    /// Strided training with the stride-2 kernels on and off taking turns step by step, in `rounds` rounds of
    /// one model each; prints each round's medians and fastest steps, and the median of the rounds' ratios.
    private func compareStrideTwoKernels(workers: Int, threads: Int, batch: Int) {
        let rounds = quick ? 1 : 3, steps = plan.stridedSteps
        print("strided train, batch \(batch), \(workers) worker\(workers == 1 ? "" : "s") × \(threads) BLAS thread\(threads == 1 ? "" : "s"): "
              + "the stride-2 kernels and im2col + sgemm taking turns step by step, \(steps) steps each, \(rounds) round\(rounds == 1 ? "" : "s")")
        var ratios: [Double] = []
        for round in 1...rounds {
            let results = ContextEncoderBenchmark.alternatingTraining(
                config: ModelConfig(architecture: .strided), batch: batch, steps: steps, warmup: plan.warmup,
                seed: UInt64(round), concurrency: workers,
                setups: [{ StrideTwoConvolution.isEnabled = true }, { StrideTwoConvolution.isEnabled = false }])
            let (on, off) = (results[0], results[1])
            ratios.append(on.imagesPerSecond / off.imagesPerSecond)
            print(String(format: "round %d: stride-2 kernels %.0f img/s (step median %.2f ms, fastest %.2f), "
                         + "im2col + sgemm %.0f img/s (%.2f ms, fastest %.2f): %.2f×", round,
                         on.imagesPerSecond, 1000 * on.step.median, 1000 * on.step.seconds[0],
                         off.imagesPerSecond, 1000 * off.step.median, 1000 * off.step.seconds[0], ratios.last!))
        }
        StrideTwoConvolution.isEnabled = strideTwoKernels
        print(String(format: "median ratio %.2f×", ratios.sorted()[(ratios.count - 1) / 2]))
    }

    private func profileLayers(batch: Int, threads: Int) throws {
        let profile = ContextEncoderBenchmark.layerProfile(config: ModelConfig(architecture: architecture), batch: batch,
                                                           steps: quick ? 3 : 20, warmup: quick ? 1 : 3,
                                                           threadCPUTime: cpuClock, quick: quick)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(profile), as: UTF8.self))
            return
        }
        print("\(architecture.rawValue), batch \(batch), \(threads) BLAS thread\(threads == 1 ? "" : "s"), one worker: "
              + "median \(cpuClock ? "thread CPU" : "wall-clock") ms over \(profile.steps) steps")
        let limits = profile.limits
        print(String(format: "limits, same run: sgemm %.1f GFLOP/s, stream triad %.1f GB/s (one thread); ",
                     limits.sgemmGigaflops, limits.streamGigabytes)
              + "a layer's GFLOP/s counts a direct convolution's multiply-adds; a pointwise part's GB/s its least traffic "
              + "(in cache it may beat the triad, whose arrays are not)")
        if threads > 1 {
            print("(sgemm on \(threads) threads; the convolution kernels and the pointwise parts run on one: --threads 1 holds every part against one core)")
        }
        func cell(_ text: String, _ width: Int) -> String { String(repeating: " ", count: max(0, width - text.count)) + text }
        print("part" + String(repeating: " ", count: 28) + cell("forward", 9) + cell("backward", 10) + cell("total", 9)
              + cell("share", 7) + cell("GFLOP/s", 9) + cell("GB/s", 7) + cell("of limit", 10))
        let total = profile.total
        for part in profile.parts {
            let seconds = part.forward + part.backward
            let gflops = part.flops / seconds / 1e9, gbytes = part.bytes / seconds / 1e9
            let rate = part.flops > 0 ? String(format: "%.1f", gflops) : ""
            let traffic = part.bytes > 0 ? String(format: "%.1f", gbytes) : ""
            let limit = part.flops > 0 ? String(format: "%.0f%% sgemm", 100 * gflops / limits.sgemmGigaflops)
                : part.bytes > 0 ? String(format: "%.2f× triad", gbytes / limits.streamGigabytes) : ""
            print(part.name.padding(toLength: 32, withPad: " ", startingAt: 0)
                  + cell(String(format: "%.2f", 1000 * part.forward), 9) + cell(String(format: "%.2f", 1000 * part.backward), 10)
                  + cell(String(format: "%.2f", 1000 * seconds), 9) + cell(String(format: "%.0f%%", 100 * seconds / total), 7)
                  + cell(rate, 9) + cell(traffic, 7) + cell(limit, 12))
        }
        let flops = profile.parts.reduce(0) { $0 + $1.flops }
        print("sum of parts".padding(toLength: 32, withPad: " ", startingAt: 0)
              + cell(String(format: "%.2f", 1000 * profile.parts.reduce(0) { $0 + $1.forward }), 9)
              + cell(String(format: "%.2f", 1000 * profile.parts.reduce(0) { $0 + $1.backward }), 10)
              + cell(String(format: "%.2f", 1000 * total), 9) + cell("100%", 7) + cell(String(format: "%.1f", flops / total / 1e9), 9)
              + String(format: "   (%.0f img/s)", Double(batch) / total))
    }

    private func readReference(_ path: String) throws -> BenchReport {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw ValidationError("--against \(path): cannot read the file (\(error.localizedDescription))")
        }
        do { return try BenchReport.decoder.decode(BenchReport.self, from: data) } catch {
            throw ValidationError("--against \(path): expected the JSON of scripts/bench_pytorch.py --json, found something else (\(error))")
        }
    }
}

/// The process's memory figures from /proc/self/status (Linux only).
enum ProcessMemory {
    /// VmHWM: the peak resident set size so far, in bytes; nil where /proc is missing.
    static func peakResidentBytes() -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            // "VmHWM:     123456 kB"
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            if fields.count >= 2, let kilobytes = Int(fields[1]) { return kilobytes * 1024 }
        }
        return nil
    }
}
