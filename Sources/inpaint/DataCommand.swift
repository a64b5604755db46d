import ArgumentParser

/// `inpaint data …`: see, fetch and sample the digits the program trains on.
struct DataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data",
        abstract: "Find, download and sample MNIST.",
        subcommands: [DataListCommand.self, DataFetchCommand.self, DataSampleCommand.self],
        defaultSubcommand: DataListCommand.self)
}
