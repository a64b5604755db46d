import ArgumentParser
import Foundation
import Inpainting
import NcursesTerminal
import TerminalRuntime
import TerminalUI

extension FillMethod: ExpressibleByArgument {}
extension ViewPanel: ExpressibleByArgument {}

/// `inpaint tui`'s view flags: the view to open (the digit, the hole, the mode, the panels), which `C`
/// spells back as the command line that reopens the view on screen (`ViewSettings`).
struct TuiViewOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Open the digit with this 0-based index in the browsed split (the header counts from 1).",
                               valueName: "n"))
    var digit: Int?

    @Option(help: ArgumentHelp("Open with this hole: TOP,LEFT,HEIGHT,WIDTH in pixels of the 28×28 image, or none.",
                               valueName: "top,left,height,width"))
    var hole: String?

    @Option(help: "Open in this edit mode: rectangle (drag a hole) or brush (paint one); m cycles them.")
    var mode: OpenMode?

    @Option(name: .customLong("panel"), help: ArgumentHelp(
        "Open with this optional panel on (repeat it for several): fill (f), top3 (t), features (v), error (e).",
        valueName: "name"))
    var panels: [ViewPanel] = []

    @Option(help: "The classical fill the fill panel shows: \(FillMethod.allCases.map(\.rawValue).joined(separator: ", ")) (F cycles them).")
    var fill: FillMethod?

    @Flag(help: "Open in the presenter layout (z): the digits as large as the terminal holds.")
    var presenter = false

    @Option(help: "The loss chart's axis: log or linear (a toggles it).")
    var lossAxis: LossAxis = .log

    @Option(help: ArgumentHelp("Open in explain mode (E) on this reconstructed pixel: ROW,COL of the 28×28 image, 0-based.",
                               valueName: "row,col"))
    var explain: String?

    @Option(help: "Show (on) or hide (off) the lesson pane (o); by default it is on in a preset, else off.")
    var lesson: Toggle?

    enum OpenMode: String, ExpressibleByArgument, CaseIterable {
        case rectangle, brush
        var editMode: EditMode { self == .rectangle ? .rectangle : .brush }
    }

    enum LossAxis: String, ExpressibleByArgument, CaseIterable { case log, linear }

    enum Toggle: String, ExpressibleByArgument, CaseIterable { case on, off }

    func validate() throws {
        if let digit, digit < 0 { throw ValidationError("--digit: expected a 0-based index (0 or more), found \(digit)") }
        if let hole, case .failure(let error) = ViewSettings.parseHole(hole) { throw ValidationError(error.description) }
        if let explain, case .failure(let error) = ViewSettings.parseExplainPixel(explain) { throw ValidationError(error.description) }
    }

    /// The view these flags ask for.
    var settings: ViewSettings {
        var hole: ViewSettings.HoleChoice?
        if let text = self.hole, case .success(let choice) = ViewSettings.parseHole(text) { hole = choice }
        var pixel: Int?
        if let text = explain, case .success(let index) = ViewSettings.parseExplainPixel(text) { pixel = index }
        return ViewSettings(digit: digit, hole: hole, mode: mode?.editMode, panels: panels, fill: fill,
                            presenter: presenter, linearLoss: lossAxis == .linear, explainPixel: pixel,
                            lesson: lesson.map { $0 == .on })
    }

    /// Opens the view on `state`; a `--digit` past the browsed split is an error naming the flag.
    func open(on state: inout AppState) throws {
        if let digit, digit >= state.library.count {
            let noun = state.library.dataset.itemNoun
            throw ValidationError("--digit: expected 0…\(state.library.count - 1) (the browsed split has \(state.library.count) \(noun)s), found \(digit)")
        }
        settings.apply(to: &state)
    }
}

