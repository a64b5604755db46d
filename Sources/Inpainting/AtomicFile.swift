import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Whole-file reads and atomic writes.
///
/// A write goes to a temporary file in the destination's own folder and is then renamed over the
/// destination (rename(2) is atomic within one file system), so a reader never sees half a file and an
/// interrupted write leaves the old file intact.
public enum AtomicFile {
    /// Reads a whole file; a missing or unreadable file is a `DataError` naming it.
    public static func read(_ url: URL) throws(DataError) -> [UInt8] {
        let name = url.lastPathComponent
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw DataError(url.path, "no such file")
        }
        if isDirectory.boolValue { throw DataError(url.path, "expected a file, found a directory") }
        do {
            return [UInt8](try Data(contentsOf: url))
        } catch {
            throw DataError(name, "cannot read: \(error.localizedDescription)")
        }
    }

    /// Writes `bytes` to `url` atomically (temporary file in the same folder + rename).
    public static func write(_ bytes: [UInt8], to url: URL) throws(DataError) {
        let folder = url.deletingLastPathComponent()
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw DataError(url.path, "cannot write: expected the folder \(folder.path) to exist, found none")
        }
        let temporary = folder.appendingPathComponent(
            ".\(url.lastPathComponent).tmp-\(getpid())-\(UInt32.random(in: 0 ... .max))")
        do {
            try Data(bytes).write(to: temporary)
        } catch {
            throw DataError(url.path, "cannot write: \(error.localizedDescription)")
        }
        if rename(temporary.path, url.path) != 0 {
            let reason = String(cString: strerror(errno))
            unlink(temporary.path)
            throw DataError(url.path, "cannot move the finished file into place: \(reason)")
        }
    }

    /// Writes UTF-8 text atomically.
    public static func write(text: String, to url: URL) throws(DataError) {
        try write(Array(text.utf8), to: url)
    }
}
