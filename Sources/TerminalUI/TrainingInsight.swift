import Datasets
import Inpainting

// Training seen from inside (issue 13 §4): the gradient pane (`G`), the filmstrip (`M`), the learning-rate
// schedule, the smoothed loss and the progress line. The state lives in `AppState.inside`; `update` hands
// it the trainer's events and the runtime's answers through the hooks at the end of this file.

/// How fast training goes and where it ends, as the runtime measured it: TerminalUI never reads the clock, so
/// the rate comes in a message (`.trainingPace`), measured by the runtime's clock in `inpaint tui` and from the
/// log's times in `inpaint watch`.
public struct TrainingPace: Sendable, Equatable {
    /// The step the run stops at (a preset's steps, `--steps`, epochs × steps per epoch); nil: open-ended.
    public var totalSteps: Int?
    /// Steps per second over the last few seconds of training; nil: not measured yet.
    public var stepsPerSecond: Double?
    public init(totalSteps: Int? = nil, stepsPerSecond: Double? = nil) {
        self.totalSteps = totalSteps; self.stepsPerSecond = stepsPerSecond
    }
}

/// One picture of the filmstrip: the fixed digit's composite with the network of `step`.
public struct FilmstripFrame: Sendable, Equatable {
    public var step: Int
    /// [784] the reconstruction of the filmstrip's fixed input (the view composes it with the known pixels).
    public var pixels: [Float]
    /// True for the newest frame, which the next one replaces; false for a frame kept at a milestone
    /// (`Filmstrip.milestone`).
    public var latest: Bool
    public init(step: Int, pixels: [Float], latest: Bool) {
        precondition(pixels.count == Digit.pixels, "a filmstrip frame has \(pixels.count) pixels, expected 784")
        self.step = step; self.pixels = pixels; self.latest = latest
    }
}

/// The per-tensor gradient norms of the run, each a compacting curve (`LossHistory`), in the network's order.
public struct GradientHistory: Sendable, Equatable {
    public private(set) var names: [String] = []
    public private(set) var curves: [String: LossHistory] = [:]
    /// The newest norm of each tensor.
    public private(set) var latest: [String: Float] = [:]
    public init() {}

    /// Points per tensor before neighbours are averaged: a sparkline is at most a few dozen cells wide.
    static let capacity = 128

    public mutating func append(step: Int, norms: [GradientNorm]) {
        for norm in norms {
            if curves[norm.name] == nil {
                names.append(norm.name)
                curves[norm.name] = LossHistory(capacity: GradientHistory.capacity)
            }
            curves[norm.name]?.append(step: step, loss: norm.norm)
            latest[norm.name] = norm.norm
        }
    }

    public var isEmpty: Bool { names.isEmpty }
}

/// What `G` and `M` show and what they are built from.
public struct InsideTraining: Sendable, Equatable {
    /// `G`: the gradient pane (per-tensor norms and the learning-rate schedule).
    public var showGradients = false
    /// `M`: the filmstrip.
    public var showFilmstrip = false
    public var gradients = GradientHistory()
    /// The learning rate of every step, as a curve (the schedule: constant, warm-up, cosine decay).
    public var learningRates = LossHistory()
    public var pace = TrainingPace()
    /// The filmstrip's fixed input (nil until the runtime was told it), its kept frames and the newest one.
    public var filmstripImage: [Float]?
    public var filmstripMask: [Float]?
    public var filmstripDigit: Int?
    public var frames: [FilmstripFrame] = []
    public var latestFrame: FilmstripFrame?
    public init() {}

    /// The frames to show, oldest first: those kept at milestones, then the newest when it is newer.
    public var shownFrames: [FilmstripFrame] {
        guard let latestFrame, latestFrame.step > (frames.last?.step ?? Int.min) else { return frames }
        return frames + [latestFrame]
    }

    /// A new run (a reset, a preset, a load): the curves and the frames start over; a new fixed input is
    /// taken at its first event. The panes stay as toggled.
    mutating func startOver() {
        gradients = GradientHistory()
        learningRates.removeAll()
        pace.stepsPerSecond = nil
        filmstripImage = nil
        filmstripMask = nil
        filmstripDigit = nil
        frames = []
        latestFrame = nil
    }
}

// MARK: hooks for update

/// `G` and `M`. Returns nil for any other character.
func handleInsideKey(_ state: inout AppState, _ c: Character) -> [Effect]? {
    // A pane asked for gets the lesson's room: with both the chart area held neither whole (150×44 showed two
    // of seven tensors). `o` brings the lesson back over them.
    func yieldLesson() {
        if state.lesson.shown { state.lesson.shown = false; state.notice = "lesson hidden: o shows it again" }
    }
    switch c {
    case "G":
        state.inside.showGradients.toggle()
        if state.inside.showGradients { yieldLesson() }
        return []
    case "M":
        state.inside.showFilmstrip.toggle()
        if state.inside.showFilmstrip { yieldLesson() }
        // Shown before any training event (`--no-train`, a paused start): fix the input now.
        return state.inside.showFilmstrip ? fixFilmstripInput(&state) : []
    default:
        return nil
    }
}

/// A training event: the gradient norms and the rate join their curves; the run's first event fixes the
/// filmstrip's input (the digit and hole on screen), which the runtime then reconstructs at every milestone.
func noteInsideTraining(_ state: inout AppState, _ event: TrainingEvent) -> [Effect] {
    if case .step(let s) = event {
        state.inside.gradients.append(step: s.step, norms: s.gradientNorms)
        if s.learningRate > 0 { state.inside.learningRates.append(step: s.step, loss: s.learningRate) }
    }
    return fixFilmstripInput(&state)
}

/// Tells the runtime the filmstrip's input, once per run.
private func fixFilmstripInput(_ state: inout AppState) -> [Effect] {
    guard state.inside.filmstripImage == nil else { return [] }
    state.inside.filmstripImage = state.image
    state.inside.filmstripMask = state.mask
    state.inside.filmstripDigit = state.digitIndex
    return [.filmstripSubject(image: state.image, mask: state.mask)]
}

/// The runtime's answers: the pace, and filmstrip frames.
func applyInsideMessage(_ state: inout AppState, _ message: Message) {
    switch message {
    case .trainingPace(let pace):
        state.inside.pace = pace
    case .filmstripFrame(let frame):
        guard state.inside.filmstripImage != nil else { return }   // a frame of a run that has started over
        if frame.latest {
            state.inside.latestFrame = frame
        } else {
            state.inside.frames.removeAll { $0.step >= frame.step }
            state.inside.frames.append(frame)
            if let latest = state.inside.latestFrame, latest.step <= frame.step { state.inside.latestFrame = nil }
        }
    default:
        break
    }
}
