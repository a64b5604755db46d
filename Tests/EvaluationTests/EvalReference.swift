import Foundation
import Inpainting

/// Reference numbers made by scripts/make_eval_fixtures.py (skimage, scipy, OpenCV) for four synthetic
/// digits with a rectangular hole each.
struct EvalReference: Decodable {
    struct Case: Decodable {
        var hole: HoleRect
        var image: [Double]
        var reconstruction: [Double]
        var holeSquaredErrorSum: Double
        var holeAbsoluteErrorSum: Double
        var holePixels: Int
        var ssim: Double
        var biharmonic: [Double]
        var harmonic: [Double]
        var telea: [Double]
    }
    var cases: [Case]

    static func load() throws -> EvalReference {
        guard let url = Bundle.module.url(forResource: "eval_reference", withExtension: "json",
                                          subdirectory: "Fixtures") else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: "Fixtures/eval_reference.json"])
        }
        return try JSONDecoder().decode(EvalReference.self, from: Data(contentsOf: url))
    }
}

extension Array where Element == Double {
    var floats: [Float] { map(Float.init) }
}
