import Foundation
import Testing
@testable import Simulator
#if canImport(Glibc)
import Glibc
#endif

/// A stand-in resolver on 127.0.0.1 that answers every query with its own bytes and the QR bit set (NXDOMAIN when
/// the name has an odd length, to see response codes come back), over UDP or TCP.
final class EchoResolver: @unchecked Sendable {
    let fd: Int32
    let port: UInt16
    let tcp: Bool
    private var thread: Thread?

    init(tcp: Bool) throws {
        self.tcp = tcp
        let fd = socket(AF_INET, tcp ? Int32(SOCK_STREAM.rawValue) : Int32(SOCK_DGRAM.rawValue), 0)
        self.fd = fd
        // A roomy receive buffer: on a loaded machine the serving thread may not run for a while, and the default
        // buffer of a loopback UDP socket drops datagrams after a few hundred.
        var size: Int32 = 4 << 20
        _ = setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        var sa = sockaddr_in()
        sa.sin_family = sa_family_t(AF_INET)
        sa.sin_port = 0
        sa.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
        let ok = withUnsafePointer(to: &sa) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        guard ok == 0 else { throw SimulatorError(.output("bind failed")) }
        if tcp { listen(fd, 4) }
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &sa) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
        port = UInt16(bigEndian: sa.sin_port)
        let t = Thread { [self] in self.serve() }
        thread = t
        t.start()
    }

    static func reply(_ m: inout [UInt8]) {
        m[2] |= 0x80
        m[3] = (m[3] & 0xF0) | 0x80 | (m.count % 2 == 1 ? 3 : 0)
    }

    func serve() {
        var buf = [UInt8](repeating: 0, count: 4096)
        if !tcp {
            while true {
                var from = sockaddr_in()
                var len = socklen_t(MemoryLayout<sockaddr_in>.size)
                let n = buf.withUnsafeMutableBytes { b in
                    withUnsafeMutablePointer(to: &from) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { recvfrom(fd, b.baseAddress, b.count, 0, $0, &len) } }
                }
                if n <= 0 { return }
                var m = Array(buf[0..<n])
                Self.reply(&m)
                _ = m.withUnsafeBytes { b in withUnsafePointer(to: &from) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { sendto(fd, b.baseAddress, b.count, 0, $0, len) } } }
            }
        }
        let c = accept(fd, nil, nil)
        if c < 0 { return }
        var pending: [UInt8] = []
        while true {
            let n = buf.withUnsafeMutableBytes { recv(c, $0.baseAddress, $0.count, 0) }
            if n <= 0 { close(c); return }
            pending += buf[0..<n]
            while pending.count >= 2 {
                let len = Int(pending[0]) << 8 | Int(pending[1])
                guard pending.count >= 2 + len else { break }
                var m = Array(pending[2..<(2 + len)])
                pending.removeFirst(2 + len)
                Self.reply(&m)
                let framed = [UInt8(m.count >> 8), UInt8(m.count & 0xFF)] + m
                _ = framed.withUnsafeBytes { send(c, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            }
        }
    }

    func stop() { shutdown(fd, Int32(SHUT_RDWR)); close(fd) }
}

@Suite(.serialized) struct LiveDriveTests {
    @Test(arguments: [LiveDriveOptions.Transport.udp, .tcp])
    func everyQueryIsAnswered(_ transport: LiveDriveOptions.Transport) throws {
        let server = try EchoResolver(tcp: transport == .tcp)
        defer { server.stop() }
        let options = LiveDriveOptions(host: "127.0.0.1", port: server.port, transport: transport, rate: 10_000, count: 3000, timeoutSeconds: 5)
        let r = try Simulator.drive(scenario: try Fixtures.tiny(), seed: 7, options: options)
        #expect(r.sent == 3000)
        #expect(r.answered + r.unanswered == 3000)
        // Loopback UDP may drop a datagram under load; TCP may not.
        if transport == .tcp { #expect(r.answered == 3000) } else { #expect(r.answered >= 2900) }
        #expect(r.unmatched == 0)
        #expect((r.rcodes["NOERROR"] ?? 0) > 0 && (r.rcodes["NXDOMAIN"] ?? 0) > 0)
        #expect(r.rttMicros["p50"] ?? -1 >= 0)
    }

    @Test func badAddressIsAnArgumentError() throws {
        let e = #expect(throws: SimulatorError.self) {
            try Simulator.drive(scenario: try Fixtures.tiny(), seed: 7, options: LiveDriveOptions(host: "resolver.example", port: 53))
        }
        #expect(e?.description.contains("not an IPv4 address") == true)
    }
}
