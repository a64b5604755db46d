@testable import NeuralCore
import TestSupport
import XCTest

/// The chunked BLAS path (`ColumnBatch`): im2col/col2im with a row stride wider than one image, and a
/// chunked convolution against the same convolution one image at a time.
final class ColumnBatchTests: XCTestCase {
    /// im2col into a wider matrix writes exactly the per-image columns and leaves the gap alone; col2im from it
    /// reads the same columns back.
    func testRowStrideLeavesTheGapAlone() {
        var g = SeededGenerator(seed: 40)
        for (c, h, w, k, s, p) in [(16, 14, 14, 4, 2, 1), (32, 7, 7, 3, 1, 1), (3, 7, 9, 3, 2, 0)] {
            let geometry = ConvGeometry(channels: c, height: h, width: w, kernelH: k, kernelW: k, stride: s, padding: p)
            let x = randomFloats(geometry.imageSize, &g), positions = geometry.positions, ld = positions + 5
            var dense = [Float](repeating: 0, count: geometry.columnsSize)
            var wide = [Float](repeating: -7, count: geometry.patchSize * ld)
            im2col(geometry, image: x, columns: &dense)
            im2col(geometry, image: x, columns: &wide, rowStride: ld)
            for row in 0..<geometry.patchSize {
                XCTAssertEqual(Array(wide[(row * ld)..<(row * ld + positions)]), Array(dense[(row * positions)..<((row + 1) * positions)]))
                XCTAssertEqual(Array(wide[(row * ld + positions)..<((row + 1) * ld)]), [Float](repeating: -7, count: 5))
            }
            var fromDense = [Float](repeating: 0, count: geometry.imageSize), fromWide = fromDense
            col2im(geometry, columns: dense, image: &fromDense)
            col2im(geometry, columns: wide, image: &fromWide, rowStride: ld)
            XCTAssertEqual(fromWide, fromDense)
        }
    }

    /// (channels, h, w, k, stride, padding): the strided model's layers and odd ones.
    static let geometries: [(c: Int, h: Int, w: Int, k: Int, s: Int, p: Int)] = [
        (1, 28, 28, 4, 2, 1), (16, 14, 14, 4, 2, 1), (32, 7, 7, 3, 1, 1), (3, 7, 9, 3, 2, 0), (2, 8, 7, 2, 3, 1),
        (2, 5, 6, 5, 1, 2), (1, 4, 3, 1, 1, 0),
    ]

    /// Forward and backward of both layers over 7 images in chunks of 3 (3, 3, 1) equal the same calls made
    /// image by image (chunks of 1), at the strided model's shapes.
    func testChunkedLayersMatchImageByImage() {
        var g = SeededGenerator(seed: 42)
        let saved = ColumnBatch.floatBudget
        defer { ColumnBatch.floatBudget = saved }
        let batch = 7
        let layers: [(any Layer, Int)] = [
            (Conv2D(inChannels: 16, outChannels: 32, kernelSize: 4, stride: 2, padding: 1, hasBias: true), 14),
            (Conv2D(inChannels: 32, outChannels: 64, kernelSize: 3, stride: 1, padding: 1, hasBias: true), 7),
            (TransposedConv2D(inChannels: 64, outChannels: 32, kernelSize: 3, stride: 1, padding: 1, hasBias: true), 7),
            (TransposedConv2D(inChannels: 32, outChannels: 16, kernelSize: 4, stride: 2, padding: 1, hasBias: true), 7),
        ]
        for (layer, side) in layers {
            let x = randomTensor([batch, layer.inChannels, side, side], &g), w = randomTensor(layer.weightShape, &g)
            let b = randomTensor([layer.outChannels], &g)
            let (oh, ow) = layer.outputSize(height: side, width: side)
            let dy = randomTensor([batch, layer.outChannels, oh, ow], &g)
            var results: [[Float]] = []
            for perChunk in [1, 3] {
                // The budget that makes chunks of `perChunk` images (the larger per-image figure of either layer kind).
                let perImage: Int
                if let conv = layer as? Conv2D { perImage = conv.chunkFloatsPerImage(conv.geometry(height: side, width: side)) }
                else { let t = layer as! TransposedConv2D; perImage = t.chunkFloatsPerImage(t.geometry(height: side, width: side)) }
                ColumnBatch.floatBudget = perChunk * perImage
                XCTAssertEqual(ColumnBatch.imagesPerChunk(floatsPerImage: perImage, maxBatch: batch), perChunk)
                let y = layer.forward(x, weight: w, bias: b)
                let grads = layer.backward(x, weight: w, dOutput: dy)
                results.append(y.data + grads.dInput.data + grads.dWeight.data + grads.dBias!.data)
            }
            assertClose(results[1], results[0], rtol: 1e-4, atol: 1e-5, "\(type(of: layer)) \(layer.weightShape) at \(side)×\(side)")
        }
    }
}
