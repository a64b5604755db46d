#if canImport(Glibc)
import Glibc
#endif

/// What stands at `path` when it is something an atomic write must not replace: nil when nothing is
/// there or it is a regular file (symbolic links are followed).
///
/// Atomic writes rename a temporary file over the destination. Pointed at `/dev/null`, a pipe or a
/// directory, that rename would replace the device itself (this happened once on a shared machine,
/// breaking every program that needed `/dev/null`), so the writers refuse such destinations instead.
public func nonRegularFileKind(atPath path: String) -> String? {
    var info = stat()
    guard stat(path, &info) == 0 else { return nil }
    switch info.st_mode & S_IFMT {
    case S_IFREG: return nil
    case S_IFDIR: return "a directory"
    case S_IFCHR: return "a character device"
    case S_IFBLK: return "a block device"
    case S_IFIFO: return "a pipe"
    case S_IFSOCK: return "a socket"
    default: return "not a regular file"
    }
}
