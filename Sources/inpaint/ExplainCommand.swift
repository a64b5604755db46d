import ArgumentParser
import Datasets
import Figures
import FileIO
import Foundation
import Inpainting

/// `inpaint explain`: what one reconstructed pixel depends on — the saliency |∂ reconstruction[p] / ∂ input|
/// over the masked input from one backward pass of that output pixel, and the encoder map that carries most
/// of it (see `PixelExplanation`).
struct ExplainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Explain one reconstructed pixel: its gradient over the masked input, and the feature map behind it.",
        discussion: """
            One forward pass of the image with the hole, then one backward pass of the single output pixel \
            --pixel through the model's float32 weights. The table prints the value, the input pixels it \
            depends on most and the share of each encoder feature map (activation × gradient, summed over the \
            map); a map of |gradient| in shades follows (@ strongest, the hole's border drawn with +). --json \
            prints {"value": v, "gradient": [784 numbers], ...}: gradient[q] = ∂ reconstruction[ROW,COL] / ∂ \
            (x ⊙ M)[q] in row-major order, x ⊙ M being the network's first input channel. --out writes a PNG: \
            the masked input, the reconstruction, the saliency and the top feature map. Without --model, the \
            bundled model of --dataset is used (assets/\(Checkpoint.bundledModelFileName), or \
            assets/\(Checkpoint.bundledModelFileName(for: .fashion)) for --dataset fashion); a model recorded for \
            another data set is used anyway, with one line on stderr.
            """)

    @Option(help: "Model checkpoint (.safetensors); default: the bundled model of --dataset.")
    var model: String?

    @Option(help: "mnist, or fashion for Fashion-MNIST: which bundled model explains, when --model is not given.")
    var dataset: DatasetKind = .mnist

    @Option(help: "Images (idx3, uint8 or float32, plain or .gz), e.g. ../shared/data/mnist/t10k-images-idx3-ubyte.gz.")
    var images: String

    @Option(help: "The image's index in --images (0-based).")
    var index = 0

    @Option(help: "The hole: TOP,LEFT,HEIGHT,WIDTH in pixels of the 28×28 image.")
    var hole: String

    @Option(help: "The explained output pixel: ROW,COL (0…27 each).")
    var pixel: String

    @Flag(help: "Print JSON: value, gradient (784, row-major), mask-channel gradient, feature contributions.")
    var json = false

    @Option(help: "Also write a PNG (masked input, reconstruction, saliency, top feature map).")
    var out: String?

    func validate() throws {
        guard index >= 0 else { throw ValidationError("--index must not be negative, found \(index)") }
        let rect = try parsedHole()
        guard rect.height >= 1, rect.width >= 1, rect.fits() else {
            throw ValidationError("--hole \(hole): expected a rectangle of at least 1×1 inside the 28×28 image")
        }
        _ = try parsedPixel()
    }

    private func numbers(_ text: String, count: Int, flag: String, form: String) throws -> [Int] {
        let parts = text.split(separator: ",", omittingEmptySubsequences: false).map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.count == count, parts.allSatisfy({ $0 != nil }) else {
            throw ValidationError("\(flag) \(text): expected \(form) (\(count) integers separated by commas)")
        }
        return parts.map { $0! }
    }

    private func parsedHole() throws -> HoleRect {
        let n = try numbers(hole, count: 4, flag: "--hole", form: "TOP,LEFT,HEIGHT,WIDTH")
        return HoleRect(top: n[0], left: n[1], height: n[2], width: n[3])
    }

    private func parsedPixel() throws -> (row: Int, column: Int) {
        let n = try numbers(pixel, count: 2, flag: "--pixel", form: "ROW,COL")
        guard (0..<Digit.side).contains(n[0]), (0..<Digit.side).contains(n[1]) else {
            throw ValidationError("--pixel \(pixel): expected ROW,COL within 0…\(Digit.side - 1)")
        }
        return (n[0], n[1])
    }

    func run() throws {
        if let out { try checkOutput(out, isNotAnyOf: [("--images", images), ("--model", model)]) }
        let (modelURL, checkpoint) = try loadModel(model, dataset: dataset, command: "inpaint explain")
        let stack = try readDigitImages(images)
        guard index < stack.count else {
            throw DataError("--index \(index)", "expected 0…\(stack.count - 1) for the \(stack.count) images in \(images)")
        }
        let rect = try parsedHole(), (row, column) = try parsedPixel()
        let image = Array(stack.pixels[index * Digit.pixels ..< (index + 1) * Digit.pixels])
        let mask = rect.mask()
        let explanation = checkpoint.model.explain(image: image, mask: mask, pixel: row * Digit.side + column)

        if json {
            print(try Self.json(explanation, image: image, mask: mask, row: row, column: column, hole: rect))
        } else {
            print(Self.table(explanation, image: image, mask: mask, row: row, column: column, hole: rect, modelPath: modelURL.path))
        }
        if let out {
            try Self.figure(explanation, image: image, mask: mask, row: row, column: column).write(to: URL(fileURLWithPath: out))
            if !json { print("wrote \(out)") }
        }
    }

    // MARK: Output

    struct Report: Encodable {
        var pixel: [Int]
        var hole: [Int]
        var inHole: Bool
        var value: Float
        var truth: Float
        var gradient: [Float]
        var maskChannelGradient: [Float]?
        var featureContributions: [Float]
        var topFeature: Int
    }

    static func json(_ e: PixelExplanation, image: [Float], mask: [Float], row: Int, column: Int, hole: HoleRect) throws -> String {
        let report = Report(pixel: [row, column], hole: [hole.top, hole.left, hole.height, hole.width],
                            inHole: mask[e.pixel] == 0, value: e.value, truth: image[e.pixel], gradient: e.inputGradient,
                            maskChannelGradient: e.maskChannelGradient, featureContributions: e.featureContributions,
                            topFeature: e.topFeature)
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return String(decoding: try encoder.encode(report), as: UTF8.self)
    }

    static let shades = Array(" .:-=+*#%@")

    static func table(_ e: PixelExplanation, image: [Float], mask: [Float], row: Int, column: Int, hole: HoleRect,
                      modelPath: String) -> String {
        var lines: [String] = []
        let place = mask[e.pixel] == 0 ? "in the hole" : "a known pixel"
        lines.append("pixel (\(row), \(column)), \(place), hole \(hole.top),\(hole.left) \(hole.height)×\(hole.width); model \(modelPath)")
        lines.append(String(format: "reconstruction %.4f, truth %.4f", e.value, image[e.pixel]))
        let magnitudes = e.inputGradient.map(abs)
        let total = magnitudes.reduce(0, +)
        let strongest = magnitudes.indices.sorted { magnitudes[$0] > magnitudes[$1] }.prefix(5)
        lines.append("strongest inputs (row, col: ∂y/∂(x⊙M), input):")
        for q in strongest {
            lines.append(String(format: "  %2d, %2d: %+.5f  %.3f", q / Digit.side, q % Digit.side, e.inputGradient[q],
                                image[q] * mask[q]) + (mask[q] == 0 ? " (hole)" : ""))
        }
        let inside = magnitudes.indices.filter { mask[$0] == 0 }.map { magnitudes[$0] }.reduce(0, +)
        if total > 0 {
            lines.append(String(format: "share of Σ|gradient| from the hole's own (zeroed) pixels: %.1f%%", 100 * inside / total))
        }
        if !e.featureContributions.isEmpty {
            let ranked = e.featureContributions.indices.sorted { abs(e.featureContributions[$0]) > abs(e.featureContributions[$1]) }
            let text = ranked.prefix(4).map { String(format: "map %d %+.4f", $0, e.featureContributions[$0]) }.joined(separator: ", ")
            lines.append("encoder maps by activation × gradient: \(text)")
        }
        lines.append("|∂y/∂(x⊙M)| (@ strongest; X the pixel; + the hole's border):")
        let peak = magnitudes.max() ?? 0
        for r in 0..<Digit.side {
            var line = "  "
            for c in 0..<Digit.side {
                let q = r * Digit.side + c
                if q == e.pixel { line += "X"; continue }
                let level = peak > 0 ? magnitudes[q] / peak : 0
                let shade = shades[min(shades.count - 1, Int((level * Float(shades.count - 1)).rounded()))]
                let border = hole.contains(row: r, column: c) &&
                    (r == hole.top || r == hole.top + hole.height - 1 || c == hole.left || c == hole.left + hole.width - 1)
                line.append(border && shade == " " ? "+" : shade)
            }
            lines.append(line)
        }
        return lines.joined(separator: "\n")
    }

    /// Four 28×28 panels: the masked input (hole tinted), the reconstruction, |gradient| scaled to its maximum,
    /// and the top feature map scaled to its range (nearest-neighbour enlarged if the map is smaller).
    static func figure(_ e: PixelExplanation, image: [Float], mask: [Float], row: Int, column: Int) -> PNGImage {
        func normalised(_ values: [Float]) -> [Float] {
            let low = values.min() ?? 0, high = values.max() ?? 0
            return values.map { high > low ? ($0 - low) / (high - low) : 0 }
        }
        var reconstruction = e.reconstruction
        let saliency = normalised(e.inputGradient.map(abs))
        reconstruction[e.pixel] = 1
        var cells = [DigitGrid.Cell(pixels: zip(image, mask).map { $0 * $1 }, caption: "input", mask: mask),
                     DigitGrid.Cell(pixels: reconstruction, caption: "output"),
                     DigitGrid.Cell(pixels: saliency, caption: "saliency")]
        if e.featureHeight > 0, Digit.side % e.featureHeight == 0, Digit.side % e.featureWidth == 0 {
            let map = normalised(e.topFeatureMap), sy = Digit.side / e.featureHeight, sx = Digit.side / e.featureWidth
            let enlarged = (0..<Digit.pixels).map { q in map[(q / Digit.side / sy) * e.featureWidth + (q % Digit.side) / sx] }
            cells.append(DigitGrid.Cell(pixels: enlarged, caption: "map \(e.topFeature)"))
        }
        return DigitGrid(columns: cells.count, cells: cells, title: "pixel \(row),\(column)", scale: 4).render()
    }
}
