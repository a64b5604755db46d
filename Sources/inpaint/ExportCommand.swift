import ArgumentParser
import Datasets
import FileIO
import Foundation
import Inpainting
import NeuralCore

/// `inpaint export`: a checkpoint made for shipping (the bundled model): without Adam's moments, and with
/// float16 weights when they change no reconstructed pixel by a grey level or more.
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write a checkpoint for shipping: no optimizer state, optionally float16 weights.",
        discussion: """
            With --half, the float16 model is first compared with the float32 one on --check-count images \
            (from --images, else the bundled sample digits) with seeded random holes, and refused when \
            any reconstructed pixel moves by 1/255 or more.
            """)

    @Option(help: "The checkpoint to export.")
    var model: String

    @Option(help: "The checkpoint to write (.safetensors).")
    var out: String

    @Flag(help: "Store the weights as float16 (half the size).")
    var half = false

    @Flag(help: "Keep Adam's moments (needed only to resume training).")
    var keepOptimizer = false

    @Option(help: ArgumentHelp(
        "The data set to record in the copy: mnist or fashion (default: the source's).",
        discussion: "A source that records none (every file made before the field existed) counts as mnist; "
            + "--dataset fashion labels a Fashion-MNIST model made by such a binary."))
    var dataset: DatasetKind?

    @Option(help: "Images for the float16 check (idx3); default: the bundled sample digits.")
    var images: String?

    @Option(help: "How many images the float16 check uses.")
    var checkCount = 200

    @Option(help: "Seed of the float16 check's holes.")
    var seed: UInt64 = 1

    func validate() throws {
        guard checkCount > 0 else { throw ValidationError("--check-count must be positive, found \(checkCount)") }
    }

    func run() throws {
        var checkpoint = try Checkpoint.read(contentsOf: URL(fileURLWithPath: model))
        // The discriminator of adversarial training is training state too: a shipping copy needs only G.
        if !keepOptimizer { checkpoint.optimizer = nil; checkpoint.discriminator = nil; checkpoint.discriminatorOptimizer = nil }
        if let dataset { checkpoint.dataset = dataset }
        if half {
            let stack = try checkImages().prefix(checkCount)
            let drift = checkpoint.model.halfPrecisionDrift(images: stack.pixels, count: stack.count, seed: seed)
            let grey = drift * 255
            print("float16 weights move reconstructions by at most \(drift) (\(String(format: "%.3f", grey)) grey levels) on \(stack.count) images")
            guard drift < 1.0 / 255 else {
                throw DataError("--half", "expected float16 weights to keep every reconstructed pixel within 1/255, found \(drift); export without --half")
            }
        }
        try checkpoint.write(to: URL(fileURLWithPath: out), storage: half ? .f16 : .f32)
        let bytes = (try? FileManager.default.attributesOfItem(atPath: out)[.size] as? Int) ?? 0
        print("wrote \(out): \(half ? "float16" : "float32") weights\(keepOptimizer ? " and Adam's moments" : "") "
              + "of a \(checkpoint.dataset) model, \(bytes) bytes")
    }

    private func checkImages() throws -> IDXImages {
        let url: URL
        if let images {
            url = URL(fileURLWithPath: images)
        } else {
            do {
                url = try AssetsLocator().url(of: DataLocator.sampleImagesFileName)
            } catch {
                throw DataError("--images", "expected images for the float16 check, found none: \(error); or pass --images FILE")
            }
        }
        let stack = try IDXImages(contentsOf: url)
        guard stack.rows == Digit.side, stack.columns == Digit.side, stack.count > 0 else {
            throw DataError(url.path, "expected 28×28 images for the float16 check, found \(stack.count) of \(stack.rows)×\(stack.columns)")
        }
        return stack
    }
}
