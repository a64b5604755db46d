import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A one-thread HTTP/1.0 server on 127.0.0.1 for downloader tests: never the internet.
final class TinyHTTPServer: @unchecked Sendable {
    enum Reply: Sendable {
        case body([UInt8])
        /// Claims the whole length in Content-Length, sends only `sent` bytes, then closes.
        case cut([UInt8], sent: Int)
        case status(Int)
        /// No Content-Length, and bytes until the client hangs up.
        case endless
        /// Content-Length `length`, then one byte every `interval` seconds.
        case trickle(length: Int, interval: TimeInterval)
        /// A full header and `sent` bytes of a longer body, then silence for `pause` seconds.
        case stall(length: Int, sent: Int, pause: TimeInterval)
        /// 302 to `location`.
        case redirect(String)
    }

    let port: UInt16
    private let listener: Int32
    private let routes: [String: Reply]
    private let thread: Thread?

    init(routes: [String: Reply]) throws {
        self.routes = routes
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0  // any free port
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 8) == 0 else { close(fd); throw POSIXError(.EADDRINUSE) }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        port = UInt16(bigEndian: address.sin_port)
        listener = fd
        let routesCopy = routes
        thread = Thread {
            while true {
                let client = accept(fd, nil, nil)
                if client < 0 { return }  // listener shut down
                TinyHTTPServer.serve(client, routes: routesCopy)
            }
        }
        thread?.start()
    }

    var baseURL: URL { URL(string: "http://127.0.0.1:\(port)/files/")! }

    func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }

    private static func serve(_ client: Int32, routes: [String: Reply]) {
        defer { close(client) }
        var request: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !request.ends(with: [13, 10, 13, 10]) {
            let n = read(client, &buffer, buffer.count)
            if n <= 0 { return }
            request += buffer[0..<n]
        }
        let line = String(decoding: request.prefix { $0 != 13 }, as: UTF8.self)
        let path = line.split(separator: " ").dropFirst().first.map(String.init) ?? "/"
        switch routes[path] ?? .status(404) {
        case .body(let body):
            send(client, header(200, length: body.count) + body)
        case .cut(let body, let sent):
            send(client, header(200, length: body.count) + body.prefix(sent))
        case .status(let code):
            let text = Array("no such file\n".utf8)
            send(client, header(code, length: text.count) + text)
        case .endless:
            guard send(client, Array("HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nConnection: close\r\n\r\n".utf8)) else { return }
            let chunk = [UInt8](repeating: 7, count: 1 << 16)
            while send(client, chunk) {}
        case .trickle(let length, let interval):
            guard send(client, header(200, length: length)) else { return }
            for _ in 0 ..< length {
                Thread.sleep(forTimeInterval: interval)
                guard send(client, [1]) else { return }
            }
        case .stall(let length, let sent, let pause):
            guard send(client, header(200, length: length) + [UInt8](repeating: 2, count: sent)) else { return }
            Thread.sleep(forTimeInterval: pause)
        case .redirect(let location):
            send(client, Array("HTTP/1.1 302 Found\r\nLocation: \(location)\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".utf8))
        }
    }

    private static func header(_ code: Int, length: Int) -> [UInt8] {
        let reason = code == 200 ? "OK" : code == 404 ? "Not Found" : "Error"
        return Array("HTTP/1.1 \(code) \(reason)\r\nContent-Length: \(length)\r\nContent-Type: application/octet-stream\r\nConnection: close\r\n\r\n".utf8)
    }

    /// False once the client has gone (MSG_NOSIGNAL: no SIGPIPE for the test process).
    @discardableResult
    private static func send(_ client: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBufferPointer { Glibc.send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return false }
            offset += n
        }
        return true
    }
}

private extension Array where Element == UInt8 {
    func ends(with suffix: [UInt8]) -> Bool { count >= suffix.count && Array(self[(count - suffix.count)...]) == suffix }
}
