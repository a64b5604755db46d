import ArgumentParser
import FileIO
import Foundation
import Inpainting

/// `inpaint masks make --count N --seed S --out FILE`.
struct MasksMakeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "make",
        abstract: "Write one hole per image, drawn from the report's rectangle sampler (98…196 pixels).",
        discussion: "Each line is `index top left height width`; rows top..top+height-1 and columns "
            + "left..left+width-1 are the hole. Lines starting with # are comments.")

    @Option(help: "Number of images (indices 0 … count-1).")
    var count: Int

    @Option(help: "Seed of the sampler; the same seed gives the same file.")
    var seed: UInt64 = 0

    @Option(help: ArgumentHelp("The masks file to write.", valueName: "file"))
    var out: String

    func validate() throws {
        // Every hole is a dictionary entry and a line of text (~100 bytes in all): Int.max ran out of memory.
        // Ten million is 170 times MNIST's 60,000 training images.
        guard (1...10_000_000).contains(count) else {
            throw ValidationError("--count: expected 1…10,000,000, found \(count)")
        }
    }

    func run() throws {
        let url = URL(fileURLWithPath: out)
        try AtomicFile.checkWritable(url, label: "--out \(out)")
        let sampler = RectangleHoleSampler()
        let masks = MasksFile.make(count: count, seed: seed, sampler: sampler)
        try masks.write(to: url, comments: [
            "inpaint masks make --count \(count) --seed \(seed)",
            "report's rectangle sampler: hole of \(sampler.minArea)…\(sampler.maxArea) pixels, aspect ≤ "
                + "\(Int(sampler.maxAspect)), uniform shape then uniform position (Sources/Inpainting/MaskSampler.swift)",
        ])
        print("wrote \(grouped(count)) holes to \(url.path)")
    }
}
