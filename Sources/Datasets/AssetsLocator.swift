import FileIO
import Foundation

/// Finds the bundled files (the model, the classifier, the sample digits and their cards) as an installed
/// tool finds its data, trying in order:
/// 1. `$INPAINT_ASSETS`, a folder the user names;
/// 2. `../share/inpaint` beside the real path of the executable: `make install` puts the binary in
///    `$PREFIX/bin` and the assets in `$PREFIX/share/inpaint`, and resolving symlinks first means a link on
///    the PATH, a `DESTDIR`-staged tree and a moved prefix all find theirs;
/// 3. the repository's `assets/` when the executable runs from a build tree (`swift build` puts it in
///    `<repo>/.build/<triple>/<config>/inpaint`): the nearest folder above the executable, at most
///    `buildTreeLevels` up, that holds `Package.swift` and `assets/`.
///
/// Each file is looked up on its own and taken from the first folder that holds it, so `$INPAINT_ASSETS`
/// may hold only a model of one's own and still get the classifier and the sample from the installed tree.
/// Pure: the environment, the executable's real path and the file system are injected (`Probe`).
public struct AssetsLocator: Sendable {
    /// Why a folder is searched, in the order they are tried.
    public enum Origin: Sendable, Equatable, CustomStringConvertible {
        case environment, installed, buildTree

        public var description: String {
            switch self {
            case .environment: return "$\(AssetsLocator.environmentVariable)"
            case .installed: return "installed"
            case .buildTree: return "build tree"
            }
        }
    }

    /// A folder to search and why.
    public struct Candidate: Sendable, Equatable {
        public var origin: Origin
        public var directory: URL
    }

    /// What the locator may look at; `.system` is the real process.
    public struct Probe: Sendable {
        public var environment: [String: String]
        /// The running executable with every symlink resolved, or nil when unknown.
        public var executablePath: String?
        public var fileExists: @Sendable (String) -> Bool

        public init(environment: [String: String], executablePath: String?,
                    fileExists: @escaping @Sendable (String) -> Bool) {
            self.environment = environment; self.executablePath = executablePath; self.fileExists = fileExists
        }

        public static var system: Probe {
            Probe(environment: ProcessInfo.processInfo.environment, executablePath: currentExecutableRealPath(),
                  fileExists: { FileManager.default.fileExists(atPath: $0) })
        }
    }

    public static let environmentVariable = "INPAINT_ASSETS"
    /// Where `make install` puts the assets, relative to the folder holding the binary.
    public static let installedRelativePath = "../share/inpaint"
    /// How far above the executable a build tree's `Package.swift` may be (`.build/<triple>/<config>/` is 3).
    public static let buildTreeLevels = 6

    public var probe: Probe

    public init(probe: Probe = .system) { self.probe = probe }

    /// The executable's folder (real path), or nil when the executable is unknown.
    public var executableDirectory: URL? {
        probe.executablePath.map { URL(fileURLWithPath: $0).deletingLastPathComponent().standardizedFileURL }
    }

    /// Every folder that will be searched, in order (the build tree only when there is one).
    public var candidates: [Candidate] {
        var list: [Candidate] = []
        if let env = probe.environment[Self.environmentVariable], !env.isEmpty {
            list.append(Candidate(origin: .environment, directory: URL(fileURLWithPath: env, isDirectory: true).standardizedFileURL))
        }
        if let bin = executableDirectory {
            list.append(Candidate(origin: .installed,
                                  directory: bin.appendingPathComponent(Self.installedRelativePath, isDirectory: true)
                                      .standardizedFileURL))
            if let repository = buildTreeRoot(above: bin) {
                list.append(Candidate(origin: .buildTree, directory: repository.appendingPathComponent("assets", isDirectory: true)))
            }
        }
        return list
    }

    /// The folder the bundled `fileName` is taken from: the first candidate that holds it.
    public func candidate(holding fileName: String) -> Candidate? {
        candidates.first { probe.fileExists($0.directory.appendingPathComponent(fileName).path) }
    }

    /// The bundled `fileName`, or a one-line error naming every place searched, in order.
    public func url(of fileName: String) throws(DataError) -> URL {
        guard let found = candidate(holding: fileName) else { throw DataError(fileName, notFoundDescription(fileName)) }
        return found.directory.appendingPathComponent(fileName)
    }

    /// "no bundled copy in /a ($INPAINT_ASSETS), /p/share/inpaint (installed), or a build tree's assets/
    /// (none above /p/bin)": where `fileName` was looked for, in order, for one-line errors.
    public func notFoundDescription(_ fileName: String) -> String {
        var places = candidates.map { "\($0.directory.path) (\($0.origin))" }
        if let bin = executableDirectory {
            if !candidates.contains(where: { $0.origin == .buildTree }) {
                places.append("a build tree's assets/ (none above \(bin.path))")
            }
        } else {
            places.append("../share/inpaint and a build tree beside the executable (its path is unknown)")
        }
        let list = places.count <= 1 ? places.joined()
            : places.dropLast().joined(separator: ", ") + " or " + places[places.count - 1]
        return "no bundled copy in \(list); set \(Self.environmentVariable) to a folder that holds it"
    }

    /// The nearest folder above `bin` (or `bin` itself) holding `Package.swift` and `assets/`.
    private func buildTreeRoot(above bin: URL) -> URL? {
        var dir = bin
        for _ in 0...Self.buildTreeLevels {
            if probe.fileExists(dir.appendingPathComponent("Package.swift").path),
               probe.fileExists(dir.appendingPathComponent("assets").path) {
                return dir
            }
            let parent = dir.deletingLastPathComponent()
            if parent.path == dir.path { break }
            dir = parent
        }
        return nil
    }

    /// The folder holding `marker` for the running process, or nil (the callers that only need a folder).
    public static func forCurrentExecutable(marker: String = DataLocator.sampleImagesFileName) -> String? {
        AssetsLocator().candidate(holding: marker)?.directory.path
    }

    /// The running executable with symlinks resolved (Linux: /proc/self/exe is already the real path;
    /// `realpath` makes it so wherever the path came from).
    static func currentExecutableRealPath() -> String? {
        guard let path = Bundle.main.executablePath ?? CommandLine.arguments.first, !path.isEmpty else { return nil }
        guard let resolved = realpath(path, nil) else { return path }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
