// swift-tools-version:6.0
import PackageDescription

// Targets by concern; dependencies point one way (down this file), as README.md's picture shows:
//
//   inpaint → NcursesTerminal → TerminalRuntime → TerminalUI
//           → Experiments → Evaluation, Figures → Inpainting → Datasets, NeuralCore → FileIO
//           → Benchmarks → Inpainting
//
// Only NcursesTerminal touches the terminal, only Datasets the network; no library prints or exits.
// A Swift target's README.md is excluded, or SwiftPM warns that it is an unhandled file.

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

        // MARK: Build facts for `inpaint --version` (the git revision the Makefile records; see its README)
        .target(name: "CBuildInfo", exclude: ["README.md"]),

        // MARK: Files: whole-file reads, the one atomic durable write, the error for outside input
        .target(name: "FileIO", exclude: ["README.md"]),

        // MARK: Tensors, layers, losses, Adam and its schedules, safetensors
        .target(name: "NeuralCore", dependencies: ["FileIO", "COpenBLAS", "CKernels"], exclude: ["README.md"]),

        // MARK: Data: IDX files, gzip, checksums, discovery, the bundled sample, the one downloader
        .target(name: "Datasets", dependencies: ["FileIO", "CZlib"], exclude: ["README.md"]),

        // MARK: The model and its training: masks, the context encoder, Trainer, checkpoints
        .target(name: "Inpainting", dependencies: ["FileIO", "NeuralCore", "Datasets"], exclude: ["README.md"]),

        // MARK: Benchmarks: the context encoder's training and inference speed, whole and layer by layer
        .target(name: "Benchmarks", dependencies: ["NeuralCore", "Datasets", "Inpainting"], exclude: ["README.md"]),

        // MARK: Evaluation: metrics, SSIM, classical fills, the digit classifier, the evaluator
        .target(name: "Evaluation", dependencies: ["FileIO", "NeuralCore", "Datasets", "Inpainting"],
                exclude: ["README.md"]),

        // MARK: Figures: PNG, SVG line charts, a bitmap font, digit grids
        .target(name: "Figures", dependencies: ["FileIO", "Datasets"], exclude: ["README.md"]),

        // MARK: Experiments: the report's figures as runs that measure their claim, and the UI's presets
        .target(name: "Experiments", dependencies: ["FileIO", "NeuralCore", "Datasets", "Inpainting", "Evaluation", "Figures"],
                exclude: ["README.md"]),

        // MARK: Terminal UI: pure model/update/view, the runtime that carries out its effects, the ncurses driver
        .target(name: "TerminalUI", dependencies: ["Datasets", "Inpainting", "Evaluation", "Experiments", "Figures"],
                exclude: ["README.md"]),
        .target(name: "TerminalRuntime",
                dependencies: ["FileIO", "NeuralCore", "Datasets", "Inpainting", "Evaluation", "Experiments", "TerminalUI"],
                exclude: ["README.md"]),
        .target(name: "NcursesTerminal", dependencies: ["FileIO", "TerminalRuntime", "TerminalUI", "CNcursesW"],
                exclude: ["README.md"]),

        // MARK: The executable
        .executableTarget(
            name: "inpaint",
            dependencies: [
                "FileIO", "NeuralCore", "Datasets", "Inpainting", "Benchmarks", "Evaluation", "Figures", "Experiments",
                "TerminalUI", "TerminalRuntime", "NcursesTerminal", "CBuildInfo",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            exclude: ["README.md"]),

        // MARK: Tests (one target per library target, TestSupport's shared helpers, the binary end to end)
        .target(name: "TestSupport", dependencies: ["FileIO", "NeuralCore", "Datasets"], path: "Tests/TestSupport"),
        .testTarget(name: "FileIOTests", dependencies: ["FileIO"]),
        .testTarget(
            name: "NeuralCoreTests", dependencies: ["FileIO", "NeuralCore", "TestSupport"],
            resources: [.copy("Fixtures")]),
        .testTarget(name: "DatasetsTests", dependencies: ["FileIO", "Datasets", "TestSupport"]),
        .testTarget(
            name: "InpaintingTests", dependencies: ["FileIO", "NeuralCore", "Datasets", "Inpainting", "TestSupport"],
            resources: [.copy("Fixtures")]),
        .testTarget(
            name: "EvaluationTests", dependencies: ["Evaluation", "Inpainting", "Datasets", "NeuralCore", "TestSupport"],
            resources: [.copy("Fixtures")]),
        .testTarget(name: "FiguresTests", dependencies: ["Figures", "Datasets", "Inpainting", "NeuralCore", "TestSupport"]),
        .testTarget(
            name: "ExperimentsTests",
            dependencies: ["Experiments", "Evaluation", "Inpainting", "Datasets", "NeuralCore", "TestSupport"]),
        // The golden screens are read through #filePath (so INPAINT_UPDATE_SNAPSHOTS can rewrite them in place).
        .testTarget(
            name: "TerminalUITests", dependencies: ["TerminalUI", "Inpainting", "Evaluation", "Datasets", "Figures", "TestSupport"],
            exclude: ["Snapshots"]),
        .testTarget(
            name: "TerminalRuntimeTests",
            dependencies: ["TerminalRuntime", "TerminalUI", "Inpainting", "Experiments", "Datasets", "NeuralCore", "TestSupport"]),
        .testTarget(name: "NcursesTerminalTests", dependencies: ["NcursesTerminal", "TerminalUI", "CNcursesW"]),
        .testTarget(name: "EndToEndTests", dependencies: ["inpaint", "TerminalUI", "Inpainting", "Datasets", "TestSupport"]),
    ],
    swiftLanguageModes: [.v5]
)
