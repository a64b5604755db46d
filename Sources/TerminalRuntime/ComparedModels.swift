import Dispatch
import Foundation
import Inpainting
import TerminalUI

/// The models of a comparison beyond the session's own (model 0, `UIRuntime.inference`): their networks,
/// which answer every `.reconstruct` with `.comparedReconstructed(model:…)`, and, for a comparison preset,
/// the `AlternatingTraining` that trains all of them, model 0 included, taking turns.
///
/// Set as `UIRuntime.compared`; nil (one model) leaves the runtime exactly as it was.
public final class ComparedModels {
    /// Models 1…'s networks: `others[i - 1]` is model i.
    public let others: [ModelReconstructor]
    private let plan: Plan?
    private var training: AlternatingTraining?
    private let inbox = ComparedInbox()

    /// How a comparison preset trains: a factory per model (model 0 first) and how turns are shared.
    public struct Plan {
        public var factories: [BackgroundTraining.Factory]
        public var turns: AlternatingTraining.Turns
        /// `--lr`: set on every trainer before its first step (nil: each recipe's own).
        public var learningRate: Float?
        public init(factories: [BackgroundTraining.Factory], turns: AlternatingTraining.Turns, learningRate: Float? = nil) {
            self.factories = factories; self.turns = turns; self.learningRate = learningRate
        }
    }

    /// others: models 1…; plan: nil for models compared as they are (`--model A --model B`: not trained).
    public init(others: [ModelReconstructor], plan: Plan?) {
        precondition(!others.isEmpty, "a comparison needs a second model")
        precondition(plan.map { $0.factories.count == others.count + 1 } ?? true, "expected a factory per model")
        self.others = others
        self.plan = plan
    }

    /// Called from any thread when the trainers have news for `poll` (the runtime's own `onNews`).
    var onNews: (@Sendable () -> Void)? {
        get { inbox.onNews }
        set { inbox.onNews = newValue }
    }

    /// Starts the turns, model 0 from `primary` (the inference network's weights). stepsEach: every network
    /// takes this many steps, turns by step, then the pair waits (`AlternatingTraining.start(stepsEach:)`,
    /// for `inpaint tui --screenshot --after-steps`); nil: they train on until paused.
    func startTraining(primary: ContextEncoder, stepsEach: Int? = nil) {
        guard let plan, training == nil else { return }
        let inbox = self.inbox
        let training = AlternatingTraining(models: [primary] + others.map(\.model), factories: plan.factories,
                                           turns: plan.turns) { model, event in inbox.put(event, model: model) }
        if let rate = plan.learningRate { training.setLearningRate(rate) }
        self.training = training
        if let stepsEach { training.start(stepsEach: stepsEach) } else { training.start() }
    }

    public var isTraining: Bool { training != nil }
    /// Whether the models train (a comparison preset) rather than being compared as saved.
    public var trains: Bool { plan != nil }
    var alternating: AlternatingTraining? { training }

    /// Model 0's newest weights while the comparison trains it (nil: the runtime's own are current).
    func newestPrimary() -> ContextEncoder? { training?.snapshot(0) }

    /// The same input through models 1…, with their newest weights.
    func reconstruct(revision: Int, image: [Float], mask: [Float]) -> [Message] {
        others.enumerated().map { i, network in
            if let training { network.model = training.snapshot(i + 1) }
            return .comparedReconstructed(model: i + 1, revision: revision, pixels: network.reconstruct(image: image, mask: mask))
        }
    }

    /// The training controls in a comparison. Pause, single steps and the rate reach every trainer; a
    /// reset, a save or a load are not offered (the comparison is of these networks, and one save file
    /// cannot hold two), nor another preset unless the comparison trains (`UIRuntime` then replaces it).
    func control(_ effect: Effect) -> [Message] {
        let noTraining = Message.notice("comparing models as they are: training is off (train one at a time with a single --model)")
        switch effect {
        case .pauseTraining:
            guard let training else { return [noTraining] }
            training.pause()
        case .resumeTraining:
            guard let training else { return [noTraining] }
            training.resume()
        case .stepTraining:
            guard let training else { return [noTraining] }
            training.stepOnce()
        case .setLearningRate(let rate):
            guard let training else { return [noTraining] }
            training.setLearningRate(rate)
        case .resetModel, .saveCheckpoint, .loadCheckpoint, .startPreset, .startComparison:
            return [.notice("not while comparing models: quit and start one model (--model FILE, --preset NAME) for that")]
        case .reconstruct, .classify, .encodeFeatures, .quit, .quitWithoutSaving, .filmstripSubject, .saveScreenshot,
             .explain, .measureGroups:
            break
        }
        return []
    }

    /// The trainers' events since the last call: model 0's as `.training`, the others' as `.comparedTraining`,
    /// then one `.modelUpdated` when any of them stepped.
    func poll(nextRevision: () -> Int) -> [Message] {
        var messages: [Message] = []
        var stepped = false
        for (model, event) in inbox.take() {
            messages.append(model == 0 ? .training(event) : .comparedTraining(model: model, event))
            if case .step = event { stepped = true }
        }
        if stepped { messages.append(.modelUpdated(revision: nextRevision())) }
        return messages
    }

    func stop(waitingAtMost seconds: Double) {
        training?.stop(waitingAtMost: seconds)
    }
}

/// The comparison's events on their way from the trainers' threads to the runtime's.
private final class ComparedInbox: @unchecked Sendable {
    private let lock = NSLock()
    private var pending: [(model: Int, event: TrainingEvent)] = []
    private var news: (@Sendable () -> Void)?

    var onNews: (@Sendable () -> Void)? {
        get { lock.withLock { news } }
        set { lock.withLock { news = newValue } }
    }

    func put(_ event: TrainingEvent, model: Int) {
        let news = lock.withLock {
            pending.append((model, event))
            return self.news
        }
        news?()
    }

    func take() -> [(model: Int, event: TrainingEvent)] {
        lock.withLock {
            defer { pending.removeAll() }
            return pending
        }
    }
}
