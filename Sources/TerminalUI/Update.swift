import Datasets
import Foundation
import Inpainting
import NeuralCore

/// The one place the app's state changes: apply `message` to `state` and say which effects to run.
///
/// Pure: no clock, no I/O, randomness from `state.generator`. Whenever the network's input changes, the
/// returned effects include a `.reconstruct` for it, so every drag motion refreshes the reconstruction.
public func update(_ state: inout AppState, _ message: Message) -> [Effect] {
    let edited = EditHistory.Snapshot(state)
    defer { recordEdit(&state, from: edited) }
    switch message {
    case .key(let key):
        return handleKey(&state, key)
    case .mouse(let event):
        return handleMouse(&state, event)
    case .resize(let width, let height):
        state.screenWidth = max(0, width)
        state.screenHeight = max(0, height)
        state.drag = nil
        return []
    case .tick:
        let measured = measureGroupsIfDue(&state)
        // Refresh with newer weights, but not mid-drag: each motion already asks for a fresh reconstruction.
        if state.drag == nil && state.reconstructedModelRevision != state.modelRevision {
            // The encoder's maps change with the weights too.
            return [requestReconstruction(&state)] + refreshPanelsForInput(&state) + refreshExplain(&state) + measured
        }
        return measured
    case .training(let event):
        applyTraining(&state, event)
        return noteInsideTraining(&state, event)
    case .trainingReset:
        state.training.trainHistory.removeAll()
        state.training.evalHistory.removeAll()
        state.training.step = 0
        state.training.epoch = 0
        state.training.loss = nil
        state.training.evalLoss = nil
        state.inside.startOver()
        return []
    case .modelUpdated(let revision):
        state.modelRevision = max(state.modelRevision, revision)
        return []
    case .reconstructed(let revision, let pixels):
        precondition(pixels.count == Digit.pixels, "reconstruction has \(pixels.count) pixels, expected 784")
        // An answer for an older input than the one shown would make the panel jump back.
        if revision >= state.reconstructionRevision {
            state.reconstruction = GrayHysteresis.stabilize(pixels, shown: state.reconstruction,
                                                            levels: state.drag != nil ? GrayHysteresis.dragLevels : 0)
            state.reconstructionRevision = revision
            return refreshPanelsForReconstruction(&state)
        }
        return []
    case .notice(let text):
        state.notice = text
        return []
    case .frameTimings(let timings):
        state.frameTimings = timings
        return []
    case .classified, .featuresEncoded:
        applyPanelAnswer(&state, message)
        return []
    case .presetStarted(let start):
        return applyPresetStart(&state, start)
    case .comparisonStarted(let start):
        return applyComparisonStart(&state, start)
    case .unsavedTraining(let unsaved):
        if unsaved && !state.training.unsaved { state.training.unsavedFromStep = state.training.step }
        state.training.unsaved = unsaved
        return []
    case .trainingRestored(let saved):
        applyRestoredHistory(&state, saved)
        return []
    case .modelLabel(let label):
        state.training.modelFile = label
        return []
    case .modelIdentity(let identity):
        state.model = identity
        return []
    case .savePath(let path):
        state.savePath = path
        return []
    case .trainingPace, .filmstripFrame:
        applyInsideMessage(&state, message)
        return []
    case .comparedReconstructed, .comparedTraining:
        return applyComparison(&state, message)
    case .explained, .groupsMeasured:
        applyProbeAnswer(&state, message)
        return []
    }
}

/// A checkpoint's counters and curves in the status block and the chart (its curve's training and
/// evaluation points, as `train` and the UI record them).
private func applyRestoredHistory(_ state: inout AppState, _ saved: TrainingState) {
    state.training.step = saved.step
    state.training.epoch = saved.epoch
    state.training.loss = saved.loss.lastTraining
    state.training.evalLoss = saved.loss.lastEvaluation
    state.training.trainHistory.removeAll()
    state.training.evalHistory.removeAll()
    for point in saved.loss.curve {
        if let loss = point.training { state.training.trainHistory.append(step: point.step, loss: loss) }
        if let loss = point.evaluation { state.training.evalHistory.append(step: point.step, loss: loss) }
    }
}

