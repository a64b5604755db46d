import ArgumentParser
import Datasets
import FileIO
import Foundation
import Inpainting

/// `inpaint data list`: every place the data is looked for, what is there, and which one is used.
struct DataListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "Show where data was found and how many images each split holds.")

    @OptionGroup var data: DataOptions

    func run() throws {
        let locator = data.locator()
        let outcome = Result { () throws(DataError) -> DataLocation in try locator.locate() }
        let used = try? outcome.get()
        print("\(data.dataset) data, searched in this order:")
        for candidate in locator.candidates {
            let splits = locator.splits(in: candidate)
            let mark = used?.directory == candidate.directory && used?.origin == candidate.origin ? "  <- used" : ""
            print("  \(pad(candidate.origin.description, 20)) \(candidate.directory.path)\(mark)")
            if splits.isEmpty {
                print("      nothing")
                continue
            }
            for split in SplitName.allCases {
                guard let files = splits[split] else { continue }
                let name = candidate.origin == .bundledSample ? "sample" : split.rawValue
                do {
                    let loaded = try MNISTSplit(imagesURL: files.images, labelsURL: files.labels)
                    var line = "      \(pad(name, 6)) \(grouped(loaded.count)) images  "
                        + "(\(files.images.lastPathComponent), \(files.labels.lastPathComponent))"
                    if candidate.origin == .bundledSample {
                        let train = min(Dataset.sampleTrainingCount, loaded.count)
                        line += "; used as \(grouped(train)) train + \(grouped(loaded.count - train)) test"
                    }
                    print(line)
                } catch {
                    print("      \(pad(name, 6)) unreadable: \(error)")
                }
            }
        }
        // Nothing usable is a failure (non-zero exit) with the locator's one-line reason.
        _ = try outcome.get()
    }
}

func pad(_ s: String, _ width: Int) -> String { s.count >= width ? s : s + String(repeating: " ", count: width - s.count) }
