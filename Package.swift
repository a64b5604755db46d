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

        // MARK: Pure core
        .target(name: "NeuralCore", dependencies: ["COpenBLAS", "CKernels"], exclude: ["README.md"]),
        .target(name: "Inpainting", dependencies: ["NeuralCore", "CZlib"]),

        // MARK: Terminal UI (pure model/update/view) and its one ncurses driver
        .target(name: "TerminalUI", dependencies: ["Inpainting"]),
        .target(name: "NcursesTerminal", dependencies: ["TerminalUI", "CNcursesW"]),

        // MARK: The executable
        .executableTarget(
            name: "inpaint",
            dependencies: [
                "Inpainting", "TerminalUI", "NcursesTerminal",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),

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
        .testTarget(name: "EndToEndTests", dependencies: ["inpaint", "TestSupport"]),
    ],
    swiftLanguageModes: [.v5]
)
