import Foundation
import TestSupport
import XCTest

/// `inpaint experiment`: the list names every experiment, and the adversarial experiment's weight flag is
/// checked before any data is read.
final class ExperimentCommandTests: XCTestCase {
    func testListIncludesAdversarial() throws {
        let run = try runInpaint(["experiment", "list"])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stdout.split(separator: "\n").contains { $0.hasPrefix("adversarial ") }, run.stdout)
    }

    func testAdversarialWeightIsValidated() throws {
        assertOneLineError(try runInpaint(["experiment", "bias", "--adversarial-weight", "0.01"]), ["--adversarial-weight", "bias"])
        assertOneLineError(try runInpaint(["experiment", "adversarial", "--adversarial-weight", "2"]), ["--adversarial-weight", "2"])
    }
}
