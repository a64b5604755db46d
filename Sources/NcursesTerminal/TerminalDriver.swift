import CNcursesW
import Dispatch
import Foundation
import TerminalRuntime
import TerminalUI

/// How the program ended, reported after the terminal has been restored.
public enum TerminalExit: Sendable, Equatable {
    /// `q` (training not yet on disk is to be saved).
    case quit
    /// The quit dialog's "quit without saving".
    case quitWithoutSaving
    /// SIGINT, SIGTERM or SIGHUP. After SIGHUP the terminal is restored only if it is still there
    /// (`TerminalSession.outputIsAlive`): a hung-up terminal is never written to again.
    case signal(Int32)
}

/// The thin, impure shell around the pure app: owns ncurses, the clock and the queues.
///
/// Everything runs on the main queue: a read source on standard input, signal sources, a tick timer, and a
/// frame scheduler that draws at most 60 times a second, only when a message arrived, and only while the
/// terminal has answered all but `FramePacer`'s few frames in flight (each frame ends with a status query;
/// what happens meanwhile is drawn by the next frame). Every effect from
/// `update` but `.quit` goes to the runtime (`UIRuntime.perform`), synchronously, so a drag frame shows its
/// own reconstruction; the answers go back to `update` in the same frame. The runtime's news (training
/// events, a followed log) is taken with `UIRuntime.poll` on every tick and whenever the runtime says it has
/// some (`onNews`, from the training thread): nothing else reaches the app from another thread.
public final class TerminalDriver {
    public struct Options: Sendable {
        public var asciiFlag: Bool
        public var noColor: Bool
        /// Where to write `FrameStats` as JSON on exit (nil: nowhere).
        public var statsPath: String?
        /// `DispatchTime.now().uptimeNanoseconds` at program start, for the first-frame time.
        public var startUptime: UInt64
        public init(asciiFlag: Bool = false, noColor: Bool = false, statsPath: String? = nil,
                    startUptime: UInt64 = DispatchTime.now().uptimeNanoseconds) {
            self.asciiFlag = asciiFlag; self.noColor = noColor; self.statsPath = statsPath; self.startUptime = startUptime
        }
    }

    public private(set) var state: AppState
    private let options: Options
    private let runtime: UIRuntime
    private let onExit: (TerminalExit) -> Void

    private var session: TerminalSession?
    /// Frames go to the terminal through our own encoder, not ncurses' doupdate (see AnsiFrameEncoder for
    /// why); ncurses still owns the terminal's modes, the keyboard and the mouse.
    private var encoder = AnsiFrameEncoder(colorDepth: .none)
    private var sources: [DispatchSourceProtocol] = []
    /// The frame waiting to be drawn, and when it is due.
    private var pendingDraw: DispatchWorkItem?
    private var pendingDrawDue: UInt64 = 0
    private var lastDrawUptime: UInt64 = 0
    private var lastDragDrawUptime: UInt64 = 0
    /// When the oldest not-yet-drawn drag input was read (for the latency statistic).
    private var pendingDragInputUptime: UInt64?
    private var stats = FrameStats()
    private var finished = false
    /// When the recent frames ended, for the overlay's frames per second.
    private var recentFrameUptimes: [UInt64] = []
    private var lastFrameCells = 0
    private var lastFrameBytes: Int?
    /// Frames paced by the terminal's answers; the replies found among the keys.
    private var pacer = FramePacer()
    private var replyScanner = ReplyScanner()
    /// A frame is wanted but too many are unanswered: drawn when an answer comes (or the wait times out).
    private var drawBlocked = false
    /// A drag just ended: its frame goes at once, one beyond the frames in flight (`FramePacer.mayWrite`).
    private var settleFramePending = false
    /// Hands characters held as a possible reply back as keys, if the rest of the reply never comes.
    private var heldInputFlush: DispatchWorkItem?
    private var heldInputDeadline = HeldInputDeadline()

    /// At most 60 frames per second.
    private static let frameInterval: UInt64 = 1_000_000_000 / 60

    /// - runtime: carries out every effect but `.quit`; its `onNews` is set here.
    /// - onExit: called once, on the main queue, after the terminal was restored.
    public init(state: AppState, options: Options, runtime: UIRuntime, onExit: @escaping (TerminalExit) -> Void) {
        self.state = state
        self.options = options
        self.runtime = runtime
        self.onExit = onExit
        runtime.onNews = { DispatchQueue.main.async { [weak self] in self?.takeNews() } }
    }

