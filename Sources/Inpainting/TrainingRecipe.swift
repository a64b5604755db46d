/// Named training recipes: a measured run's flags under one name (`inpaint train --recipe NAME`). A flag
/// given beside the recipe overrides that part of it.
public enum TrainingRecipe: String, CaseIterable, Sendable {
    /// The report's: one input channel, Adam at a constant 1e-3, 3 epochs (what `train` does with no flags).
    case report
    /// The least wall time to hole MSE ≤ 0.040 found (issue 16): the mask channel, 12 epochs, Adam from 2e-3
    /// after 300 warm-up steps, decaying to 0 on a cosine. Seed-0 test holes, 10,000 digits: 0.0391.
    case fast
    /// The bundled model's (assets/MODEL.md): the mask channel, 30 epochs, Adam 1e-3 on a cosine.
    case bundled

    /// Whether the network takes the mask as a second input channel.
    public var maskChannel: Bool { self != .report }

    /// The run's length in epochs.
    public var epochs: Int {
        switch self {
        case .report: 3
        case .fast: 12
        case .bundled: 30
        }
    }

    /// The network it trains: the paper architecture, with the mask channel unless the report's.
    public var config: ModelConfig { ModelConfig(architecture: .paper, maskChannel: maskChannel) }

    /// The optimisation and the length: batch, rate, schedule, warm-up, seed, `epochs`.
    public var options: TrainingOptions {
        var options = TrainingOptions()
        options.seed = 1
        options.epochs = epochs
        switch self {
        case .report:
            break
        case .fast:
            options.learningRate = 2e-3
            options.schedule = .cosine
            options.warmupSteps = 300
        case .bundled:
            options.schedule = .cosine
        }
        return options
    }
}
