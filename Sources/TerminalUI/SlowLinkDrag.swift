/// What a frame may leave for later while the hand drags over a thin link (the driver's `FramePacer` says
/// when the link is slow): the panels that change almost everywhere with every motion — the reconstruction
/// and the encoder's maps — keep what they show until the release, whose frame draws them exactly. The
/// masked input (the hole under the hand) and the composite (the fill in it) are drawn with every frame.
///
/// Why: at 8 KB/s a frame is ~0.7 s of link per 5 KB, and the one in flight when the hand lets go must
/// arrive before the release's own. Measured on scripts/tui_slowlink_settle.py's drag at 120×40 (frames of
/// the fast link 0.25 s apart): the reconstruction panel was 121 of the ~300 cells a frame changed, and
/// 141 of the ~190 cells the release frame changed (the exact answer replacing GrayHysteresis's held
/// levels), while the panel before the drag and after the release differed in 113 cells: drawn once at
/// the release, it costs less than drawn all along.
public enum SlowLinkDrag {
    /// The panels whose drawing waits: those that change everywhere when the hole moves.
    static let deferredPanels: [PanelKind] = [.reconstruction, .features]

    /// The screen rectangles (digit cells, titles excluded) to hold during the drag in `state`; none when
    /// there is no drag. The panel the drag is on is never held: the hand's own panel answers it.
    public static func heldRegions(_ state: AppState) -> [Rect] {
        guard let drag = state.drag else { return [] }
        let layout = state.layout
        guard !layout.tooSmall else { return [] }
        let size = DigitPanel.size(side: layout.side)
        return deferredPanels.compactMap { kind in
            guard kind != drag.panel, let placement = layout.placement(of: kind) else { return nil }
            return Rect(x: placement.x, y: placement.digitY, width: size.width, height: size.height)
        }
    }
}