    /// Blocks the signals the driver handles in every thread created from now on, so they wait for the
    /// signal sources instead of killing the process or reaching ncurses' own handlers. Call it first thing
    /// in `main`, before any other thread (training, Dispatch workers) exists.
    public static func blockHandledSignals() {
        var set = sigset_t()
        sigemptyset(&set)
        for signal in handledSignals { sigaddset(&set, signal) }
        pthread_sigmask(SIG_BLOCK, &set, nil)
    }

    private static let handledSignals: [Int32] = [SIGINT, SIGTERM, SIGHUP, SIGTSTP, SIGCONT, SIGWINCH]

    /// Takes over the terminal, draws the first frame and starts listening. Returns at once; the caller
    /// then parks the main thread in `dispatchMain()`.
    public func start() throws(TerminalError) {
        let session = try TerminalSession()
        self.session = session
        state.style = RenderStyle.detect(terminalColors: session.colorCount, noColor: options.noColor,
                                         asciiFlag: options.asciiFlag, utf8: session.utf8)
        encoder = AnsiFrameEncoder(colorDepth: state.style.colorDepth, asciiOnly: state.style.ascii)
        let size = session.size
        state.screenWidth = size.width
        state.screenHeight = size.height

        let input = DispatchSource.makeReadSource(fileDescriptor: STDIN_FILENO, queue: .main)
        input.setEventHandler { [unowned self] in self.readInput() }
        sources.append(input)
        for signal in TerminalDriver.handledSignals {
            let source = DispatchSource.makeSignalSource(signal: signal, queue: .main)
            source.setEventHandler { [unowned self] in self.handleSignal(signal) }
            sources.append(source)
        }
        // A few ticks per second refresh the reconstruction as the weights train; a tick that changes
        // nothing on screen writes nothing.
        let tick = DispatchSource.makeTimerSource(queue: .main)
        tick.schedule(deadline: .now() + .milliseconds(250), repeating: .milliseconds(250))
        tick.setEventHandler { [unowned self] in
            // A frame that waited for an answer that timed out goes now.
            if self.drawBlocked && self.pacer.mayWrite(now: DispatchTime.now().uptimeNanoseconds) {
                self.drawBlocked = false
            }
            // The runtime's news first, so a reloaded checkpoint is used by this very tick.
            self.send(self.runtime.poll() + (self.state.showDebug ? [.tick, .frameTimings(self.frameTimings())] : [.tick]))
        }
        sources.append(tick)
        sources.forEach { $0.resume() }

        // The questions go before the first frame, so that a slow link answers them quickly.
        session.write(pacer.begin(now: DispatchTime.now().uptimeNanoseconds))
        drawFrame()
        dispatch(update(&state, .resize(width: size.width, height: size.height)))
        scheduleDraw()
    }

    /// Applies messages (main queue only), runs their effects, and schedules a frame.
    public func send(_ messages: [Message]) {
        guard !finished else { return }
        let wasDragging = state.drag != nil
        var effects: [Effect] = []
        for message in messages { effects += update(&state, message) }
        dispatch(effects)
        if wasDragging && state.drag == nil {
            settleFramePending = true
            stats.framesInFlightAtRelease.append(pacer.inFlight)
        }
        scheduleDraw()
    }

    // MARK: effects

    private func dispatch(_ effects: [Effect]) {
        guard !effects.isEmpty else { return }
        if effects.contains(.quit) { finish(.quit); return }
        if effects.contains(.quitWithoutSaving) { finish(.quitWithoutSaving); return }
        let answers = runtime.perform(effects)
        if let network = runtime.lastReconstructMilliseconds { stats.reconstructMilliseconds.append(network) }
        // A new reconstruction asks the classifier about its composite: one more round, in the same frame.
        dispatch(answers.flatMap { update(&state, $0) })
    }

    /// The runtime said it has news (a training step): take it all in one go.
    private func takeNews() {
        let messages = runtime.poll()
        if !messages.isEmpty { send(messages) }
    }

    // MARK: input and signals

    private func readInput() {
        let readAt = DispatchTime.now().uptimeNanoseconds
        let (messages, replies) = replyScanner.feed(InputDecoder.readAvailable(), expectingReplies: pacer.inFlight > 0)
        takeReplies(replies, at: readAt)
        // The deadline runs from when holding began (HeldInputDeadline).
        switch heldInputDeadline.afterRead(holding: replyScanner.isHolding, now: readAt) {
        case .none: break
        case .cancel:
            heldInputFlush?.cancel()
            heldInputFlush = nil
        case .schedule(let due): scheduleHeldInputFlush(at: due)
        }
        if messages.contains(where: { if case .mouse(let m) = $0 { return m.kind == .drag } else { return false } }),
           pendingDragInputUptime == nil {
            pendingDragInputUptime = readAt
        }
        if !messages.isEmpty { send(messages) }
    }

