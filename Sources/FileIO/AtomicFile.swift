import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Whole-file reads and the project's one atomic, durable write.
///
/// Every save (checkpoints, IDX files, masks, figures, downloads) goes through `write(to:_:)`: the bytes go
/// to a temporary file in the destination's own folder, which is flushed to disk (fsync) and renamed over the
/// destination (rename(2) is atomic within one file system), and then the folder itself is flushed, so that
/// the rename survives a power cut. A reader never sees half a file, an interrupted write leaves the old file
/// intact, and a replaced file keeps its permission bits.
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

    /// Writes `bytes` to `url` atomically and durably.
    public static func write(_ bytes: [UInt8], to url: URL) throws(DataError) {
        try write(to: url) { try $0.write(contentsOf: bytes) }
    }

    /// Writes UTF-8 text atomically and durably.
    public static func write(text: String, to url: URL) throws(DataError) {
        try write(Array(text.utf8), to: url)
    }

    /// Runs `body` on a temporary file beside `url` (so a large file can be written in chunks), then
    /// flushes it, renames it over `url` and flushes the folder. On any failure the temporary file is
    /// removed and `url` is untouched. Refuses a destination that is not a regular file (see
    /// `nonRegularFileKind`) and a folder that does not exist, with one line naming `url`.
    public static func write(to url: URL, _ body: (FileHandle) throws -> Void) throws(DataError) {
        if let problem = destinationProblem(url) { throw DataError(url.path, "cannot write: \(problem)") }
        let folder = url.deletingLastPathComponent()
        removeStaleTemporaries(of: url)
        let temporary = ownFile(beside: url, kind: "tmp")
        let fd = open(temporary.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
        guard fd >= 0 else {
            throw DataError(url.path, "cannot write: cannot create a file in \(folder.path) (\(errnoText()))")
        }
        // A replaced file keeps its mode (a 0600 checkpoint stays private).
        var existing = stat()
        if stat(url.path, &existing) == 0 { _ = fchmod(fd, existing.st_mode & 0o7777) }
        let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        do {
            try body(handle)
            try handle.synchronize()
            try handle.close()
        } catch {
            try? handle.close()
            unlink(temporary.path)
            throw DataError(url.path, "cannot write: \(errorReason(error))")
        }
        if rename(temporary.path, url.path) != 0 {
            let reason = errnoText()
            unlink(temporary.path)
            throw DataError(url.path, "cannot move the finished file into place: \(reason)")
        }
        // The rename lives in the folder: flush it too, or a crash can bring back the old file.
        let folderFD = open(folder.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if folderFD >= 0 { _ = fsync(folderFD); close(folderFD) }
    }

    /// Checks, before any work is done, that `write(to:)` could later replace `url`: the destination is absent
    /// or a regular file, its folder exists, and a file can be created there (a probe file is made and
    /// removed again, which catches read-only folders and file systems that permission bits do not show).
    /// Throws a one-line `DataError` naming `label` (e.g. "--out model.safetensors"), so that a run fails
    /// in its first second instead of after hours of training with nowhere to put the result.
    public static func checkWritable(_ url: URL, label: String) throws(DataError) {
        if let problem = destinationProblem(url) { throw DataError(label, problem) }
        let folder = url.deletingLastPathComponent()
        let probe = ownFile(beside: url, kind: "probe")
        let fd = open(probe.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw DataError(label, "cannot create a file in \(folder.path) (\(errnoText()))")
        }
        close(fd)
        unlink(probe.path)
    }

    /// True when `a` and `b` name the same existing file (same device and inode, whatever the links or
    /// spelling), so that a command can refuse to write its output over one of its inputs.
    public static func sameFile(_ a: URL, _ b: URL) -> Bool {
        var first = stat(), second = stat()
        guard stat(a.path, &first) == 0, stat(b.path, &second) == 0 else { return false }
        return first.st_dev == second.st_dev && first.st_ino == second.st_ino
    }

    /// Removes what an earlier writer of `url` left when it was killed mid-write (kill -9, a power cut):
    /// our own temporary and probe files, `.NAME.tmp-PID-N` and `.NAME.probe-PID-N`, whose process PID no
    /// longer exists. A paper checkpoint's leftover is 118 MB, and nothing else would ever remove it. Files
    /// of a live process (a concurrent writer) and any other name are left alone.
    /// Why nothing can be written to `url` at all, or nil: something that is not a regular file stands there
    /// (renaming over it would replace a device, a pipe or a folder), or its folder does not exist.
    private static func destinationProblem(_ url: URL) -> String? {
        if let kind = nonRegularFileKind(atPath: url.path) { return "expected a regular file to replace, found \(kind)" }
        let folder = url.deletingLastPathComponent()
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            return "expected the folder \(folder.path) to exist, found none"
        }
        return nil
    }

    /// A file of our own beside `url`, `.NAME.KIND-PID-N` (KIND "tmp" for a write in progress, "probe" for
    /// `checkWritable`): the one naming that `removeStaleTemporaries` recognises.
    private static func ownFile(beside url: URL, kind: String) -> URL {
        url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).\(kind)-\(getpid())-\(UInt32.random(in: 0 ... .max))")
    }

    static func removeStaleTemporaries(of url: URL) {
        let folder = url.deletingLastPathComponent()
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { return }
        for name in names {
            for kind in ["tmp", "probe"] {
                let prefix = ".\(url.lastPathComponent).\(kind)-"
                guard name.hasPrefix(prefix) else { continue }
                let fields = name.dropFirst(prefix.count).split(separator: "-")
                guard fields.count == 2, let pid = Int32(fields[0]), pid > 0, UInt32(fields[1]) != nil,
                      kill(pid, 0) != 0, errno == ESRCH else { continue }
                unlink(folder.appendingPathComponent(name).path)
            }
        }
    }

    private static func errnoText() -> String { String(cString: strerror(errno)) }
}
