import Datasets
import NeuralCore

// Shipping a model (issue 6 §4: the bundled model ≤ 25 MB, "float16 storage is fine if the
// reconstructions stay within 1/255"): the paper model is 39 MB in float32, 19.7 MB in float16.

extension ContextEncoder {
    /// The same network with every weight rounded to the nearest float16, which is exactly what a
    /// checkpoint written with `storage: .f16` loads as.
    public func roundedToHalf() -> ContextEncoder {
        var copy = self
        copy.parameters.values = parameters.values.map { Float(Float16($0)) }
        return copy
    }

    /// The largest change float16 weights make to any reconstructed pixel: max |y₃₂ − y₁₆| over `count`
    /// images (images: [count, 784]) with one hole each from the report's rectangle sampler, seeded.
    /// Compare it with 1/255, one step of an 8-bit grey level.
    public func halfPrecisionDrift(images: [Float], count: Int, seed: UInt64) -> Float {
        precondition(images.count == count * Digit.pixels, "images must be [count, 784]")
        var generator = SeededGenerator(seed: seed)
        let sampler = RectangleHoleSampler()
        var masks: [Float] = []
        masks.reserveCapacity(images.count)
        for _ in 0 ..< count { masks += sampler.sample(using: &generator).mask() }
        let full = fill(images: images, masks: masks, count: count, output: .reconstruction)
        let half = roundedToHalf().fill(images: images, masks: masks, count: count, output: .reconstruction)
        return zip(full, half).reduce(0) { max($0, abs($1.0 - $1.1)) }
    }
}
