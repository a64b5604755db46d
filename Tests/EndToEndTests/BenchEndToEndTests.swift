import Foundation
import TestSupport
import XCTest

/// `inpaint bench --quick` on the built binary: the JSON has every field, each a positive finite number, and
/// `--against` reads that JSON back. Never asserts on a timing (the machine is shared; benchmarks print).
final class BenchEndToEndTests: XCTestCase {
    private func inpaint(_ arguments: [String]) throws -> CommandRun { try runInpaint(arguments) }

    /// The keys `scripts/bench_pytorch.py --json` writes too, so that the two reports compare key by key.
    private static let trainKeys = ["images_per_second", "step_ms_median", "step_ms_min", "steps", "mflop_per_image", "gflops", "fraction_of_peak"]
    private static let forwardKeys = ["median_ms", "p99_ms", "min_ms", "runs", "gflops", "fraction_of_peak"]

    private func positiveFinite(_ object: [String: Any], _ key: String, in context: String,
                                file: StaticString = #filePath, line: UInt = #line) {
        guard let value = (object[key] as? NSNumber)?.doubleValue else {
            return XCTFail("\(context).\(key) missing or not a number: \(String(describing: object[key]))", file: file, line: line)
        }
        XCTAssert(value.isFinite && value > 0, "\(context).\(key) = \(value), expected positive and finite", file: file, line: line)
    }

    /// The bare command measures what `inpaint train` runs by default (a worker per core, single-threaded
    /// BLAS), and one flag alone fills the cores with the other (issue 16).
    func testDefaultParallelismIsTrainingsAndOneFlagFillsTheCores() throws {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        for (arguments, workers, threads) in [([String](), cores, 1), (["--threads", "1"], cores, 1),
                                              (["--workers", "1"], 1, cores), (["--workers", "1", "--threads", "1"], 1, 1)] {
            let run = try inpaint(["bench", "--quick", "--json"] + arguments)
            XCTAssertEqual(run.status, 0, run.stderr)
            let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
            XCTAssertEqual(object["workers"] as? Int, workers, "\(arguments)")
            XCTAssertEqual(object["threads"] as? Int, threads, "\(arguments)")
        }
    }

