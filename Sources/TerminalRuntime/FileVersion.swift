import Foundation

/// Which version of a file is on disk: inode, size and modification time to the nanosecond.
///
/// Why not just the modification date: a checkpoint is rewritten atomically (write a temporary file, rename
/// it over the old one), and two rewrites within one timestamp tick (or a writer that restores the mtime)
/// look alike by date; the rename always brings a new inode, and an in-place rewrite changes size or mtime.
struct FileVersion: Equatable {
    var device: UInt64
    var inode: UInt64
    var size: Int64
    var modifiedSeconds: Int
    var modifiedNanoseconds: Int

    /// nil when the file does not exist (yet).
    init?(path: String) {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        device = UInt64(info.st_dev)
        inode = UInt64(info.st_ino)
        size = Int64(info.st_size)
        modifiedSeconds = info.st_mtim.tv_sec
        modifiedNanoseconds = info.st_mtim.tv_nsec
    }
}
