import Datasets
import Inpainting

// How `update` keeps the optional panels current. Each panel is refreshed only while it is on, so a user
// who never opens them pays nothing on a drag.

/// The input (image or mask) changed: recompute the classical fill and ask for the encoder's maps.
func refreshPanelsForInput(_ state: inout AppState) -> [Effect] {
    refreshFill(&state)
    return requestFeatures(&state)
}

/// A new reconstruction was accepted: the composite changed, so ask the classifier again.
func refreshPanelsForReconstruction(_ state: inout AppState) -> [Effect] {
    requestGuesses(&state)
}

/// f, F, t, v: the panel keys. Returns nil for any other character.
func handlePanelKey(_ state: inout AppState, _ c: Character) -> [Effect]? {
    switch c {
    case "f":
        state.panels.showFill.toggle()
        refreshFill(&state)
        return []
    case "F":
        // Cycling also opens the panel: pressing F and seeing nothing change would be a puzzle.
        if state.panels.showFill { state.panels.fillMethod = state.panels.fillMethod.next }
        state.panels.showFill = true
        refreshFill(&state)
        return []
    case "t":
        state.panels.showGuesses.toggle()
        return requestGuesses(&state)
    case "v":
        state.panels.showFeatures.toggle()
        return requestFeatures(&state)
    default:
        return nil
    }
}

/// Applies `.classified` and `.featuresEncoded`, dropping answers for inputs older than the one shown.
func applyPanelAnswer(_ state: inout AppState, _ message: Message) {
    switch message {
    case .classified(let revision, let guesses):
        guard revision >= state.panels.guessesRevision else { return }
        state.panels.guessesRevision = revision
        state.panels.guesses = guesses
        state.panels.noClassifier = guesses == nil
    case .featuresEncoded(let revision, let features):
        guard revision >= state.panels.featuresRevision else { return }
        state.panels.featuresRevision = revision
        state.panels.features = features
    default:
        break
    }
}

private func refreshFill(_ state: inout AppState) {
    guard state.panels.showFill else { state.panels.fill = nil; return }
    // The mean over 10,000 test digits takes milliseconds: once, not on every drag motion.
    if state.panels.fillMethod == .mean && state.panels.meanImage == nil { state.panels.meanImage = state.library.meanImage }
    state.panels.fill = state.panels.fillMethod.fill(meanImage: state.panels.meanImage ?? [])
        .fill(state.image, mask: state.mask)
}

private func requestGuesses(_ state: inout AppState) -> [Effect] {
    guard state.panels.showGuesses else { return [] }
    // Before the first reconstruction the composite is the image itself; the answer is still worth showing.
    return [.classify(revision: state.reconstructionRevision, original: state.image, composite: state.composite)]
}

private func requestFeatures(_ state: inout AppState) -> [Effect] {
    guard state.panels.showFeatures else { return [] }
    return [.encodeFeatures(revision: state.inputRevision, image: state.image, mask: state.mask)]
}

extension DigitLibrary {
    /// [784] the pixelwise mean of the library's digits: what the "mean image" fill puts in the hole.
    /// (The evaluation uses the training split's mean; the browsed digits are the closest thing the UI has.)
    public var meanImage: [Float] {
        var mean = [Float](repeating: 0, count: Digit.pixels)
        images.withUnsafeBufferPointer { x in
            for n in 0..<count { for i in 0..<Digit.pixels { mean[i] += x[n * Digit.pixels + i] } }
        }
        return mean.map { $0 / Float(Swift.max(count, 1)) }
    }
}
