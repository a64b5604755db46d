import ArgumentParser
import Datasets
import Inpainting
import TerminalUI

extension DataOptions {
    /// The data set and the digits the terminal UI browses (`tui` and `watch`): the test split when
    /// there is one, else the training split.
    func loadBrowsableDigits() throws -> (Dataset, DigitLibrary) {
        let dataset = try load()
        guard let browse = dataset.test ?? dataset.train else {
            throw ValidationError("--data: \(dataset.location.directory.path) holds no digits")
        }
        let library = DigitLibrary(
            name: "\(dataset.location.dataset) \(dataset.test != nil ? "test" : "train")",
            images: Array(browse.images.pixels), labels: (0..<browse.count).map { browse.label(at: $0) })
        return (dataset, library)
    }
}
