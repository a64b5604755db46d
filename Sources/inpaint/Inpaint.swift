import ArgumentParser

@main
struct Inpaint: ParsableCommand {
    // One subcommand per line, so that parallel branches adding commands merge without conflicts.
    static let configuration = CommandConfiguration(
        commandName: "inpaint",
        abstract: "Train and explore a context encoder that fills holes in handwritten digits.",
        version: inpaintVersionLine,
        subcommands: [
            TuiCommand.self,
            WatchCommand.self,
            TrainCommand.self,
            EvalCommand.self,
            FillCommand.self,
            ExperimentCommand.self,
            BenchCommand.self,
            InitCommand.self,
            ExportCommand.self,
            ExplainCommand.self,
            DataCommand.self,
            MasksCommand.self,
            ClassifierCommand.self,
        ],
        defaultSubcommand: TuiCommand.self)
}
