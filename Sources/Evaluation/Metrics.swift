#if canImport(Glibc)
import Glibc
#else
import Foundation
#endif
import Datasets
import Inpainting
import NeuralCore

/// Inpainting quality over a set of images, as issue 4 §2 defines it (all errors on the hole only).
///
/// - `mse`, `mae`: pooled over every hole pixel of the set (Σ error / Σ hole pixels), so large holes weigh
///   more than small ones.
/// - `psnrPooled` = 10·log10(1 / mse) with that pooled MSE (images are in [0, 1], so the peak is 1).
/// - `psnrMeanPerImage`: the mean over images of 10·log10(1 / mse_image). An image whose hole is
///   reconstructed (almost) exactly would score +∞ and swamp the mean, so each image's PSNR is capped at
///   `MetricsAccumulator.psnrCap` = 10·log10(255²) ≈ 48.13 dB, the PSNR of an error of one 8-bit grey level
///   (MNIST is 8-bit, so a smaller error is not meaningful). Zero fill hits the cap whenever the hole is
///   entirely background; `cappedImages` says how often that happened.
/// - `ssim`: the mean over images of the SSIM (see `SSIM`) of the composite M⊙x + (1−M)⊙y against x.
/// - `accuracy`: the fraction of composites that the digit classifier labelled correctly, when the caller
///   reported it (nil otherwise).
public struct MetricsSummary: Sendable, Equatable, Codable {
    public var images: Int
    public var holePixels: Int
    public var mse: Double
    public var mae: Double
    public var psnrPooled: Double
    public var psnrMeanPerImage: Double
    public var cappedImages: Int
    public var ssim: Double
    public var accuracy: Double?
}

/// Streaming accumulator for `MetricsSummary`, overall and by hole area. Feed it batch by batch (or image
/// by image); accumulators from different threads can be `merge`d. Sums are kept in Double so that
/// 10,000 × 196 hole pixels add up without Float round-off.
public struct MetricsAccumulator: Sendable, Equatable {
    /// The cap on a single image's PSNR, dB: 20·log10(255) (see `MetricsSummary`).
    public static let psnrCap = 20 * log10(255.0)

    /// Hole-area bins (in hole pixels) for the project's masks, whose holes cover 98…196 of 784 pixels
    /// (1/8 to 1/4 of the image): three bins of equal width.
    public static let defaultAreaBins: [ClosedRange<Int>] = [98...130, 131...163, 164...196]

    struct Sums: Sendable, Equatable {
        var images = 0
        var holePixels = 0
        var squaredError = 0.0
        var absoluteError = 0.0
        var psnr = 0.0
        var capped = 0
        var ssim = 0.0
        var classified = 0
        var correct = 0

        mutating func merge(_ o: Sums) {
            images += o.images; holePixels += o.holePixels
            squaredError += o.squaredError; absoluteError += o.absoluteError
            psnr += o.psnr; capped += o.capped; ssim += o.ssim
            classified += o.classified; correct += o.correct
        }

        var summary: MetricsSummary {
            let n = Double(max(holePixels, 1))
            let mse = squaredError / n
            return MetricsSummary(
                images: images, holePixels: holePixels, mse: mse, mae: absoluteError / n,
                psnrPooled: mse > 0 ? 10 * log10(1 / mse) : .infinity,
                psnrMeanPerImage: images > 0 ? psnr / Double(images) : 0,
                cappedImages: capped, ssim: images > 0 ? ssim / Double(images) : 0,
                accuracy: classified > 0 ? Double(correct) / Double(classified) : nil)
        }
    }

    public let areaBins: [ClosedRange<Int>]
    var total = Sums()
    var bins: [Sums]
    /// By the image's true label (0–9), when the caller gave it.
    var classes = [Sums](repeating: Sums(), count: DigitClassifier.classes)

    public init(areaBins: [ClosedRange<Int>] = MetricsAccumulator.defaultAreaBins) {
        self.areaBins = areaBins
        self.bins = Array(repeating: Sums(), count: areaBins.count)
    }