    private func takeReplies(_ replies: [TerminalReply], at now: UInt64) {
        for reply in replies where pacer.received(reply, now: now) {
            if let roundTrip = pacer.lastRoundTrip { stats.roundTripMilliseconds.append(roundTrip) }
            if drawBlocked {
                drawBlocked = false
                scheduleDraw()
            }
        }
    }

    /// The start of a reply without its end by `due` was keys after all (Esc, then '[' …).
    private func scheduleHeldInputFlush(at due: UInt64) {
        heldInputFlush?.cancel()
        let item = DispatchWorkItem { [weak self] in
            guard let self else { return }
            self.heldInputFlush = nil
            self.heldInputDeadline.flushed()
            let keys = self.replyScanner.flush()
            if !keys.isEmpty { self.send(keys) }
        }
        heldInputFlush = item
        DispatchQueue.main.asyncAfter(deadline: DispatchTime(uptimeNanoseconds: due), execute: item)
    }

    /// After the terminal was handed back (Ctrl-Z) or stopped, answers in flight may be lost: ask again.
    private func restartPacing() {
        guard let session else { return }
        session.write(pacer.begin(now: DispatchTime.now().uptimeNanoseconds))
        drawBlocked = false
    }

    private func handleSignal(_ signal: Int32) {
        switch signal {
        case SIGINT, SIGTERM, SIGHUP:
            finish(.signal(signal))
        case SIGTSTP:
            session?.suspend()
            restartPacing()
            resized()
        case SIGCONT:
            // Stopped by someone else (kill -STOP): the screen may hold anything now.
            encoder.invalidate()
            restartPacing()
            scheduleDraw()
        case SIGWINCH:
            resized()
        default:
            break
        }
    }

    private func resized() {
        guard let session else { return }
        let size = session.resizeToTerminal()
        // ncurses clears now, so that it has nothing left to paint over our next frame later.
        session.settleCurses()
        encoder.invalidate()
        send([.resize(width: size.width, height: size.height)])
    }

    // MARK: drawing

    /// At most 60 frames a second, except that a frame answering a drag waits only for the previous drag
    /// frame: frames for training news and ticks (a dozen a second while training) must not delay the
    /// answer to the hand by up to a frame interval.
    private func scheduleDraw() {
        guard !finished, !drawBlocked || settleFramePending else { return }
        let now = DispatchTime.now().uptimeNanoseconds
        let last = pendingDragInputUptime != nil ? lastDragDrawUptime : lastDrawUptime
        let due = max(now, last &+ TerminalDriver.frameInterval)
        if let pending = pendingDraw {
            if pendingDrawDue <= due { return }
            pending.cancel()   // a drag arrived while a non-drag frame was waiting: draw sooner
        }
        let item = DispatchWorkItem { [weak self] in self?.drawFrame() }
        pendingDraw = item
        pendingDrawDue = due
        if due <= now {
            DispatchQueue.main.async(execute: item)
        } else {
            DispatchQueue.main.asyncAfter(deadline: DispatchTime(uptimeNanoseconds: due), execute: item)
        }
    }

