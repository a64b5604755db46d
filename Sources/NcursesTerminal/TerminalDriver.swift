import CNcursesW
import Dispatch
import Foundation
import TerminalUI

/// How the program ended, reported after the terminal has been restored.
public enum TerminalExit: Sendable, Equatable {
    case quit
    /// SIGINT or SIGTERM.
    case signal(Int32)
}

/// The thin, impure shell around the pure app: owns ncurses, the clock and the queues.
///
/// Everything runs on the main queue: a read source on standard input, signal sources, a tick timer, and a
/// frame scheduler that draws at most 60 times a second and only when a message arrived. Effects from
/// `update` go to `performEffect` (supplied by the command, which owns the model and the trainer), except
/// `.reconstruct`, which runs `reconstructor` synchronously so a drag frame shows its own reconstruction.
/// Other threads hand in messages with `post`.
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
    private let reconstructor: () -> Reconstructor
    private let performEffect: (Effect) -> Void
    private let onExit: (TerminalExit) -> Void

    private var session: TerminalSession?
    private var colorPairs: ColorPairs?
    private var previousFrame: CellBuffer?
    private var sources: [DispatchSourceProtocol] = []
    private var drawScheduled = false
    private var lastDrawUptime: UInt64 = 0
    /// When the oldest not-yet-drawn drag input was read (for the latency statistic).
    private var pendingDragInputUptime: UInt64?
    private var stats = FrameStats()
    private var finished = false

    /// At most 60 frames per second.
    private static let frameInterval: UInt64 = 1_000_000_000 / 60

    /// - reconstructor: called for every `.reconstruct`, so it can hand out the newest weights each time.
    /// - performEffect: every other effect except `.quit`, on the main queue.
    /// - onExit: called once, on the main queue, after the terminal was restored.
    public init(state: AppState, options: Options, reconstructor: @escaping () -> Reconstructor,
                performEffect: @escaping (Effect) -> Void, onExit: @escaping (TerminalExit) -> Void) {
        self.state = state
        self.options = options
        self.reconstructor = reconstructor
        self.performEffect = performEffect
        self.onExit = onExit
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

    private static let handledSignals: [Int32] = [SIGINT, SIGTERM, SIGTSTP, SIGCONT, SIGWINCH]

    /// Takes over the terminal, draws the first frame and starts listening. Returns at once; the caller
    /// then parks the main thread in `dispatchMain()`.
    public func start() throws(TerminalError) {
        let session = try TerminalSession()
        self.session = session
        state.style = RenderStyle.detect(terminalColors: session.colorCount, noColor: options.noColor,
                                         asciiFlag: options.asciiFlag)
        colorPairs = ColorPairs(enabled: state.style.colorDepth != .none)
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
        tick.setEventHandler { [unowned self] in self.send([.tick]) }
        sources.append(tick)
        sources.forEach { $0.resume() }

        drawFrame()
        dispatch([update(&state, .resize(width: size.width, height: size.height))].flatMap { $0 })
        scheduleDraw()
    }

    /// Hands a message in from any thread.
    public func post(_ message: Message) {
        DispatchQueue.main.async { [weak self] in self?.send([message]) }
    }

    /// Applies messages (main queue only), runs their effects, and schedules a frame.
    public func send(_ messages: [Message]) {
        guard !finished else { return }
        var effects: [Effect] = []
        for message in messages { effects += update(&state, message) }
        dispatch(effects)
        scheduleDraw()
    }

    // MARK: effects

    private func dispatch(_ effects: [Effect]) {
        // Several motions read in one go each ask for a reconstruction; only the newest input matters.
        var lastReconstruct: Effect?
        var panelQuestions: [Effect] = []   // the optional panels' .encodeFeatures and .classify
        for effect in effects {
            switch effect {
            case .reconstruct: lastReconstruct = effect
            case .encodeFeatures, .classify: panelQuestions.append(effect)
            case .quit: finish(.quit); return
            default: performEffect(effect)
            }
        }
        guard lastReconstruct != nil || !panelQuestions.isEmpty else { return }
        let network = reconstructor()   // once: the maps are read from the reconstruction's own pass
        var answers: [Message] = []
        if case .reconstruct(let revision, let image, let mask)? = lastReconstruct {
            let began = DispatchTime.now().uptimeNanoseconds
            let pixels = network.reconstruct(image: image, mask: mask)
            stats.reconstructMilliseconds.append(milliseconds(from: began, to: DispatchTime.now().uptimeNanoseconds))
            answers.append(.reconstructed(revision: revision, pixels: pixels))
        }
        answers += PanelAnswers.answer(PanelAnswers.newest(panelQuestions), using: network)
        // A new reconstruction asks the classifier about its composite: one more round, in the same frame.
        dispatch(answers.flatMap { update(&state, $0) })
    }

    // MARK: input and signals

    private func readInput() {
        let readAt = DispatchTime.now().uptimeNanoseconds
        let messages = InputDecoder.readAvailable()
        if messages.contains(where: { if case .mouse(let m) = $0 { return m.kind == .drag } else { return false } }),
           pendingDragInputUptime == nil {
            pendingDragInputUptime = readAt
        }
        if !messages.isEmpty { send(messages) }
    }

    private func handleSignal(_ signal: Int32) {
        switch signal {
        case SIGINT, SIGTERM:
            finish(.signal(signal))
        case SIGTSTP:
            session?.suspend()
            previousFrame = nil
            resized()
        case SIGCONT:
            // Stopped by someone else (kill -STOP): the screen may hold anything now.
            session?.repaintAll()
            previousFrame = nil
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
        previousFrame = nil
        session.repaintAll()
        send([.resize(width: size.width, height: size.height)])
    }

    // MARK: drawing

    private func scheduleDraw() {
        guard !drawScheduled, !finished else { return }
        drawScheduled = true
        let now = DispatchTime.now().uptimeNanoseconds
        let due = lastDrawUptime &+ TerminalDriver.frameInterval
        if now >= due {
            DispatchQueue.main.async { [weak self] in self?.drawFrame() }
        } else {
            DispatchQueue.main.asyncAfter(deadline: DispatchTime(uptimeNanoseconds: due)) { [weak self] in
                self?.drawFrame()
            }
        }
    }

    private func drawFrame() {
        drawScheduled = false
        guard !finished, session != nil, let pairs = colorPairs else { return }
        let frame = view(state)
        let runs = frame.changes(since: previousFrame)
        var cellsWritten = 0
        for run in runs {
            for (offset, cell) in run.cells.enumerated() {
                _ = cnc_put_wch(Int32(run.y), Int32(run.x + offset), wchar_t(bitPattern: cell.character.value),
                                attributes(cell.attributes), pairs.pair(cell.foreground, cell.background))
            }
            cellsWritten += run.cells.count
        }
        _ = wnoutrefresh(cnc_stdscr())
        _ = doupdate()
        previousFrame = frame
        let now = DispatchTime.now().uptimeNanoseconds
        lastDrawUptime = now
        stats.frames += 1
        if stats.firstFrameMilliseconds == nil {
            stats.firstFrameMilliseconds = milliseconds(from: options.startUptime, to: now)
        }
        if let readAt = pendingDragInputUptime {
            pendingDragInputUptime = nil
            stats.dragFrames += 1
            stats.dragLatencyMilliseconds.append(milliseconds(from: readAt, to: now))
            stats.dragFrameCells.append(cellsWritten)
        }
    }

    private func attributes(_ a: CellAttributes) -> attr_t {
        var result = cnc_a_normal()
        if a.contains(.bold) { result |= cnc_a_bold() }
        if a.contains(.reverse) { result |= cnc_a_reverse() }
        if a.contains(.dim) { result |= cnc_a_dim() }
        if a.contains(.underline) { result |= cnc_a_underline() }
        return result
    }

    // MARK: exit

    /// Restores the terminal (idempotent), writes the statistics, and reports how the program ended.
    private func finish(_ how: TerminalExit) {
        guard !finished else { return }
        finished = true
        sources.forEach { $0.cancel() }
        session?.end()
        session = nil
        if let path = options.statsPath { try? stats.write(to: path) }
        onExit(how)
    }

    /// Restores the terminal without reporting an exit: for a caller that hit an error and will print it.
    public func restoreTerminal() {
        finished = true
        sources.forEach { $0.cancel() }
        session?.end()
        session = nil
    }
}
