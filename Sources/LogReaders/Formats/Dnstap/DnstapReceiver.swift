import DNSightCore
import Foundation

/// Listens on a Unix or TCP socket for dnstap senders (Unbound, Knot, BIND, PowerDNS, dnsdist) using
/// bidirectional Frame Streams — READY → ACCEPT → START → data … → STOP → FINISH — and hands every
/// transaction to a callback.
///
/// Each connection is served on its own thread with blocking I/O; the number of connections at once is capped and
/// every frame is bounded by ``FrameStreams`` limits. A sender that breaks the protocol is disconnected and counted.
public final class DnstapReceiver: @unchecked Sendable {
    /// Where to listen.
    public enum Endpoint: Sendable, CustomStringConvertible {
        /// A Unix domain socket path (an existing socket file is replaced).
        case unix(String)
        /// A TCP address and port (port 0 picks a free port; see ``boundPort``).
        case tcp(host: String, port: UInt16)
        public var description: String {
            switch self {
            case .unix(let p): return "unix:\(p)"
            case .tcp(let h, let p): return "tcp:\(h):\(p)"
            }
        }
    }

    /// The endpoint.
    public let endpoint: Endpoint
    /// The most senders served at once.
    public let maxConnections: Int
    /// Options for turning records into events.
    public let includeUpstream: Bool
    private let listenFD: Int32
    /// The TCP port actually bound (for `.tcp(port: 0)`).
    public let boundPort: UInt16?
    private let lock = NSLock()
    private var _diagnostics = ReaderDiagnostics()
    private var active = 0
    private var stopped = false
    private var connectionFDs = Set<Int32>()
    private let done = DispatchGroup()

