import Foundation

/// An error in something that came from outside the program: a data file, a masks file, a download.
///
/// The message is one line that names the file (or URL, or flag), what was expected and what was found,
/// so that the command line can print it as it is: `file.gz: expected …, found …`.
public struct DataError: Error, Sendable, Equatable, CustomStringConvertible, LocalizedError {
    /// The file, URL or flag the problem is about (a file is shown by its last path component).
    public var subject: String
    /// What is wrong, e.g. "expected magic 0x00000803 (idx3 images), found 0x00000801".
    public var problem: String

    public init(_ subject: String, _ problem: String) {
        self.subject = subject
        self.problem = problem
    }

    public var description: String { subject.isEmpty ? problem : "\(subject): \(problem)" }
    public var errorDescription: String? { description }
}

/// Formats a count with thousands separators ("7,840,016"), independent of the locale so that error
/// messages and tests read the same everywhere.
public func grouped(_ value: Int) -> String {
    let digits = String(value.magnitude)
    var out = ""
    for (i, ch) in digits.enumerated() {
        if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
        out.append(ch)
    }
    return value < 0 ? "-" + out : out
}

/// A short reason from a Foundation error, without its multi-line userInfo dump ("No space left on device").
public func errorReason(_ error: Error) -> String {
    if let posix = (error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError, posix.domain == NSPOSIXErrorDomain,
       let message = strerror(Int32(posix.code)) {
        return String(cString: message)
    }
    let text = (error as NSError).localizedDescription
    return text.split(separator: "\n").first.map(String.init) ?? "unknown error"
}
