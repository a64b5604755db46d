import ArgumentParser
import Datasets
import FileIO
import Foundation
import Inpainting

/// `inpaint data sample`: writes the bundled sample (the first N test digits) from the real files.
struct DataSampleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sample",
        abstract: "Write the first N test images and labels as gzip IDX (the bundled sample in assets/).")

    @OptionGroup var data: DataOptions

    @Option(help: "How many test digits to keep.")
    var count: Int = 1000

    @Option(help: ArgumentHelp("Folder to write \(DataLocator.sampleImagesFileName) and its labels into.",
                               valueName: "dir"))
    var out: String

    func validate() throws {
        guard count > 0 else { throw ValidationError("--count: expected a positive number, found \(count)") }
    }

    func run() throws {
        let location = try data.locator().locate()
        guard !location.isBundledSample else {
            throw ValidationError("no real \(data.dataset) data found to sample from (only the bundled sample); "
                + "pass --data DIR or run `inpaint data fetch`")
        }
        guard let files = location.splits[.test] else {
            throw ValidationError("\(location.directory.path): expected the test split (t10k-images-idx3-ubyte, "
                + "t10k-labels-idx1-ubyte), found none")
        }
        let test = try MNISTSplit(imagesURL: files.images, labelsURL: files.labels)
        guard count <= test.count else {
            throw ValidationError("--count: expected at most \(grouped(test.count)) (the test split's size), found \(count)")
        }
        let sample = test.prefix(count)
        let folder = URL(fileURLWithPath: out, isDirectory: true)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw ValidationError("--out \(out): expected an existing folder")
        }
        let imagesURL = folder.appendingPathComponent(DataLocator.sampleImagesFileName)
        let labelsURL = folder.appendingPathComponent(DataLocator.sampleLabelsFileName)
        try sample.images.write(to: imagesURL, as: .uint8, gzip: true)
        try sample.labels.write(to: labelsURL, gzip: true)
        print("wrote the first \(grouped(count)) of \(grouped(test.count)) test digits from \(files.images.path)")
        for url in [imagesURL, labelsURL] {
            let size = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? 0
            print("  \(url.path)  \(grouped(size)) bytes  md5 \(MD5.hex([UInt8](try Data(contentsOf: url))))")
        }
    }
}