/// `q`: quits at once when nothing trained since the last save, else asks (`QuitDialog`).
func requestQuit(_ state: inout AppState) -> [Effect] {
    if state.training.unsaved && state.savePath != nil {
        state.prompt = .confirmQuit
        return []
    }
    state.quitRequested = true
    return [.quit]
}

/// Marks the input as changed and asks for its reconstruction.
func inputChanged(_ state: inout AppState) -> [Effect] {
    state.inputRevision += 1
    return [requestReconstruction(&state)] + refreshPanelsForInput(&state) + refreshExplain(&state)
}

private func requestReconstruction(_ state: inout AppState) -> Effect {
    state.reconstructedModelRevision = state.modelRevision
    return .reconstruct(revision: state.inputRevision, image: state.image, mask: state.mask)
}

private func setHole(_ state: inout AppState, _ hole: HoleRect?) -> [Effect] {
    state.hole = hole
    state.mask = hole?.mask() ?? [Float](repeating: 1, count: Digit.pixels)
    return inputChanged(&state)
}

private func showDigit(_ state: inout AppState, index: Int) -> [Effect] {
    let count = state.library.count
    let wrapped = ((index % count) + count) % count
    state.digitIndex = wrapped
    state.image = state.library.image(at: wrapped)
    if state.mode == .draw { state.mode = .rectangle }
    return inputChanged(&state)
}

// MARK: keys

private func handleKey(_ state: inout AppState, _ key: Key) -> [Effect] {
    if key == .interrupt { state.quitRequested = true; return [.quit] }
    if let prompt = state.prompt { return handlePrompt(&state, prompt, key) }
    if state.showHelp {
        if scrollHelp(&state, key) { return [] }
        // Any other key closes the overlay; q still quits.
        state.showHelp = false
        if key == .character("q") { return requestQuit(&state) }
        return []
    }
    if let effects = handleReopenBoxKey(&state, key) { return effects }
    state.notice = nil
    if let effects = handleProbeKey(&state, key) { return effects }
    switch key {
    case .up, .down, .left, .right:
        let hole = state.hole ?? AppState.initialHole
        let (dy, dx) = key == .up ? (-1, 0) : key == .down ? (1, 0) : key == .left ? (0, -1) : (0, 1)
        return setHole(&state, clampedHole(top: hole.top + dy, left: hole.left + dx, height: hole.height, width: hole.width))
    case .shiftUp, .shiftDown, .shiftLeft, .shiftRight:
        return resizeHole(&state, key)
    case .character(let c):
        return handleCharacter(&state, c)
    case .escape:
        state.drag = nil
        return []
    case .tab:
        return cycleShownModel(&state)
    default:
        return []
    }
}

private func resizeHole(_ state: inout AppState, _ key: Key) -> [Effect] {
    let hole = state.hole ?? AppState.initialHole
    var height = hole.height, width = hole.width
    switch key {
    case .shiftUp: height -= 1
    case .shiftDown: height += 1
    case .shiftLeft: width -= 1
    case .shiftRight: width += 1
    default: break
    }
    return setHole(&state, clampedHole(top: hole.top, left: hole.left, height: height, width: width))
}

/// A rectangle of at least 1×1 kept inside the image, shifted rather than cut when it would stick out.
func clampedHole(top: Int, left: Int, height: Int, width: Int) -> HoleRect {
    let h = min(max(1, height), Digit.side), w = min(max(1, width), Digit.side)
    return HoleRect(top: min(max(0, top), Digit.side - h), left: min(max(0, left), Digit.side - w), height: h, width: w)
}

