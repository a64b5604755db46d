import Datasets
import NeuralCore

// Helpers that turn digits and holes into the network's NCHW tensors, so that the trainer, the UI and the
// experiments batch the same way.

extension MNISTSplit {
    /// The digits at `indices` stacked: [indices.count, 1, 28, 28], values in [0, 1].
    public func imagesTensor<S: Sequence>(at indices: S) -> Tensor where S.Element == Int {
        var data: [Float] = []
        var n = 0
        for i in indices { data.append(contentsOf: image(at: i)); n += 1 }
        return Tensor(shape: [n, 1, images.rows, images.columns], data: data)
    }
}

extension MaskSampler {
    /// `count` fresh holes: [count, 1, side, side], 1 known, 0 hole.
    public func maskTensor(count: Int, using rng: inout SeededGenerator) -> Tensor {
        let side = rectangles.side
        return Tensor(shape: [count, 1, side, side], data: sampleMasks(count: count, using: &rng))
    }
}

extension MasksFile {
    /// The fixed holes of `indices`: [indices.count, 1, side, side]; every index must have a hole
    /// (a programmer error otherwise: check files with `masks(forImageCount:name:)` first).
    public func maskTensor<S: Sequence>(at indices: S) -> Tensor where S.Element == Int {
        var data: [Float] = []
        var n = 0
        for i in indices {
            guard let hole = holes[i] else { preconditionFailure("masks file has no hole for image \(i)") }
            data.append(contentsOf: hole.mask(side: side)); n += 1
        }
        return Tensor(shape: [n, 1, side, side], data: data)
    }
}
