import ArgumentParser

@main
struct Inpaint: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inpaint",
        abstract: "Train and explore a context encoder that fills holes in handwritten digits.",
        subcommands: [TuiCommand.self, DataCommand.self, MasksCommand.self, InitCommand.self, FillCommand.self,
                      ClassifierCommand.self, EvalCommand.self],
        defaultSubcommand: TuiCommand.self)
}
