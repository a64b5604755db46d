import Foundation

/// Bytes this thread has passed to write(2), read from Linux's per-thread I/O accounting
/// (`/proc/thread-self/io`, field `wchar`).
///
/// Why this and not a wrapped FILE: ncurses 6 flushes its own output buffer with write(2) on the
/// descriptor behind the FILE given to `newterm`, so a `fopencookie` stream would never see a byte. Read
/// before and after `doupdate` on the main thread, the difference is exactly what ncurses sent to the
/// terminal for that frame (nothing else writes from the main thread in between).
///
/// The counter belongs to the thread that opened it (`thread-self` is resolved at open), so make one per
/// frame: after `dispatchMain()` the main queue is drained by whichever Dispatch worker is free, not by the
/// main thread, so consecutive frames may run on different threads. Where the file does not exist (not
/// Linux, no task accounting) `bytesWritten` is nil.
final class ThreadWriteCounter {
    private let descriptor: Int32
    private var buffer = [UInt8](repeating: 0, count: 512)

    init() { descriptor = open("/proc/thread-self/io", O_RDONLY | O_CLOEXEC) }

    deinit { if descriptor >= 0 { close(descriptor) } }

    /// The thread's `wchar` so far, or nil when unavailable.
    var bytesWritten: Int? {
        guard descriptor >= 0 else { return nil }
        let count = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { return nil }
        // The file is "rchar: N\nwchar: N\n…"; find the line after the first newline.
        let text = buffer[0..<count]
        guard let newline = text.firstIndex(of: UInt8(ascii: "\n")) else { return nil }
        var value = 0
        var sawDigit = false
        for byte in text[(newline + 1)...] {
            if byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") {
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
                sawDigit = true
            } else if sawDigit {
                break
            }
        }
        return sawDigit ? value : nil
    }
}
