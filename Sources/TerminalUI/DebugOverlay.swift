import Foundation

/// How the driver paces frames (see `FramePacer` in NcursesTerminal).
public enum FramePacing: Sendable, Equatable {
    /// Asked the terminal whether it answers; frames go at the rate cap meanwhile.
    case probing
    /// Every frame ends with a status query; at most a few unanswered at a time. `synchronized`: the
    /// terminal has DEC mode 2026, so each frame is shown whole.
    case acknowledged(synchronized: Bool)
    /// The terminal never answered: frames at the rate cap.
    case rateCapped
}

/// What the driver measured about its recent frames, handed to the app (a few times a second, only while
/// the overlay is shown) so the overlay can draw it like any other state.
public struct FrameTimings: Equatable, Sendable {
    /// Input read → doupdate finished, for the newest drag frame and the median of the recent ones (ms).
    public var lastDragLatency: Double?
    public var medianDragLatency: Double?
    /// The network's time for the newest reconstruction (ms).
    public var lastReconstruct: Double?
    /// Cells handed to ncurses and bytes it wrote to the terminal for the newest frame.
    public var lastFrameCells = 0
    public var lastFrameBytes: Int?
    /// Mean bytes over the recent drag frames.
    public var meanDragFrameBytes: Double?
    public var dragFrames = 0
    /// Frames drawn during the last second.
    public var framesPerSecond = 0
    public var pacing: FramePacing = .probing
    /// Frames written whose query the terminal has not answered yet, and the most it may have.
    public var framesInFlight = 0
    public var maxFramesInFlight = 0
    /// Frame written → the terminal's answer, for the newest answered frame and the median of the recent (ms).
    public var lastRoundTrip: Double?
    public var medianRoundTrip: Double?

    public init(lastDragLatency: Double? = nil, medianDragLatency: Double? = nil, lastReconstruct: Double? = nil,
                lastFrameCells: Int = 0, lastFrameBytes: Int? = nil, meanDragFrameBytes: Double? = nil,
                dragFrames: Int = 0, framesPerSecond: Int = 0, pacing: FramePacing = .probing,
                framesInFlight: Int = 0, maxFramesInFlight: Int = 0, lastRoundTrip: Double? = nil,
                medianRoundTrip: Double? = nil) {
        self.lastDragLatency = lastDragLatency
        self.medianDragLatency = medianDragLatency
        self.lastReconstruct = lastReconstruct
        self.lastFrameCells = lastFrameCells
        self.lastFrameBytes = lastFrameBytes
        self.meanDragFrameBytes = meanDragFrameBytes
        self.dragFrames = dragFrames
        self.framesPerSecond = framesPerSecond
        self.pacing = pacing
        self.framesInFlight = framesInFlight
        self.maxFramesInFlight = maxFramesInFlight
        self.lastRoundTrip = lastRoundTrip
        self.medianRoundTrip = medianRoundTrip
    }
}

/// The `D` overlay: the driver's frame measurements in a small box at the top right, so a person can see
/// what a drag costs (latency, network time, cells and bytes per frame) while doing it.
public enum DebugOverlay {
    static let width = 44

    public static func lines(_ t: FrameTimings?) -> [String] {
        func ms(_ value: Double?) -> String { value.map { String(format: "%.1f", $0) } ?? "–" }
        guard let t else { return ["debug (D hides)", "measuring…"] }
        return [
            "debug (D hides)",
            "drag latency  last \(ms(t.lastDragLatency))  median \(ms(t.medianDragLatency)) ms",
            "reconstruct   \(ms(t.lastReconstruct)) ms",
            "last frame    \(t.lastFrameCells) cells  \(t.lastFrameBytes.map(String.init) ?? "–") bytes",
            "drag frames   \(t.dragFrames)  mean \(t.meanDragFrameBytes.map { String(format: "%.0f", $0) } ?? "–") bytes",
            "frames/s      \(t.framesPerSecond)",
            "pacing        " + pacingText(t.pacing),
            "in flight     \(t.framesInFlight) frames (at most \(t.maxFramesInFlight))",
            "round trip    last \(ms(t.lastRoundTrip))  median \(ms(t.medianRoundTrip)) ms",
        ]
    }

    static func pacingText(_ pacing: FramePacing) -> String {
        switch pacing {
        case .probing: return "asking the terminal"
        case .acknowledged(let synchronized): return synchronized ? "answered, synchronized" : "answered frames"
        case .rateCapped: return "no answers: rate cap"
        }
    }

    public static func draw(_ timings: FrameTimings?, into buffer: inout CellBuffer, theme: Theme) {
        let text = lines(timings)
        let w = min(width, buffer.width)
        let x = max(0, buffer.width - w), y = 1
        let blank = Cell(" ", foreground: theme.overlay.foreground, background: theme.overlay.background,
                         attributes: theme.overlay.attributes)
        buffer.fill(x: x, y: y, width: w, height: text.count, with: blank)
        var title = theme.overlay
        title.attributes.insert(.bold)
        for (i, line) in text.enumerated() {
            buffer.put(line, x: x + 1, y: y + i, style: i == 0 ? title : theme.overlay, maxWidth: w - 2)
        }
    }
}