/// The keys that steer training, which `inpaint watch` cannot do: the run is elsewhere.
private let trainingControlKeys: Set<Character> = ["R", "x", " ", "s", "+", "=", "-", "_", "w", "l"]

/// What those keys say in `inpaint watch` (the runtime says the same of any control effect).
public let watchingNotice = "watching: training runs elsewhere and is not controlled from here"

private func handleCharacter(_ state: inout AppState, _ c: Character) -> [Effect] {
    if state.watching && trainingControlKeys.contains(c) {
        state.notice = watchingNotice
        return []
    }
    if let effects = handlePanelKey(&state, c) ?? handlePresetKey(&state, c) ?? handleLessonKey(&state, c)
        ?? handleEditHistoryKey(&state, c) ?? handleFileNameKey(&state, c) ?? handleInsideKey(&state, c) { return effects }
    if let effects = handleShareKey(&state, c) { return effects }
    switch c {
    case "q":
        return requestQuit(&state)
    case "?":
        state.showHelp = true
        state.helpScroll = 0
        return []
    case "z":
        state.presenter.toggle()
        state.drag = nil
        return []
    case "D":
        state.showDebug.toggle()
        return []
    case "H": return resizeHole(&state, .shiftLeft)
    case "L": return resizeHole(&state, .shiftRight)
    case "K": return resizeHole(&state, .shiftUp)
    case "J": return resizeHole(&state, .shiftDown)
    case "r":
        if state.mode == .draw { state.mode = .rectangle }
        return setHole(&state, randomHole(&state.generator))
    case "c":
        if state.mode == .draw {
            state.image = [Float](repeating: 0, count: Digit.pixels)
            return inputChanged(&state)
        }
        return setHole(&state, nil)
    case "n": return showDigit(&state, index: (state.digitIndex ?? -1) + 1)
    case "p": return showDigit(&state, index: (state.digitIndex ?? 1) - 1)
    case "g":
        state.prompt = .goToIndex("")
        return []
    case "d":
        state.prompt = .digitClass
        return []
    case "m":
        return cycleMode(&state)
    case "e":
        state.showErrorPanel.toggle()
        return []
    case "a":
        state.logScale.toggle()
        return []
    case " ":
        switch state.training.activity {
        case .training: return [.pauseTraining]
        case .paused, .idle: return [.resumeTraining]
        case .stopped, .watching: return []
        }
    case "s":
        return state.training.activity == .paused || state.training.activity == .idle ? [.stepTraining] : []
    case "+", "=", "-", "_":
        let factor: Float = c == "+" || c == "=" ? 2 : 0.5
        let rate = state.training.learningRate * factor
        guard rate.isFinite, rate > 0 else { return [] }
        state.training.learningRate = rate
        return [.setLearningRate(rate)]
    case "R":
        state.prompt = .confirmReset
        return []
    default: return []
    }
}

/// In the help: ↑/↓ scroll a row, space a page; true when the key did that (space on the last page closes).
private func scrollHelp(_ state: inout AppState, _ key: Key) -> Bool {
    let maxScroll = HelpOverlay.maxScroll(screenWidth: state.screenWidth, screenHeight: state.screenHeight)
    let current = min(state.helpScroll, maxScroll)
    guard maxScroll > 0 else { return false }   // all of it shown: any key closes, as ever
    switch key {
    case .down where current < maxScroll: state.helpScroll = current + 1
    case .up where current > 0: state.helpScroll = current - 1
    case .character(" ") where current < maxScroll:
        state.helpScroll = min(maxScroll, current + HelpOverlay.pageRows(screenWidth: state.screenWidth,
                                                                         screenHeight: state.screenHeight))
    case .up, .down: break   // at the end already: nothing to do, but not a key that closes
    default: return false
    }
    return true
}

