import DNSightApp
import Foundation
import LogReaders
import Testing

/// `dnsight analyze` over a large dnstap file read in chunks by several workers (queries and responses paired across
/// the cuts after the chunks) gives the same answer as reading it whole; with a store the file is read whole, so its
/// checkpoint stays one resumable stream.
@Suite(.serialized) struct ChunkedBinaryAnalyzeTests {
    /// A DNS message with one question (type A): a query, or a response with one A answer and `rcode`.
    static func dns(_ name: String, id: UInt16, response: Bool, rcode: UInt8 = 0) -> [UInt8] {
        let flags: UInt16 = response ? 0x8180 | UInt16(rcode) : 0x0100
        var m: [UInt8] = [UInt8(id >> 8), UInt8(id & 0xFF), UInt8(flags >> 8), UInt8(flags & 0xFF), 0, 1, 0, response ? 1 : 0, 0, 0, 0, 0]
        for label in name.split(separator: ".") { m.append(UInt8(label.utf8.count)); m += Array(label.utf8) }
        m += [0, 0, 1, 0, 1]
        if response { m += [0xC0, 12, 0, 1, 0, 1, 0, 0, 0, 30, 0, 4, 192, 0, 2, 1] }
        return m
    }

    /// Queries from eight devices, answered two to forty records later (so many pairs straddle a cut), some never.
    static func write(to dir: URL) throws -> String {
        var bytes = FrameStreams.Control(type: .start, contentTypes: [FrameStreams.dnstapContentType]).encoded
        let names = ["abc-hobbies.com", "www.example.com", "lockbit-decryptor.com", "mail.example.org", "cdn.example.net"]
        var waiting = [(due: Int, record: DnstapRecord)]()
        func record(_ i: Int, response: Bool) -> DnstapRecord {
            var r = DnstapRecord(messageType: response ? .clientResponse : .clientQuery)
            r.socketFamily = 1
            r.socketProtocol = 1
            r.queryAddress = [10, 0, UInt8(i % 2), UInt8(1 + i % 8)]
            r.responseAddress = [10, 9, 9, 9]
            r.queryPort = UInt16(20000 + i % 1000)
            r.responsePort = 53
            let name = i % 37 == 0 ? names[i % 3 == 0 ? 0 : 2] : names[1 + i % 4]
            r.queryTimeSec = UInt64(1_656_000_000 + i / 10)
            r.queryTimeNsec = UInt32(i % 10) * 100_000_000
            if response {
                r.responseTimeSec = r.queryTimeSec
                r.responseTimeNsec = r.queryTimeNsec! + 5_000
                r.responseMessage = dns(name, id: UInt16(i % 65536), response: true, rcode: i % 11 == 0 ? 3 : 0)
            } else {
                r.queryMessage = dns(name, id: UInt16(i % 65536), response: false)
            }
            return r
        }
        for i in 0..<4000 {
            bytes += FrameStreams.encodeData(record(i, response: false).encoded)
            if i % 17 != 0 { waiting.append((i + 2 + (i * 7) % 39, record(i, response: true))) }
            while let j = waiting.firstIndex(where: { $0.due <= i }) {
                bytes += FrameStreams.encodeData(waiting.remove(at: j).record.encoded)
            }
        }
        for w in waiting { bytes += FrameStreams.encodeData(w.record.encoded) }
        bytes += FrameStreams.Control(type: .stop).encoded
        let path = dir.appendingPathComponent("big.dnstap").path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// The detections as (query, client, rcode, offset) lines, sorted.
    static func evidence(_ path: String) throws -> [String] {
        try ChunkedAnalyzeTests.detections(path) { o, e in "\(o["query"]!) \(o["client"]!) \(o["rcode"] ?? "-") offset \(e["offset"]!)" }
    }

    @Test func chunkedDnstapGivesTheSameAnswerAsTheWholeFile() throws {
        let dir = try AnalyzeTests.fixture()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = try Self.write(to: dir)
        var whole = ChunkedAnalyzeTests.config(dir, log: file, chunk: 0, threads: 1)
        whole.detectionsPath = dir.appendingPathComponent("whole.jsonl").path
        let a = try AnalyzeJob.run(whole)
        #expect(a.events == 4000)
        #expect(a.detections > 100)
        #expect(a.inputs.first?.skippedRecords["query without a response (reported alone)"] == 4000 / 17 + 1)
        for (chunk, threads) in [(20 << 10, 1), (20 << 10, 2), (64 << 10, 2)] {
            var chunked = ChunkedAnalyzeTests.config(dir, log: file, chunk: chunk, threads: threads)
            chunked.detectionsPath = dir.appendingPathComponent("chunked.jsonl").path
            let b = try AnalyzeJob.run(chunked)
            if threads > 1 { #expect(b.detectorStateScope?.contains("dnstap and pcap files are read in chunks") == true) }
            #expect(b.events == a.events && b.detections == a.detections && b.allowlisted == a.allowlisted)
            #expect(b.devicesSeen == a.devicesSeen && b.organisationsSeen == a.organisationsSeen && b.affectedDevices == a.affectedDevices)
            #expect(b.malformed == a.malformed && b.attribution == a.attribution)
            #expect(b.inputs.first?.records == a.inputs.first?.records && b.inputs.first?.events == a.inputs.first?.events)
            #expect(b.inputs.first?.skippedRecords == a.inputs.first?.skippedRecords)
            #expect(try Self.evidence(chunked.detectionsPath!) == Self.evidence(whole.detectionsPath!))
        }
    }

    @Test func withAStoreTheFileIsReadWholeAndARerunSkipsIt() throws {
        let dir = try AnalyzeTests.fixture()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = try Self.write(to: dir)
        var c = ChunkedAnalyzeTests.config(dir, log: file, chunk: 20 << 10, threads: 2)
        c.storePath = dir.appendingPathComponent("store.sqlite").path
        let a = try AnalyzeJob.run(c)
        #expect(a.events == 4000)
        let b = try AnalyzeJob.run(c)
        #expect(b.inputs.first?.skipped == "already ingested into the store")
        #expect(b.events == 0)
    }
}
