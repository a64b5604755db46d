import CBuildInfo

/// The program's version, kept here only: `inpaint --version` prints it, and the Makefile reads this line
/// for the man page and the Debian package (`make deb`).
let inpaintVersion = "0.1.0"

/// "0.1.0 (revision 3ff7998c1a2b)" when `make` built the binary from a git checkout ("-dirty" after it
/// when tracked files differed from the commit), else "0.1.0 (unknown revision)": a plain `swift build` in
/// a tree where make never ran, or a tree without git. A plain build after a `make` in the same tree
/// reports the revision that make recorded (.build/inpaint-revision.h), which may be older than HEAD.
var inpaintVersionLine: String {
    let revision = String(cString: inpaint_build_revision())
    return "\(inpaintVersion) (\(revision.isEmpty ? "unknown revision" : "revision \(revision)"))"
}