/// rectangle → brush → draw → rectangle. Entering draw mode starts from a blank canvas with no hole; leaving
/// it keeps the drawing and cuts the initial hole into it.
private func cycleMode(_ state: inout AppState) -> [Effect] {
    switch state.mode {
    case .rectangle:
        state.mode = .brush
        return []
    case .brush:
        state.mode = .draw
        state.digitIndex = nil
        state.image = [Float](repeating: 0, count: Digit.pixels)
        return setHole(&state, nil)
    case .draw:
        state.mode = .rectangle
        return setHole(&state, AppState.initialHole)
    }
}

private func handlePrompt(_ state: inout AppState, _ prompt: Prompt, _ key: Key) -> [Effect] {
    if prompt == .presetMenu { return handlePresetMenu(&state, key) }
    if prompt == .confirmQuit { return handleQuitDialog(&state, key) }
    if case .fileName(let fileName) = prompt { return handleFileNamePrompt(&state, fileName, key) }
    switch (prompt, key) {
    case (.goToIndex, .character("q")), (.digitClass, .character("q")):
        // q cancels the prompt and quits (asking first when training is not saved), as it does everywhere.
        state.prompt = nil
        return requestQuit(&state)
    case (_, .escape):
        state.prompt = nil
        return []
    case (.goToIndex(let typed), .character(let c)) where c.isASCII && c.isNumber:
        state.prompt = .goToIndex(String((typed + String(c)).prefix(7)))
        return []
    case (.goToIndex(let typed), .backspace):
        state.prompt = .goToIndex(String(typed.dropLast()))
        return []
    case (.goToIndex(let typed), .enter):
        state.prompt = nil
        // 1-based, as the header counts digits.
        guard let number = Int(typed), number >= 1, number <= state.library.count else {
            let noun = state.library.dataset.itemNoun
            state.notice = "no \(noun) \(typed.isEmpty ? "(empty)" : typed): \(noun)s run 1–\(state.library.count)"
            return []
        }
        return showDigit(&state, index: number - 1)
    case (.digitClass, .character(let c)) where c.isASCII && c.isNumber:
        state.prompt = nil
        let label = Int(String(c))!
        let candidates = state.library.labels.indices.filter { state.library.labels[$0] == label }
        guard !candidates.isEmpty else {
            let dataset = state.library.dataset
            state.notice = "no \(dataset.className(label)) among the \(state.library.count) \(dataset.itemNoun)s"
            return []
        }
        return showDigit(&state, index: candidates[Int(state.generator.next() % UInt64(candidates.count))])
    case (.confirmReset, .character("y")), (.confirmReset, .character("Y")):
        state.prompt = nil
        return [.resetModel]
    case (.confirmReset, _):
        state.prompt = nil
        state.notice = "model kept"
        return []
    case (.digitClass, _):
        // One key answers the prompt: any other than 0–9 cancels it.
        state.prompt = nil
        return []
    default:
        return []
    }
}

/// The quit dialog: s (or Enter, or q again) saves and quits, n quits without saving, Esc or any other key
/// stays.
private func handleQuitDialog(_ state: inout AppState, _ key: Key) -> [Effect] {
    state.prompt = nil
    switch key {
    case .character("s"), .character("S"), .character("y"), .character("Y"), .character("q"), .enter:
        state.quitRequested = true
        return [.quit]
    case .character("n"), .character("N"):
        state.quitRequested = true
        return [.quitWithoutSaving]
    default:
        state.notice = "not quitting: training goes on"
        return []
    }
}

/// A random rectangle covering 1/8 to 1/4 of the image (98–196 pixels), the range of Hu & Velarde's
/// training holes, with a random aspect ratio between 1:2 and 2:1.
func randomHole(_ generator: inout SeededGenerator) -> HoleRect {
    let area = Float(Digit.pixels) * generator.uniform(1.0 / 8, 1.0 / 4)
    let aspect = exp(generator.uniform(log(0.5), log(2)))
    let height = Int((area / aspect).squareRoot().rounded()), width = Int((area * aspect).squareRoot().rounded())
    let h = min(max(1, height), Digit.side), w = min(max(1, width), Digit.side)
    let top = Int(generator.next() % UInt64(Digit.side - h + 1))
    let left = Int(generator.next() % UInt64(Digit.side - w + 1))
    return HoleRect(top: top, left: left, height: h, width: w)
}

