// swift-tools-version:6.0
import PackageDescription

// Dependencies point one way:
//   inpaint → NcursesTerminal → TerminalRuntime → TerminalUI → Inpainting → NeuralCore
// Of the libraries only NcursesTerminal touches the terminal (TerminalUI's encoder makes the bytes, the driver
// writes them), and none prints or exits. TerminalUI is pure (no network run, no file read, no clock);
// TerminalRuntime carries out its effects.

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

        // MARK: Pure core
        .target(name: "NeuralCore", dependencies: ["COpenBLAS", "CKernels"]),
        .target(name: "Inpainting", dependencies: ["NeuralCore", "CZlib"]),

        // MARK: Terminal UI: pure model/update/view, the runtime that carries out its effects, the ncurses driver
        // (A Swift target's README.md must be excluded, or SwiftPM warns that it is an unhandled file.)
        .target(name: "TerminalUI", dependencies: ["Inpainting"], exclude: ["README.md"]),
        .target(name: "TerminalRuntime", dependencies: ["TerminalUI", "Inpainting"], exclude: ["README.md"]),
        .target(name: "NcursesTerminal", dependencies: ["TerminalRuntime", "TerminalUI", "CNcursesW"], exclude: ["README.md"]),

        // MARK: The executable
        .executableTarget(
            name: "inpaint",
            dependencies: [
                "Inpainting", "TerminalUI", "TerminalRuntime", "NcursesTerminal",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            exclude: ["README.md"]),

        // MARK: Tests
        .target(name: "TestSupport", dependencies: ["NeuralCore"], path: "Tests/TestSupport"),
        .testTarget(
            name: "NeuralCoreTests", dependencies: ["NeuralCore", "TestSupport"],
            resources: [.copy("Fixtures")]),
        .testTarget(
            name: "InpaintingTests", dependencies: ["Inpainting", "TestSupport"],
            resources: [.copy("Fixtures")]),
        // The golden screens are read through #filePath (so INPAINT_UPDATE_SNAPSHOTS can rewrite them in place).
        .testTarget(name: "TerminalUITests", dependencies: ["TerminalUI", "TestSupport"], exclude: ["Snapshots"]),
        .testTarget(name: "TerminalRuntimeTests", dependencies: ["TerminalRuntime", "TestSupport"]),
        .testTarget(name: "EndToEndTests", dependencies: ["inpaint", "TestSupport"]),
    ],
    swiftLanguageModes: [.v5]
)
