import ArgumentParser
import Datasets
import FileIO
import Foundation
import Inpainting
#if canImport(Glibc)
import Glibc
#endif

/// `inpaint data fetch`: downloads the four official MNIST files, checking their published MD5 sums.
struct DataFetchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fetch",
        abstract: "Download the four official MNIST files (MD5-checked, written atomically).",
        discussion: "Files go into --data DIR, or else the program's data directory "
            + "($XDG_DATA_HOME/inpaint, default ~/.local/share/inpaint). A file that is already there with "
            + "the right checksum is kept.")

    @Option(name: .customLong("data"), help: ArgumentHelp("Folder to download into.", valueName: "dir"))
    var directory: String?

    @Option(help: ArgumentHelp("Where the files are served (the four official names are appended).",
                               valueName: "url"))
    var baseURL: String = Downloader.defaultBaseURL.absoluteString

    @Option(help: "Seconds without data before a download is abandoned; a file not finished within 10 × this is abandoned too.")
    var timeout: Double = 60

    func validate() throws {
        guard let url = URL(string: baseURL), let scheme = url.scheme, ["http", "https"].contains(scheme) else {
            throw ValidationError("--base-url: expected an http:// or https:// URL, found \"\(baseURL)\"")
        }
        guard timeout > 0 else { throw ValidationError("--timeout: expected a positive number of seconds, found \(timeout)") }
    }

    func run() throws {
        let target = directory.map { URL(fileURLWithPath: $0, isDirectory: true) }
            ?? DataLocator().userDataDirectory
        var base = URL(string: baseURL)!
        if !base.absoluteString.hasSuffix("/") { base = URL(string: base.absoluteString + "/")! }
        let showBar = isatty(STDERR_FILENO) == 1
        // One bad file should not stop the others: report each, fail at the end.
        var failures: [String] = []
        for item in Downloader.officialMNIST {
            let existing = target.appendingPathComponent(item.fileName)
            if let bytes = try? Data(contentsOf: existing), MD5.hex([UInt8](bytes)) == item.md5 {
                print("\(item.fileName): already present, checksum OK")
                continue
            }
            let bar = ProgressBar(enabled: showBar)
            do {
                let written = try Downloader.fetch(item, from: base, into: target, timeout: timeout) { bar.show($0) }
                bar.finish()
                print("\(item.fileName): MD5 OK, written to \(written.path)")
            } catch {
                bar.finish()
                FileHandle.standardError.write(Data("Error: \(error)\n".utf8))
                failures.append(item.fileName)
            }
        }
        if !failures.isEmpty {
            throw DataError("inpaint data fetch", "expected 4 verified files, \(failures.count) failed: "
                + failures.joined(separator: ", "))
        }
    }
}

/// A one-line progress bar on stderr, drawn only when stderr is a terminal.
final class ProgressBar: @unchecked Sendable {
    private let enabled: Bool
    private var lastPercent = -1
    private let lock = NSLock()

    init(enabled: Bool) { self.enabled = enabled }

    func show(_ p: DownloadProgress) {
        guard enabled else { return }
        lock.lock(); defer { lock.unlock() }
        let megabytes = String(format: "%.1f", Double(p.receivedBytes) / 1_048_576)
        var line: String
        if let total = p.expectedBytes, total > 0 {
            let percent = min(100, p.receivedBytes * 100 / total)
            guard percent != lastPercent else { return }
            lastPercent = percent
            let filled = percent * 30 / 100
            line = "\(p.fileName) [\(String(repeating: "#", count: filled))\(String(repeating: ".", count: 30 - filled))] "
                + "\(percent)% \(megabytes)/\(String(format: "%.1f", Double(total) / 1_048_576)) MB"
        } else {
            line = "\(p.fileName) \(megabytes) MB"
        }
        FileHandle.standardError.write(Data(("\r" + line + "\u{1B}[K").utf8))
    }

    func finish() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}
