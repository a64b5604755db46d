import Datasets
import FileIO
import Foundation
import TestSupport
import XCTest

final class DataLocatorTests: XCTestCase {
    private let full = ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
                        "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"]

    /// A probe whose file system holds exactly `files` (absolute paths).
    private func probe(_ files: [String], env: [String: String] = [:]) -> DataLocator.Probe {
        let set = Set(files)
        return DataLocator.Probe(environment: env, homeDirectory: "/home/u", fileExists: { set.contains($0) })
    }

    private func files(_ names: [String], in dir: String) -> [String] { names.map { dir + "/" + $0 } }

    func testOrderFlagThenEnvironmentThenUserThenSystemThenSample() throws {
        let everywhere = files(full, in: "/flag") + files(full, in: "/env") + files(full, in: "/home/u/.local/share/inpaint")
            + files(full, in: "/usr/share/datasets/mnist")
            + ["/repo/assets/mnist-sample-images-idx3-ubyte.gz", "/repo/assets/mnist-sample-labels-idx1-ubyte.gz"]
        let env = ["INPAINT_DATA": "/env"]
        func origin(_ flag: String?, _ files: [String], _ env: [String: String]) throws -> DataLocation {
            try DataLocator(explicitDirectory: flag, assetsDirectory: "/repo/assets", probe: probe(files, env: env)).locate()
        }
        XCTAssertEqual(try origin("/flag", everywhere, env).origin, .flag)
        XCTAssertEqual(try origin(nil, everywhere, env).origin, .environment)
        XCTAssertEqual(try origin(nil, everywhere, [:]).directory.path, "/home/u/.local/share/inpaint")
        let noUser = everywhere.filter { !$0.hasPrefix("/home") }
        XCTAssertEqual(try origin(nil, noUser, [:]).origin, .system)
        let onlySample = everywhere.filter { $0.hasPrefix("/repo") }
        let sample = try origin(nil, onlySample, [:])
        XCTAssertEqual(sample.origin, .bundledSample)
        XCTAssertTrue(sample.isBundledSample)
        XCTAssertEqual(sample.splits[.test]?.images.lastPathComponent, "mnist-sample-images-idx3-ubyte.gz")
    }

    func testXDGDataHomeAndFashion() throws {
        let xdg = probe(files(full, in: "/xdg/inpaint"), env: ["XDG_DATA_HOME": "/xdg", "INPAINT_DATA": "/env"])
        XCTAssertEqual(DataLocator(probe: xdg).userDataDirectory.path, "/xdg/inpaint")
        // An empty XDG_DATA_HOME means the default (XDG Base Directory spec).
        XCTAssertEqual(DataLocator(probe: probe([], env: ["XDG_DATA_HOME": ""])).userDataDirectory.path,
                       "/home/u/.local/share/inpaint")
        // --dataset fashion ignores $INPAINT_DATA (MNIST) and the MNIST sample.
        let fashion = probe(files(full, in: "/usr/share/datasets/fashion-mnist") + files(full, in: "/env"),
                            env: ["INPAINT_DATA": "/env"])
        let found = try DataLocator(dataset: .fashion, assetsDirectory: "/repo/assets", probe: fashion).locate()
        XCTAssertEqual(found.directory.path, "/usr/share/datasets/fashion-mnist")
        XCTAssertEqual(found.dataset, .fashion)
        XCTAssertEqual(DataLocator(dataset: .fashion, probe: fashion).userDataDirectory.path,
                       "/home/u/.local/share/inpaint/fashion")
    }

    func testOfficialNamesWithOrWithoutGz() throws {
        let found = try DataLocator(explicitDirectory: "/d", probe: probe(files(full, in: "/d"))).locate()
        XCTAssertEqual(found.splits[.train]?.images.lastPathComponent, "train-images-idx3-ubyte.gz")
        XCTAssertEqual(found.splits[.test]?.labels.lastPathComponent, "t10k-labels-idx1-ubyte")
        // Half a split (images without labels) is not a split.
        let half = try DataLocator(explicitDirectory: "/d", probe: probe(files(Array(full.prefix(3)), in: "/d"))).locate()
        XCTAssertEqual(Array(half.splits.keys), [.train])
    }

    func testNamedFoldersMustHoldDataAndNothingFoundIsAnError() {
        let system = probe(files(full, in: "/usr/share/datasets/mnist"), env: ["INPAINT_DATA": "/empty-env"])
        assertDataError(["--data /nothing", "found none"]) {
            try DataLocator(explicitDirectory: "/nothing", probe: system).locate()
        }
        assertDataError(["$INPAINT_DATA=/empty-env", "found none"]) { try DataLocator(probe: system).locate() }
        assertDataError(["no MNIST data found", "/usr/share/datasets/mnist", "inpaint data fetch"]) {
            try DataLocator(probe: probe([])).locate()
        }
    }

    func testBundledSampleIsCutIntoTrainAndTest() throws {
        let dir = try makeTemporaryDirectory(self)
        let n = 10
        let images = IDXImages(count: n, rows: 28, columns: 28, pixels: (0..<(n * 784)).map { Float($0 % 255) / 255 })
        try images.write(to: dir.appendingPathComponent(DataLocator.sampleImagesFileName))
        try IDXLabels(labels: (0..<n).map { UInt8($0 % 10) }).write(to: dir.appendingPathComponent(DataLocator.sampleLabelsFileName))
        let location = try DataLocator(assetsDirectory: dir.path,
                                       probe: DataLocator.Probe(environment: [:], homeDirectory: "/nonexistent",
                                                                fileExists: { FileManager.default.fileExists(atPath: $0) && !$0.hasPrefix("/usr") }))
            .locate()
        let data = try Dataset(location: location)
        XCTAssertEqual(data.train?.count, n)  // fewer than 800 digits: all train, none held out
        XCTAssertEqual(data.test?.count, 0)
    }
}