// MARK: mouse

private func handleMouse(_ state: inout AppState, _ event: MouseEvent) -> [Effect] {
    let layout = state.layout
    guard !layout.tooSmall, !state.showHelp, state.prompt == nil else { return [] }
    switch event.kind {
    case .press:
        guard let hit = layout.panel(atX: event.x, y: event.y) else { return [] }
        state.drag = Drag(panel: hit.placement.kind, anchorX: hit.cellX, anchorY: hit.cellY, model: hit.placement.model)
        state.notice = nil
        // A rectangle waits for the pointer to move: a click must not replace the hole with one cell.
        if state.mode == .rectangle { return [] }
        return applyDrag(&state, layout: layout, x: event.x, y: event.y)
    case .drag:
        // A position report with no drag going on is motion without a button (any-motion tracking, ?1003h).
        guard state.drag != nil else { return handleHover(&state, layout: layout, x: event.x, y: event.y) }
        noteMotion(&state, layout: layout, x: event.x, y: event.y)
        if state.mode == .rectangle && state.drag?.moved != true { return [] }
        return applyDrag(&state, layout: layout, x: event.x, y: event.y)
    case .release:
        guard state.drag != nil else { return [] }
        noteMotion(&state, layout: layout, x: event.x, y: event.y)
        let effects = state.mode == .rectangle && state.drag?.moved != true
            ? moveHoleToClick(&state, layout: layout) : applyDrag(&state, layout: layout, x: event.x, y: event.y)
        state.drag = nil
        // At rest the reconstruction is shown exactly (GrayHysteresis only smooths while dragging).
        return effects.isEmpty ? [requestReconstruction(&state)] : effects
    }
}

/// The drag's panel cell under screen cell (x, y), clamped into the panel.
private func dragCell(_ drag: Drag, layout: Layout, x: Int, y: Int) -> (x: Int, y: Int)? {
    guard let placement = layout.placement(of: drag.panel, model: drag.model) else { return nil }
    let size = layout.digitSize
    return (min(max(0, x - placement.x), size.width - 1), min(max(0, y - placement.digitY), size.height - 1))
}

/// Marks the drag as moved once the pointer reaches a cell other than the one pressed.
private func noteMotion(_ state: inout AppState, layout: Layout, x: Int, y: Int) {
    guard let drag = state.drag, let cell = dragCell(drag, layout: layout, x: x, y: y) else { return }
    if cell.x != drag.anchorX || cell.y != drag.anchorY { state.drag?.moved = true }
}

/// A click (press and release on one cell) in rectangle mode centres the hole, same size, on the pixel
/// clicked (the initial 12×12 when there is none).
private func moveHoleToClick(_ state: inout AppState, layout: Layout) -> [Effect] {
    guard let drag = state.drag else { return [] }
    // The pixel at the middle of the cell clicked (the cell covers more than one when the digits are shrunk).
    let centre = DigitPanel.brushCentre(cellX: drag.anchorX, cellY: drag.anchorY, side: layout.side)
    let row = Int(centre.row - 0.5), column = Int(centre.column)
    let size = state.hole ?? AppState.initialHole
    let hole = clampedHole(top: row - size.height / 2, left: column - size.width / 2, height: size.height, width: size.width)
    if hole == state.hole { return [] }
    return setHole(&state, hole)
}

