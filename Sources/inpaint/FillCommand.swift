import ArgumentParser
import Datasets
import FileIO
import Foundation
import Inpainting

/// `inpaint fill`: runs a model over images with fixed holes and writes the results as IDX.
struct FillCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fill",
        abstract: "Fill the holes of IDX images with a model and write the results as IDX.",
        discussion: """
            Without --model, the bundled model of --dataset is used (assets/\(Checkpoint.bundledModelFileName), \
            or assets/\(Checkpoint.bundledModelFileName(for: .fashion)) for --dataset fashion); a model recorded \
            for another data set is used anyway, with one line on stderr. The output is gzip-compressed when \
            its name ends in .gz.
            """)

    @Option(help: "Model checkpoint (.safetensors); default: the bundled model of --dataset.")
    var model: String?

    @Option(help: "What the images are: mnist, or fashion for Fashion-MNIST (chooses the bundled model).")
    var dataset: DatasetKind = .mnist

    @Option(help: "Images to fill (idx3, uint8 or float32, plain or .gz).")
    var images: String

    @Option(help: "Masks file: one 'index top left height width' line per image (see `inpaint masks make`).")
    var masks: String

    @Option(help: "The IDX file to write.")
    var out: String

    @Option(help: "composite (known pixels kept, hole filled) or reconstruction (the network's whole output).")
    var output: FillOutput = .composite

    @Flag(help: "Write float32 pixels (IDX type 0x0D) instead of bytes.")
    var float = false

    @Option(help: "Fill only the first N images (default: all).")
    var count: Int?

    @Option(help: "Images per forward pass.")
    var batch = 64

    @Option(help: "The channel-wise layer's weights: int8 (a quarter of the memory traffic; pixels within 1/255), float16 (half) or float32 (exact, for parity checks).")
    var precision: InferencePrecision = .int8

    func validate() throws {
        if let count, count < 0 { throw ValidationError("--count must not be negative, found \(count)") }
        guard (1...TrainingOptions.maximumBatchSize).contains(batch) else {
            throw ValidationError("--batch must be 1…\(TrainingOptions.maximumBatchSize), found \(batch)")
        }
    }

    func run() throws {
        try checkOutput(out, isNotAnyOf: [("--images", images), ("--masks", masks), ("--model", model)])
        let (modelURL, checkpoint) = try loadModel(model, dataset: dataset, command: "inpaint fill")
        var stack = try readDigitImages(images)
        let holes = try MasksFile(contentsOf: URL(fileURLWithPath: masks))
        // Holes for images the file does not have mean the masks were made for other data.
        if let beyond = holes.sortedIndices.last, beyond >= stack.count {
            throw DataError("--masks \(masks)", "expected image indices 0…\(stack.count - 1) for the \(stack.count) images "
                + "in \(images), found index \(beyond)")
        }
        if let count {
            guard count <= stack.count else {
                throw DataError("--count \(count)", "expected at most the \(stack.count) images in \(images)")
            }
            stack = stack.prefix(count)
        }

        var maskValues: [Float] = []
        maskValues.reserveCapacity(stack.count * Digit.pixels)
        for index in 0 ..< stack.count {
            guard let hole = holes.hole(forImage: index) else {
                let hint = count == nil ? "; pass --count N to fill only the first N images" : ""
                throw DataError("--masks \(masks)", "expected a hole for each of the \(stack.count) images, found none for image \(index)\(hint)")
            }
            maskValues.append(contentsOf: hole.mask())
        }

        let filled = checkpoint.model.fill(images: stack.pixels, masks: maskValues, count: stack.count, output: output, batchSize: batch,
                                           precision: precision)
        let result = IDXImages(count: stack.count, rows: Digit.side, columns: Digit.side, pixels: filled)
        try result.write(to: URL(fileURLWithPath: out), as: float ? .float32 : .uint8, gzip: out.hasSuffix(".gz"))
        print("wrote \(out): \(stack.count) \(output.rawValue) images (\(float ? "float32" : "uint8")) from \(modelURL.path)")
    }
}

extension FillOutput: ExpressibleByArgument {}
extension InferencePrecision: ExpressibleByArgument {}
