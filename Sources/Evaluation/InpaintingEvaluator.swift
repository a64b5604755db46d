import Datasets
import Dispatch
import Inpainting

/// Scores inpainting methods over a labelled image set with fixed masks, the way issue 4 §2's
/// `inpaint eval` table reports them: hole errors, PSNR, SSIM of the composite and the digit classifier's
/// accuracy on the composite, overall, by hole area and by class.
///
/// A method only ever sees the masked input x ⊙ M and the mask, so no method can peek at the hole.
public struct InpaintingEvaluator: Sendable {
    public let images: [Float]
    public let labels: [Int]
    public let masks: [Float]
    public let classifier: DigitClassifier?
    public let areaBins: [ClosedRange<Int>]
    public var count: Int { labels.count }

    /// images, masks: [count, 784]; labels: [count]; classifier nil skips the accuracy column.
    public init(images: [Float], labels: [Int], masks: [Float], classifier: DigitClassifier?,
                areaBins: [ClosedRange<Int>] = MetricsAccumulator.defaultAreaBins) {
        precondition(images.count == labels.count * Digit.pixels && masks.count == images.count,
                     "evaluator expects \(labels.count)×784 images and masks")
        self.images = images; self.labels = labels; self.masks = masks
        self.classifier = classifier; self.areaBins = areaBins
    }

    /// Runs `reconstruct` batch by batch: (masked inputs x⊙M [n, 784], masks [n, 784], n) →
    /// reconstructions [n, 784] (only hole pixels are used). `progress` gets the number of images done.
    public func evaluate(batchSize: Int = 500,
                         progress: (Int) -> Void = { _ in },
                         reconstruct: ([Float], [Float], Int) -> [Float]) -> MetricsAccumulator {
        var total = MetricsAccumulator(areaBins: areaBins)
        var start = 0
        while start < count {
            let n = min(batchSize, count - start)
            total.merge(score(start: start, count: n, reconstruct: reconstruct))
            start += n
            progress(start)
        }
        return total
    }

    /// A classical fill over the whole set, split over `threads` workers (each fill is independent; the
    /// per-worker sums are merged in a fixed order, so the result does not depend on scheduling).
    public func evaluate(_ fill: ClassicalFill, threads: Int = 1) -> MetricsAccumulator {
        let workers = max(1, min(threads, count))
        let chunk = (count + workers - 1) / max(workers, 1)
        let parts = UnsafeMutableBufferPointer<MetricsAccumulator>.allocate(capacity: workers)
        parts.initialize(repeating: MetricsAccumulator(areaBins: areaBins))
        defer { parts.deinitialize(); parts.deallocate() }
        let slots = SendableSlots(parts)
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            let start = w * chunk, n = max(0, min(chunk, count - start))
            guard n > 0 else { return }
            let result = score(start: start, count: n) { masked, masks, n in
                var out = [Float](); out.reserveCapacity(n * Digit.pixels)
                for i in 0..<n {
                    let r = (i * Digit.pixels)..<((i + 1) * Digit.pixels)
                    out.append(contentsOf: fill.fill(Array(masked[r]), mask: Array(masks[r])))
                }
                return out
            }
            slots.buffer[w] = result  // each worker writes only its own slot
        }
        var total = MetricsAccumulator(areaBins: areaBins)
        for part in parts { total.merge(part) }
        return total
    }

    private func score(start: Int, count n: Int, reconstruct: ([Float], [Float], Int) -> [Float]) -> MetricsAccumulator {
        let range = (start * Digit.pixels)..<((start + n) * Digit.pixels)
        let originals = Array(images[range]), batchMasks = Array(masks[range])
        let masked = zip(originals, batchMasks).map { $0 * $1 }
        let reconstructions = reconstruct(masked, batchMasks, n)
        precondition(reconstructions.count == n * Digit.pixels, "a method returned \(reconstructions.count) floats for \(n) images")
        let composites = (0..<(n * Digit.pixels)).map { batchMasks[$0] == 0 ? reconstructions[$0] : originals[$0] }
        let correct = classifier.map { c in zip(c.labels(images: composites, count: n), labels[start..<(start + n)]).map { $0 == $1 } }
        var acc = MetricsAccumulator(areaBins: areaBins)
        acc.add(originals: originals, reconstructions: composites, masks: batchMasks, count: n, classifiedCorrectly: correct,
                labels: Array(labels[start..<(start + n)]))
        return acc
    }
}

/// Lets `concurrentPerform` workers write disjoint slots of one preallocated buffer.
private struct SendableSlots: @unchecked Sendable {
    let buffer: UnsafeMutableBufferPointer<MetricsAccumulator>
    init(_ buffer: UnsafeMutableBufferPointer<MetricsAccumulator>) { self.buffer = buffer }
}
