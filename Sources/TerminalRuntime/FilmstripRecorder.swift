import TerminalUI

/// The runtime's side of the filmstrip (`M`): the fixed input the UI sent (`.filmstripSubject`), and when
/// to reconstruct it: at the first step of each milestone (0, 10, 100, 1k, …: `Filmstrip.milestone`) with the
/// weights of that moment, kept by the UI; and in between at most every `latestInterval` seconds, the newest
/// frame, which the next one replaces. No weights are kept: each frame is made when its step is passed.
struct FilmstripRecorder {
    private(set) var image: [Float]?
    private(set) var mask: [Float]?
    private var keptStep: Int?
    private var frameStep: Int?
    private var latestTime = -Double.infinity
    /// Seconds between two newest frames (each costs one forward pass, ~3 ms, on the UI's thread).
    let latestInterval: Double

    init(latestInterval: Double = 1) { self.latestInterval = latestInterval }

    /// A new input: the frames start over from the next one.
    mutating func fix(image: [Float], mask: [Float]) {
        self.image = image
        self.mask = mask
        keptStep = nil
        frameStep = nil
        latestTime = -.infinity
    }

    /// The run started over (a reset, a preset, a load): no input until the UI sends the new run's.
    mutating func clear() { self = FilmstripRecorder(latestInterval: latestInterval) }

    /// The frame due now that the weights are at `step`, made by `reconstruct(image, mask)`; nil when none is
    /// due (no input, the same step as the last frame, no milestone passed and the newest one is recent).
    mutating func frame(at step: Int, now: Double, reconstruct: ([Float], [Float]) -> [Float]) -> FilmstripFrame? {
        guard let image, let mask, step != frameStep else { return nil }
        let milestone = keptStep.map { Filmstrip.milestone(of: step) > Filmstrip.milestone(of: $0) } ?? true
        guard milestone || now - latestTime >= latestInterval else { return nil }
        frameStep = step
        latestTime = now
        if milestone { keptStep = step }
        return FilmstripFrame(step: step, pixels: reconstruct(image, mask), latest: !milestone)
    }
}