final class BundledSampleTests: XCTestCase {
    /// The committed sample is exactly the first 1,000 official test digits (it was made from them).
    func testBundledSampleMatchesTheRealTestSplit() throws {
        let assets = repositoryAssets
        let sample = try MNISTSplit(imagesURL: assets.appendingPathComponent(DataLocator.sampleImagesFileName),
                                    labelsURL: assets.appendingPathComponent(DataLocator.sampleLabelsFileName))
        XCTAssertEqual(sample.count, 1_000)
        XCTAssertEqual(Set(sample.labels.labels), Set(0...9))
        guard let dir = sharedDataDirectory else { throw XCTSkip("no MNIST data (set INPAINT_DATA)") }
        let test = try MNISTSplit(imagesURL: dir.appendingPathComponent("t10k-images-idx3-ubyte.gz"),
                                  labelsURL: dir.appendingPathComponent("t10k-labels-idx1-ubyte.gz"))
        XCTAssertTrue(sample == test.prefix(1_000), "the bundled sample differs from the first 1,000 test digits")
    }
}

/// Where the bundled files are found: `$INPAINT_ASSETS`, `../share/inpaint` beside the executable's real
/// path, then a build tree's `assets/`, each file from the first folder that holds it.
final class AssetsLocatorTests: XCTestCase {
    private let model = "model.safetensors", classifier = "classifier.safetensors"

    private func locator(_ files: [String], executable: String? = "/usr/bin/inpaint",
                         env: [String: String] = [:]) -> AssetsLocator {
        let set = Set(files)
        return AssetsLocator(probe: AssetsLocator.Probe(environment: env, executablePath: executable,
                                                        fileExists: { set.contains($0) }))
    }

