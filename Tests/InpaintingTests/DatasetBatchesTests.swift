import Datasets
import Inpainting
import NeuralCore
import XCTest

final class DatasetBatchesTests: XCTestCase {
    func testTensorsAreNCHWInIndexOrder() {
        let images = IDXImages(count: 3, rows: 28, columns: 28, pixels: (0..<(3 * 784)).map { Float($0 / 784) })
        let split = MNISTSplit(images: images, labels: IDXLabels(labels: [4, 5, 6]))
        let batch = split.imagesTensor(at: [2, 0])
        XCTAssertEqual(batch.shape, [2, 1, 28, 28])
        XCTAssertEqual(batch[0, 0, 5, 5], 2)
        XCTAssertEqual(batch[1, 0, 27, 27], 0)

        var rng = SeededGenerator(seed: 1)
        let masks = MaskSampler().maskTensor(count: 4, using: &rng)
        XCTAssertEqual(masks.shape, [4, 1, 28, 28])
        let file = MasksFile.make(count: 3, seed: 2)
        let fixed = file.maskTensor(at: [1])
        XCTAssertEqual(fixed.data, file.hole(forImage: 1)!.mask())
    }
}
