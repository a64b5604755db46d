import Datasets
import Evaluation
import Foundation
import Inpainting
import TerminalUI

/// Runs the context encoder on one digit for the UI, reusing one workspace so a drag motion allocates only
/// its output array; also answers the optional panels (the encoder's maps, the classifier's guesses).
///
/// Not thread-safe (the workspace is scratch memory): the runtime uses it from one thread only (two
/// reconstructors on two threads are fine: each workspace has its own pool of helpers). Assign
/// `model` before each call to use the newest training snapshot; the copy is cheap (copy on write).
public final class ModelReconstructor {
    public var model: ContextEncoder {
        didSet {
            if model.config != workspace.config { workspace = Self.workspace(for: model.config, threads: threads) }
            lastForward = nil   // comparing ~10 M weights would cost more than the pass it saves
        }
    }
    /// Scores composites for the top-3 panel; nil when none was found (the panel says so).
    public var classifier: DigitClassifier?
    private var workspace: ContextEncoderWorkspace
    /// int8 by default: a drag asks for a reconstruction per mouse motion, and the int8 channel-wise weights
    /// (9.8 MB) stay in cache between them, even beside a trainer (a new training snapshot costs one quantisation).
    public var precision: InferencePrecision
    /// The input of the last pass still held in `workspace`: a drag asks for the reconstruction and the
    /// maps of the same input, and one pass answers both.
    private var lastForward: (image: [Float], mask: [Float])?

    /// Threads a reconstruction may use: 2 on a machine with two or more cores (the workspace's pool keeps one
    /// helper, asleep between drags), 1 otherwise.
    public let threads: Int
    /// Whether each reconstruction runs on one thread or on `threads`, from the times of the last ones (see
    /// `SingleImageThreadChoice`): while training holds the other core, two threads can lose.
    public private(set) var threadChoice: SingleImageThreadChoice?

    public static var defaultThreads: Int { min(2, ProcessInfo.processInfo.activeProcessorCount) }

    public init(model: ContextEncoder, classifier: DigitClassifier? = nil, precision: InferencePrecision = .int8,
                threads: Int = ModelReconstructor.defaultThreads) {
        precondition(threads >= 1, "ModelReconstructor: threads must be ≥ 1, got \(threads)")
        self.model = model
        self.classifier = classifier
        self.precision = precision
        self.threads = threads
        self.threadChoice = threads > 1 ? SingleImageThreadChoice(threads: threads) : nil
        self.workspace = Self.workspace(for: model.config, threads: threads)
    }

    private static func workspace(for config: ModelConfig, threads: Int) -> ContextEncoderWorkspace {
        ContextEncoderWorkspace(config: config, maxBatch: 1, concurrency: threads)
    }

    /// Runs one forward of `image`, `mask` on the threads `threadChoice` picks, and tells it the time.
    private func timedForward(_ pass: () -> Void) {
        guard var choice = threadChoice else { pass(); return }
        let threads = choice.next()
        workspace.singleImageThreads = threads
        let start = DispatchTime.now().uptimeNanoseconds
        pass()
        choice.record(threads: threads, seconds: Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        threadChoice = choice
    }

    /// image, mask: [784] → [784].
    public func reconstruct(image: [Float], mask: [Float]) -> [Float] {
        precondition(image.count == Digit.pixels && mask.count == Digit.pixels, "reconstruct: expected 784 + 784 floats")
        var output = [Float](repeating: 0, count: Digit.pixels)
        image.withUnsafeBufferPointer { x in
            mask.withUnsafeBufferPointer { m in
                output.withUnsafeMutableBufferPointer { o in
                    timedForward {
                        model.reconstruct(images: x.baseAddress!, masks: m.baseAddress!, count: 1,
                                          into: o.baseAddress!, workspace: workspace, precision: precision)
                    }
                }
            }
        }
        lastForward = (image, mask)
        return output
    }

    /// image, mask: [784] → the encoder's output (`ContextEncoder.encoderFeatures`), from the last pass when
    /// it had this input.
    public func encoderFeatures(image: [Float], mask: [Float]) -> EncoderFeatures? {
        if let last = lastForward, last.image == image, last.mask == mask { return workspace.encoderOutput(image: 0) }
        lastForward = (image, mask)
        return model.encoderFeatures(image: image, mask: mask, workspace: workspace)
    }

    /// image: [784] → the classifier's `count` most probable digits, or nil without a classifier.
    public func guesses(for image: [Float], count: Int) -> [Guess]? {
        classifier.map { $0.top(count, of: image).map { Guess(digit: $0.digit, probability: $0.probability) } }
    }
}
