import ArgumentParser
import Datasets
import Evaluation
import FileIO
import Foundation
import Inpainting

/// `inpaint data list`: every place the data is looked for, what is there, and which one is used; then the
/// same for the bundled files (model, classifier, sample digits).
struct DataListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "Show where data was found and how many images each split holds, and where the bundled files are.")

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
        printAssets(AssetsLocator())
        // Nothing usable is a failure (non-zero exit) with the locator's one-line reason.
        _ = try outcome.get()
    }

    /// The bundled files, one line per folder searched, marking the one each file is taken from.
    private func printAssets(_ assets: AssetsLocator) {
        // Every data set's model and classifier, whatever --dataset says: the list is of what is installed.
        let files = DatasetKind.allCases.flatMap { [Checkpoint.bundledModelFileName(for: $0), DigitClassifier.assetFileName(for: $0)] }
            + [DataLocator.sampleImagesFileName, DataLocator.sampleLabelsFileName]
        print("bundled files (MNIST and Fashion-MNIST models and classifiers, sample digits), searched in this order:")
        for candidate in assets.candidates {
            print("  \(pad(candidate.origin.description, 20)) \(candidate.directory.path)  (\(reason(candidate.origin, assets)))")
            let held = files.filter { assets.probe.fileExists(candidate.directory.appendingPathComponent($0).path) }
            if held.isEmpty { print("      nothing") }
            for file in held {
                print("      \(file)\(assets.candidate(holding: file) == candidate ? "  <- used" : "")")
            }
        }
        if !assets.candidates.contains(where: { $0.origin == .buildTree }), let bin = assets.executableDirectory {
            print("  \(pad(AssetsLocator.Origin.buildTree.description, 20)) none (no Package.swift and assets/ above \(bin.path))")
        }
        for file in files where assets.candidate(holding: file) == nil {
            print("  \(file): \(assets.notFoundDescription(file))")
        }
    }

    /// Why a folder is searched.
    private func reason(_ origin: AssetsLocator.Origin, _ assets: AssetsLocator) -> String {
        switch origin {
        case .environment: return "set in the environment"
        case .installed:
            return "\(AssetsLocator.installedRelativePath) from the program, \(assets.probe.executablePath ?? "unknown")"
        case .buildTree: return "the repository the program was built in"
        }
    }
}

func pad(_ s: String, _ width: Int) -> String { s.count >= width ? s : s + String(repeating: " ", count: width - s.count) }
