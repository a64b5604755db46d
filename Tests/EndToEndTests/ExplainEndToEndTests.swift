import Foundation
import TestSupport
import XCTest

/// `inpaint explain` on the built binary: `--json` matches PyTorch's autograd (the fixture of
/// scripts/make_explain_fixture.py), the table and the PNG are written, and bad flags are one-line errors.
final class ExplainEndToEndTests: XCTestCase {
    private static let root = repositoryAssets.deletingLastPathComponent()
    private static let fixtureURL = root.appendingPathComponent("Tests/InpaintingTests/Fixtures/explain_bundled.json")
    private static let sample = root.appendingPathComponent("assets/mnist-sample-images-idx3-ubyte.gz").path

    func testJSONMatchesPyTorchAutograd() throws {
        let fixture = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(contentsOf: Self.fixtureURL)) as? [String: Any])
        let cases = try XCTUnwrap(fixture["cases"] as? [[String: Any]])
        for c in cases {
            let index = try XCTUnwrap(c["index"] as? Int)
            let hole = try XCTUnwrap(c["hole"] as? [Int]), pixel = try XCTUnwrap(c["pixel"] as? [Int])
            let run = try runInpaint(["explain", "--images", Self.sample, "--index", "\(index)",
                                      "--hole", hole.map(String.init).joined(separator: ","),
                                      "--pixel", pixel.map(String.init).joined(separator: ","), "--json"])
            XCTAssertEqual(run.status, 0, run.stderr)
            let report = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any], run.stdout)
            let ours = try XCTUnwrap(report["gradient"] as? [Double]), theirs = try XCTUnwrap(c["gradient"] as? [Double])
            XCTAssertEqual(ours.count, 784)
            let difference = zip(ours, theirs).map { ($0 - $1) * ($0 - $1) }.reduce(0, +)
            let norm = theirs.map { $0 * $0 }.reduce(0, +)
            XCTAssertLessThanOrEqual((difference / norm).squareRoot(), 1e-4, "image \(index)")
            XCTAssertEqual(try XCTUnwrap(report["value"] as? Double), try XCTUnwrap(c["value"] as? Double), accuracy: 1e-5)
            XCTAssertEqual(report["pixel"] as? [Int], pixel)
        }
    }

    func testTableAndPNG() throws {
        let directory = try temporaryDirectory(for: self, prefix: "explain-e2e")
        let png = directory.appendingPathComponent("explain.png")
        let run = try runInpaint(["explain", "--images", Self.sample, "--index", "3", "--hole", "9,6,11,13",
                                  "--pixel", "14,12", "--out", png.path])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssert(run.stdout.contains("pixel (14, 12), in the hole"), run.stdout)
        XCTAssert(run.stdout.contains("encoder maps by activation × gradient: map "), run.stdout)
        let map = run.stdout.split(separator: "\n").filter { $0.hasPrefix("  ") && $0.count == 30 }
        XCTAssertEqual(map.count, 28, run.stdout)
        XCTAssertEqual(map[14].dropFirst(2).dropFirst(12).first, "X")
        let bytes = try Data(contentsOf: png)
        XCTAssertEqual(Array(bytes.prefix(8)), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
    }

    func testBadFlagsAreOneLineErrors() throws {
        let base = ["explain", "--images", Self.sample]
        assertOneLineError(try runInpaint(base + ["--hole", "9,6,11", "--pixel", "1,1"]), ["--hole", "TOP,LEFT,HEIGHT,WIDTH"])
        assertOneLineError(try runInpaint(base + ["--hole", "20,20,10,10", "--pixel", "1,1"]), ["--hole", "inside the 28×28"])
        assertOneLineError(try runInpaint(base + ["--hole", "9,6,11,13", "--pixel", "28,0"]), ["--pixel", "0…27"])
        assertOneLineError(try runInpaint(base + ["--hole", "9,6,11,13", "--pixel", "1,1", "--index", "5000"]),
                           ["--index 5000", "1000 images"])
        assertOneLineError(try runInpaint(base + ["--hole", "9,6,11,13", "--pixel", "1,1", "--out", Self.sample]),
                           ["--out", "same file as --images"])
        assertOneLineError(try runInpaint(["explain", "--images", "/nonexistent/x.idx", "--hole", "9,6,11,13", "--pixel", "1,1"]),
                           ["/nonexistent/x.idx"])
    }
}