    /// Adds one image.
    /// original x, reconstruction y, mask M: [784] each (M = 1 known, 0 hole). The composite
    /// M⊙x + (1−M)⊙y is formed here, so passing a composite as `reconstruction` is fine too.
    /// classifiedCorrectly: whether the classifier got the composite's label right, if it was run;
    /// label: the image's true class (0–9), which adds it to `byClass` too.
    public mutating func add(original: [Float], reconstruction: [Float], mask: [Float],
                             classifiedCorrectly: Bool? = nil, label: Int? = nil) {
        precondition(original.count == Digit.pixels && reconstruction.count == Digit.pixels
                     && mask.count == Digit.pixels, "metrics expect 784-pixel images and masks")
        var s = Sums()
        var composite = original
        for i in 0..<Digit.pixels where mask[i] == 0 { composite[i] = reconstruction[i] }
        let squared = MaskedLoss.l2.errorSums(prediction: reconstruction, target: original, mask: mask)
        let imageSquared = squared.hole
        let holes = Int(squared.holePixels)
        s.absoluteError = MaskedLoss.l1.errorSums(prediction: reconstruction, target: original, mask: mask).hole
        s.images = 1
        s.holePixels = holes
        s.squaredError = imageSquared
        let imageMSE = holes > 0 ? imageSquared / Double(holes) : 0
        let psnr = imageMSE > 0 ? 10 * log10(1 / imageMSE) : .infinity
        if psnr >= Self.psnrCap { s.psnr = Self.psnrCap; s.capped = 1 } else { s.psnr = psnr }
        s.ssim = SSIM.meanSSIM(composite, original)
        if let ok = classifiedCorrectly { s.classified = 1; s.correct = ok ? 1 : 0 }
        total.merge(s)
        if let b = areaBins.firstIndex(where: { $0.contains(holes) }) { bins[b].merge(s) }
        if let label, classes.indices.contains(label) { classes[label].merge(s) }
    }

    /// Adds a batch: originals, reconstructions, masks are [count, 784] flattened; `correct`, if given,
    /// has one entry per image, and so do `labels` (the true classes, for `byClass`).
    public mutating func add(originals: [Float], reconstructions: [Float], masks: [Float], count: Int,
                             classifiedCorrectly correct: [Bool]? = nil, labels: [Int]? = nil) {
        let p = Digit.pixels
        precondition(originals.count == count * p && reconstructions.count == count * p
                     && masks.count == count * p, "batch arrays must hold \(count)×784 floats")
        precondition(correct == nil || correct!.count == count, "one classification result per image")
        precondition(labels == nil || labels!.count == count, "one label per image")
        for n in 0..<count {
            let range = (n * p)..<((n + 1) * p)
            add(original: Array(originals[range]), reconstruction: Array(reconstructions[range]),
                mask: Array(masks[range]), classifiedCorrectly: correct?[n], label: labels?[n])
        }
    }

    /// Combines another accumulator (same bins) into this one, e.g. from a parallel worker.
    public mutating func merge(_ other: MetricsAccumulator) {
        precondition(other.areaBins == areaBins, "cannot merge accumulators with different area bins")
        total.merge(other.total)
        for i in bins.indices { bins[i].merge(other.bins[i]) }
        for i in classes.indices { classes[i].merge(other.classes[i]) }
    }

    /// Figures over every image added so far.
    public var overall: MetricsSummary { total.summary }

    /// The same figures for each hole-area bin, in `areaBins` order (images outside every bin count only
    /// in `overall`).
    public var byArea: [(bin: ClosedRange<Int>, summary: MetricsSummary)] {
        zip(areaBins, bins).map { ($0, $1.summary) }
    }

    /// The same figures for each true class 0–9 that images were added with (`label:`), in label order; a
    /// class with no images is left out. Name the labels with `DatasetKind.className(_:)`.
    public var byClass: [(label: Int, summary: MetricsSummary)] {
        classes.indices.filter { classes[$0].images > 0 }.map { ($0, classes[$0].summary) }
    }
}
