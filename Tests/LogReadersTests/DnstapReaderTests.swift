import DNSWire
import DNSightCore
import Foundation
import Testing
@testable import LogReaders

@Suite struct DnstapReaderTests {
    let file = Shared.capture("unbound-resolver-rpz.dnstap")

    /// The frames of the shared Unbound capture: (control/data, bytes as on the wire).
    func frames() throws -> [FrameStreams.Frame] {
        var d = FrameStreams.Decoder()
        d.append(try Data(contentsOf: URL(fileURLWithPath: file)))
        var out = [FrameStreams.Frame]()
        while let f = try d.next() { out.append(f) }
        return out
    }

    func encode(_ frames: [FrameStreams.Frame]) -> [UInt8] {
        frames.flatMap { f -> [UInt8] in
            switch f {
            case .control(let c): return c.encoded
            case .data(let d): return FrameStreams.encodeData(d)
            }
        }
    }

    @Test func readsUnboundCaptureAsClientTransactions() throws {
        let (events, d) = try Shared.read(DnstapFileReader(), try ByteInput(path: file))
        // 107 CLIENT_QUERY + 107 CLIENT_RESPONSE pair into 107 transactions; the 106 forwarder messages are skipped.
        #expect(events.count == 107)
        #expect(d.recordsRead == 320)
        #expect(d.skipped["dnstap upstream message (FORWARDER_QUERY)"] == 53)
        #expect(d.skipped["dnstap upstream message (FORWARDER_RESPONSE)"] == 53)
        #expect(d.malformedCount == 0)
        #expect(events.filter { $0.rcode != nil }.count == 107)
        #expect(events.filter { $0.transport == .tcp }.count == 1)
        // The first transaction, as `dnstap-ldns -y` prints it.
        let e = events[0]
        #expect(e.queryName.presentation == "bad31927.malware.example.")
        #expect(e.queryType == .a)
        #expect(e.clientAddress?.description == "127.0.0.1" && e.clientPort == 57344)
        #expect(e.serverPort == 5303)
        #expect(e.transport == .udp)
        #expect(e.rcode == .nxDomain)
        #expect(e.responseTimeMicros == 58)
        #expect(e.timeNanos == 1_795_867_361_066_792_000)
        #expect(e.position.file == file && e.position.byteOffset > 0)
    }

    @Test func agreesWithDnstapLdns() throws {
        // `dnstap-ldns` (Debian dnstap-ldns) prints one line per message: time, type, address, protocol, size, name.
        let out = try Shared.run("dnstap-ldns -r '\(file)'")
        let cq = out.split(separator: "\n").filter { $0.split(separator: " ")[2] == "CQ" }
        let names = cq.map { line -> String in
            let quoted = line.split(separator: "\"")[1]
            return String(quoted)
        }
        let (events, _) = try Shared.read(DnstapFileReader(), try ByteInput(path: file))
        #expect(cq.count == 107)
        #expect(events.map(\.queryName.presentation).sorted() == names.map { $0.lowercased() }.sorted())
    }

    @Test func includeUpstreamReportsForwarderTraffic() throws {
        let (events, _) = try Shared.read(DnstapFileReader(includeUpstream: true), try ByteInput(path: file))
        #expect(events.count == 107 + 53)
    }

    @Test func corruptFramesAreCountedAndTheRestKept() throws {
        var fs = try frames()
        // Replace the 3rd data frame (a CLIENT_QUERY) with garbage, and truncate the file inside the last frame.
        let dataIdx = fs.indices.filter { if case .data = fs[$0] { return true } else { return false } }
        fs[dataIdx[2]] = .data([0x08, 0x96])  // field 1 varint truncated
        var bytes = encode(fs)
        bytes.removeLast(10)  // cuts the STOP frame: 12 bytes long
        let (events, d) = try Shared.read(DnstapFileReader(), try ByteInput(bytes: bytes, name: "cut.dnstap"))
        #expect(d.malformed["dnstap: protobuf: truncated varint"] == 1)
        #expect(d.malformed["Frame Streams: truncated frame at end of file"] == 1)
        // Every other client message is still there: the response whose query was lost is reported alone.
        #expect(events.count == 107)
        #expect(d.skipped["response without its query (reported alone)"] == 1)
        #expect(d.examples.first { $0.reason == "dnstap: protobuf: truncated varint" }?.position.byteOffset ?? 0 > 0)
    }

    @Test func wrongContentTypeAndNonDnstapInputAreErrors() throws {
        var fs = try frames()
        fs[0] = .control(FrameStreams.Control(type: .start, contentTypes: ["protobuf:other.Thing"]))
        #expect(throws: ReaderError(file: "x", byteOffset: 0, #"Frame Streams content type ["protobuf:other.Thing"] is not protobuf:dnstap.Dnstap"#)) {
            try Shared.read(DnstapFileReader(), try ByteInput(bytes: encode(fs), name: "x"))
        }
        #expect(throws: ReaderError.self) {
            try Shared.read(DnstapFileReader(), try ByteInput(bytes: Array("#fields\tts\tuid\n".utf8), name: "zeek.log"))
        }
        #expect(throws: ReaderError(file: "empty", byteOffset: 0, "not a dnstap Frame Streams file: no START control frame")) {
            try Shared.read(DnstapFileReader(), try ByteInput(bytes: [], name: "empty"))
        }
    }

    @Test func recordsRoundTripThroughTheEncoder() throws {
        for f in try frames() {
            guard case .data(let d) = f else { continue }
            let r = try DnstapRecord(decoding: d)
            #expect(try DnstapRecord(decoding: r.encoded) == r)
        }
        var rec = DnstapRecord(messageType: .clientResponse)
        rec.policy = .init(type: "rpz", rule: Array("bad.example.rpz.".utf8), match: 1, action: 1, value: nil)
        rec.responseMessage = [0]
        #expect(try DnstapRecord(decoding: rec.encoded).policy?.summary == "rpz NXDOMAIN match=QNAME rule=bad.example.rpz.")
    }
}
