// swift-tools-version:6.0
import PackageDescription

// Dependencies point one way:
//   inpaint → NcursesTerminal → TerminalUI → Inpainting → NeuralCore
// Nothing below TerminalUI knows a terminal exists; nothing in a library prints or exits.

let package = Package(
    name: "Inpaint",
    products: [
        .executable(name: "inpaint", targets: ["inpaint"]),
        .library(name: "NeuralCore", targets: ["NeuralCore"]),
        .library(name: "Inpainting", targets: ["Inpainting"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // MARK: System libraries (Debian packages; see each folder's README)
        .systemLibrary(name: "CNcursesW", path: "Sources/CNcursesW"),
        .systemLibrary(name: "COpenBLAS", path: "Sources/COpenBLAS"),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),

        // MARK: Hand-written AVX2/FMA kernels, dispatched at run time (see Sources/CKernels/README.md)
        .target(name: "CKernels"),

        // MARK: Files: whole-file reads, the one atomic durable write, the error for outside input
        .target(name: "FileIO"),

        // MARK: Pure core
        .target(name: "NeuralCore", dependencies: ["FileIO", "COpenBLAS", "CKernels"]),
        // MARK: Data: IDX files, gzip, checksums, discovery, the bundled sample, the one downloader
        .target(name: "Datasets", dependencies: ["FileIO", "CZlib"]),
        .target(name: "Inpainting", dependencies: ["FileIO", "NeuralCore", "Datasets"]),

        // MARK: Evaluation: metrics, SSIM, classical fills, the digit classifier, the evaluator
        .target(name: "Evaluation", dependencies: ["FileIO", "NeuralCore", "Datasets", "Inpainting"]),

        // MARK: Figures: PNG, SVG line charts, a bitmap font, digit grids
        .target(name: "Figures", dependencies: ["FileIO", "Datasets"]),

        // MARK: Experiments: the report's figures as runs that measure their claim, and the UI's presets
        .target(name: "Experiments", dependencies: ["FileIO", "NeuralCore", "Datasets", "Inpainting", "Evaluation", "Figures"]),

        // MARK: Terminal UI (pure model/update/view) and its one ncurses driver
        .target(name: "TerminalUI", dependencies: ["Datasets", "Inpainting", "Evaluation", "Experiments"]),
        .target(name: "NcursesTerminal", dependencies: ["TerminalUI", "CNcursesW"]),

        // MARK: The executable
        .executableTarget(
            name: "inpaint",
            dependencies: [
                "FileIO", "Datasets", "Inpainting", "Evaluation", "Figures", "Experiments", "TerminalUI", "NcursesTerminal",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),

        // MARK: Tests
        .target(name: "TestSupport", dependencies: ["FileIO", "NeuralCore", "Datasets"], path: "Tests/TestSupport"),
        .testTarget(name: "FileIOTests", dependencies: ["FileIO"]),
        .testTarget(name: "DatasetsTests", dependencies: ["FileIO", "Datasets", "TestSupport"]),
        .testTarget(
            name: "EvaluationTests", dependencies: ["Evaluation", "Inpainting", "Datasets", "NeuralCore", "TestSupport"],
            resources: [.copy("Fixtures")]),
        .testTarget(
            name: "ExperimentsTests",
            dependencies: ["Experiments", "Evaluation", "Inpainting", "Datasets", "NeuralCore", "TestSupport"]),
        .testTarget(name: "FiguresTests", dependencies: ["Figures", "Datasets", "Inpainting", "NeuralCore", "TestSupport"]),
        .testTarget(
            name: "NeuralCoreTests", dependencies: ["FileIO", "NeuralCore", "TestSupport"],
            resources: [.copy("Fixtures")]),
        .testTarget(
            name: "InpaintingTests", dependencies: ["FileIO", "Datasets", "Inpainting", "TestSupport"],
            resources: [.copy("Fixtures")]),
        // The golden screens are read through #filePath (so INPAINT_UPDATE_SNAPSHOTS can rewrite them in place).
        .testTarget(name: "TerminalUITests", dependencies: ["TerminalUI", "Evaluation", "TestSupport"], exclude: ["Snapshots"]),
        .testTarget(name: "EndToEndTests", dependencies: ["inpaint", "TestSupport"]),
    ],
    swiftLanguageModes: [.v5]
)
