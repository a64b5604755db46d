import ArgumentParser

/// `inpaint masks …`: fixed holes for reproducible benchmarks.
struct MasksCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "masks", abstract: "Make masks files (one rectangular hole per image).",
        subcommands: [MasksMakeCommand.self, MasksPreviewCommand.self])
}
