import DNSightCore
import Foundation
import Testing
@testable import LogReaders

/// Replays every input the reader fuzzers ever crashed on (`Fuzz/FailCases/read-*`) through the fuzz targets'
/// properties: the reader fails as a whole with a ReaderError, or the events it emits match its counters.
@Suite struct ReaderFuzzRegressionTests {
    static var failCases: URL {
        var u = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { u.deleteLastPathComponent() }
        return u.appendingPathComponent("Fuzz/FailCases")
    }

    static func cases(_ target: String) -> [String] {
        let dir = failCases.appendingPathComponent(target)
        return ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).sorted().map { dir.appendingPathComponent($0).path }
    }

    func replay<R: EventReader>(_ path: String, _ reader: R) throws {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        var r = reader
        var d = ReaderDiagnostics()
        var events = 0
        do {
            try r.read(try ByteInput(bytes: bytes, name: path), diagnostics: &d) { _ in events += 1 }
            #expect(events == d.eventsEmitted, "\(path)")
        } catch let e as ReaderError {
            #expect(!e.message.isEmpty)
        }
    }

    @Test func pcapCases() throws {
        let cases = Self.cases("read-pcap")
        #expect(!cases.isEmpty)
        for c in cases { try replay(c, PcapReader(dnsPorts: [53, 5353])) }
    }

    @Test func pcapngTimestampOverflowIsClamped() throws {
        // The first finding: a pcapng packet whose 64-bit timestamp overflowed when scaled to nanoseconds.
        let path = Self.failCases.appendingPathComponent("read-pcap/pcapng-timestamp-overflow").path
        var source = try PacketSource(try ByteInput(bytes: [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))), name: "x"))
        var d = ReaderDiagnostics()
        var times = [Int64]()
        // The file breaks its framing after the packet; the packet before the break is still read.
        #expect(throws: ReaderError.self) {
            while let p = try source.next(diagnostics: &d) { times.append(p.timeNanos) }
        }
        #expect(!times.isEmpty)
        #expect(times.allSatisfy { $0 >= 0 })
    }

    @Test func dnstapCases() throws {
        for c in Self.cases("read-dnstap") { try replay(c, DnstapFileReader()) }
    }
}
