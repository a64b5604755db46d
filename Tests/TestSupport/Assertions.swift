import Foundation
import NeuralCore
import XCTest

/// Asserts that two float sequences agree elementwise within `atol + rtol·|expected|`, and names the first
/// index that does not.
public func assertClose<A: Collection, B: Collection>(
    _ actual: A, _ expected: B, rtol: Float = 1e-4, atol: Float = 1e-6, _ message: String = "",
    file: StaticString = #filePath, line: UInt = #line
) where A.Element == Float, B.Element == Float {
    XCTAssertEqual(actual.count, expected.count, "count differs \(message)", file: file, line: line)
    var worst: (index: Int, a: Float, e: Float)? = nil
    var bad = 0
    for (i, (a, e)) in zip(actual, expected).enumerated() {
        if !(abs(a - e) <= atol + rtol * abs(e)) {
            bad += 1
            if worst == nil { worst = (i, a, e) }
        }
    }
    if let w = worst {
        XCTFail("\(bad) of \(actual.count) elements differ; first at \(w.index): \(w.a) vs expected \(w.e) \(message)",
                file: file, line: line)
    }
}

/// The folder holding the built products (the `inpaint` binary sits beside the test bundle).
public var productsDirectory: URL {
    for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
        return bundle.bundleURL.deletingLastPathComponent()
    }
    return URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
}

/// The real MNIST folder for tests: `$INPAINT_DATA`, else `../shared/data/mnist` beside the package.
public var sharedDataDirectory: URL? {
    let fm = FileManager.default
    if let env = ProcessInfo.processInfo.environment["INPAINT_DATA"], !env.isEmpty {
        return URL(fileURLWithPath: env).standardizedFileURL
    }
    let guess = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("shared/data/mnist")
    return fm.fileExists(atPath: guess.path) ? guess : nil
}

/// True when long-running tests were asked for (`INPAINT_LONG_TESTS=1`).
public var longTestsEnabled: Bool { ProcessInfo.processInfo.environment["INPAINT_LONG_TESTS"] == "1" }
