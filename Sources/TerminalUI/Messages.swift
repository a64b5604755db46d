import Experiments
import Inpainting

/// A key press, already decoded by the driver.
public enum Key: Equatable, Sendable {
    case character(Character)
    case up, down, left, right
    /// Shift+arrow: resizes the hole.
    case shiftUp, shiftDown, shiftLeft, shiftRight
    case enter, escape, backspace, tab
    /// Ctrl-C when the terminal delivers it as a byte rather than SIGINT.
    case interrupt
}

/// A mouse event in screen cells (0-based column x, row y).
public struct MouseEvent: Equatable, Sendable {
    public enum Kind: Equatable, Sendable { case press, drag, release }
    public var kind: Kind
    public var x: Int
    public var y: Int
    public init(_ kind: Kind, x: Int, y: Int) { self.kind = kind; self.x = x; self.y = y }
}

/// What the training is doing, as the status block shows it: the trainer's `TrainerState`, or `watching`
/// (`inpaint watch`: a run elsewhere, until its log says more).
public enum TrainingActivity: String, Equatable, Sendable {
    case training, paused, idle, stopped, watching
}

/// Everything that can happen to the app. `update` is the only place the state changes.
public enum Message: Equatable, Sendable {
    case key(Key)
    case mouse(MouseEvent)
    case resize(width: Int, height: Int)
    /// A clock tick from the driver (a few per second): lets the app refresh the reconstruction with newer
    /// weights while the user is not dragging.
    case tick
    /// An event of the training run, exactly as the trainer emitted it: from the UI's own trainer, or read
    /// back from the log of a run followed with `inpaint watch`.
    case training(TrainingEvent)
    /// Training history was discarded (model reset, checkpoint loaded, preset switched): the curves start over.
    case trainingReset
    /// New weights are available (a training snapshot or a reloaded checkpoint); `revision` grows.
    case modelUpdated(revision: Int)
    /// The reconstruction for the input with this `revision` (count 784, values in [0, 1]).
    case reconstructed(revision: Int, pixels: [Float])
    /// A one-line note for the status area (a saved file, an error that did not stop the program).
    case notice(String)
    /// The driver's newest frame measurements, for the `D` overlay.
    case frameTimings(FrameTimings)
    /// The classifier's answer for the composite of reconstruction `revision`; nil: no classifier.
    case classified(revision: Int, guesses: Guesses?)
    /// The encoder's output for the input with this `revision`; nil: the network cannot say.
    case featuresEncoded(revision: Int, features: EncoderFeatures?)
    /// The runtime switched to an experiment preset (`x` menu): its digits and first hole replace the
    /// current ones, and training starts over.
    case presetStarted(PresetStart)
    /// The runtime switched to a comparison preset (`x` menu): its first arm's digits, hole and lesson, a
    /// panel and a curve per network, and training starts over for both.
    case comparisonStarted(ComparisonStart)
    /// Whether the weights trained since they were last saved (the runtime says when this changes).
    case unsavedTraining(Bool)
    /// A checkpoint's own history (its step, epoch, losses and curves): a resumed run's curves go on from it.
    case trainingRestored(TrainingState)
    /// What the network now is, for the status block's model line (a preset, a reset, a loaded file).
    case modelLabel(String)
    /// What the network now is, for the header (a preset, a reset, a loaded file).
    case modelIdentity(ModelIdentity)
    /// `w` or `l` used a file other than the current one: it is now the one they offer, and where quitting saves.
    case savePath(String)
    /// The run's end and measured speed, for the progress line (`TrainingInsight`).
    case trainingPace(TrainingPace)
    /// The filmstrip's fixed input reconstructed at a milestone step, or the newest frame.
    case filmstripFrame(FilmstripFrame)
    /// Model `model` (≥ 1) of a comparison reconstructed the input with this `revision` (model 0: `.reconstructed`).
    case comparedReconstructed(model: Int, revision: Int, pixels: [Float])
    /// An event of model `model`'s (≥ 1) training in a comparison (model 0's: `.training`).
    case comparedTraining(model: Int, TrainingEvent)
    /// The answer to `.explain` with this `revision`; nil: the network cannot say.
    case explained(revision: Int, PixelSaliency?)
    /// The answer to `.measureGroups` with this `revision`: each group's mean hole MSE.
    case groupsMeasured(revision: Int, library: String, [GroupScore])
}

/// Side effects `update` asks for; the runtime (`TerminalRuntime.UIRuntime`) carries them out and answers
/// with messages (the driver ends the program on `.quit` and `.quitWithoutSaving`).
public enum Effect: Equatable, Sendable {
    /// Run the network on `image` ⊙ `mask` ([784] each, mask 1 known / 0 hole); answer `.reconstructed`.
    case reconstruct(revision: Int, image: [Float], mask: [Float])
    case pauseTraining, resumeTraining, stepTraining
    case setLearningRate(Float)
    case resetModel
    /// `w` / `l` with the file name the prompt was given (relative to the current folder; `~` is the home folder).
    case saveCheckpoint(path: String)
    case loadCheckpoint(path: String)
    /// End the program; training not yet on disk is saved first (the runtime's `finish`).
    case quit
    /// End the program without saving (the quit dialog's `n`).
    case quitWithoutSaving
    /// Top-3 guesses for `original` and `composite` ([784] each); answer `.classified`.
    case classify(revision: Int, original: [Float], composite: [Float])
    /// The encoder's feature maps for `image` ⊙ `mask`; answer `.featuresEncoded`.
    case encodeFeatures(revision: Int, image: [Float], mask: [Float])
    /// Train experiment `name` (an `ExperimentName`) from a fresh network; answer `.presetStarted`.
    case startPreset(ExperimentName)
    /// Train comparison `name`'s networks side by side from fresh weights; answer `.comparisonStarted`.
    case startComparison(ComparisonName)
    /// Fix the filmstrip's input ([784] each) for this run and reconstruct it now and at every milestone step
    /// (`Filmstrip.milestone`); answer `.filmstripFrame`.
    case filmstripSubject(image: [Float], mask: [Float])
    /// `S`: write this screen as a PNG (`ScreenImage`) and as text, under names not yet taken; answer with a
    /// `.notice` that names both files.
    case saveScreenshot(CellBuffer)
    /// Explain mode (`E`): one backward pass of reconstruction[pixel] for `image` ⊙ `mask`, off the UI's hot
    /// path (only the newest of a burst is run); answer `.explained`.
    case explain(revision: Int, image: [Float], mask: [Float], pixel: Int)
    /// Each preset group's mean hole MSE over `groups`' digits with `mask`; answer `.groupsMeasured`.
    case measureGroups(revision: Int, library: String, mask: [Float], groups: [GroupSample])
}
