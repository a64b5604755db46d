import ArgumentParser
import Datasets
import Foundation
import Inpainting
import TerminalUI

extension DatasetKind: ExpressibleByArgument {}
extension MaskSamplerKind: ExpressibleByArgument {}

/// `--data DIR` and `--dataset mnist|fashion`, shared by every command that reads digits.
struct DataOptions: ParsableArguments {
    @Option(name: .customLong("data"), help: ArgumentHelp(
        "Folder with the MNIST IDX files (official names, .gz or not).",
        discussion: "Without it: $INPAINT_DATA, $XDG_DATA_HOME/inpaint (~/.local/share/inpaint), "
            + "/usr/share/datasets/mnist, then the bundled sample (inpaint data list shows where).",
        valueName: "dir"))
    var directory: String?

    @Option(help: ArgumentHelp(
        "mnist, or fashion for Fashion-MNIST (/usr/share/datasets/fashion-mnist).",
        discussion: "Also chooses the bundled model and classifier (fashion-model.safetensors, "
            + "fashion-classifier.safetensors) and the class names shown; a file trained on the other data set is "
            + "used with a one-line notice."))
    var dataset: DatasetKind = .mnist

    /// The locator for these options, with the bundled sample found next to the executable.
    func locator(probe: DataLocator.Probe = .system) -> DataLocator {
        DataLocator(explicitDirectory: directory, dataset: dataset,
                    assetsDirectory: AssetsLocator.forCurrentExecutable(), probe: probe)
    }

    /// Finds and loads the data (both splits the location holds).
    func load() throws -> Dataset {
        try Dataset(location: locator().locate())
    }

    /// The data and the digits the terminal UI browses (the test split, else the training one); none is an
    /// error naming --data.
    func loadBrowsableDigits() throws -> (dataset: Dataset, library: DigitLibrary) {
        let dataset = try load()
        guard let library = DigitLibrary(browsing: dataset) else {
            throw ValidationError("--data: \(dataset.location.directory.path) holds no digits")
        }
        return (dataset, library)
    }
}