    /// Opens the listening socket.
    public init(endpoint: Endpoint, maxConnections: Int = 64, includeUpstream: Bool = false) throws {
        self.endpoint = endpoint
        self.maxConnections = maxConnections
        self.includeUpstream = includeUpstream
        switch endpoint {
        case .unix(let path):
            let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
            guard fd >= 0 else { throw ReaderError(file: endpoint.description, "socket: \(String(cString: strerror(errno)))") }
            unlink(path)
            var addr = sockaddr_un()
            addr.sun_family = sa_family_t(AF_UNIX)
            let bytes = Array(path.utf8)
            guard bytes.count < MemoryLayout.size(ofValue: addr.sun_path) else { close(fd); throw ReaderError(file: path, "socket path too long") }
            withUnsafeMutableBytes(of: &addr.sun_path) { p in for (i, b) in bytes.enumerated() { p[i] = b } }
            let rc = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) } }
            guard rc == 0, listen(fd, 16) == 0 else {
                let e = String(cString: strerror(errno)); close(fd)
                throw ReaderError(file: path, "cannot listen: \(e)")
            }
            listenFD = fd
            boundPort = nil
        case .tcp(let host, let port):
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            guard fd >= 0 else { throw ReaderError(file: endpoint.description, "socket: \(String(cString: strerror(errno)))") }
            var one: Int32 = 1
            setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
            var addr = sockaddr_in()
            addr.sin_family = sa_family_t(AF_INET)
            addr.sin_port = port.bigEndian
            guard inet_pton(AF_INET, host, &addr.sin_addr) == 1 else { close(fd); throw ReaderError(file: endpoint.description, "not an IPv4 address: \(host)") }
            let rc = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
            guard rc == 0, listen(fd, 16) == 0 else {
                let e = String(cString: strerror(errno)); close(fd)
                throw ReaderError(file: endpoint.description, "cannot listen: \(e)")
            }
            var bound = sockaddr_in()
            var len = socklen_t(MemoryLayout<sockaddr_in>.size)
            _ = withUnsafeMutablePointer(to: &bound) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
            listenFD = fd
            boundPort = UInt16(bigEndian: bound.sin_port)
        }
    }

    /// What the receiver has counted so far, over every connection.
    public var diagnostics: ReaderDiagnostics { lock.withLock { _diagnostics } }

    /// Accepts senders until ``stop()``; blocks the calling thread. `handler` is called from connection threads
    /// (one at a time per connection; connections run concurrently).
    public func run(handler: @escaping @Sendable (DNSEvent) -> Void) {
        while true {
            let fd = accept(listenFD, nil, nil)
            if fd < 0 {
                if errno == EINTR { continue }
                return  // closed by stop()
            }
            let admitted: Bool = lock.withLock {
                if stopped || active >= maxConnections { return false }
                active += 1
                connectionFDs.insert(fd)
                return true
            }
            guard admitted else {
                lock.withLock { _diagnostics.skipped("dnstap sender refused: too many connections") }
                close(fd)
                continue
            }
            done.enter()
            Thread.detachNewThread { [self] in
                serve(fd, handler: handler)
                lock.withLock { active -= 1; connectionFDs.remove(fd) }
                close(fd)
                done.leave()
            }
        }
    }

    /// Stops accepting, closes every connection (after the frames already received are handled) and waits for them.
    public func stop() {
        let fds: Set<Int32> = lock.withLock { stopped = true; return connectionFDs }
        shutdown(listenFD, Int32(SHUT_RDWR))
        close(listenFD)
        for fd in fds { shutdown(fd, Int32(SHUT_RD)) }
        done.wait()
        if case .unix(let path) = endpoint { unlink(path) }
    }

    private func send(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var off = 0
        while off < bytes.count {
            let n = bytes.withUnsafeBytes { Foundation.send(fd, $0.baseAddress! + off, bytes.count - off, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { if errno == EINTR { continue }; return false }
            off += n
        }
        return true
    }

    private func serve(_ fd: Int32, handler: @Sendable (DNSEvent) -> Void) {
        let name = "\(endpoint)#\(fd)"
        var decoder = FrameStreams.Decoder()
        var builder = DnstapEventBuilder(includeUpstream: includeUpstream)
        var local = ReaderDiagnostics()
        var state = 0  // 0 expecting READY (or START from a unidirectional sender), 1 expecting START, 2 streaming
        var buf = [UInt8](repeating: 0, count: 1 << 16)
        var emitted = 0
        let emit: (DNSEvent) -> Void = { e in emitted += 1; handler(e) }
        func fail(_ why: String) { local.malformed("dnstap connection: \(why)", at: SourcePosition(file: name, byteOffset: decoder.offset)) }
        connection: while true {
            let n = buf.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { if state == 2 { fail("closed without STOP") }; break }
            decoder.append(buf[0..<n])
            while true {
                let frame: FrameStreams.Frame?
                do { frame = try decoder.next() } catch { fail(error.message); break connection }
                guard let frame else { break }
                switch (state, frame) {
                case (0, .control(let c)) where c.type == .ready:
                    guard c.contentTypes.contains(FrameStreams.dnstapContentType) else {
                        fail("sender offers \(c.contentTypes), not \(FrameStreams.dnstapContentType)")
                        break connection
                    }
                    guard send(fd, FrameStreams.Control(type: .accept, contentTypes: [FrameStreams.dnstapContentType]).encoded) else { break connection }
                    state = 1
                case (0, .control(let c)) where c.type == .start, (1, .control(let c)) where c.type == .start:
                    if !c.contentTypes.isEmpty && !c.contentTypes.contains(FrameStreams.dnstapContentType) {
                        fail("START content type \(c.contentTypes)")
                        break connection
                    }
                    state = 2
                case (2, .data(let d)):
                    builder.handle(frame: d, position: SourcePosition(file: name, byteOffset: decoder.offset), diagnostics: &local, emit: emit)
                case (2, .control(let c)) where c.type == .stop:
                    _ = send(fd, FrameStreams.Control(type: .finish).encoded)
                    break connection
                default:
                    fail("unexpected frame in state \(["awaiting READY", "awaiting START", "streaming"][state])")
                    break connection
                }
            }
            // Hand over counts as we go so that a live reader sees them.
            local.eventsEmitted = emitted
            emitted = 0
            lock.withLock { _diagnostics.merge(local) }
            local = ReaderDiagnostics()
        }
        builder.pairer.flush(emit: emit)
        builder.pairer.record(into: &local)
        local.eventsEmitted = emitted
        lock.withLock { _diagnostics.merge(local) }
    }
}
