import Dispatch
import Experiments
import Foundation
import Inpainting

/// Two or three trainers that take turns (a comparison preset, `inpaint tui --preset compare-…`): each
/// waits, paused, on a thread of its own at nice 10, and a scheduler thread lets one step at a time, so
/// the networks share the one training core the UI gives training and neither starves the other.
///
/// Turns go to the trainer that has had the least: the fewest steps (`.steps`: the same step count for
/// both at any moment), or the least training time (`.time`: equal wall time, for networks whose steps
/// cost differently, until each has trained `secondsEach`). A turn is timed from asking for the step to
/// its `.step` event (the evaluation that may follow it is not counted).
///
/// Events reach `events` tagged with the trainer's index. The trainers' own pause and resume reports are
/// dropped (every turn is a pause and a single step): the scheduler reports the pair's state as model 0's.
public final class AlternatingTraining: @unchecked Sendable {
    public enum Turns: Sendable, Equatable {
        case steps
        case time(secondsEach: Double)
    }

    public typealias Events = @Sendable (_ model: Int, _ event: TrainingEvent) -> Void

    private let board: TurnBoard
    private let trainers: [any TrainingControl]
    private let turns: Turns
    private let running = DispatchGroup()

    /// models[i] is trained by the trainer `factories[i]` makes (a fresh run: no checkpoint to resume).
    public init(models: [ContextEncoder], factories: [BackgroundTraining.Factory], turns: Turns, events: @escaping Events) {
        precondition(models.count == factories.count && models.count >= 2, "expected a factory per model, two or more")
        let board = TurnBoard(count: models.count, events: events)
        self.board = board
        self.turns = turns
        trainers = models.indices.map { i in factories[i](models[i], nil) { event in board.received(event, from: i) } }
    }

    /// Starts every trainer (paused) and the scheduler.
    public func start() {
        startThreads()
    }

    /// Starts them for `steps` turns of each trainer and no more (`inpaint tui --screenshot --after-steps`):
    /// turns by step whatever `turns` says, since turns by time depend on the machine's speed and these must
    /// repeat, each network from its own seed. Once every trainer has had its `steps` (or ended), the pair
    /// reports `.paused` (or `.stopped(.finished)` when all ended first) as model 0 and waits.
    public func start(stepsEach steps: Int) {
        precondition(steps >= 0, "negative step count \(steps)")
        board.withLock { board.stepLimit = steps }
        startThreads()
    }

    private func startThreads() {
        for trainer in trainers {
            trainer.pause()
            BackgroundTraining.startThread(named: "inpaint.training", in: running) { trainer.run() }
        }
        BackgroundTraining.startThread(named: "inpaint.turns", in: running) { [self] in schedule() }
    }

    public func pause() { board.withLock { board.paused = true } }
    public func resume() { board.withLock { board.paused = false; board.condition.broadcast() } }
    /// One step of each trainer, in turn.
    public func stepOnce() { board.withLock { board.pendingTurns += trainers.count; board.condition.broadcast() } }
    public func setLearningRate(_ rate: Float) { trainers.forEach { $0.setLearningRate(rate) } }
    /// Trainer `index`'s newest weights.
    public func snapshot(_ index: Int) -> ContextEncoder { trainers[index].snapshot }
    public var count: Int { trainers.count }

    /// Steps taken and seconds trained by each trainer so far.
    public var turnsTaken: (steps: [Int], seconds: [Double]) { board.withLock { (board.steps, board.seconds) } }

    /// Cancels every trainer and the scheduler and waits (at most `seconds`) until their threads have left.
    public func stop(waitingAtMost seconds: Double) {
        board.withLock { board.cancelled = true; board.condition.broadcast() }
        trainers.forEach { $0.cancel() }
        _ = running.wait(timeout: .now() + seconds)
    }

    private func schedule() {
        let condition = board.condition
        var announced = TrainerState.training
        let limit = board.withLock { board.stepLimit }
        let turns = limit == nil ? self.turns : .steps
        board.events(0, .stateChanged(.training))
        while true {
            condition.lock()
            while (board.paused && board.pendingTurns == 0 || board.limitReached) && !board.cancelled {
                if announced != .paused {
                    announced = .paused
                    condition.unlock(); board.events(0, .stateChanged(.paused)); condition.lock()
                    continue
                }
                condition.wait()
            }
            if board.cancelled { condition.unlock(); return }
            let single = board.paused
            if single { board.pendingTurns -= 1 }
            let open = trainers.indices.filter { !board.finished[$0] }
            let next: Int?
            switch turns {
            case .steps: next = open.min { board.steps[$0] < board.steps[$1] }
            case .time: next = open.min { board.seconds[$0] < board.seconds[$1] }
            }
            let before = next.map { board.reported[$0] } ?? 0
            condition.unlock()
            if !single && announced == .paused { announced = .training; board.events(0, .stateChanged(.training)) }
            guard let index = next else { break }

            let began = DispatchTime.now().uptimeNanoseconds
            trainers[index].stepOnce()
            condition.lock()
            while board.reported[index] == before && !board.finished[index] && !board.cancelled { condition.wait() }
            let took = Double(DispatchTime.now().uptimeNanoseconds &- began) / 1e9
            if board.reported[index] != before {   // not a turn given to a trainer that had just ended
                board.steps[index] += 1
                board.seconds[index] += took
            }
            let spent: Bool
            if case .time(let budget) = turns { spent = board.seconds[index] >= budget } else { spent = false }
            if spent { board.finished[index] = true }
            condition.unlock()
            if spent { trainers[index].cancel() }
        }
        // Every trainer is done: the pair has stopped.
        board.events(0, .stateChanged(.stopped))
        board.events(0, .stopped(.finished))
    }
}

/// The scheduler's and the trainers' shared record, under one condition.
private final class TurnBoard: @unchecked Sendable {
    let condition = NSCondition()
    let events: AlternatingTraining.Events
    var paused = false
    var pendingTurns = 0
    var cancelled = false
    /// The most steps any trainer takes (`start(stepsEach:)`); nil: no limit.
    var stepLimit: Int?
    /// Per trainer: `.step` events seen, done (its run ended or its time is spent), turns and seconds had.
    var reported: [Int]
    var finished: [Bool]
    var steps: [Int]
    var seconds: [Double]

    init(count: Int, events: @escaping AlternatingTraining.Events) {
        self.events = events
        reported = Array(repeating: 0, count: count)
        finished = Array(repeating: false, count: count)
        steps = Array(repeating: 0, count: count)
        seconds = Array(repeating: 0, count: count)
    }

    /// Whether trainer `index` has had the steps it may take (call with the lock held).
    func atLimit(_ index: Int) -> Bool { stepLimit.map { steps[index] >= $0 } ?? false }

    /// Every trainer still running has had its steps (lock held): the pair waits. False once all ended.
    var limitReached: Bool {
        let running = finished.indices.filter { !finished[$0] }
        return stepLimit != nil && !running.isEmpty && running.allSatisfy(atLimit)
    }

    func withLock<T>(_ body: () -> T) -> T {
        condition.lock(); defer { condition.unlock() }
        return body()
    }

    /// A trainer's event: counted for the scheduler, then passed on (not its pause reports, nor model 0's
    /// normal end, which the scheduler reports for the pair).
    func received(_ event: TrainingEvent, from index: Int) {
        switch event {
        case .stateChanged:
            return
        case .step:
            withLock { reported[index] += 1; condition.broadcast() }
        case .stopped(let reason):
            withLock { finished[index] = true; condition.broadcast() }
            if reason == .finished || reason == .cancelled { return }
        default:
            break
        }
        events(index, event)
    }
}
