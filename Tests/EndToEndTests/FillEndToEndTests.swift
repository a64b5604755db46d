import Foundation
import TestSupport
import XCTest

/// `inpaint init` → `inpaint fill` on the real binary, and the one-line errors of corrupt inputs.
final class FillEndToEndTests: XCTestCase {
    private var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("fill-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    private func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    private func inpaint(_ arguments: [String]) throws -> CommandRun { try runInpaint(arguments) }

    /// Synthetic 28×28 "digits" (a bright bar whose place depends on the index) as a plain uint8 idx3 file.
    private func writeImages(count: Int, to name: String) throws -> [UInt8] {
        var pixels = [UInt8](repeating: 0, count: count * 784)
        for n in 0 ..< count {
            for r in 4 ..< 24 { for c in (6 + n % 10) ..< (10 + n % 10) { pixels[n * 784 + r * 28 + c] = UInt8(100 + (r * 7 + n) % 156) } }
        }
        var bytes: [UInt8] = [0, 0, 0x08, 3]
        for dim in [count, 28, 28] { bytes += withUnsafeBytes(of: UInt32(dim).bigEndian, Array.init) }
        try Data(bytes + pixels).write(to: URL(fileURLWithPath: path(name)))
        return pixels
    }

    private func writeMasks(count: Int, to name: String) throws -> [(top: Int, left: Int, height: Int, width: Int)] {
        let holes = (0 ..< count).map { n in (top: n % 15, left: (3 * n) % 16, height: 10 + n % 4, width: 12 - n % 3) }
        let text = "# index top left height width\n" + holes.enumerated().map { "\($0) \($1.top) \($1.left) \($1.height) \($1.width)" }.joined(separator: "\n") + "\n"
        try text.write(toFile: path(name), atomically: true, encoding: .utf8)
        return holes
    }

    /// A float32 idx3 file's pixels, or nil when the header is not [count, 28, 28] float32.
    private func readFloatIDX(_ name: String, count: Int) throws -> [Float]? {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path(name))))
        guard bytes.count == 16 + count * 784 * 4, bytes[0 ..< 4] == [0, 0, 0x0D, 3] else { return nil }
        return (0 ..< count * 784).map { i in
            let o = 16 + 4 * i
            return Float(bitPattern: UInt32(bytes[o]) << 24 | UInt32(bytes[o + 1]) << 16 | UInt32(bytes[o + 2]) << 8 | UInt32(bytes[o + 3]))
        }
    }

    // MARK: Working runs

    func testInitThenFillKeepsKnownPixelsAndFillsTheHole() throws {
        try initThenFill(architecture: "strided")
    }

    /// The pooled network's checkpoint (its config in the metadata) runs through `fill` like the others.
    func testPooledModelInitsAndFills() throws {
        try initThenFill(architecture: "pooled")
    }

    private func initThenFill(architecture: String) throws {
        let count = 70 // more than one batch of 64
        let pixels = try writeImages(count: count, to: "images.idx")
        let holes = try writeMasks(count: count, to: "masks.txt")
        let initRun = try inpaint(["init", "--arch", architecture, "--seed", "3", "--out", path("model.safetensors")])
        XCTAssertEqual(initRun.status, 0, initRun.stderr)

        let fillRun = try inpaint(["fill", "--model", path("model.safetensors"), "--images", path("images.idx"),
                                   "--masks", path("masks.txt"), "--out", path("out.idx"), "--float"])
        XCTAssertEqual(fillRun.status, 0, fillRun.stderr)
        let filled = try XCTUnwrap(try readFloatIDX("out.idx", count: count), "not a float32 [\(count), 28, 28] idx3 file")
        var holeSum: Float = 0
        for n in 0 ..< count {
            let h = holes[n]
            for r in 0 ..< 28 {
                for c in 0 ..< 28 {
                    let value = filled[n * 784 + r * 28 + c]
                    if r >= h.top && r < h.top + h.height && c >= h.left && c < h.left + h.width {
                        XCTAssertTrue(value > 0 && value < 1, "sigmoid output expected in the hole, found \(value)")
                        holeSum += value
                    } else {
                        XCTAssertEqual(value, Float(pixels[n * 784 + r * 28 + c]) / 255, "known pixel changed")
                    }
                }
            }
        }
        XCTAssertGreaterThan(holeSum, 0)

        // The reconstruction differs from the composite outside the hole; bytes and gzip on request.
        let reconstructionRun = try inpaint(["fill", "--model", path("model.safetensors"), "--images", path("images.idx"),
                                             "--masks", path("masks.txt"), "--out", path("rec.idx.gz"), "--output", "reconstruction"])
        XCTAssertEqual(reconstructionRun.status, 0, reconstructionRun.stderr)
        let gz = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path("rec.idx.gz"))))
        XCTAssertEqual(Array(gz.prefix(2)), [0x1F, 0x8B], "a .gz output is gzip-compressed")
    }

    func testInitIsDeterministicPerSeed() throws {
        for (name, seed) in [("a", "5"), ("b", "5"), ("c", "6")] {
            let run = try inpaint(["init", "--arch", "strided", "--bias", "--seed", seed, "--out", path("\(name).safetensors")])
            XCTAssertEqual(run.status, 0, run.stderr)
        }
        let a = try Data(contentsOf: URL(fileURLWithPath: path("a.safetensors")))
        XCTAssertEqual(a, try Data(contentsOf: URL(fileURLWithPath: path("b.safetensors"))))
        XCTAssertNotEqual(a, try Data(contentsOf: URL(fileURLWithPath: path("c.safetensors"))))
    }

    func testExportHalvesTheModelAndDropsTheOptimizer() throws {
        _ = try writeImages(count: 20, to: "images.idx")
        XCTAssertEqual(try inpaint(["init", "--arch", "strided", "--seed", "4", "--out", path("m.safetensors")]).status, 0)
        let run = try inpaint(["export", "--model", path("m.safetensors"), "--out", path("h.safetensors"), "--half",
                               "--images", path("images.idx"), "--check-count", "20"])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stdout.contains("grey levels"), run.stdout)
        let full = try FileManager.default.attributesOfItem(atPath: path("m.safetensors"))[.size] as! Int
        let half = try FileManager.default.attributesOfItem(atPath: path("h.safetensors"))[.size] as! Int
        XCTAssertLessThan(half, full * 6 / 10)
        // The exported model still fills.
        _ = try writeMasks(count: 20, to: "masks.txt")
        let fill = try inpaint(["fill", "--model", path("h.safetensors"), "--images", path("images.idx"),
                                "--masks", path("masks.txt"), "--out", path("out.idx")])
        XCTAssertEqual(fill.status, 0, fill.stderr)
    }

    // MARK: Corrupt inputs: non-zero exit, one line naming the culprit, no backtrace

    private func assertOneLineFailure(_ arguments: [String], mentioning word: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let run = try inpaint(arguments)
        XCTAssertNotEqual(run.status, 0, "\(arguments) succeeded", file: file, line: line)
        let lines = run.stderr.split(separator: "\n")
        XCTAssertEqual(lines.count, 1, "expected one line, found:\n\(run.stderr)", file: file, line: line)
        XCTAssertTrue(run.stderr.contains(word), "\(run.stderr) lacks \(word)", file: file, line: line)
        for crash in ["Fatal error", "Stack dump", "backtrace", "Current stack trace"] {
            XCTAssertFalse(run.stderr.contains(crash), run.stderr, file: file, line: line)
        }
    }

    func testCorruptInputsGiveOneLineErrors() throws {
        _ = try writeImages(count: 3, to: "images.idx")
        _ = try writeMasks(count: 3, to: "masks.txt")
        XCTAssertEqual(try inpaint(["init", "--arch", "strided", "--seed", "1", "--out", path("model.safetensors")]).status, 0)
        let model = try Data(contentsOf: URL(fileURLWithPath: path("model.safetensors")))
        try model.prefix(model.count / 2).write(to: URL(fileURLWithPath: path("truncated.safetensors")))
        try Data("not a model at all".utf8).write(to: URL(fileURLWithPath: path("garbage.safetensors")))
        try Data().write(to: URL(fileURLWithPath: path("empty.safetensors")))
        let images = try Data(contentsOf: URL(fileURLWithPath: path("images.idx")))
        try images.prefix(1000).write(to: URL(fileURLWithPath: path("short.idx")))
        try "0 1 2 3\n".write(toFile: path("badmasks.txt"), atomically: true, encoding: .utf8)
        try "0 1 2 3 4\n".write(toFile: path("fewmasks.txt"), atomically: true, encoding: .utf8)

        func fill(model: String = "model.safetensors", images: String = "images.idx", masks: String = "masks.txt") -> [String] {
            ["fill", "--model", path(model), "--images", path(images), "--masks", path(masks), "--out", path("out.idx")]
        }
        try assertOneLineFailure(fill(model: "truncated.safetensors"), mentioning: "truncated.safetensors")
        try assertOneLineFailure(fill(model: "garbage.safetensors"), mentioning: "garbage.safetensors")
        try assertOneLineFailure(fill(model: "empty.safetensors"), mentioning: "empty")
        try assertOneLineFailure(fill(model: "absent.safetensors"), mentioning: "absent.safetensors")
        try assertOneLineFailure(fill(images: "short.idx"), mentioning: "short.idx")
        try assertOneLineFailure(fill(masks: "badmasks.txt"), mentioning: "badmasks.txt")
        try assertOneLineFailure(fill(masks: "fewmasks.txt"), mentioning: "image 1")
        try assertOneLineFailure(["init", "--seed", "1", "--out", path("no/such/dir/m.safetensors")], mentioning: "no/such/dir")
        XCTAssertFalse(FileManager.default.fileExists(atPath: path("out.idx")), "a failed fill must not leave an output")
    }

    func testBadFlagsNameTheFlag() throws {
        for (arguments, flag) in [(["init", "--arch", "dilated", "--seed", "1", "--out", path("m")], "--arch"),
                                  (["init", "--kernel", "4", "--seed", "1", "--out", path("m")], "--kernel"),
                                  (["init", "--arch", "strided", "--kernel", "5", "--seed", "1", "--out", path("m")], "--kernel")] {
            let run = try inpaint(arguments)
            XCTAssertNotEqual(run.status, 0)
            XCTAssertTrue(run.stderr.split(separator: "\n").first?.contains(flag) ?? false, run.stderr)
            XCTAssertFalse(run.stderr.contains("Fatal error"), run.stderr)
        }
    }
}
