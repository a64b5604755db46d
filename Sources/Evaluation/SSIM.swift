/// Structural similarity (Wang, Bovik, Sheikh & Simoncelli 2004, "Image quality assessment: from error
/// visibility to structural similarity", IEEE TIP 13(4)) of one grey image against a reference.
///
/// Parameters are the paper's (§III-C) and the defaults of skimage's `structural_similarity` with
/// `gaussian_weights=True, sigma=1.5, use_sample_covariance=False, data_range=1` and of pytorch-msssim's
/// `ssim(..., win_size=11, win_sigma=1.5, K=(0.01, 0.03), data_range=1)`:
/// an 11×11 Gaussian window with σ = 1.5 (normalised to sum 1), K1 = 0.01, K2 = 0.03, L = 1, and the
/// population (not sample) covariance.
///
/// Border handling: the SSIM map is evaluated only where the whole 11×11 window lies inside the image
/// ("valid" positions, 18×18 of them for 28×28) and averaged there. pytorch-msssim convolves without
/// padding and gets exactly these positions; skimage filters with reflection and then crops 5 pixels from
/// each side before averaging, which leaves the same positions, so all three agree.
public enum SSIM {
    public static let windowSize = 11
    public static let sigma = 1.5
    public static let k1 = 0.01
    public static let k2 = 0.03

    /// The 1-D Gaussian taps, normalised to sum 1 (the 2-D window is their outer product).
    public static let gaussianTaps: [Double] = {
        let radius = windowSize / 2
        let raw = (-radius...radius).map { x in exp(-0.5 * Double(x * x) / (sigma * sigma)) }
        let total = raw.reduce(0, +)
        return raw.map { $0 / total }
    }()

    /// Mean SSIM of `image` against `reference`, both [side·side] in [0, dataRange], row-major.
    /// Precondition: side ≥ 11.
    public static func meanSSIM(_ image: [Float], _ reference: [Float], side: Int = Digit.side,
                                dataRange: Double = 1) -> Double {
        precondition(image.count == side * side && reference.count == side * side,
                     "SSIM expects two \(side)×\(side) images, got \(image.count) and \(reference.count) pixels")
        precondition(side >= windowSize, "SSIM needs images at least \(windowSize) pixels wide")
        let c1 = (k1 * dataRange) * (k1 * dataRange)
        let c2 = (k2 * dataRange) * (k2 * dataRange)
        let x = image.map(Double.init), y = reference.map(Double.init)
        let xx = zip(x, x).map(*), yy = zip(y, y).map(*), xy = zip(x, y).map(*)
        let out = side - windowSize + 1
        // Separable Gaussian filtering restricted to valid positions: rows first ([side, out]), then columns.
        let mx = valid(x, side: side), my = valid(y, side: side)
        let mxx = valid(xx, side: side), myy = valid(yy, side: side), mxy = valid(xy, side: side)
        var total = 0.0
        for i in 0..<(out * out) {
            let muX = mx[i], muY = my[i]
            let varX = mxx[i] - muX * muX, varY = myy[i] - muY * muY, cov = mxy[i] - muX * muY
            total += ((2 * muX * muY + c1) * (2 * cov + c2))
                / ((muX * muX + muY * muY + c1) * (varX + varY + c2))
        }
        return total / Double(out * out)
    }

    /// Gaussian-weighted local means at valid positions: [side·side] → [out·out], out = side − 10.
    private static func valid(_ v: [Double], side: Int) -> [Double] {
        let taps = gaussianTaps, n = windowSize, out = side - n + 1
        var horizontal = [Double](repeating: 0, count: side * out)
        for r in 0..<side {
            for c in 0..<out {
                var s = 0.0
                for k in 0..<n { s += taps[k] * v[r * side + c + k] }
                horizontal[r * out + c] = s
            }
        }
        var result = [Double](repeating: 0, count: out * out)
        for r in 0..<out {
            for c in 0..<out {
                var s = 0.0
                for k in 0..<n { s += taps[k] * horizontal[(r + k) * out + c] }
                result[r * out + c] = s
            }
        }
        return result
    }
}

#if canImport(Glibc)
import Glibc
#else
import Foundation
#endif
import Datasets
import Inpainting
