import Datasets
import Inpainting

/// What the screen shows of one model beyond the first in a comparison (`inpaint tui --model A --model B`,
/// `--preset compare-…`): its name, its newest reconstruction of the shared input and its curves.
///
/// Model 0 is the session's own model and keeps living in `AppState` (`reconstruction`, `training`), so a
/// session with one model is exactly what it was before comparisons existed; models 1… are `ModelView`s.
public struct ModelView: Sendable, Equatable {
    /// The panel titles' and the legend's name: the file name, `bundled`, or a comparison arm ("mask channel").
    public var name: String
    /// [784] the newest reconstruction of the shared input, and the input revision it was made from.
    public var reconstruction: [Float]?
    public var reconstructionRevision = -1
    public var step = 0
    public var loss: Float?
    public var evalLoss: Float?
    public var trainHistory = LossHistory()
    public var evalHistory = LossHistory()

    public init(name: String) { self.name = name }
}

/// The models on screen. Empty `names`: one model, today's screen.
public struct ModelComparison: Sendable, Equatable {
    /// Every model's name, model 0 first; empty when there is one model (its panels keep their plain titles).
    public var names: [String] = []
    /// Models 1…: `others[i - 1]` is model i.
    public var others: [ModelView] = []
    /// The model whose panels show when the terminal cannot hold every model's (`Tab` cycles it).
    public var shownModel = 0
    /// The adversarial arm's discriminator loss (`compare-adversarial`): a third curve in the chart.
    public var discriminatorHistory = LossHistory()
    /// Which model the discriminator curve belongs to (nil: no adversarial model).
    public var discriminatorModel: Int?
    /// What the header says trains (a comparison preset's name, "2 models").
    public var title: String?

    public init() {}

    /// Models named `names` (two or three), model 0 first.
    public init(names: [String], title: String? = nil) {
        precondition(names.count >= 2, "a comparison needs two models, found \(names.count)")
        self.names = names
        self.others = names.dropFirst().map { ModelView(name: $0) }
        self.title = title
    }

    /// The number of models: 1 without a comparison.
    public var count: Int { max(1, names.count) }
    public var isActive: Bool { names.count >= 2 }

    /// A checkpoint's own curve for model `index` ≥ 1 (`--model B` with a saved run).
    public mutating func restore(model index: Int, _ saved: TrainingState) {
        guard index >= 1, index < count else { return }
        var view = others[index - 1]
        view.step = saved.step
        view.loss = saved.loss.lastTraining
        view.evalLoss = saved.loss.lastEvaluation
        view.trainHistory.removeAll()
        view.evalHistory.removeAll()
        for point in saved.loss.curve {
            if let loss = point.training { view.trainHistory.append(step: point.step, loss: loss) }
            if let loss = point.evaluation { view.evalHistory.append(step: point.step, loss: loss) }
        }
        others[index - 1] = view
    }
}

extension AppState {
    /// [784] model `index`'s reconstruction (model 0: `reconstruction`).
    public func reconstruction(ofModel index: Int) -> [Float]? {
        index == 0 ? reconstruction : comparison.others[index - 1].reconstruction
    }

    /// [784] known pixels kept, the hole filled by model `index` (the image itself until its answer arrives).
    public func composite(ofModel index: Int) -> [Float] {
        guard index > 0 else { return composite }
        guard let filled = comparison.others[index - 1].reconstruction else { return image }
        return (0..<Digit.pixels).map { mask[$0] * image[$0] + (1 - mask[$0]) * filled[$0] }
    }

    /// Model `index`'s mean squared error on the hole of the digit shown (nil: no hole, or no answer yet).
    public func holeMSE(ofModel index: Int) -> Float? {
        guard let filled = reconstruction(ofModel: index) else { return nil }
        var sum: Float = 0, count: Float = 0
        for i in 0..<Digit.pixels where mask[i] < 0.5 {
            let d = filled[i] - image[i]
            sum += d * d
            count += 1
        }
        return count > 0 ? sum / count : nil
    }

    /// Model `index`'s name for panel titles (nil without a comparison).
    public func modelName(_ index: Int) -> String? {
        comparison.isActive ? comparison.names[index] : nil
    }
}

// MARK: update

/// `.comparedTraining` and `.comparedReconstructed`: the answers and events of models 1….
func applyComparison(_ state: inout AppState, _ message: Message) -> [Effect] {
    switch message {
    case .comparedReconstructed(let index, let revision, let pixels):
        precondition(pixels.count == Digit.pixels, "reconstruction has \(pixels.count) pixels, expected 784")
        guard index >= 1, index < state.comparison.count else { return [] }
        var model = state.comparison.others[index - 1]
        // An answer for an older input than the one shown would make the panel jump back.
        guard revision >= model.reconstructionRevision else { return [] }
        model.reconstruction = GrayHysteresis.stabilize(pixels, shown: model.reconstruction,
                                                        levels: state.drag != nil ? GrayHysteresis.dragLevels : 0)
        model.reconstructionRevision = revision
        state.comparison.others[index - 1] = model
    case .comparedTraining(let index, let event):
        guard index >= 1, index < state.comparison.count else { return [] }
        var model = state.comparison.others[index - 1]
        switch event {
        case .step(let s):
            model.step = s.step
            model.loss = s.loss
            model.trainHistory.append(step: s.step, loss: s.loss)
            if let adversarial = s.adversarial {
                state.comparison.discriminatorModel = index
                state.comparison.discriminatorHistory.append(step: s.step, loss: adversarial.discriminator)
            }
        case .evaluation(let step, let loss):
            model.evalLoss = loss
            model.evalHistory.append(step: step, loss: loss)
        case .stopped(.nonFiniteLoss(let step)):
            state.notice = "\(model.name): training stopped, loss not finite at step \(step)"
        case .stopped(.failed(let why)):
            state.notice = "\(model.name): training failed: \(why)"
        case .epochFinished, .checkpointWritten, .stateChanged, .stopped:
            break
        }
        state.comparison.others[index - 1] = model
    default:
        break
    }
    return []
}

/// `Tab`: the next model's panels, where the terminal holds only one model's (`Layout.hiddenModels`).
func cycleShownModel(_ state: inout AppState) -> [Effect] {
    guard state.comparison.isActive else { return [] }
    state.comparison.shownModel = (state.comparison.shownModel + 1) % state.comparison.count
    state.drag = nil
    if state.layout.hiddenModels.isEmpty {
        state.notice = "every model is shown; Tab cycles them when the terminal is too small for all"
    }
    return []
}
