import Datasets
import Foundation
import Inpainting
import NeuralCore
import TestSupport
import XCTest

/// Issue 16: the single-image forward on two threads (the workspace's pool) against the serial pass, on the
/// bundled model and real digits, and workspaces used from several threads at once.
final class SingleImagePoolTests: XCTestCase {
    private struct Digits {
        var model: ContextEncoder
        var images: [Float]
        var masks: [Float]
        var count: Int
    }

    private func bundledDigits(count: Int = 32) throws -> Digits {
        let modelURL = repositoryAssets.appendingPathComponent(Checkpoint.bundledModelFileName)
        let imagesURL = repositoryAssets.appendingPathComponent(DataLocator.sampleImagesFileName)
        guard FileManager.default.fileExists(atPath: modelURL.path), FileManager.default.fileExists(atPath: imagesURL.path) else {
            throw XCTSkip("no bundled model or sample digits in \(repositoryAssets.path)")
        }
        var model = try Checkpoint.read(contentsOf: modelURL).model
        // As HalfPrecisionInferenceTests: jitter the float16-stored weights so that rounding them again matters.
        var g = SeededGenerator(seed: 70)
        model.parameters.values = model.parameters.values.map { $0 * (1 + g.uniform(-1.2e-4, 1.2e-4)) }
        let digits = try IDXImages(contentsOf: imagesURL)
        var masks: [Float] = []
        for n in 0..<count {
            masks += HoleRect(top: 2 + (3 * n) % 14, left: 3 + (5 * n) % 13, height: 7 + n % 8, width: 8 + n % 7).mask()
        }
        return Digits(model: model, images: Array(digits.pixels.prefix(count * Digit.pixels)), masks: masks, count: count)
    }

    /// One image at a time through `workspace` with `threads`: [count, 784].
    private func reconstructEach(_ d: Digits, workspace: ContextEncoderWorkspace, threads: Int,
                                 precision: InferencePrecision) -> [Float] {
        workspace.singleImageThreads = threads
        var out = [Float](repeating: 0, count: d.count * Digit.pixels)
        d.images.withUnsafeBufferPointer { x in d.masks.withUnsafeBufferPointer { m in out.withUnsafeMutableBufferPointer { o in
            for n in 0..<d.count {
                let at = n * Digit.pixels
                d.model.reconstruct(images: x.baseAddress! + at, masks: m.baseAddress! + at, count: 1, into: o.baseAddress! + at,
                                    workspace: workspace, precision: precision)
            }
        } } }
        return out
    }

    /// Two threads give the serial pass's pixels: bit for bit (each output channel is one call of the same
    /// kernels either way), and so within 1/255 of float32 as the serial float16 path is.
    func testTwoThreadsMatchTheSerialPassOnRealDigits() throws {
        let d = try bundledDigits()
        let workspace = ContextEncoderWorkspace(config: d.model.config, maxBatch: 1, concurrency: 2)
        let exact = reconstructEach(d, workspace: ContextEncoderWorkspace(config: d.model.config, maxBatch: 1), threads: 1,
                                    precision: .float32)
        for precision in InferencePrecision.allCases {
            let serial = reconstructEach(d, workspace: workspace, threads: 1, precision: precision)
            let parallel = reconstructEach(d, workspace: workspace, threads: 2, precision: precision)
            XCTAssertEqual(parallel, serial, "\(precision)")
            let drift = zip(exact, parallel).reduce(Float(0)) { max($0, abs($1.0 - $1.1)) }
            XCTAssertLessThan(drift, 1 / 255, "\(precision)")
        }
        XCTAssertNotNil(workspace.singleImagePool)
        XCTAssertGreaterThan(workspace.singleImagePool!.itemsRan(worker: 0), 0)
    }

    /// Every model the UI can build (paper with bias and the mask channel, strided, pooled) on two threads.
    func testTwoThreadsMatchTheSerialPassForEveryArchitecture() {
        var g = SeededGenerator(seed: 71)
        for config in [ModelConfig(architecture: .paper, bias: true, maskChannel: true), ModelConfig(architecture: .strided),
                       ModelConfig(architecture: .pooled, bias: true)] {
            let model = ContextEncoder(config: config, generator: &g)
            let d = Digits(model: model, images: (0..<(3 * Digit.pixels)).map { _ in g.nextUnitFloat() },
                           masks: (0..<3).flatMap { HoleRect(top: 4 + $0, left: 6, height: 10, width: 9 + $0).mask() }, count: 3)
            let workspace = ContextEncoderWorkspace(config: config, maxBatch: 1, concurrency: 2)
            for precision in InferencePrecision.allCases {
                XCTAssertEqual(reconstructEach(d, workspace: workspace, threads: 2, precision: precision),
                               reconstructEach(d, workspace: workspace, threads: 1, precision: precision),
                               "\(config.architecture) \(precision)")
            }
        }
    }

    /// Two workspaces (two reconstructors, each with its own pool) driven from two threads at once, and
    /// workspaces made and dropped in between: every result equals the serial one.
    func testTwoWorkspacesOnTwoThreadsAtOnce() throws {
        let d = try bundledDigits(count: 8)
        let expected = reconstructEach(d, workspace: ContextEncoderWorkspace(config: d.model.config, maxBatch: 1), threads: 1,
                                       precision: .float16)
        let results = UnsafeMutablePointer<[Float]>.allocate(capacity: 4)
        results.initialize(repeating: [], count: 4)
        defer { results.deinitialize(count: 4); results.deallocate() }
        DispatchQueue.concurrentPerform(iterations: 4) { t in
            for round in 0..<3 {
                let workspace = ContextEncoderWorkspace(config: d.model.config, maxBatch: 1, concurrency: 2)
                let out = reconstructEach(d, workspace: workspace, threads: 2, precision: .float16)
                if round == 2 { results[t] = out }
            }
        }
        for t in 0..<4 { XCTAssertEqual(results[t], expected, "thread \(t)") }
    }
}
