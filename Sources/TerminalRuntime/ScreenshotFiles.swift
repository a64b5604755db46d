import FileIO
import Foundation
import TerminalUI

/// Writes a screen (`ScreenImage`'s PNG and text) to files: `S`'s `inpaint-screen-N.png` and `.txt`, and
/// `inpaint tui --screenshot FILE.png`. Both go through `AtomicFile`, so a reader never sees half a file.
public enum ScreenshotFiles {
    /// The first `inpaint-screen-N.png`/`.txt` pair (N = 1, 2, …) in `folder` of which neither file exists,
    /// so that no earlier screenshot is overwritten.
    public static func nextNames(in folder: URL) -> (png: URL, text: URL) {
        var n = 1
        while true {
            let png = folder.appendingPathComponent("inpaint-screen-\(n).png")
            let text = folder.appendingPathComponent("inpaint-screen-\(n).txt")
            if !FileManager.default.fileExists(atPath: png.path) && !FileManager.default.fileExists(atPath: text.path) {
                return (png, text)
            }
            n += 1
        }
    }

    /// The text file written beside `png`: the same name with `.txt` for `.png`.
    public static func textName(for png: URL) -> URL { png.deletingPathExtension().appendingPathExtension("txt") }

    /// Writes `screen` as `png` (and as text to `text`, when given).
    public static func write(_ screen: CellBuffer, png: URL, text: URL?) throws(DataError) {
        try AtomicFile.write(ScreenImage.png(screen), to: png)
        if let text { try AtomicFile.write(Array(ScreenImage.text(screen).utf8), to: text) }
    }

    /// `S`: writes `screen` under the next free names in `folder` and says where, or why it could not.
    static func save(_ screen: CellBuffer, in folder: URL) -> Message {
        guard screen.width > 0 && screen.height > 0 else { return .notice("screenshot: the screen is empty") }
        let (png, text) = nextNames(in: folder)
        do {
            try write(screen, png: png, text: text)
            // Named as the user would type them: bare in the current folder, else in full.
            func shown(_ url: URL) -> String { folder.relativePath == "." ? url.lastPathComponent : url.path }
            return .notice("screen saved: \(shown(png)) and \(shown(text))")
        } catch {
            return .notice("screenshot failed: \(error)")
        }
    }
}
