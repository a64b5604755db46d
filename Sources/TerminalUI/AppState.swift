import Datasets
import Inpainting
import NeuralCore

/// The digits the user can browse: `count` images of 784 grey levels in [0, 1] with their labels.
public struct DigitLibrary: Sendable, Equatable {
    /// Where they came from, for the status block ("MNIST test", "bundled sample").
    public var name: String
    /// [count, 784], row-major.
    public var images: [Float]
    /// [count], 0–9 (or −1 when unknown).
    public var labels: [Int]
    /// Named runs of digits ("training", "unseen test") for the header; empty for a plain split.
    public var groups: [DigitGroup]
    /// What the labels mean: digits, or Fashion-MNIST's classes (the header and the top-3 panel name them).
    public var dataset: DatasetKind

    public var count: Int { labels.count }

    public init(name: String, images: [Float], labels: [Int], groups: [DigitGroup] = [], dataset: DatasetKind = .mnist) {
        precondition(images.count == labels.count * Digit.pixels,
                     "\(images.count) floats for \(labels.count) digits of 784 pixels")
        self.name = name
        self.images = images
        self.labels = labels
        self.groups = groups
        self.dataset = dataset
    }

    /// The name of the group digit `index` belongs to, if any.
    public func groupName(of index: Int) -> String? { groups.first { $0.range.contains(index) }?.name }

    /// Digit `index`: [784].
    public func image(at index: Int) -> [Float] {
        Array(images[index * Digit.pixels..<(index + 1) * Digit.pixels])
    }
}

/// A named run of a library's digits.
public struct DigitGroup: Sendable, Equatable {
    public var name: String
    public var range: Range<Int>
    public init(name: String, range: Range<Int>) { self.name = name; self.range = range }
}

/// What a mouse drag does on a digit panel.
public enum EditMode: String, Sendable, Equatable {
    /// Press, move, release: the rectangle between the two corners becomes the hole.
    case rectangle
    /// Paint a free-form hole.
    case brush
    /// Draw a digit of your own with a soft brush.
    case draw
}

/// A question the app is waiting for an answer to.
public enum Prompt: Sendable, Equatable {
    /// `g`: type an index, Enter to go.
    case goToIndex(String)
    /// `d`: press 0–9 for a random digit of that class.
    case digitClass
    /// `R`: press y to reset the model.
    case confirmReset
    /// `x`: press 1–9 to train one of the report's experiments (`inpaint tui --preset`).
    case presetMenu
    /// `q` with training not yet on disk: save and quit, quit without saving, or stay (`QuitDialog`).
    case confirmQuit
    /// `w` / `l`: the checkpoint's file name, the current one typed in already (`FileNamePrompt`).
    case fileName(FileNamePrompt)
}

/// The training side of the screen, as last reported.
public struct TrainingStatus: Sendable, Equatable {
    public var activity: TrainingActivity = .idle
    public var step = 0
    public var epoch = 0
    public var imagesPerSecond: Float = 0
    public var loss: Float?
    public var evalLoss: Float?
    public var learningRate: Float = 0
    public var modelFile = "(fresh model)"
    public var dataset = "(none)"
    public var trainHistory = LossHistory()
    public var evalHistory = LossHistory()
    /// True while the weights have trained since they were last saved (the runtime says, `.unsavedTraining`).
    public var unsaved = false
    /// The step the unsaved training started from (for the quit dialog's count).
    public var unsavedFromStep = 0
    public init() {}
}

/// An ongoing mouse drag: where it started, in screen cells, and on which panel.
public struct Drag: Sendable, Equatable {
    public var panel: PanelKind
    public var anchorX: Int
    public var anchorY: Int
    /// False until the pointer reaches another cell: a press and release without motion is a click, which
    /// moves the hole there instead of cutting a one-cell hole.
    public var moved = false
    /// The brush's last position (brush and draw modes), so the next motion paints the way from it (`Brush`).
    public var lastBrush: BrushPoint?
    /// Which model's panel (a comparison shows each model's reconstruction and composite).
    public var model = 0
}

/// The whole UI model. Only `update(_:_:)` changes it; `view(_:)` draws it.
public struct AppState: Sendable, Equatable {
    public var library: DigitLibrary
    /// Index of the shown digit in `library`, or nil for a digit the user drew.
    public var digitIndex: Int?
    /// [784] the digit being inpainted.
    public var image: [Float]
    /// The rectangle hole, when the hole is a rectangle (nil after brush painting or `c`).
    public var hole: HoleRect?
    /// [784] the hole as a mask: 1 known, 0 hole. Always in sync with `hole` when `hole` is set.
    public var mask: [Float]
    public var mode: EditMode = .rectangle
    public var drag: Drag?

