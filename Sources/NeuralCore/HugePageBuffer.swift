import Glibc

/// Bytes for weights that one inference pass reads whole, aligned to 2 MB pages and marked for transparent
/// huge pages (`MADV_HUGEPAGE`) where the kernel grants them: a forward of the paper model reads all of its
/// channel-wise weights, thousands of 4 KB pages, more than the TLB holds, and with 2 MB pages the same bytes
/// are a handful (7–16% less time per forward of the layer on the machine of issue 4 §3; docs/RESULTS.md,
/// issue 16). Below one page, plain `malloc`. Shared by `HalfPrecisionWeights` and `Int8Weights`.
final class HugePageBuffer {
    let raw: UnsafeMutableRawPointer
    let byteCount: Int

    /// At least one byte, uninitialised.
    init(byteCount: Int) {
        let bytes = max(byteCount, 1)
        self.byteCount = bytes
        let page = 2 << 20
        var aligned: UnsafeMutableRawPointer?
        if bytes >= page, posix_memalign(&aligned, page, (bytes + page - 1) / page * page) == 0, let aligned {
            _ = madvise(aligned, (bytes + page - 1) / page * page, MADV_HUGEPAGE)  // a hint; 4 KB pages when refused
            raw = aligned
        } else {
            raw = malloc(bytes)!
        }
    }

    deinit { free(raw) }
}
