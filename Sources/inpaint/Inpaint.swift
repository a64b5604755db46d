import ArgumentParser

@main
struct Inpaint: ParsableCommand {
    // One subcommand per line, so that parallel branches adding commands merge without conflicts.
    static let configuration = CommandConfiguration(
        commandName: "inpaint",
        abstract: "Train and explore a context encoder that fills holes in handwritten digits.",
        subcommands: [
            TuiCommand.self,
            DataCommand.self,
            MasksCommand.self,
            InitCommand.self,
            FillCommand.self,
            ExportCommand.self,
            ClassifierCommand.self,
            TrainCommand.self,
            EvalCommand.self,
        ],
        defaultSubcommand: TuiCommand.self)
}
