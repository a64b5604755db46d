import Experiments

/// The `x` menu: a row per preset, numbered as the key that starts it, with one line on what it shows:
/// the experiment's `summary` (as `inpaint experiment list` has it) where the box is wide enough for every
/// one of them, else a description of at most `shortLimit` characters, which fits 80 columns. Under them the
/// comparison presets (`compare-…`), keyed a–d, each with a line of at most `comparisonLimit` characters.
/// The whole menu is 18 rows, so it fits 80×24 whole (no paging).
public enum PresetMenu {
    static let title = "train an experiment from a fresh network (as inpaint tui --preset NAME)"
    static let comparisonsTitle = "or two fresh networks side by side, taking turns:"
    static let footer = "1-9 or a-d trains it, any other key cancels"
    /// 80 columns: a box of 78, 3 for the frame and the gap, 3 for the key, 23 for `compare-architectures`.
    static let comparisonLimit = 49
    /// The comparisons' keys in the menu, in `ComparisonName.allCases` order.
    static let comparisonKeys: [Character] = ["a", "b", "c", "d"]
    /// 80 columns: a box of 78, 3 for the frame and the gap, 3 for the number, 13 for the names.
    static let shortLimit = 59

    /// What each preset shows, in at most `shortLimit` characters.
    public static func description(_ name: ExperimentName) -> String {
        switch name {
        case .oneSeven: "Fig. 1: one 7, holes at 100 places; it fills any place"
        case .bias: "Fig. 2: with biases the 7 is imprinted; every output is a 7"
        case .sevens: "Fig. 3: 40 sevens; the fill is worse on 7s it never saw"
        case .digits: "Fig. 4: 20 of each digit; training vs unseen digits"
        case .position: "Fig. 5: one input channel, no mask: the fill stays dim"
        case .brightness: "Fig. 6: the bigger the hole, the darker the fill"
        case .mixing: "Fig. 7: 7s and 9s; an ambiguous hole fills with a blend"
        case .full: "the whole training set, best recipe: the bundled model's"
        case .adversarial: "L2 + adversarial loss: crisper strokes than L2 alone?"
        case .architectures: "paper, strided and pooled for the same time (no preset)"
        }
    }

    /// What each comparison shows, in at most `comparisonLimit` characters.
    public static func comparisonDescription(_ name: ComparisonName) -> String {
        switch name {
        case .position: "Fig. 5 and its fix: one channel vs mask channel"
        case .bias: "Fig. 2: with vs without biases, on an unseen 2"
        case .adversarial: "L2 vs L2 + adversarial, the discriminator's curve"
        case .architectures: "paper vs strided, 180 s of training each"
        }
    }

    /// The comparison a key of the open menu starts (a–d), if any.
    public static func comparison(forKey key: Character) -> ComparisonName? {
        comparisonKeys.firstIndex(of: key).map { ComparisonName.allCases[$0] }
    }

    /// The comparisons' rows: key, `--preset` name, description.
    public static func comparisonRows() -> [String] {
        let nameWidth = ComparisonName.allCases.map(\.presetName.count).max()! + 2
        return zip(comparisonKeys, ComparisonName.allCases).map { key, name in
            "\(key)  " + name.presetName.padding(toLength: nameWidth, withPad: " ", startingAt: 0) + comparisonDescription(name)
        }
    }

    /// The menu's rows for a box whose text gets `textWidth` cells: the number and name, then the summary
    /// when every summary fits, else the short description; one row each.
    public static func rows(textWidth: Int) -> [String] {
        let nameWidth = ExperimentName.presets.map(\.rawValue.count).max()! + 2
        let heads = ExperimentName.presets.enumerated().map { i, name in
            "\(i + 1)  " + name.rawValue.padding(toLength: nameWidth, withPad: " ", startingAt: 0)
        }
        let summariesFit = zip(heads, ExperimentName.presets).allSatisfy { $0.count + $1.summary.count <= textWidth }
        return zip(heads, ExperimentName.presets).map { $0 + (summariesFit ? $1.summary : description($1)) }
    }

    public static func draw(into buffer: inout CellBuffer, theme: Theme) {
        let natural = rows(textWidth: .max) + comparisonRows()
        let width = min(buffer.width - 2, max(title.count, natural.map(\.count).max()!) + 4)
        // A nil row is the comparisons' heading.
        let rows: [String?] = rows(textWidth: width - 3) + [nil] + comparisonRows()
        let height = min(buffer.height - 2, rows.count + 4)
        let x = (buffer.width - width) / 2, y = max(1, (buffer.height - height) / 2)
        let blank = Cell(" ", foreground: theme.overlay.foreground, background: theme.overlay.background,
                         attributes: theme.overlay.attributes)
        buffer.fill(x: x, y: y, width: width, height: height, with: blank)
        var bold = theme.overlay
        bold.attributes.insert(.bold)
        buffer.put(title, x: x + 2, y: y + 1, style: bold, maxWidth: width - 3)
        for (i, row) in rows.prefix(height - 4).enumerated() {
            guard let row else {
                buffer.put(comparisonsTitle, x: x + 2, y: y + 2 + i, style: bold, maxWidth: width - 3)
                continue
            }
            let number = buffer.put(String(row.prefix(1)), x: x + 2, y: y + 2 + i, style: bold)
            buffer.put(String(row.dropFirst()), x: number, y: y + 2 + i, style: theme.overlay, maxWidth: x + width - 1 - number)
        }
        buffer.put(footer, x: x + 2, y: y + height - 1, style: theme.overlay, maxWidth: width - 3)
    }
}
