import FileIO
import Foundation

/// What the driver measured, for the `--stats` file and the report: first-frame time, and for frames that
/// answered a mouse drag the time from reading the input to the end of doupdate.
public struct FrameStats: Codable, Sendable {
    public var frames = 0
    /// Frames drawn in answer to mouse motion (drag) input.
    public var dragFrames = 0
    public var firstFrameMilliseconds: Double?
    /// Input read → frame written, one entry per drag frame.
    public var dragLatencyMilliseconds: [Double] = []
    /// Where a drag frame's time went after the network: `view` (the state drawn into cells), the encoder
    /// (the diff and its bytes), and writing the bytes to the terminal; one entry per drag frame.
    public var dragViewMilliseconds: [Double] = []
    /// Input read → the view starts (decoding, update, the network, and whatever else the main queue ran
    /// first: training news, a tick), one entry per drag frame.
    public var dragBeforeViewMilliseconds: [Double] = []
    public var dragEncodeMilliseconds: [Double] = []
    public var dragWriteMilliseconds: [Double] = []
    /// Time spent in the `.reconstruct` effect (the network), one entry per reconstruction.
    public var reconstructMilliseconds: [Double] = []
    /// Cells rewritten per drag frame (the diff's size).
    public var dragFrameCells: [Int] = []
    /// Bytes written to the terminal per drag frame (the frame encoder's output, all of which is written).
    public var dragFrameBytes: [Int] = []
    /// Every frame that wrote anything: bytes (with the pacing's query), and when (ms since program start).
    public var frameBytes: [Int] = []
    public var frameWrittenMilliseconds: [Double] = []
    /// Frame written → the terminal's answer to the status query after it (`FramePacer`), one per answer.
    public var roundTripMilliseconds: [Double] = []
    /// Times a frame was wanted while `FramePacer.Settings.maxInFlight` frames were unanswered (it waited,
    /// and the frame after the answer showed everything that happened meanwhile).
    public var framesHeldForAnswers = 0
    /// For each drag's release: the frames in flight when it was read, and the bytes of its frame (which
    /// goes at once, `FramePacer.mayWrite(settling:)`).
    public var framesInFlightAtRelease: [Int] = []
    public var releaseFrameBytes: [Int] = []
    /// Frames that held the reconstruction while dragging over a thin link (`SlowLinkDrag`).
    public var framesHoldingPanels = 0
    /// How frames were paced at the end: "probing", "acknowledged", "acknowledged, synchronized", "rate cap".
    public var pacing = ""

    public init() {}

    public func write(to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(Array(try encoder.encode(self)), to: URL(fileURLWithPath: path))
    }
}

/// Milliseconds between two uptime readings.
func milliseconds(from start: UInt64, to end: UInt64) -> Double { Double(end &- start) / 1_000_000 }
