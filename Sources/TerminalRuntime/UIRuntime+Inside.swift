import Experiments
import Inpainting
import TerminalUI

// Training seen from inside (issue 13 §4), the runtime's part: the pace of the run for the progress line
// (`.trainingPace`) and the filmstrip's frames (`.filmstripFrame`). The hooks in `UIRuntime.swift` call these.
extension UIRuntime {
    /// `.filmstripSubject`: the input is fixed and its first frame made now, with the weights in use (in
    /// `watch`, the reloaded checkpoint's, once there is one).
    func fixFilmstrip(image: [Float], mask: [Float]) -> [Message] {
        filmstrip.fix(image: image, mask: mask)
        guard let step = currentWeightsStep else { return [] }
        return filmstripFrame(at: step)
    }

    /// After `poll` took steps of the UI's own trainer: the pace, and a frame when one is due.
    func insideAfterSteps() -> [Message] {
        paceMeter.note(step: lastStepForInside, at: clock())
        guard let step = currentWeightsStep else { return [] }
        return filmstripFrame(at: step)
    }

    /// `watch`: the log's steps with the times their lines were written, and its epochs' length (an epoch
    /// ends on a step that is a whole number of epochs), for a recipe that ends after so many epochs.
    func noteWatched(_ timed: [(event: TrainingEvent, time: Double?)]) {
        for (event, time) in timed {
            switch event {
            case .step(let s):
                watchedLogStep = s.step
                paceMeter.note(step: s.step, at: time ?? clock())
            case .epochFinished(let epoch) where epoch > 0 && watchedLogStep > 0 && watchedLogStep % epoch == 0:
                watchedStepsPerEpoch = watchedLogStep / epoch
                if let training = watchedRecipe { paceMeter.totalSteps = UIRuntime.totalSteps(of: training, stepsPerEpoch: watchedStepsPerEpoch) }
            default:
                break
            }
        }
    }

    /// `watch` reloaded the checkpoint: its recipe says where the run ends, and its weights make a frame
    /// labelled with its step.
    func insideReloaded(_ training: TrainingState?) -> [Message] {
        guard let training else { return [] }
        watchedRecipe = training
        watchedCheckpointStep = training.step
        if let total = UIRuntime.totalSteps(of: training, stepsPerEpoch: watchedStepsPerEpoch) { paceMeter.totalSteps = total }
        return filmstripFrame(at: training.step)
    }

    /// The step a recipe ends at: its step limit, else its epochs × the steps per epoch (once known).
    static func totalSteps(of training: TrainingState, stepsPerEpoch: Int?) -> Int? {
        guard let options = training.options else { return nil }
        if let steps = options.maxSteps { return steps }
        guard let epochs = options.epochs, let stepsPerEpoch else { return nil }
        return epochs * stepsPerEpoch
    }

    /// New weights with nothing trained on them (a reset, a preset): the pace and the filmstrip start over
    /// (the UI sends the new run's input at its first event).
    func insideStartedOver() {
        paceMeter.restartWindow()
        filmstrip.clear()
    }

    /// A loaded checkpoint: the same input, its frames start over at the loaded step.
    func insideLoaded() {
        paceMeter.restartWindow()
        if let image = filmstrip.image, let mask = filmstrip.mask { filmstrip.fix(image: image, mask: mask) }
    }

    /// The pace when it changed, at most twice a second (at once when the run's end changed).
    func paceNews() -> [Message] {
        let pace = paceMeter.pace, now = clock()
        guard pace != sentPace.pace, now - sentPace.time >= 0.5 || pace.totalSteps != sentPace.pace.totalSteps else { return [] }
        sentPace = (pace, now)
        return [.trainingPace(pace)]
    }

    /// The filmstrip's frame for weights at `step`, when one is due.
    private func filmstripFrame(at step: Int) -> [Message] {
        let now = clock()
        guard let frame = filmstrip.frame(at: step, now: now, reconstruct: { newestNetworkForInside().reconstruct(image: $0, mask: $1) })
        else { return [] }
        return [.filmstripFrame(frame)]
    }
}
