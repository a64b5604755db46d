import FileIO
import Foundation

/// The images and labels files of one split.
public struct SplitFiles: Sendable, Equatable {
    public var images: URL
    public var labels: URL
    public init(images: URL, labels: URL) { self.images = images; self.labels = labels }
}

/// Where the data was found and which files it holds.
public struct DataLocation: Sendable, Equatable {
    /// How a folder came to be searched, in the order they are tried.
    public enum Origin: Sendable, Equatable, CustomStringConvertible {
        case flag, environment, userDataDirectory, system, bundledSample

        public var description: String {
            switch self {
            case .flag: return "--data"
            case .environment: return "$INPAINT_DATA"
            case .userDataDirectory: return "user data directory"
            case .system: return "system datasets"
            case .bundledSample: return "bundled sample"
            }
        }
    }

    public var origin: Origin
    public var directory: URL
    public var dataset: DatasetKind
    public var splits: [SplitName: SplitFiles]

    public var isBundledSample: Bool { origin == .bundledSample }
}

/// Finds the data, trying in order:
/// 1. `--data DIR` (an error if it holds no data: the user asked for it),
/// 2. `$INPAINT_DATA` (the same; MNIST only, so that CI's setting never shadows `--dataset fashion`),
/// 3. the program's data directory `$XDG_DATA_HOME/inpaint` (default `~/.local/share/inpaint`; for
///    Fashion-MNIST its `fashion/` subfolder), where `inpaint data fetch` writes,
/// 4. `/usr/share/datasets/mnist` or, for `--dataset fashion`, `/usr/share/datasets/fashion-mnist`
///    (Debian's `dataset-fashion-mnist`),
/// 5. the bundled sample (MNIST only; its folder found by `AssetsLocator`), so the program runs with no data
///    set installed.
///
/// A folder counts when it holds the images and labels of at least one split under the official names,
/// with or without `.gz`. Pure: the environment and the file-system probe are injected.
public struct DataLocator: Sendable {
    /// What the locator may look at; `.system` is the real process environment and file system.
    public struct Probe: Sendable {
        public var environment: [String: String]
        public var homeDirectory: String
        public var fileExists: @Sendable (String) -> Bool

        public init(environment: [String: String], homeDirectory: String,
                    fileExists: @escaping @Sendable (String) -> Bool) {
            self.environment = environment; self.homeDirectory = homeDirectory; self.fileExists = fileExists
        }

        public static var system: Probe {
            Probe(environment: ProcessInfo.processInfo.environment, homeDirectory: NSHomeDirectory(),
                  fileExists: { path in
                      var isDirectory: ObjCBool = false
                      return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
                          && !isDirectory.boolValue
                  })
        }
    }

    /// A folder to search and whether finding nothing there is an error.
    public struct Candidate: Sendable, Equatable {
        public var origin: DataLocation.Origin
        public var directory: URL
        /// True for folders the user named (`--data`, `$INPAINT_DATA`): empty means a mistake, not "next".
        public var required: Bool
    }

    /// The bundled sample's files (1,000 MNIST test digits; see assets/README.md).
    public static let sampleImagesFileName = "mnist-sample-images-idx3-ubyte.gz"
    public static let sampleLabelsFileName = "mnist-sample-labels-idx1-ubyte.gz"

    public var explicitDirectory: String?
    public var dataset: DatasetKind
    /// The folder holding the bundled sample (see `AssetsLocator`); nil skips the last fallback.
    public var assetsDirectory: String?
    public var probe: Probe

    public init(explicitDirectory: String? = nil, dataset: DatasetKind = .mnist, assetsDirectory: String? = nil,
                probe: Probe = .system) {
        self.explicitDirectory = explicitDirectory
        self.dataset = dataset
        self.assetsDirectory = assetsDirectory
        self.probe = probe
    }

