import Datasets
import Inpainting
import TerminalUI

extension DigitLibrary {
    /// The digits the terminal UI browses (`tui` and `watch`): the test split when there is one, else the
    /// training split; nil when the data set holds neither.
    public init?(browsing dataset: Dataset) {
        guard let browse = dataset.test ?? dataset.train else { return nil }
        self.init(name: "\(dataset.location.dataset) \(dataset.test != nil ? "test" : "train")",
                  images: Array(browse.images.pixels), labels: (0..<browse.count).map { browse.label(at: $0) },
                  dataset: dataset.location.dataset)
    }
}
