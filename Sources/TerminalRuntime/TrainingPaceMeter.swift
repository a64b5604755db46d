import TerminalUI

/// Measures how fast training goes, for the progress line (`TrainingPace`): the steps reached at a few
/// moments of the last `window` seconds, and where the run ends. The moments are the runtime's clock when
/// `poll` takes a trainer's steps (`inpaint tui`) or the times the log's lines carry (`inpaint watch`, so a
/// replayed history has its real pace and not the speed of reading it).
struct TrainingPaceMeter {
    /// The end of the run (a preset's steps, a recipe's step or epoch limit); nil: open-ended.
    var totalSteps: Int?
    /// Seconds of samples the rate is measured over: long enough to average a few steps of a slow trainer
    /// (a batch of 64 takes ~0.1 s on one core), short enough to follow a change of speed.
    static let window = 10.0
    /// Below this span the rate is not said (two samples of one poll would give nonsense).
    static let minimumSpan = 0.5

    private var samples: [(step: Int, time: Double)] = []

    init(totalSteps: Int? = nil) { self.totalSteps = totalSteps }

    /// The run reached `step` at `time` (seconds on any clock that only goes forward).
    mutating func note(step: Int, at time: Double) {
        if let last = samples.last, step < last.step || time < last.time { samples.removeAll() }   // another run
        samples.append((step, time))
        while samples.count > 2, let first = samples.first, time - first.time > TrainingPaceMeter.window { samples.removeFirst() }
    }

    /// Forget the samples (training resumed after a pause, or started over): time that passed without steps
    /// would count as a slow pace.
    mutating func restartWindow() { samples.removeAll() }

    /// Steps per second over the window; nil until it spans `minimumSpan`.
    var stepsPerSecond: Double? {
        guard let first = samples.first, let last = samples.last, last.time - first.time >= TrainingPaceMeter.minimumSpan,
              last.step > first.step else { return nil }
        return Double(last.step - first.step) / (last.time - first.time)
    }

    var pace: TrainingPace { TrainingPace(totalSteps: totalSteps, stepsPerSecond: stepsPerSecond) }
}