    /// The program's own data folder: `$XDG_DATA_HOME/inpaint`, default `~/.local/share/inpaint`
    /// (XDG Base Directory spec: an unset or empty XDG_DATA_HOME means `~/.local/share`), with
    /// `fashion/` below it for Fashion-MNIST.
    public var userDataDirectory: URL {
        let xdg = probe.environment["XDG_DATA_HOME"].flatMap { $0.isEmpty ? nil : $0 }
        let base = URL(fileURLWithPath: xdg ?? probe.homeDirectory + "/.local/share", isDirectory: true)
            .appendingPathComponent("inpaint", isDirectory: true)
        return dataset == .mnist ? base : base.appendingPathComponent("fashion", isDirectory: true)
    }

    /// Every folder that will be tried, in order.
    public var candidates: [Candidate] {
        var list: [Candidate] = []
        if let dir = explicitDirectory {
            list.append(Candidate(origin: .flag, directory: url(dir), required: true))
        }
        if dataset == .mnist, let env = probe.environment["INPAINT_DATA"], !env.isEmpty {
            list.append(Candidate(origin: .environment, directory: url(env), required: true))
        }
        list.append(Candidate(origin: .userDataDirectory, directory: userDataDirectory, required: false))
        let system = dataset == .mnist ? "/usr/share/datasets/mnist" : "/usr/share/datasets/fashion-mnist"
        list.append(Candidate(origin: .system, directory: url(system), required: false))
        if dataset == .mnist, let assets = assetsDirectory {
            list.append(Candidate(origin: .bundledSample, directory: url(assets), required: false))
        }
        return list
    }

    /// The splits present in `directory` (bundled-sample folders are read by their own file names).
    public func splits(in candidate: Candidate) -> [SplitName: SplitFiles] {
        let dir = candidate.directory
        if candidate.origin == .bundledSample {
            let images = dir.appendingPathComponent(Self.sampleImagesFileName)
            let labels = dir.appendingPathComponent(Self.sampleLabelsFileName)
            guard probe.fileExists(images.path), probe.fileExists(labels.path) else { return [:] }
            return [.test: SplitFiles(images: images, labels: labels)]
        }
        var found: [SplitName: SplitFiles] = [:]
        for split in SplitName.allCases {
            if let images = existing(split.imagesFileName, in: dir), let labels = existing(split.labelsFileName, in: dir) {
                found[split] = SplitFiles(images: images, labels: labels)
            }
        }
        return found
    }

    /// The first folder that holds data.
    ///
    /// - Throws: `DataError` when a folder the user named holds no data, or when nothing is found at all;
    ///   the message lists where it looked.
    public func locate() throws(DataError) -> DataLocation {
        for candidate in candidates {
            let found = splits(in: candidate)
            if !found.isEmpty {
                return DataLocation(origin: candidate.origin, directory: candidate.directory, dataset: dataset,
                                    splits: found)
            }
            if candidate.required {
                throw DataError(candidate.origin == .flag ? "--data \(candidate.directory.path)"
                                                          : "$INPAINT_DATA=\(candidate.directory.path)",
                                "expected \(Self.expectedFilesDescription), found none")
            }
        }
        let places = candidates.map(\.directory.path).joined(separator: ", ")
        throw DataError("", "no \(dataset) data found: looked in \(places) for \(Self.expectedFilesDescription); "
            + "run `inpaint data fetch` or pass --data DIR")
    }

    static let expectedFilesDescription =
        "train-/t10k-images-idx3-ubyte and matching -labels-idx1-ubyte files (with or without .gz)"

    private func existing(_ stem: String, in dir: URL) -> URL? {
        // Plain files first: they load without inflating.
        for name in [stem, stem + ".gz"] {
            let candidate = dir.appendingPathComponent(name)
            if probe.fileExists(candidate.path) { return candidate }
        }
        return nil
    }

    private func url(_ path: String) -> URL {
        let expanded = path.hasPrefix("~/") ? probe.homeDirectory + path.dropFirst(1) : path
        return URL(fileURLWithPath: expanded, isDirectory: true).standardizedFileURL
    }
}
