import ArgumentParser
import Figures
import Foundation
import Inpainting
import NeuralCore

/// `inpaint masks preview`: a PNG of test digits with holes from a sampler, to see what training sees.
struct MasksPreviewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "preview",
        abstract: "Draw test digits with sampled holes (tinted red) into a PNG.")

    @OptionGroup var data: DataOptions

    @Option(help: "rect (the report's), stroke (DeepFill v2-style) or mixed.")
    var sampler: MaskSamplerKind = .rect

    @Option(help: "How many digits (the first of the test split).")
    var count: Int = 16

    @Option(help: "Digits per row.")
    var columns: Int = 8

    @Option(help: "Seed of the sampler.")
    var seed: UInt64 = 0

    @Option(help: ArgumentHelp("The PNG to write.", valueName: "file"))
    var out: String

    func validate() throws {
        guard (1...1000).contains(count) else { throw ValidationError("--count: expected 1…1000, found \(count)") }
        guard columns > 0 else { throw ValidationError("--columns: expected a positive number, found \(columns)") }
    }

    func run() throws {
        let dataset = try data.load()
        guard let test = dataset.test, test.count > 0 else {
            throw ValidationError("\(dataset.location.directory.path): expected a test split, found none")
        }
        var rng = SeededGenerator(seed: seed)
        let holes = MaskSampler(kind: sampler)
        var cells: [DigitGrid.Cell] = []
        for i in 0..<min(count, test.count) {
            let hole = holes.sample(using: &rng)
            let mask = hole.mask()
            let masked = zip(test.image(at: i), mask).map { $0 * $1 }
            cells.append(DigitGrid.Cell(pixels: masked, caption: "\(hole.holeArea) PX", mask: mask))
        }
        let title = "\(sampler.rawValue.uppercased()) HOLES, SEED \(seed)"
        try DigitGrid(columns: min(columns, cells.count), cells: cells, title: title).render()
            .write(to: URL(fileURLWithPath: out))
        print("wrote \(cells.count) digits with \(sampler) holes to \(out)")
    }
}
