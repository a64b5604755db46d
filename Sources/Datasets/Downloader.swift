import FileIO
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// One file to download, the MD5 it must have and, when known, its size in bytes (the most that will be read).
public struct DownloadItem: Sendable, Equatable {
    public var fileName: String
    public var md5: String
    public var size: Int?
    public init(fileName: String, md5: String, size: Int? = nil) { self.fileName = fileName; self.md5 = md5; self.size = size }
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
    /// Sizes: the official files' (the t10k ones checked against `../shared/data/mnist`; that folder's
    /// training files are a subset, so the training sizes are the published ones).
    public static let officialMNIST: [DownloadItem] = [
        DownloadItem(fileName: "train-images-idx3-ubyte.gz", md5: "f68b3c2dcbeaaa9fbdd348bbdeb94873", size: 9_912_422),
        DownloadItem(fileName: "train-labels-idx1-ubyte.gz", md5: "d53e105ee54ea40749a09fcbcd1e9432", size: 28_881),
        DownloadItem(fileName: "t10k-images-idx3-ubyte.gz", md5: "9fb629c4189551a2d022fa330f9573f3", size: 1_648_877),
        DownloadItem(fileName: "t10k-labels-idx1-ubyte.gz", md5: "ec29112dd5afa0611ce80d1b7f02629c", size: 4_542),
    ]

    /// The most bytes read for a file of unknown size: an endless body took 8 GB in 20 s (issue 15).
    public static let maximumUnknownSize = 64 << 20

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
        let bytes = try download(url, fileName: item.fileName, timeout: timeout,
                                 maximumBytes: item.size ?? maximumUnknownSize, progress: progress)
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
    ///
    /// Bounded (issue 15): `timeout` is the longest wait for data (a stall); the whole transfer must end
    /// within 10 × `timeout` (a trickle of one byte every 2 s never stalls); at most `maximumBytes` are read
    /// (an endless body or a `Content-Encoding: gzip` bomb is cut there); a redirect to another host is
    /// refused and named; the body is asked for as it is (`Accept-Encoding: identity`).
    static func download(_ url: URL, fileName: String, timeout: TimeInterval, maximumBytes: Int = maximumUnknownSize,
                         progress: @escaping @Sendable (DownloadProgress) -> Void) throws(DataError) -> [UInt8] {
        // Whole seconds, at least 1: a 0.3 s request timeout fired at once on Linux's URLSession (measured).
        let timeout = max(1, timeout.rounded(.up))
        let receiver = BodyReceiver(fileName: fileName, host: url.host ?? "", timeout: timeout, maximumBytes: maximumBytes,
                                    progress: progress)
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        let session = URLSession(configuration: configuration, delegate: receiver, delegateQueue: nil)
        defer { session.finishTasksAndInvalidate() }
        var request = URLRequest(url: url)
        request.setValue("identity", forHTTPHeaderField: "Accept-Encoding")
        let task = session.dataTask(with: request)
        task.resume()
        let deadline = 10 * timeout
        let where_ = url.absoluteString
        if receiver.done.wait(timeout: .now() + deadline) == .timedOut {
            receiver.refuse("did not finish within \(seconds(deadline)) (10 × the \(seconds(timeout)) timeout)")
            task.cancel()
            receiver.done.wait()
        }
        let (body, status, expected, failure, refusal) = receiver.result()
        if let refusal { throw DataError(where_, "\(refusal); received \(grouped(body.count)) bytes, nothing written") }
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
    /// Why the download was stopped on purpose (too big, too slow, another host); reported first.
    private var refusal: String?
    private let host: String
    private let timeout: TimeInterval
    private let maximumBytes: Int

    init(fileName: String, host: String, timeout: TimeInterval, maximumBytes: Int,
         progress: @escaping @Sendable (DownloadProgress) -> Void) {
        self.fileName = fileName
        self.host = host
        self.timeout = timeout
        self.maximumBytes = maximumBytes
        self.progress = progress
    }

    func result() -> ([UInt8], Int?, Int?, String?, String?) {
        lock.lock(); defer { lock.unlock() }
        return (body, status, expected, failure, refusal)
    }

    /// Records the first reason to stop.
    func refuse(_ reason: String) {
        lock.lock()
        if refusal == nil { refusal = reason }
        lock.unlock()
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
                    newRequest request: URLRequest, completionHandler: @escaping (URLRequest?) -> Void) {
        let target = request.url?.host ?? ""
        if target.lowercased() == host.lowercased() { completionHandler(request); return }
        refuse("redirected to \(request.url?.absoluteString ?? "another host"); not following a redirect to another host")
        completionHandler(nil)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
                    completionHandler: @escaping (URLSession.ResponseDisposition) -> Void) {
        lock.lock()
        status = (response as? HTTPURLResponse)?.statusCode
        let length = response.expectedContentLength
        expected = length >= 0 ? Int(length) : nil
        let ok = status.map { (200..<300).contains($0) } ?? true
        let tooBig = expected.map { $0 > maximumBytes } ?? false
        lock.unlock()
        if tooBig {
            refuse("the server announces \(grouped(expected!)) bytes, expected at most \(grouped(maximumBytes))")
        }
        // Do not bother reading an error page.
        completionHandler(ok && !tooBig ? .allow : .cancel)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        lock.lock()
        let tooBig = body.count + data.count > maximumBytes
        if !tooBig { body.append(contentsOf: data) }
        let report = DownloadProgress(fileName: fileName, receivedBytes: body.count, expectedBytes: expected)
        lock.unlock()
        if tooBig {
            refuse("expected at most \(grouped(maximumBytes)) bytes, found more")
            dataTask.cancel()
            return
        }
        progress(report)
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: Error?) {
        lock.lock()
        if let error, status.map({ (200..<300).contains($0) }) ?? true {
            // "NSURLErrorDomain error -1001" said nothing: a stall is a timeout waiting for data.
            if (error as? URLError)?.code == .timedOut || (error as NSError).code == NSURLErrorTimedOut {
                failure = "timed out after \(seconds(timeout)) waiting for data from \(host)"
            } else {
                failure = error.localizedDescription
            }
        }
        lock.unlock()
        done.signal()
    }
}

/// "30 s", "0.5 s".
private func seconds(_ value: TimeInterval) -> String { String(format: "%g s", value) }
