import CNcursesW
import TerminalUI

/// Maps (foreground, background) colours to ncurses colour pairs.
///
/// The 26 × 26 gray combinations a half-block digit needs are made up front as pairs 1…676 (pair = 1 +
/// 26·fg + bg) so drawing a digit never allocates; anything else the chrome asks for is made on first use.
/// 676 pairs exceed the 256 that fit in a `chtype`, hence `init_extended_pair` via `cnc_init_pair`.
final class ColorPairs {
    private var pairs: [TerminalColor: [TerminalColor: Int32]] = [:]
    private var next: Int32 = 1
    private let limit: Int32
    let enabled: Bool

    init(enabled: Bool) {
        self.enabled = enabled
        self.limit = Int32(cnc_color_pairs())
        guard enabled else { return }
        if cnc_colors() >= 256 {
            for fg in GrayPalette.indices {
                for bg in GrayPalette.indices { _ = make(.index(fg), .index(bg)) }
            }
        }
    }

    /// The pair for these colours; 0 (the terminal's default pair) when colour is off or pairs ran out.
    func pair(_ foreground: TerminalColor, _ background: TerminalColor) -> Int32 {
        guard enabled else { return 0 }
        if foreground == .terminalDefault && background == .terminalDefault { return 0 }
        if let known = pairs[foreground]?[background] { return known }
        return make(foreground, background)
    }

    private func make(_ foreground: TerminalColor, _ background: TerminalColor) -> Int32 {
        guard next < limit else { return 0 }
        let number = next
        guard cnc_init_pair(number, Int32(foreground.cursesNumber), Int32(background.cursesNumber)) == OK else {
            return 0
        }
        next += 1
        pairs[foreground, default: [:]][background] = number
        return number
    }
}
