import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How to drive a resolver live with a scenario's queries.
public struct LiveDriveOptions: Sendable, Codable {
    /// UDP (one socket) or TCP (one connection, pipelined, RFC 1035 length prefixes).
    public enum Transport: String, Sendable, Codable, CaseIterable { case udp, tcp }
    /// The resolver's IPv4 address.
    public var host: String
    /// Its port.
    public var port: UInt16
    /// The transport.
    public var transport: Transport
    /// Queries per second to send (the pace is kept by the clock, not by the answers).
    public var rate: Double
    /// How many queries to send: the scenario's first transactions, in time order.
    public var count: Int
    /// How long to wait for the last answers.
    public var timeoutSeconds: Double

    /// Creates options.
    public init(host: String = "127.0.0.1", port: UInt16 = 53, transport: Transport = .udp, rate: Double = 1000, count: Int = 10_000,
                timeoutSeconds: Double = 2) {
        self.host = host
        self.port = port
        self.transport = transport
        self.rate = rate
        self.count = count
        self.timeoutSeconds = timeoutSeconds
    }
}

/// What a live drive sent and got back.
public struct LiveDriveSummary: Sendable, Codable {
    /// Queries sent.
    public var sent: Int
    /// Answers matched to a query (by transaction id).
    public var answered: Int
    /// Queries with no answer within the timeout.
    public var unanswered: Int
    /// Answers that matched no waiting query, or that could not be read.
    public var unmatched: Int
    /// Answers by response code (`NOERROR`, `NXDOMAIN`, `SERVFAIL`…).
    public var rcodes: [String: Int]
    /// Seconds from the first query to the last answer (or the timeout).
    public var seconds: Double
    /// Queries per second actually sent.
    public var sendRate: Double
    /// Round-trip times in microseconds: median, 90th and 99th percentile, maximum.
    public var rttMicros: [String: Int]
}

extension Simulator {
    /// Sends a scenario's queries (its first `count` transactions, in time order, as a stub would send them) to a
    /// resolver at a fixed rate over UDP or TCP, and measures the answers. Writes no files.
    public static func drive(scenario: Scenario, seed: UInt64, options: LiveDriveOptions,
                             dga: any DGANameSource = DetectorsDGA()) throws(SimulatorError) -> LiveDriveSummary {
        guard options.rate > 0, options.count > 0 else { throw SimulatorError(.argument("the rate and the count must be positive")) }
        var address = in_addr()
        guard inet_pton(AF_INET, options.host, &address) == 1 else {
            throw SimulatorError(.argument("'\(options.host)' is not an IPv4 address"))
        }
        // The queries: the scenario's first transactions.
        let state = try SimState(scenario: scenario, seed: seed, dga: dga)
        var generator = TrafficGenerator(state: state)
        var batch = DayBatch(day: state.period.first)
        var wire = WireEncoder()
        var labels: [Int] = []
        var queries: [[UInt8]] = []
        queries.reserveCapacity(options.count)
        var day = state.period.first
        while queries.count < options.count && day <= state.period.last {
            generator.generate(day: day, into: &batch)
            let context = WriteContext(state)
            for var e in batch.events where queries.count < options.count {
                e.txid = UInt16(truncatingIfNeeded: queries.count)
                wire.query(e, context, &labels)
                queries.append(wire.buf)
            }
            day += 1
        }
        var driver = try LiveDriver(address: address, options: options)
        return try driver.run(queries)
    }
}

/// The socket side of a live drive.
struct LiveDriver {
    let fd: Int32
    let options: LiveDriveOptions
    var sendTimes = [Int64](repeating: -1, count: 65_536)
    var rtts: [Int64] = []
    var rcodes: [String: Int] = [:]
    var unmatched = 0
    var inbox: [UInt8] = []

