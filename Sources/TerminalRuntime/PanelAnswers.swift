import TerminalUI

/// The runtime's side of the optional panels: runs `.encodeFeatures` and `.classify` with the runtime's
/// network, so the pure core never touches weights or files.
enum PanelAnswers {
    /// Of several questions of one kind read in one go (a burst of motions), only the newest input matters.
    static func newest(_ questions: [Effect]) -> [Effect] {
        var features: Effect?, classify: Effect?
        for question in questions {
            if case .encodeFeatures = question { features = question }
            if case .classify = question { classify = question }
        }
        return [features, classify].compactMap { $0 }
    }

    static func answer(_ questions: [Effect], using network: ModelReconstructor) -> [Message] {
        questions.compactMap { question in
            switch question {
            case .encodeFeatures(let revision, let image, let mask):
                return .featuresEncoded(revision: revision, features: network.encoderFeatures(image: image, mask: mask))
            case .classify(let revision, let original, let composite):
                guard let originalGuesses = network.guesses(for: original, count: 3),
                      let compositeGuesses = network.guesses(for: composite, count: 3) else {
                    return .classified(revision: revision, guesses: nil)
                }
                return .classified(revision: revision, guesses: Guesses(original: originalGuesses, composite: compositeGuesses))
            default:
                return nil
            }
        }
    }
}