    func testQuickJSONHasEveryFieldAsAPositiveFiniteNumber() throws {
        let run = try inpaint(["bench", "--quick", "--json", "--threads", "1"])
        XCTAssertEqual(run.status, 0, run.stderr)
        let object = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any],
                                   "stdout is not a JSON object: \(run.stdout)")
        XCTAssertEqual(object["tool"] as? String, "inpaint")
        XCTAssertEqual(object["threads"] as? Int, 1)
        XCTAssertEqual(object["batch"] as? Int, 64)
        for key in ["sgemm_gflops", "peak_resident_mb", "workers"] { positiveFinite(object, key, in: "report") }
        for model in ["paper_train", "strided_train"] {
            let figures = try XCTUnwrap(object[model] as? [String: Any], "\(model) missing")
            for key in Self.trainKeys { positiveFinite(figures, key, in: model) }
        }
        let forward = try XCTUnwrap(object["paper_forward"] as? [String: Any], "paper_forward missing")
        for key in Self.forwardKeys { positiveFinite(forward, key, in: "paper_forward") }
        // FLOPs per image are counted, not timed: paper is 182.6 MFLOP forward + backward (issue 4 §3).
        let paper = try XCTUnwrap(object["paper_train"] as? [String: Any])
        XCTAssertEqual((paper["mflop_per_image"] as? NSNumber)?.doubleValue ?? 0, 182.57, accuracy: 0.01)
        XCTAssertGreaterThanOrEqual((forward["p99_ms"] as? NSNumber)?.doubleValue ?? 0,
                                    (forward["median_ms"] as? NSNumber)?.doubleValue ?? .infinity)
        // The latency row is the inference path (int8 channel-wise weights), with float32 measured beside it.
        XCTAssertEqual(forward["precision"] as? String, "int8")
        let float32 = try XCTUnwrap(object["paper_forward_float32"] as? [String: Any], "paper_forward_float32 missing")
        for key in Self.forwardKeys { positiveFinite(float32, key, in: "paper_forward_float32") }
        XCTAssertEqual(float32["precision"] as? String, "float32")

        // The same JSON read back as the reference column: a table with ratios and target verdicts.
        let directory = try temporaryDirectory(for: self, prefix: "bench-e2e")
        let reference = directory.appendingPathComponent("reference.json")
        try Data(run.stdout.utf8).write(to: reference)
        let table = try inpaint(["bench", "--quick", "--threads", "1", "--against", reference.path])
        XCTAssertEqual(table.status, 0, table.stderr)
        XCTAssert(table.stdout.contains("ratio"), table.stdout)
        XCTAssert(table.stdout.contains("≥ 1.1×"), table.stdout)
        XCTAssert(table.stdout.contains("paper forward, 1 image, median"), table.stdout)
        // Every figure read back, the snake_case keys included: each row has a ratio, none a dash.
        for name in ["sgemm peak", "paper train", "strided train", "peak resident", "p99"] {
            let row = try XCTUnwrap(table.stdout.split(separator: "\n").first { $0.contains(name) }, name)
            XCTAssert(row.contains("×") && !row.contains("–"), "\(name) was not read back: \(row)")
        }
    }

    func testQuickLayerProfileListsEveryLayerAndAdam() throws {
        for (architecture, encoder) in [("strided", ["enc.0", "enc.2", "enc.4"]), ("pooled", ["enc.0", "enc.3", "enc.6"])] {
            let run = try inpaint(["bench", "--layers", "--quick", "--threads", "1", "--cpu-clock", "--arch", architecture])
            XCTAssertEqual(run.status, 0, run.stderr)
            for part in encoder + ["fc", "dec.0", "dec.2", "dec.4", "activations", "loss", "adam", "sum of parts"] {
                XCTAssert(run.stdout.contains(part), "\(architecture): no \(part) in\n\(run.stdout)")
            }
            // Each part held against its own limit: the layers against sgemm, the pointwise parts against the triad.
            let lines = run.stdout.split(separator: "\n")
            XCTAssert(lines.contains { $0.hasPrefix("limits, same run: sgemm ") && $0.contains("GB/s") }, run.stdout)
            for part in ["fc", "dec.4"] {
                XCTAssert(lines.contains { $0.hasPrefix(part) && $0.hasSuffix("% sgemm") }, "\(part):\n\(run.stdout)")
            }
            for part in ["activations", "loss", "zero gradients", "adam"] {
                XCTAssert(lines.contains { $0.hasPrefix(part) && $0.hasSuffix("× triad") }, "\(part):\n\(run.stdout)")
            }
        }
    }

    func testLayerProfileJSONCarriesTheLimitsAndEachPartsTraffic() throws {
        let run = try inpaint(["bench", "--layers", "--quick", "--threads", "1", "--arch", "strided", "--json"])
        XCTAssertEqual(run.status, 0, run.stderr)
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any], run.stdout)
        let limits = try XCTUnwrap(json["limits"] as? [String: Double], run.stdout)
        XCTAssertGreaterThan(limits["sgemmGigaflops"] ?? 0, 0.1)
        XCTAssertGreaterThan(limits["streamGigabytes"] ?? 0, 0.1)
        let parts = try XCTUnwrap(json["parts"] as? [[String: Any]])
        func bytes(_ name: String) -> Double? { parts.first { ($0["name"] as? String)?.hasPrefix(name) == true }?["bytes"] as? Double }
        // Adam moves 7 floats a weight (4 read, 3 written), zeroing writes 1: the weight count cancels out.
        XCTAssertEqual(try XCTUnwrap(bytes("adam")) / XCTUnwrap(bytes("zero gradients")), 7, accuracy: 1e-9)
        XCTAssertEqual(bytes("enc.0"), 0, "a layer is held against sgemm, not memory")
    }

    /// `--forward-only` times one thread against two with each helper spin (issue 16); it prints, never asserts on timings.
    func testQuickForwardOnlyListsEveryVariant() throws {
        let run = try inpaint(["bench", "--forward-only", "--quick", "--pause-ms", "1"])
        XCTAssertEqual(run.status, 0, run.stderr)
        for line in ["1 thread ", "2 threads, spin 0 µs", "2 threads, spin 20 µs", "2 threads, spin 100 µs", "2 threads, spin 500 µs",
                     "1 ms apart"] {
            XCTAssert(run.stdout.contains(line), "no \(line) in\n\(run.stdout)")
        }
    }

    /// `--compare-stride-two` alternates the stride-2 kernels with im2col + sgemm step by step; it prints each
    /// round and the median ratio, never asserts on timings.
    func testQuickStrideTwoComparisonPrintsRoundsAndMedians() throws {
        let run = try inpaint(["bench", "--compare-stride-two", "--quick", "--workers", "1", "--threads", "1"])
        XCTAssertEqual(run.status, 0, run.stderr)
        for line in ["strided train, batch 64, 1 worker × 1 BLAS thread", "round 1: stride-2 kernels ", "im2col + sgemm",
                     "median ratio "] {
            XCTAssert(run.stdout.contains(line), "no \(line) in\n\(run.stdout)")
        }
    }

    func testBadFlagsFailWithOneLineNamingTheFlag() throws {
        assertOneLineError(try inpaint(["bench", "--threads", "0"]), ["--threads"])
        assertOneLineError(try inpaint(["bench", "--quick", "--pause-ms", "5"]), ["--pause-ms needs --forward-only"])
        assertOneLineError(try inpaint(["bench", "--forward-only", "--pause-ms", "-1"]), ["--pause-ms"])
        assertOneLineError(try inpaint(["bench", "--quick", "--cpu-clock"]), ["--cpu-clock needs --layers and --threads 1"])
        assertOneLineError(try inpaint(["bench", "--quick", "--precision", "half"]), ["--precision"])
        assertOneLineError(try inpaint(["bench", "--quick", "--compare-stride-two", "--layers"]), ["--compare-stride-two"])
        assertOneLineError(try inpaint(["bench", "--quick", "--against", "/nonexistent/torch.json"]),
                           ["--against /nonexistent/torch.json"])
    }
}