    init(address: in_addr, options: LiveDriveOptions) throws(SimulatorError) {
        self.options = options
        let fd = socket(AF_INET, options.transport == .udp ? Int32(SOCK_DGRAM.rawValue) : Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw SimulatorError(.output("socket: \(String(cString: strerror(errno)))")) }
        // Answers arrive in bursts while the sending loop runs; a roomy receive buffer keeps them from being dropped
        // before the receiving thread reads them (the kernel caps it at net.core.rmem_max).
        var rcvbuf: Int32 = 4 << 20
        _ = setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, socklen_t(MemoryLayout<Int32>.size))
        var sa = sockaddr_in()
        sa.sin_family = sa_family_t(AF_INET)
        sa.sin_port = options.port.bigEndian
        sa.sin_addr = address
        let r = withUnsafePointer(to: &sa) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard r == 0 else {
            let why = String(cString: strerror(errno))
            close(fd)
            throw SimulatorError(.output("cannot connect to \(options.host):\(options.port) over \(options.transport.rawValue): \(why)"))
        }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        self.fd = fd
    }

    static func now() -> Int64 {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return Int64(t.tv_sec) * 1_000_000_000 + Int64(t.tv_nsec)
    }

    /// Records one answer.
    mutating func answer(_ m: UnsafeRawBufferPointer, at t: Int64) {
        guard m.count >= 12, m[2] & 0x80 != 0 else { unmatched += 1; return }
        let id = Int(m[0]) << 8 | Int(m[1])
        let sent = sendTimes[id]
        guard sent >= 0 else { unmatched += 1; return }
        sendTimes[id] = -1
        rtts.append((t - sent) / 1000)
        let rcode: String
        switch m[3] & 0x0F {
        case 0: rcode = "NOERROR"
        case 2: rcode = "SERVFAIL"
        case 3: rcode = "NXDOMAIN"
        case 5: rcode = "REFUSED"
        default: rcode = "RCODE\(m[3] & 0x0F)"
        }
        rcodes[rcode, default: 0] += 1
    }

    /// Reads whatever has arrived.
    mutating func drain() {
        var buf = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = buf.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            if n <= 0 { return }
            let t = Self.now()
            if options.transport == .udp {
                buf.withUnsafeBytes { answer(UnsafeRawBufferPointer(rebasing: $0[0..<n]), at: t) }
            } else {
                inbox.append(contentsOf: buf[0..<n])
                var start = 0
                while inbox.count - start >= 2 {
                    let len = Int(inbox[start]) << 8 | Int(inbox[start + 1])
                    guard inbox.count - start - 2 >= len else { break }
                    inbox.withUnsafeBytes { answer(UnsafeRawBufferPointer(rebasing: $0[(start + 2)..<(start + 2 + len)]), at: t) }
                    start += 2 + len
                }
                inbox.removeFirst(start)
            }
        }
    }

    mutating func send(_ q: [UInt8]) throws(SimulatorError) {
        var framed = q
        if options.transport == .tcp { framed = [UInt8(q.count >> 8), UInt8(truncatingIfNeeded: q.count)] + q }
        var off = 0
        while off < framed.count {
            let n = framed.withUnsafeBytes { socketSend(fd, $0.baseAddress! + off, $0.count - off) }
            if n < 0 {
                if errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR { drain(); continue }
                if options.transport == .udp && errno == ECONNREFUSED { return }  // nobody listening (yet): the query is lost
                throw SimulatorError(.output("send: \(String(cString: strerror(errno)))"))
            }
            off += n
        }
    }

    mutating func run(_ queries: [[UInt8]]) throws(SimulatorError) -> LiveDriveSummary {
        defer { close(fd) }
        let start = Self.now()
        let gap = 1e9 / options.rate
        for (i, q) in queries.enumerated() {
            let due = start + Int64(Double(i) * gap)
            while true {
                let t = Self.now()
                if t >= due { break }
                drain()
                if due - t > 200_000 { usleep(UInt32(min((due - t) / 1000 - 100, 10_000))) }
            }
            sendTimes[Int(q[0]) << 8 | Int(q[1])] = Self.now()
            try send(q)
            drain()
        }
        let sentDone = Self.now()
        let deadline = sentDone + Int64(options.timeoutSeconds * 1e9)
        while rtts.count < queries.count && Self.now() < deadline {
            drain()
            usleep(500)
        }
        let end = Self.now()
        let sorted = rtts.sorted()
        func pct(_ p: Double) -> Int { sorted.isEmpty ? 0 : Int(sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]) }
        return LiveDriveSummary(sent: queries.count, answered: rtts.count, unanswered: queries.count - rtts.count, unmatched: unmatched,
                                rcodes: rcodes, seconds: Double(end - start) / 1e9,
                                sendRate: Double(queries.count) / max(Double(sentDone - start) / 1e9, 1e-9),
                                rttMicros: ["p50": pct(0.5), "p90": pct(0.9), "p99": pct(0.99), "max": sorted.last.map { Int($0) } ?? 0])
    }
}

/// `send(2)` without SIGPIPE (a name the driver's own `send` does not shadow).
@inline(__always) func socketSend(_ fd: Int32, _ p: UnsafeRawPointer, _ n: Int) -> Int {
    send(fd, p, n, Int32(MSG_NOSIGNAL))
}