    func testOrderEnvironmentThenInstalledThenBuildTree() throws {
        let buildTree = ["/repo/Package.swift", "/repo/assets", "/repo/assets/\(model)"]
        let everywhere = ["/env/\(model)", "/opt/inpaint/share/inpaint/\(model)"] + buildTree
        let binary = "/repo/.build/x86_64-unknown-linux-gnu/release/inpaint"
        // A build-tree binary that also has ../share/inpaint (as when the tree lives under a prefix).
        let tree = locator(everywhere, executable: binary, env: ["INPAINT_ASSETS": "/env"])
        XCTAssertEqual(tree.candidates.map(\.origin), [.environment, .installed, .buildTree])
        XCTAssertEqual(tree.candidates.map(\.directory.path),
                       ["/env", "/repo/.build/x86_64-unknown-linux-gnu/share/inpaint", "/repo/assets"])
        XCTAssertEqual(try tree.url(of: model).path, "/env/\(model)")
        XCTAssertEqual(try locator(everywhere, executable: binary).url(of: model).path, "/repo/assets/\(model)")

        let installed = locator(everywhere, executable: "/opt/inpaint/bin/inpaint", env: ["INPAINT_ASSETS": "/env"])
        XCTAssertEqual(try installed.url(of: model).path, "/env/\(model)")
        let noEnv = locator(everywhere, executable: "/opt/inpaint/bin/inpaint")
        XCTAssertEqual(noEnv.candidates.map(\.origin), [.installed])
        XCTAssertEqual(try noEnv.url(of: model).path, "/opt/inpaint/share/inpaint/\(model)")
        // An empty variable is unset.
        XCTAssertEqual(locator(everywhere, env: ["INPAINT_ASSETS": ""]).candidates.map(\.origin), [.installed])
    }

    func testEachFileComesFromTheFirstFolderHoldingIt() throws {
        // $INPAINT_ASSETS with a model of one's own still gets the installed classifier.
        let files = ["/mine/\(model)", "/usr/share/inpaint/\(model)", "/usr/share/inpaint/\(classifier)"]
        let assets = locator(files, env: ["INPAINT_ASSETS": "/mine"])
        XCTAssertEqual(try assets.url(of: model).path, "/mine/\(model)")
        XCTAssertEqual(try assets.url(of: classifier).path, "/usr/share/inpaint/\(classifier)")
        XCTAssertEqual(assets.candidate(holding: classifier)?.origin, .installed)
    }

    func testBuildTreeNeedsPackageSwiftAndAssets() {
        let binary = "/repo/.build/release/inpaint"
        XCTAssertEqual(locator(["/repo/Package.swift", "/repo/assets"], executable: binary).candidates.last?.directory.path,
                       "/repo/assets")
        // An assets/ folder without a package beside it is not a build tree, nor a package without assets/.
        XCTAssertEqual(locator(["/repo/assets"], executable: binary).candidates.map(\.origin), [.installed])
        XCTAssertEqual(locator(["/repo/Package.swift"], executable: binary).candidates.map(\.origin), [.installed])
        // More than buildTreeLevels above the executable is too far.
        let deep = "/repo/a/b/c/d/e/f/g/inpaint"
        XCTAssertEqual(locator(["/repo/Package.swift", "/repo/assets"], executable: deep).candidates.map(\.origin),
                       [.installed])
    }

    func testMissingFileNamesEveryPlaceInOrder() {
        let assets = locator([], executable: "/stage/usr/bin/inpaint", env: ["INPAINT_ASSETS": "/mine"])
        assertDataError([model, "/mine ($INPAINT_ASSETS), /stage/usr/share/inpaint (installed) or a build tree's "
                         + "assets/ (none above /stage/usr/bin)", "INPAINT_ASSETS"]) { try assets.url(of: model) }
        let inTree = locator(["/repo/Package.swift", "/repo/assets"], executable: "/repo/.build/release/inpaint")
        assertDataError(["/repo/.build/share/inpaint (installed) or /repo/assets (build tree)"]) {
            try inTree.url(of: model)
        }
        assertDataError(["its path is unknown"]) { try locator([], executable: nil).url(of: model) }
    }
}