    /// Grows whenever the network's input (image or mask) changes.
    public var inputRevision = 0
    /// Grows whenever new weights arrive.
    public var modelRevision = 0
    /// [784] the newest reconstruction, and which input and weights it was made from.
    public var reconstruction: [Float]?
    public var reconstructionRevision = -1
    public var reconstructedModelRevision = -1

    public var screenWidth: Int
    public var screenHeight: Int
    /// The largest digit scale the user allows (`--scale`); the layout picks the largest that fits.
    public var maxScale: Int
    public var style: RenderStyle
    public var showHelp = false
    /// The first row of the help shown (it scrolls when it does not fit; `HelpOverlay`).
    public var helpScroll = 0
    /// The presenter layout (`z`): the digits as large as the terminal holds (`Layout`).
    public var presenter = false
    /// The `D` overlay and the frame measurements it shows (sent by the driver while it is on).
    public var showDebug = false
    public var frameTimings: FrameTimings?
    public var showErrorPanel = false
    /// The classical fill, the classifier's guesses and the encoder's maps (`f`, `t`, `v`).
    public var panels = OptionalPanels()
    /// The pixel readout, the keyboard cursor (`i`), explain mode (`E`) and the preset groups' means.
    public var probe = PixelProbe()
    /// The experiment preset the session was started with (`inpaint tui --preset`), for the header.
    public var preset: String?
    public var logScale = true
    public var prompt: Prompt?
    public var notice: String?
    public var training = TrainingStatus()
    /// Training seen from inside: the gradient pane (`G`), the filmstrip (`M`), the pace (`TrainingInsight`).
    public var inside = InsideTraining()
    /// Drives `r` and `d`; seeded, so a session repeats bit for bit.
    public var generator: SeededGenerator
    public var quitRequested = false
    /// Where training is saved on quit (`inpaint tui --save`), for the quit dialog; nil: nowhere (`watch`).
    public var savePath: String?
    /// `inpaint watch`: training runs elsewhere, so the training keys say so at once.
    public var watching = false
    /// The lesson pane (`o`, `LessonPane`), on when a preset starts.
    public var lesson = Lesson()
    /// Undo and redo of the hole and the drawing (`u`, `U`).
    public var edits = EditHistory()
    /// What is training, for the header (nil: not said, as in a test's state).
    public var model: ModelIdentity?
    /// Models 1… of a comparison (`--model A --model B`, `--preset compare-…`); empty: one model.
    public var comparison = ModelComparison()
    /// How `inpaint tui` was started, for the command line that reopens the view (`C`); nil: `watch`.
    public var launch: LaunchOptions?
    /// The box of `C` (`ReopenBox`) is open.
    public var showReopen = false

    /// The hole `r` makes and the app starts with: 1/8 to 1/4 of the image, the range of Hu & Velarde's
    /// random rectangles (§3); the initial one is a 12×12 square near the middle (144 px ≈ 18 %).
    public static let initialHole = HoleRect(top: 8, left: 8, height: 12, width: 12)

    public init(library: DigitLibrary, style: RenderStyle, screenWidth: Int = 120, screenHeight: Int = 40,
                maxScale: Int = 3, seed: UInt64 = 1) {
        precondition(library.count > 0, "the digit library is empty")
        self.library = library
        self.digitIndex = 0
        self.image = library.image(at: 0)
        self.hole = AppState.initialHole
        self.mask = AppState.initialHole.mask()
        self.style = style
        self.screenWidth = screenWidth
        self.screenHeight = screenHeight
        self.maxScale = maxScale
        self.generator = SeededGenerator(seed: seed)
    }

    public var layout: Layout {
        Layout(width: screenWidth, height: screenHeight, maxScale: maxScale, showErrorPanel: showErrorPanel,
               optionalPanels: panels.shown + probe.shownPanels, presenter: presenter,
               models: comparison.count, shownModel: comparison.shownModel)
    }

    /// [784] known pixels kept, hole filled by the reconstruction (the image itself until one arrives).
    public var composite: [Float] {
        guard let reconstruction else { return image }
        return (0..<Digit.pixels).map { mask[$0] * image[$0] + (1 - mask[$0]) * reconstruction[$0] }
    }

    /// [784] the masked input x ⊙ M.
    public var maskedInput: [Float] { (0..<Digit.pixels).map { image[$0] * mask[$0] } }
}
