import Foundation
import TestSupport
import XCTest

/// `inpaint eval` and `inpaint classifier eval` as a user runs them (needs the real MNIST test split).
final class EvalCommandTests: XCTestCase {
    func run(_ arguments: [String]) throws -> CommandRun { try runInpaint(arguments) }

    func testEvalPrintsJSONForTheFiveFills() throws {
        guard let data = sharedDataDirectory else { throw XCTSkip("MNIST not found (set INPAINT_DATA)") }
        let result = try run(["eval", "--data", data.path, "--count", "40", "--fills-only", "--json"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        XCTAssertEqual(json["images"] as? Int, 40)
        let methods = try XCTUnwrap(json["methods"] as? [[String: Any]])
        XCTAssertEqual(methods.map { $0["name"] as? String }, ["zero", "mean image", "harmonic", "biharmonic", "telea"])
        for method in methods {
            let overall = try XCTUnwrap(method["overall"] as? [String: Any])
            let mse = try XCTUnwrap(overall["mse"] as? Double)
            XCTAssertTrue(mse > 0 && mse < 1, "\(method)")
            XCTAssertEqual((method["byArea"] as? [Any])?.count, 3)
        }
    }

    /// Issue 6: `inpaint eval` on the bundled model reproduces its model card (assets/MODEL.md gives the
    /// first 1,000 test images: hole MSE 0.0380, accuracy 95.00%). Guards the shipped file and the
    /// float16 loading path together: a wrong model or a broken half-precision read moves these numbers.
    func testBundledModelReproducesItsModelCard() throws {
        guard let data = sharedDataDirectory else { throw XCTSkip("MNIST not found (set INPAINT_DATA)") }
        let result = try run(["eval", "--data", data.path, "--count", "1000", "--json"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let methods = try XCTUnwrap(json["methods"] as? [[String: Any]])
        let model = try XCTUnwrap(methods.first { $0["name"] as? String == "model" }, "no model row: \(methods)")
        let overall = try XCTUnwrap(model["overall"] as? [String: Any])
        XCTAssertEqual(try XCTUnwrap(overall["mse"] as? Double), 0.0380, accuracy: 0.00005)
        XCTAssertEqual(try XCTUnwrap(overall["accuracy"] as? Double), 0.9500, accuracy: 0.00001)
    }

    /// `--holes stroke` scores free-form holes (seeded, so two runs agree) that differ from the rectangles.
    func testStrokeHolesAreSeededAndDifferFromRectangles() throws {
        guard let data = sharedDataDirectory else { throw XCTSkip("MNIST not found (set INPAINT_DATA)") }
        func harmonicMSE(_ extra: [String]) throws -> (String, Double) {
            let r = try run(["eval", "--data", data.path, "--count", "30", "--fills-only", "--json"] + extra)
            XCTAssertEqual(r.status, 0, r.stderr)
            let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
            let methods = try XCTUnwrap(json["methods"] as? [[String: Any]])
            let harmonic = try XCTUnwrap(methods.first { $0["name"] as? String == "harmonic" }?["overall"] as? [String: Any])
            return (try XCTUnwrap(json["masks"] as? String), try XCTUnwrap(harmonic["mse"] as? Double))
        }
        let stroke = try harmonicMSE(["--holes", "stroke"]), again = try harmonicMSE(["--holes", "stroke"])
        let rect = try harmonicMSE([])
        XCTAssertEqual(stroke.0, "stroke holes, seed 0")
        XCTAssertEqual(stroke.1, again.1, "seeded holes repeat")
        XCTAssertNotEqual(stroke.1, rect.1, "strokes are not the rectangles")
        let both = try run(["eval", "--holes", "stroke", "--masks", "/tmp/none.txt"])
        XCTAssertNotEqual(both.status, 0)
        XCTAssertTrue(both.stderr.contains("--holes stroke and --masks exclude each other"), both.stderr)
    }

    func testBadFlagsGiveOneLineErrors() throws {
        let badCount = try run(["eval", "--count", "0"])
        XCTAssertNotEqual(badCount.status, 0)
        XCTAssertTrue(badCount.stderr.contains("--count must be positive"), badCount.stderr)
        let badModel = try run(["classifier", "eval", "--model", "/nonexistent/classifier.safetensors"])
        XCTAssertNotEqual(badModel.status, 0)
        XCTAssertTrue(badModel.stderr.contains("/nonexistent/classifier.safetensors"), badModel.stderr)
        XCTAssertFalse(badModel.stderr.contains("Fatal error"), badModel.stderr)
    }
}
