/// How the convolutions' BLAS path groups images: the columns of several images side by side in one matrix
/// [rows, count·positions], so that one sgemm covers the chunk.
///
/// Why: the strided model's layers work on 7×7 and 14×14 maps, so one image's product is only 49 or 196
/// columns wide and OpenBLAS spends a small-matrix call's fixed cost (packing, edge kernels) on little work.
/// A chunk of images gives it hundreds of columns. The chunk is capped by `floatBudget` so that the column
/// matrix stays in cache (for the paper model's 28×28 layers a chunk is one image, as before).
enum ColumnBatch {
    /// Floats of scratch per worker that a chunk may fill (columns + the gathered small side): 512 KB, half a
    /// core's L2 on the machine of issue 4 §3 (1 MB L2 each). Measured on the strided model (inpaint bench
    /// --layers --arch strided --threads 1 --cpu-clock, load 10): 256 KB 20.7–21.3 ms a step, 512 KB 21.1–21.3,
    /// 2 MB 21.1–21.3, 8 MB 22.4–22.5; against 34 ms image by image. Tests change it to force chunk sizes.
    nonisolated(unsafe) static var floatBudget = 1 << 17

    /// Images per chunk when one image needs `floatsPerImage` floats of scratch, for batches ≤ maxBatch.
    static func imagesPerChunk(floatsPerImage: Int, maxBatch: Int) -> Int {
        max(1, min(maxBatch, floatBudget / max(1, floatsPerImage)))
    }

    /// images [count, channels, positions] → matrix [channels, count·positions]
    static func gather(_ images: UnsafePointer<Float>, channels: Int, positions: Int, count: Int,
                       into matrix: UnsafeMutablePointer<Float>) {
        let ld = count * positions
        for n in 0..<count {
            for c in 0..<channels {
                (matrix + c * ld + n * positions).update(from: images + (n * channels + c) * positions, count: positions)
            }
        }
    }

    /// matrix [channels, count·positions] → images [count, channels, positions] (overwritten)
    static func scatter(_ matrix: UnsafePointer<Float>, channels: Int, positions: Int, count: Int,
                        into images: UnsafeMutablePointer<Float>) {
        let ld = count * positions
        for n in 0..<count {
            for c in 0..<channels {
                (images + (n * channels + c) * positions).update(from: matrix + c * ld + n * positions, count: positions)
            }
        }
    }
}
