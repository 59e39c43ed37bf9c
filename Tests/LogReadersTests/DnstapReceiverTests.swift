import DNSWire
import DNSightCore
import Foundation
import Testing
@testable import LogReaders

/// The dnstap receiver takes a live stream from a real Unbound (Debian's `unbound`), with the bidirectional
/// Frame Streams handshake Unbound performs.
@Suite(.serialized) struct DnstapReceiverTests {
    final class Collected: @unchecked Sendable {
        let lock = NSLock()
        var events: [DNSEvent] = []
        func add(_ e: DNSEvent) { lock.withLock { events.append(e) } }
        var snapshot: [DNSEvent] { lock.withLock { events } }
    }

    static func freePort() -> UInt16 {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        defer { close(fd) }
        var a = sockaddr_in()
        a.sin_family = sa_family_t(AF_INET)
        a.sin_addr.s_addr = inet_addr("127.0.0.1")
        _ = withUnsafePointer(to: &a) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &a) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
        return UInt16(bigEndian: a.sin_port)
    }

    @Test func receivesALiveStreamFromUnbound() throws {
        let dir = try Shared.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let sock = dir.appendingPathComponent("dnstap.sock").path
        let receiver = try DnstapReceiver(endpoint: .unix(sock))
        let got = Collected()
        let server = Thread { receiver.run { got.add($0) } }
        server.start()

        let port = Self.freePort()
        let conf = """
        server:
          interface: 127.0.0.1
          port: \(port)
          do-daemonize: no
          chroot: ""
          username: ""
          directory: "\(dir.path)"
          pidfile: "\(dir.path)/unbound.pid"
          use-syslog: no
          logfile: "\(dir.path)/unbound.log"
          module-config: "iterator"
          access-control: 127.0.0.0/8 allow
          local-zone: "dnsight.test." static
          local-data: "hello.dnsight.test. 60 IN A 192.0.2.7"
        remote-control:
          control-enable: no
        dnstap:
          dnstap-enable: yes
          dnstap-bidirectional: yes
          dnstap-socket-path: "\(sock)"
          dnstap-send-identity: yes
          dnstap-identity: "dnsight-test"
          dnstap-log-client-query-messages: yes
          dnstap-log-client-response-messages: yes
        """
        try conf.write(toFile: dir.appendingPathComponent("unbound.conf").path, atomically: true, encoding: .utf8)
        let unbound = Process()
        unbound.executableURL = URL(fileURLWithPath: "/usr/sbin/unbound")
        unbound.arguments = ["-d", "-c", dir.appendingPathComponent("unbound.conf").path]
        try unbound.run()
        defer { if unbound.isRunning { unbound.terminate(); unbound.waitUntilExit() } }

        // Ask until Unbound answers, then ask the two names the test checks.
        var up = false
        for _ in 0..<50 where !up {
            up = try Shared.run("dig +time=1 +tries=1 @127.0.0.1 -p \(port) hello.dnsight.test A +short").contains("192.0.2.7")
            if !up { Thread.sleep(forTimeInterval: 0.1) }
        }
        #expect(up, "unbound did not answer: \((try? String(contentsOfFile: dir.path + "/unbound.log", encoding: .utf8)) ?? "")")
        try Shared.run("dig +time=1 +tries=1 @127.0.0.1 -p \(port) missing.dnsight.test AAAA")

        // Unbound flushes dnstap on its own schedule; stopping it sends the rest and a STOP frame.
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline && !got.snapshot.contains(where: { $0.queryName.presentation == "missing.dnsight.test." }) {
            Thread.sleep(forTimeInterval: 0.1)
        }
        unbound.terminate()
        unbound.waitUntilExit()
        Thread.sleep(forTimeInterval: 0.2)
        receiver.stop()

        let events = got.snapshot
        let hello = events.filter { $0.queryName.presentation == "hello.dnsight.test." }
        let missing = events.first { $0.queryName.presentation == "missing.dnsight.test." }
        #expect(!hello.isEmpty)
        #expect(hello.allSatisfy { $0.rcode == .noError && $0.answers.first?.address == IPAddress("192.0.2.7") && $0.clientAddress == IPAddress("127.0.0.1") })
        #expect(missing?.rcode == .nxDomain)
        #expect(missing?.queryType == .aaaa)
        #expect(missing?.serverPort == port)
        let d = receiver.diagnostics
        #expect(d.malformedCount == 0, "\(d.examples)")
        #expect(d.eventsEmitted == events.count)
    }

    @Test func refusesASenderOfAnotherContentType() throws {
        let receiver = try DnstapReceiver(endpoint: .tcp(host: "127.0.0.1", port: 0))
        let server = Thread { receiver.run { _ in } }
        server.start()
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var a = sockaddr_in()
        a.sin_family = sa_family_t(AF_INET)
        a.sin_port = receiver.boundPort!.bigEndian
        a.sin_addr.s_addr = inet_addr("127.0.0.1")
        let rc = withUnsafePointer(to: &a) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        #expect(rc == 0)
        let ready = FrameStreams.Control(type: .ready, contentTypes: ["protobuf:something.Else"]).encoded
        _ = ready.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
        var b = [UInt8](repeating: 0, count: 64)
        let n = b.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        #expect(n == 0)  // closed without ACCEPT
        close(fd)
        Thread.sleep(forTimeInterval: 0.1)
        receiver.stop()
        #expect(receiver.diagnostics.malformed[#"dnstap connection: sender offers ["protobuf:something.Else"], not protobuf:dnstap.Dnstap"#] == 1)
    }
}
