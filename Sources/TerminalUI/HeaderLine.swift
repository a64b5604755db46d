import Foundation

/// The top line: what is training (the preset, the network's shape and where its weights came from: never
/// left out), which digit, the hole, the mode, and what does not fit. Each part has shorter forms, used
/// in a fixed order until the line fits the terminal (80 columns take the short ones), so that the note of
/// hidden panels is never the part cut off. The hole's numbers have a fixed width in every form, so a drag
/// rewrites only the digits that changed and never makes the line pick another form.
func drawHeader(_ state: AppState, into buffer: inout CellBuffer, theme: Theme) {
    var x = 0
    for part in HeaderLine.parts(state, width: buffer.width) {
        x = buffer.put(part.text, x: x, y: 0, style: part.role.style(theme))
    }
}

enum HeaderLine {
    enum Role { case title, accent, text, dim, warning
        func style(_ theme: Theme) -> TextStyle {
            switch self {
            case .title: theme.title
            case .accent: theme.accent
            case .text: theme.text
            case .dim: theme.dim
            case .warning: theme.warning
            }
        }
    }

    /// One part of the line in its forms, longest first; an empty form leaves the part out.
    struct Part {
        var forms: [String]
        var role: Role
        var form = 0
        var text: String { forms[min(form, forms.count - 1)] }
    }

    /// The parts in their chosen forms for a line of `width` cells.
    static func parts(_ state: AppState, width: Int) -> [(text: String, role: Role)] {
        var parts: [String: Part] = [:]
        let order = ["title", "preset", "model", "digit", "hole", "mode", "presenter", "models", "hidden"]
        parts["title"] = Part(forms: ["inpaint"], role: .title)
        if let preset = state.preset { parts["preset"] = Part(forms: [" · \(preset)"], role: .accent) }
        let lead = state.preset == nil ? "  " : ": "
        if state.comparison.isActive {
            // Every network of the comparison, not model 0's alone (the panels carry the same names).
            let names = state.comparison.names
            // Where a model's panels are hidden the "models" part names the one shown (model 1/2), enough when short.
            let shortest = state.layout.hiddenModels.isEmpty ? [String]() : [""]
            parts["model"] = Part(forms: [lead + names.joined(separator: " vs "), lead + "\(names.count) models"] + shortest,
                                  role: .accent)
        } else if let model = state.model {
            parts["model"] = Part(forms: model.headerForms.map { lead + $0 }, role: .accent)
        }
        if let index = state.digitIndex {
            let label = state.library.labels[index]
            let number = "\(index + 1)/\(state.library.count)"
            let group = state.library.groupName(of: index).map { ", \($0)" } ?? ""
            let known = label >= 0
            let kind = state.library.dataset
            let phrase = known ? kind.classPhrase(label) : ""
            parts["digit"] = Part(forms: ["  \(kind.itemNoun) \(number)" + (known ? " (\(phrase)\(group))" : ""),
                                          "  \(kind.itemNoun) \(number)" + (known ? " (\(phrase))" : ""),
                                          "  \(number)" + (known ? " (\(phrase))" : "")], role: .text)
        } else {
            parts["digit"] = Part(forms: ["  your drawing", "  drawing"], role: .text)
        }
        if let h = state.hole {
            parts["hole"] = Part(forms: [String(format: "  hole %2d×%-2d at row %2d, col %2d", h.height, h.width, h.top, h.left),
                                         String(format: "  hole %2d×%-2d @%2d,%2d", h.height, h.width, h.top, h.left)],
                                 role: .dim)
        } else {
            let holes = state.mask.reduce(0) { $0 + ($1 < 0.5 ? 1 : 0) }
            parts["hole"] = Part(forms: holes == 0 ? ["  no hole"] : [String(format: "  hole %3d px painted", holes),
                                                                      String(format: "  hole %3d px", holes)],
                                 role: .dim)
        }
        parts["mode"] = Part(forms: ["  mode: \(state.mode.rawValue)", "  \(state.mode.rawValue)"], role: .accent)
        if state.presenter { parts["presenter"] = Part(forms: ["  presenter", ""], role: .accent) }
        parts["models"] = comparisonHeaderPart(state)
        let hidden = state.layout.hiddenPanels
        if !hidden.isEmpty {
            parts["hidden"] = Part(forms: ["  too small for: " + hidden.map(\.title).joined(separator: ", ")], role: .warning)
        }
        // Shorter forms first for what is easiest to do without, then whole parts left out.
        // What is training ("model") only shortens: it is never left out.
        let steps = ["models", "model", "mode", "digit", "hole", "digit", "models", "model", "presenter", "mode", "hole",
                     "digit", "model", "preset"]
        func length() -> Int { parts.values.reduce(0) { $0 + $1.text.count } }
        for name in steps where length() > width {
            guard var part = parts[name] else { continue }
            if part.form < part.forms.count - 1 { part.form += 1; parts[name] = part } else if name != "model" { parts[name] = nil }
        }
        return order.compactMap { parts[$0] }.map { ($0.text, $0.role) }
    }
}
