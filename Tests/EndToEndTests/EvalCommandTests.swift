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
