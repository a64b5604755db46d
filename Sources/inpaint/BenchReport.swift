import Foundation

/// What `inpaint bench` measures, in the JSON layout that `scripts/bench_pytorch.py --json` also writes, so
/// that one file can be read back by the other side (`inpaint bench --against torch.json`).
///
/// Keys are snake_case because the Python twin writes them (`encoder` and `decoder` convert the Swift
/// names: `sgemmGflops` ↔ `sgemm_gflops`, `p99Ms` ↔ `p99_ms`); extra keys on either side are ignored.
struct BenchReport: Codable {
    static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return encoder
    }

    static var decoder: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return decoder
    }

    /// "inpaint" or "pytorch".
    var tool: String
    /// OpenBLAS threads here; torch.get_num_threads() in the twin.
    var threads: Int
    /// Dispatch workers splitting each pass (ContextEncoderWorkspace concurrency); absent in the twin.
    var workers: Int?
    var batch: Int
    /// The machine's sgemm rate on square products (1024³; 256³ with --quick), measured in the same run with
    /// the parallelism of the training runs: `workers` products at once, each on `threads` BLAS threads.
    var sgemmGflops: Double
    var paperTrain: TrainFigures
    var stridedTrain: TrainFigures
    var paperForward: ForwardFigures
    /// The same with float32 channel-wise weights, when `paperForward` used float16 (absent in the twin).
    var paperForwardFloat32: ForwardFigures?
    /// VmHWM of /proc/self/status right after the paper training benchmark.
    var peakResidentMb: Double?

    /// Full training steps (forward, loss, backward, fused Adam) at `batch` images.
    struct TrainFigures: Codable {
        var imagesPerSecond: Double
        var stepMsMedian: Double
        /// The fastest step: on a shared, noisy machine the least disturbed figure.
        var stepMsMin: Double?
        var steps: Int
        /// Forward + backward FLOPs per image (multiply-adds count two), in millions.
        var mflopPerImage: Double
        var gflops: Double
        /// gflops / sgemmGflops.
        var fractionOfPeak: Double
    }

    /// Single-image forward passes (no gradient).
    struct ForwardFigures: Codable {
        var medianMs: Double
        var p99Ms: Double
        var minMs: Double?
        var runs: Int
        var gflops: Double
        var fractionOfPeak: Double
        /// The channel-wise weights' precision, "int8", "float16" or "float32" (absent in the twin, which runs float32).
        var precision: String?
    }
}

// MARK: Table

extension BenchReport {
    /// One printed figure; `target` is the ratio to PyTorch that issue 4 §3 asks for (higher or lower is
    /// better), or an absolute bound.
    private struct Row {
        enum Target { case ratioAtLeast(Double), ratioAtMost(Double), valueAtMost(Double) }
        var name: String
        var unit: String
        var value: (BenchReport) -> Double?
        var target: Target?
    }

    /// A training benchmark's rows; `target` on the first.
    private static func trainRows(_ name: String, _ figures: @escaping (BenchReport) -> TrainFigures, target: Row.Target) -> [Row] {
        [Row(name: name, unit: "img/s", value: { figures($0).imagesPerSecond }, target: target),
         Row(name: "  step median", unit: "ms", value: { figures($0).stepMsMedian }),
         Row(name: "  fastest step", unit: "ms", value: { figures($0).stepMsMin }),
         Row(name: "  achieved", unit: "GFLOP/s", value: { figures($0).gflops }),
         Row(name: "  of sgemm peak", unit: "%", value: { 100 * figures($0).fractionOfPeak })]
    }

    private static let rows: [Row] =
        [Row(name: "sgemm peak (same run)", unit: "GFLOP/s", value: { $0.sgemmGflops })]
        + trainRows("paper train, batch 64", \.paperTrain, target: .ratioAtLeast(1.1))
        + trainRows("strided train, batch 64", \.stridedTrain, target: .ratioAtLeast(1.1))
        + [
            Row(name: "paper forward, 1 image, median", unit: "ms", value: { $0.paperForward.medianMs }, target: .ratioAtMost(0.75)),
            Row(name: "  with float32 weights", unit: "ms", value: { $0.paperForwardFloat32?.medianMs }),
            Row(name: "  p99", unit: "ms", value: { $0.paperForward.p99Ms }),
            Row(name: "  fastest", unit: "ms", value: { $0.paperForward.minMs }),
            Row(name: "  achieved", unit: "GFLOP/s", value: { $0.paperForward.gflops }),
            Row(name: "  of sgemm peak", unit: "%", value: { 100 * $0.paperForward.fractionOfPeak }),
            Row(name: "peak resident after paper train", unit: "MB", value: { $0.peakResidentMb }, target: .valueAtMost(400)),
        ]

    /// A readable table; with `reference` (the PyTorch twin's report) a column for it, the ratio, and
    /// whether issue 4 §3's target is met.
    func table(against reference: BenchReport? = nil) -> String {
        var lines: [String] = []
        let workersText = workers.map { ", \($0) worker\($0 == 1 ? "" : "s")" } ?? ""
        let precisionText = paperForward.precision.map { " (\($0) channel-wise weights)" } ?? ""
        lines.append("\(tool) bench: \(threads) BLAS thread\(threads == 1 ? "" : "s")\(workersText), batch \(batch), "
                     + "\(paperTrain.steps) paper / \(stridedTrain.steps) strided steps, \(paperForward.runs) forward runs\(precisionText)")
        var header = pad("", 33) + pad(tool, 11, right: true) + pad("", 9)
        if let reference { header += pad(reference.tool, 11, right: true) + pad("ratio", 8, right: true) + "  target" }
        lines.append(header)
        for row in Self.rows {
            var line = pad(row.name, 33) + pad(format(row.value(self)), 11, right: true) + " " + pad(row.unit, 8)
            let mine = row.value(self)
            if let reference {
                let theirs = row.value(reference)
                line += pad(format(theirs), 11, right: true)
                let ratio = mine.flatMap { m in theirs.map { m / $0 } }
                line += pad(ratio.map { String(format: "%.2f×", $0) } ?? "–", 8, right: true)
                if let target = row.target { line += "  " + describe(target, ratio: ratio, value: mine) }
            } else if case .valueAtMost? = row.target, let target = row.target {
                line += "  " + describe(target, ratio: nil, value: mine)
            }
            lines.append(line.replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression))
        }
        return lines.joined(separator: "\n")
    }

    private func describe(_ target: Row.Target, ratio: Double?, value: Double?) -> String {
        func verdict(_ ok: Bool?) -> String { ok.map { $0 ? "met" : "MISSED" } ?? "–" }
        switch target {
        case .ratioAtLeast(let bound): return "≥ \(bound)× " + verdict(ratio.map { $0 >= bound })
        case .ratioAtMost(let bound): return "≤ \(bound)× " + verdict(ratio.map { $0 <= bound })
        case .valueAtMost(let bound): return "≤ \(Int(bound)) MB " + verdict(value.map { $0 <= bound })
        }
    }

    private func format(_ value: Double?) -> String {
        guard let value else { return "–" }
        if value >= 100 { return String(format: "%.0f", value) }
        if value >= 10 { return String(format: "%.1f", value) }
        return String(format: "%.2f", value)
    }

    private func pad(_ text: String, _ width: Int, right: Bool = false) -> String {
        let gap = String(repeating: " ", count: max(0, width - text.count))
        return right ? gap + text : text + gap
    }
}
