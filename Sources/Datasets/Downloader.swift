import FileIO
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// One file to download and the MD5 it must have.
public struct DownloadItem: Sendable, Equatable {
    public var fileName: String
    public var md5: String
    public init(fileName: String, md5: String) { self.fileName = fileName; self.md5 = md5 }
}

/// How far a download has come; `expectedBytes` is nil when the server sent no Content-Length.
public struct DownloadProgress: Sendable, Equatable {
    public var fileName: String
    public var receivedBytes: Int
    public var expectedBytes: Int?
}

/// Downloads files over HTTP(S), checks their MD5 and writes them atomically: a file that fails its
/// checksum, comes back short, or answers with an HTTP error is never written.
public enum Downloader {
    /// The four official MNIST files and their published MD5 sums (as listed with the data in
    /// `../shared/data/mnist/README.md`; the same sums torchvision checks).
    public static let officialMNIST: [DownloadItem] = [
        DownloadItem(fileName: "train-images-idx3-ubyte.gz", md5: "f68b3c2dcbeaaa9fbdd348bbdeb94873"),
        DownloadItem(fileName: "train-labels-idx1-ubyte.gz", md5: "d53e105ee54ea40749a09fcbcd1e9432"),
        DownloadItem(fileName: "t10k-images-idx3-ubyte.gz", md5: "9fb629c4189551a2d022fa330f9573f3"),
        DownloadItem(fileName: "t10k-labels-idx1-ubyte.gz", md5: "ec29112dd5afa0611ce80d1b7f02629c"),
    ]

    /// torchvision's mirror of the MNIST files (yann.lecun.com no longer serves them reliably).
    public static let defaultBaseURL = URL(string: "https://ossci-datasets.s3.amazonaws.com/mnist/")!

    /// Downloads `item` from `baseURL` into `directory` (created if missing).
    ///
    /// - Parameter progress: called from a background thread as bytes arrive.
    /// - Returns: the written file.
    /// - Throws: `DataError` naming the URL for network and HTTP errors, a short body or an MD5 mismatch.
    @discardableResult
    public static func fetch(_ item: DownloadItem, from baseURL: URL, into directory: URL,
                             timeout: TimeInterval = 60,
                             progress: @escaping @Sendable (DownloadProgress) -> Void = { _ in })
        throws(DataError) -> URL
    {
        let url = baseURL.appendingPathComponent(item.fileName)
        let bytes = try download(url, fileName: item.fileName, timeout: timeout, progress: progress)
        let digest = MD5.hex(bytes)
        guard digest == item.md5.lowercased() else {
            throw DataError(url.absoluteString, "expected MD5 \(item.md5), found \(digest) "
                + "(\(grouped(bytes.count)) bytes); the file was not written")
        }
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw DataError(directory.path, "cannot create the data directory: \(error.localizedDescription)")
        }
        let destination = directory.appendingPathComponent(item.fileName)
        try AtomicFile.write(bytes, to: destination)
        return destination
    }

    /// The whole body of `url`, or an error; never a partial body.
    static func download(_ url: URL, fileName: String, timeout: TimeInterval,
                         progress: @escaping @Sendable (DownloadProgress) -> Void) throws(DataError) -> [UInt8] {
        let receiver = BodyReceiver(fileName: fileName, progress: progress)
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        let session = URLSession(configuration: configuration, delegate: receiver, delegateQueue: nil)
        defer { session.finishTasksAndInvalidate() }
        session.dataTask(with: url).resume()
        receiver.done.wait()
        let (body, status, expected, failure) = receiver.result()
        let where_ = url.absoluteString
        if let status, !(200..<300).contains(status) {
            throw DataError(where_, "expected HTTP 200, found HTTP \(status)")
        }
        if let failure { throw DataError(where_, "download failed after \(grouped(body.count)) bytes: \(failure)") }
        if let expected, expected >= 0, body.count != expected {
            throw DataError(where_, "expected \(grouped(expected)) bytes, found \(grouped(body.count)) "
                + "(connection closed early)")
        }
        return body
    }
}

/// Collects a response body on URLSession's delegate queue and signals when the task ends.
private final class BodyReceiver: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    let done = DispatchSemaphore(value: 0)
    private let lock = NSLock()
    private let fileName: String
    private let progress: @Sendable (DownloadProgress) -> Void
    private var body: [UInt8] = []
    private var status: Int?
    private var expected: Int?
    private var failure: String?

    init(fileName: String, progress: @escaping @Sendable (DownloadProgress) -> Void) {
        self.fileName = fileName
        self.progress = progress
    }

    func result() -> ([UInt8], Int?, Int?, String?) {
        lock.lock(); defer { lock.unlock() }
        return (body, status, expected, failure)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
                    completionHandler: @escaping (URLSession.ResponseDisposition) -> Void) {
        lock.lock()
        status = (response as? HTTPURLResponse)?.statusCode
        let length = response.expectedContentLength
        expected = length >= 0 ? Int(length) : nil
        let ok = status.map { (200..<300).contains($0) } ?? true
        lock.unlock()
        // Do not bother reading an error page.
        completionHandler(ok ? .allow : .cancel)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        lock.lock()
        body.append(contentsOf: data)
        let report = DownloadProgress(fileName: fileName, receivedBytes: body.count, expectedBytes: expected)
        lock.unlock()
        progress(report)
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: Error?) {
        lock.lock()
        if let error, status.map({ (200..<300).contains($0) }) ?? true {
            failure = error.localizedDescription
        }
        lock.unlock()
        done.signal()
    }
}
