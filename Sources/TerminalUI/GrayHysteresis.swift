import Inpainting

/// Keeps a pixel's shown gray level while a drag streams new reconstructions, unless the new value has
/// moved clearly away from it.
///
/// Why: every drag frame costs bytes for every cell whose colour changed (two 256-colour SGR sequences,
/// ~22 bytes, per changed '▀' cell). A value sitting near the boundary between two of the 26 levels flips
/// between them from one motion to the next, which is flicker, not information. During a drag a pixel keeps
/// its shown value while the new value lies within `levels` of the shown level's intensity (in units of
/// one xterm gray step, 10/255); with `dragLevels` = 1.5 a shown pixel is at most 1.5 levels (6 % of full
/// scale) off, and only while the mouse moves: the release asks for a fresh reconstruction, shown exactly.
///
/// Measured with the bundled model on the scripted drag of `scripts/tui_drag_bytes.sh`: in the pure view
/// diff, 0.6 cut the reconstruction panel's changed cells by 9 %, 1.0 by 30 %, 1.5 by 46 %; on the wire
/// (with AnsiFrameEncoder) 1.0 → 1.5 took a drag frame from 2,454 to 2,104 bytes.
public enum GrayHysteresis {
    /// One step of the xterm gray ramp (232–255 are 8 + 10·k), as a fraction of full scale.
    static let levelStep: Float = 10 / 255

    /// How far (in levels) a value must move from the shown level before the shown value changes while
    /// dragging.
    public static let dragLevels: Float = 1.5

    /// new, shown: [784] → [784]: `new`, except that pixels whose shown level is within `levels` of the
    /// new value keep their shown value. No `shown` (the first reconstruction) gives `new`.
    public static func stabilize(_ new: [Float], shown: [Float]?, levels: Float) -> [Float] {
        guard let shown, shown.count == new.count, levels > 0 else { return new }
        let tolerance = levels * levelStep
        var result = new
        for i in 0..<new.count {
            let shownIntensity = Float(GrayPalette.intensities[GrayPalette.level(for: shown[i])]) / 255
            if abs(new[i] - shownIntensity) <= tolerance { result[i] = shown[i] }
        }
        return result
    }
}