/// Applies the drag with the pointer at screen cell (x, y), clamped into the panel the drag started on.
private func applyDrag(_ state: inout AppState, layout: Layout, x: Int, y: Int) -> [Effect] {
    guard let drag = state.drag, let (cx, cy) = dragCell(drag, layout: layout, x: x, y: y) else { return [] }
    let side = layout.side
    switch state.mode {
    case .rectangle:
        // Every pixel the two corner cells cover (more than one per cell when the digits are shrunk).
        let from = DigitPanel.pixels(atCellX: min(cx, drag.anchorX), cellY: min(cy, drag.anchorY), side: side)!
        let to = DigitPanel.pixels(atCellX: max(cx, drag.anchorX), cellY: max(cy, drag.anchorY), side: side)!
        let top = from.rows.lowerBound, bottom = to.rows.upperBound
        let left = from.columns.lowerBound, right = to.columns.upperBound
        let hole = HoleRect(top: top, left: left, height: bottom - top + 1, width: right - left + 1)
        if hole == state.hole { return [] }   // same pixels: no new input, no work
        return setHole(&state, hole)
    case .brush:
        var changed = false
        for centre in strokeCentres(&state, to: DigitPanel.brushCentre(cellX: cx, cellY: cy, side: side)) {
            paint(around: centre, radius: Brush.holeRadius) { index, _ in
                if state.mask[index] != 0 { state.mask[index] = 0; changed = true }
            }
        }
        state.hole = nil
        return changed ? inputChanged(&state) : []
    case .draw:
        // MNIST-white strokes with a soft edge (`Brush`).
        for centre in strokeCentres(&state, to: DigitPanel.brushCentre(cellX: cx, cellY: cy, side: side)) {
            paint(around: centre, radius: Brush.inkRadius) { index, distanceSquared in
                state.image[index] = max(state.image[index], Brush.ink(distanceSquared: distanceSquared))
            }
        }
        state.digitIndex = nil
        return inputChanged(&state)
    }
}

/// Calls `body(pixelIndex, squaredDistance)` for every pixel whose centre lies within `radius` of `centre`
/// (in pixel units, centres at row + 0.5, column + 0.5).
private func paint(around centre: (row: Float, column: Float), radius: Float, body: (Int, Float) -> Void) {
    let r = Int(radius.rounded(.up))
    let row0 = Int(centre.row), column0 = Int(centre.column)
    for row in max(0, row0 - r)...min(Digit.side - 1, row0 + r) {
        for column in max(0, column0 - r)...min(Digit.side - 1, column0 + r) {
            let dr = Float(row) + 0.5 - centre.row, dc = Float(column) + 0.5 - centre.column
            let d2 = dr * dr + dc * dc
            if d2 <= radius * radius { body(row * Digit.side + column, d2) }
        }
    }
}

// MARK: training

/// The status block and the curves follow the trainer's events; a stop for a reason worth knowing is a notice.
private func applyTraining(_ state: inout AppState, _ event: TrainingEvent) {
    switch event {
    case .step(let s):
        state.training.step = s.step
        state.training.epoch = s.epoch
        state.training.loss = s.loss
        state.training.imagesPerSecond = Float(s.imagesPerSecond)
        state.training.learningRate = s.learningRate
        state.training.trainHistory.append(step: s.step, loss: s.loss)
    case .evaluation(let step, let loss):
        state.training.evalLoss = loss
        state.training.evalHistory.append(step: step, loss: loss)
    case .epochFinished(let epoch):
        state.training.epoch = epoch
    case .checkpointWritten(let path):
        state.training.modelFile = path
        state.notice = "checkpoint written: \(path)"
    case .stateChanged(let trainerState):
        state.training.activity = TrainingActivity(trainerState)
    case .stopped(let reason):
        state.training.activity = .stopped
        switch reason {
        case .finished, .cancelled: break
        case .nonFiniteLoss(let step): state.notice = "training stopped: loss not finite at step \(step)"
        case .failed(let why): state.notice = "training failed: \(why)"
        }
    }
}

extension TrainingActivity {
    /// The trainer's own state as the status block names it.
    init(_ state: TrainerState) {
        switch state {
        case .idle: self = .idle
        case .training: self = .training
        case .paused: self = .paused
        case .stopped: self = .stopped
        }
    }
}