/// `--screenshot FILE.png [--after-steps N] [--size COLSxROWS]`: one frame without a terminal.
struct TuiScreenshotOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Render one frame without a terminal, write it as FILE.png and its characters as FILE.txt, and exit.",
        discussion: "No terminal is opened (no ncurses): the UI's state goes through the same update and view as "
            + "on screen, drawn with the program's bitmap font in the colours a 256-colour xterm shows. The view "
            + "flags (--digit, --hole, --panel, …) and --preset apply; no checkpoint is written.",
        valueName: "file.png"))
    var screenshot: String?

    @Option(help: ArgumentHelp("With --screenshot: train this many steps of the UI's background training first (each network of a compare- preset, taking turns; default 0: none).",
                               valueName: "n"))
    var afterSteps: Int?

    @Option(help: ArgumentHelp("With --screenshot: the terminal size to draw, in cells (default 150x44).",
                               valueName: "colsxrows"))
    var size: String?

    static let defaultSize = (columns: 150, rows: 44)

    func validate() throws {
        if screenshot == nil {
            if afterSteps != nil { throw ValidationError("--after-steps: expected together with --screenshot") }
            if size != nil { throw ValidationError("--size: expected together with --screenshot") }
            return
        }
        if let screenshot, !screenshot.lowercased().hasSuffix(".png") || screenshot.count <= 4 {
            throw ValidationError("--screenshot: expected a file name ending in .png, found \(screenshot)")
        }
        if let afterSteps, !(0...TrainingOptions.maximumSteps).contains(afterSteps) {
            throw ValidationError("--after-steps: expected 0…\(TrainingOptions.maximumSteps), found \(afterSteps)")
        }
        _ = try parsedSize()
    }

    /// `--size`'s columns and rows (the default without it).
    func parsedSize() throws -> (columns: Int, rows: Int) {
        guard let size else { return Self.defaultSize }
        let parts = size.lowercased().split(separator: "x", omittingEmptySubsequences: false).map { Int($0) }
        guard parts.count == 2, let columns = parts[0], let rows = parts[1] else {
            throw ValidationError("--size: expected COLSxROWS (e.g. 150x44), found \(size)")
        }
        guard (20...1000).contains(columns), (10...500).contains(rows) else {
            throw ValidationError("--size: expected 20…1000 columns and 10…500 rows, found \(size)")
        }
        return (columns, rows)
    }

    /// Draws the frame of `state` after the asked steps and writes FILE.png and FILE.txt; returns what to say.
    /// trains: the session trains (its own model, or a comparison preset's networks); comparedAsSaved: two
    /// or three `--model`, which the UI compares as they are and never trains.
    func write(_ state: AppState, runtime: UIRuntime, trains: Bool, comparedAsSaved: Bool = false, ascii: Bool) throws -> String {
        guard let screenshot else { preconditionFailure("write without --screenshot") }
        let steps = afterSteps ?? 0
        if steps > 0 && comparedAsSaved {
            throw ValidationError("--after-steps: expected no steps when comparing models as saved (two or three --model "
                                  + "do not train; a compare- preset trains its own), found \(steps)")
        }
        if steps > 0 && !trains {
            throw ValidationError("--after-steps: expected no steps when training is off (--no-train, or no training split), found \(steps)")
        }
        var state = state
        let (columns, rows) = try parsedSize()
        state.screenWidth = columns
        state.screenHeight = rows
        // The frame a 256-colour UTF-8 terminal shows (NO_COLOR is about terminals; --ascii still applies).
        state.style = RenderStyle(colorDepth: .gray256, ascii: ascii)
        let outcome = HeadlessFrame.render(state, runtime: runtime, afterSteps: steps)
        let png = URL(fileURLWithPath: screenshot), text = ScreenshotFiles.textName(for: png)
        do { try ScreenshotFiles.write(outcome.screen, png: png, text: text) } catch { throw ValidationError("--screenshot: \(error)") }
        let each = state.comparison.isActive ? " each" : ""
        let trained = steps == 0 ? "" : outcome.steps == steps ? " after \(steps) training steps\(each)"
            : " after \(outcome.steps) training steps\(each) (training ended before \(steps))"
        return "wrote \(png.path) (\(columns * ScreenImage.cellWidth)×\(rows * ScreenImage.cellHeight) pixels) and \(text.path): "
            + "\(columns)×\(rows) cells\(trained)"
    }
}

/// Where the quit prints the line that reopens the view: the driver's state at the end.
final class ReopenLinePrinter {
    weak var driver: TerminalDriver?
    let launch: LaunchOptions

    init(launch: LaunchOptions) { self.launch = launch }

    /// Prints the line to standard output (the terminal is back by then). `savedTo`: the quit saved the
    /// training there, so the line opens that file (it continues the run) instead of the starting model.
    func print(savedTo: String?) {
        guard let state = driver?.state else { return }
        var launch = self.launch
        if let savedTo, state.preset == launch.preset { launch.models = [savedTo] }
        let line = ReopenCommand.line(state, launch: launch)
        fputs(line + "\n", stdout)
        fflush(stdout)
    }
}