    private func drawFrame() {
        pendingDraw = nil
        guard !finished, let session else { return }
        guard pacer.mayWrite(now: DispatchTime.now().uptimeNanoseconds, settling: settleFramePending) else {
            drawBlocked = true   // the state keeps changing; the frame after the answer shows all of it
            stats.framesHeldForAnswers += 1
            return
        }
        let settling = settleFramePending
        settleFramePending = false
        let viewStart = DispatchTime.now().uptimeNanoseconds
        let frame = view(state)
        let encodeStart = DispatchTime.now().uptimeNanoseconds
        // Over a thin link the panels that change everywhere wait for the release (SlowLinkDrag).
        let held = pacer.linkIsSlow ? SlowLinkDrag.heldRegions(state) : []
        let bytes = encoder.encode(frame, holding: held)
        let encodeEnd = DispatchTime.now().uptimeNanoseconds
        let cellsWritten = encoder.lastCellCount
        let written = pacer.wrap(bytes, now: DispatchTime.now().uptimeNanoseconds)
        session.write(written)
        let now = DispatchTime.now().uptimeNanoseconds
        if !written.isEmpty {
            stats.frameBytes.append(written.count)
            stats.frameWrittenMilliseconds.append(milliseconds(from: options.startUptime, to: now))
        }
        if settling { stats.releaseFrameBytes.append(written.count) }
        if !held.isEmpty { stats.framesHoldingPanels += 1 }
        lastDrawUptime = now
        stats.frames += 1
        lastFrameCells = cellsWritten
        lastFrameBytes = bytes.count
        recentFrameUptimes.append(now)
        recentFrameUptimes.removeAll { now &- $0 > 1_000_000_000 }
        if stats.firstFrameMilliseconds == nil {
            stats.firstFrameMilliseconds = milliseconds(from: options.startUptime, to: now)
        }
        if let readAt = pendingDragInputUptime {
            pendingDragInputUptime = nil
            lastDragDrawUptime = now
            stats.dragFrames += 1
            stats.dragLatencyMilliseconds.append(milliseconds(from: readAt, to: now))
            stats.dragBeforeViewMilliseconds.append(milliseconds(from: readAt, to: viewStart))
            stats.dragViewMilliseconds.append(milliseconds(from: viewStart, to: encodeStart))
            stats.dragEncodeMilliseconds.append(milliseconds(from: encodeStart, to: encodeEnd))
            stats.dragWriteMilliseconds.append(milliseconds(from: encodeEnd, to: now))
            stats.dragFrameCells.append(cellsWritten)
            if let lastFrameBytes { stats.dragFrameBytes.append(lastFrameBytes) }
        }
    }

    /// The overlay's numbers: the newest frame, and medians/means over the last 100 drag frames.
    private func frameTimings() -> FrameTimings {
        let latencies = stats.dragLatencyMilliseconds.suffix(100).sorted()
        let bytes = stats.dragFrameBytes.suffix(100)
        return FrameTimings(
            lastDragLatency: stats.dragLatencyMilliseconds.last,
            medianDragLatency: latencies.isEmpty ? nil : latencies[latencies.count / 2],
            lastReconstruct: stats.reconstructMilliseconds.last,
            lastFrameCells: lastFrameCells, lastFrameBytes: lastFrameBytes,
            meanDragFrameBytes: bytes.isEmpty ? nil : Double(bytes.reduce(0, +)) / Double(bytes.count),
            dragFrames: stats.dragFrames, framesPerSecond: recentFrameUptimes.count,
            pacing: pacer.pacing, framesInFlight: pacer.inFlight, maxFramesInFlight: pacer.maxInFlight,
            lastRoundTrip: pacer.lastRoundTrip, medianRoundTrip: pacer.medianRoundTrip)
    }

    // MARK: exit

    /// Restores the terminal (idempotent), writes the statistics, and reports how the program ended.
    private func finish(_ how: TerminalExit) {
        guard !finished else { return }
        finished = true
        sources.forEach { $0.cancel() }
        // An ssh disconnect: the terminal is gone, and writing to it could fail or block; nothing is restored
        // and no answer is waited for.
        if how != .signal(SIGHUP) || TerminalSession.outputIsAlive() {
            discardRepliesInFlight()
            session?.end()
        }
        session = nil
        switch pacer.pacing {
        case .probing: stats.pacing = "probing"
        case .acknowledged(let synchronized): stats.pacing = synchronized ? "acknowledged, synchronized" : "acknowledged"
        case .rateCapped: stats.pacing = "rate cap"
        }
        if let path = options.statsPath { try? stats.write(to: path) }
        onExit(how)
    }

    /// False once the terminal has hung up (after SIGHUP: say nothing to it then).
    public static var terminalIsAlive: Bool { TerminalSession.outputIsAlive() }

    /// Waits a little for the answers still in flight, so that none arrives in the shell after the exit.
    private func discardRepliesInFlight() {
        guard let session, pacer.mode != .rateCapped, pacer.inFlight > 0 else { return }
        let slowest = (pacer.roundTrips.suffix(10).max() ?? 0) / 1000
        session.discardReplies(statusAnswers: pacer.inFlight, timeout: min(2, 0.2 + 2 * slowest))
    }

    /// Restores the terminal without reporting an exit: for a caller that hit an error and will print it.
    public func restoreTerminal() {
        finished = true
        sources.forEach { $0.cancel() }
        session?.end()
        session = nil
    }
}
