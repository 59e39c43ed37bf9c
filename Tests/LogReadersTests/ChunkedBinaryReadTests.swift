import DNSWire
import DNSightCore
import Foundation
import Testing
@testable import LogReaders

/// dnstap and classic pcap files cut at record starts (``BinaryChunker``), each chunk read on its own and the pairs
/// across cuts settled afterwards, give exactly the events and counters of reading the file whole — on the real
/// captures and on synthetic traffic with responses late by many records, retransmissions, duplicate and orphan
/// responses, and responses after the pairing timeout.
@Suite struct ChunkedBinaryReadTests {
    /// Reads `path` whole.
    static func readWhole(_ path: String, _ format: LogFormat, _ options: ReaderOptions) throws -> ([DNSEvent], ReaderDiagnostics) {
        var reader = try format.makeReader(options: options)
        var events = [DNSEvent](), d = ReaderDiagnostics()
        try reader.read(try ByteInput(path: path), diagnostics: &d) { events.append($0) }
        return (events, d)
    }

    /// Reads `path` in chunks of about `chunkBytes` and settles the pairs across cuts, as `ParallelIngest` does;
    /// nil when the file is not cut.
    static func readChunked(_ path: String, _ format: LogFormat, _ options: ReaderOptions, chunkBytes: Int) throws -> (events: [DNSEvent], diagnostics: ReaderDiagnostics, chunks: Int)? {
        let size = try FileManager.default.attributesOfItem(atPath: path)[.size] as! Int
        guard let b = try BinaryChunker.boundaries(path: path, size: size, chunkBytes: chunkBytes, format: format, dnsPorts: options.dnsPorts) else { return nil }
        var events = [DNSEvent](), d = ReaderDiagnostics(), leftovers = [PairingLeftovers]()
        let last = b.cuts.count - 2
        // Read in reverse order: chunks must not depend on each other's reading order.
        var perChunk = [[DNSEvent]](repeating: [], count: last + 1)
        var lefts = [PairingLeftovers](repeating: PairingLeftovers(), count: last + 1)
        for k in (0...last).reversed() {
            var chunk = FileChunk(index: k, range: b.cuts[k]..<b.cuts[k + 1], header: k > 0 && !b.header.isEmpty ? [b.header] : [], isLast: k == last)
            chunk.queriesBefore = b.queriesBefore[k]
            var reader = try format.makeChunkReader(options: options, chunk: chunk)
            var cd = ReaderDiagnostics()
            try reader.read(try ByteInput(path: path, range: chunk.range), diagnostics: &cd) { perChunk[k].append($0) }
            d.merge(cd)
            lefts[k] = try #require(reader as? any PairingChunkReader).leftovers
        }
        events = perChunk.flatMap { $0 }
        leftovers = lefts
        let settled = TransactionPairer.settle(leftovers) { events.append($0) }
        settled.record(into: &d)
        return (events, d, last + 1)
    }

    /// Events as a multiset, for comparing regardless of order.
    static func bag(_ events: [DNSEvent]) -> [DNSEvent: Int] { events.reduce(into: [:]) { $0[$1, default: 0] += 1 } }

    static func expectSame(_ whole: ([DNSEvent], ReaderDiagnostics), _ chunked: (events: [DNSEvent], diagnostics: ReaderDiagnostics, chunks: Int),
                           _ what: String) {
        #expect(chunked.events.count == whole.0.count, "\(what): \(chunked.chunks) chunks")
        #expect(bag(chunked.events) == bag(whole.0), "\(what): \(chunked.chunks) chunks")
        #expect(chunked.diagnostics.recordsRead == whole.1.recordsRead, "\(what)")
        #expect(chunked.diagnostics.eventsEmitted == whole.1.eventsEmitted, "\(what)")
        #expect(chunked.diagnostics.skipped == whole.1.skipped, "\(what): \(chunked.chunks) chunks")
        #expect(chunked.diagnostics.malformed == whole.1.malformed, "\(what)")
    }

    @Test func realUnboundDnstapReadsTheSameInChunks() throws {
        let path = Shared.capture("unbound-resolver-rpz.dnstap")
        let whole = try Self.readWhole(path, .dnstap, ReaderOptions())
        #expect(whole.0.count == 107)
        for chunkBytes in [600, 1500, 4000, 15000] {
            let chunked = try #require(try Self.readChunked(path, .dnstap, ReaderOptions(), chunkBytes: chunkBytes))
            #expect(chunked.chunks > 1)
            Self.expectSame(whole, chunked, "dnstap chunk \(chunkBytes)")
        }
    }

    /// The shared pcap's UDP packets only (its TCP exchanges keep the file whole; see the next test).
    static func udpOnlyCapture() throws -> String {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: Shared.capture("unbound-rpz-loopback.pcap"))))
        var out = Array(bytes[0..<24])
        var p = 24
        while p + 16 <= bytes.count {
            let incl = Int(bytes[p + 8]) | Int(bytes[p + 9]) << 8 | Int(bytes[p + 10]) << 16 | Int(bytes[p + 11]) << 24
            let record = Array(bytes[p..<(p + 16 + incl)])
            // Ethernet + IPv4: the protocol byte.
            if record[16 + 14 + 9] == 17 { out += record }
            p += 16 + incl
        }
        return try Text.temporaryFile(out, suffix: ".pcap")
    }

    @Test func realPcapReadsTheSameInChunks() throws {
        let options = ReaderOptions(dnsPorts: [5301, 5302])
        let path = try Self.udpOnlyCapture()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let whole = try Self.readWhole(path, .pcap, options)
        #expect(whole.0.count == 2975)
        for chunkBytes in [5000, 40000, 200_000] {
            let chunked = try #require(try Self.readChunked(path, .pcap, options, chunkBytes: chunkBytes))
            #expect(chunked.chunks > 1)
            Self.expectSame(whole, chunked, "pcap chunk \(chunkBytes)")
        }
    }

    @Test func capturesThatNeedTheirPastAreNotCut() throws {
        // The shared capture has DNS over TCP: a stream could be split by a cut.
        let real = Shared.capture("unbound-rpz-loopback.pcap")
        let size = try FileManager.default.attributesOfItem(atPath: real)[.size] as! Int
        #expect(try BinaryChunker.boundaries(path: real, size: size, chunkBytes: 5000, format: .pcap, dnsPorts: [5301, 5302]) == nil)
        // With other DNS ports its TCP is not DNS and the file is cut.
        #expect(try BinaryChunker.boundaries(path: real, size: size, chunkBytes: 5000, format: .pcap, dnsPorts: [53]) != nil)
        // IP fragments.
        let c: [UInt8] = [198, 51, 100, 1], s: [UInt8] = [198, 51, 100, 53]
        var packets = [(sec: UInt32, usec: UInt32, data: [UInt8])]()
        for i in 0..<200 { packets.append((1, UInt32(i), PcapReaderTests.ipv4(c, s, proto: 17, PcapReaderTests.udp(33000, 53, try PcapReaderTests.dnsQuery("q\(i).example", id: UInt16(i)))))) }
        packets.append((2, 0, PcapReaderTests.ipv4(s, c, proto: 17, id: 77, fragOffset: 0, more: true, [UInt8](repeating: 0, count: 64))))
        let fragmented = try Text.temporaryFile(PcapReaderTests.pcap(link: 101, packets), suffix: ".pcap")
        defer { try? FileManager.default.removeItem(atPath: fragmented) }
        let fsize = try FileManager.default.attributesOfItem(atPath: fragmented)[.size] as! Int
        #expect(try BinaryChunker.boundaries(path: fragmented, size: fsize, chunkBytes: 2000, format: .pcap) == nil)
        packets.removeLast()
        let plain = try Text.temporaryFile(PcapReaderTests.pcap(link: 101, packets), suffix: ".pcap")
        defer { try? FileManager.default.removeItem(atPath: plain) }
        let psize = try FileManager.default.attributesOfItem(atPath: plain)[.size] as! Int
        let cuts = try #require(try BinaryChunker.boundaries(path: plain, size: psize, chunkBytes: 2000, format: .pcap)).cuts
        #expect(cuts.first == 0 && cuts.last == psize && cuts.count > 3)
        // Deterministic, and each cut on a record start (the first at or after each multiple of the chunk size).
        #expect(try BinaryChunker.boundaries(path: plain, size: psize, chunkBytes: 2000, format: .pcap)?.cuts == cuts)
        var starts = [Int](), at = 24
        for p in packets { starts.append(at); at += 16 + p.data.count }
        for c in cuts.dropFirst().dropLast() {
            #expect(starts.contains(c))
            #expect(starts.last { $0 < c }! < (c / 2000) * 2000)
        }
        // pcapng is never cut.
        #expect(try BinaryChunker.boundaries(path: plain, size: psize, chunkBytes: 2000, format: .pcapng) == nil)
    }

    /// Synthetic traffic with every awkward pairing case, seeded: (time µs, is response, transaction id, name).
    /// A UDP/IPv4 client message between 10.0.0.`client` and the server 10.9.9.9:53 (the synthetic traffic's shape).
    static func clientRecord(_ type: DnstapRecord.MessageType, client: UInt8) -> DnstapRecord {
        var r = DnstapRecord(messageType: type)
        r.socketFamily = 1
        r.socketProtocol = 1
        r.queryAddress = [10, 0, 0, client]
        r.responseAddress = [10, 9, 9, 9]
        r.queryPort = 5000 + UInt16(client)
        r.responsePort = 53
        return r
    }

    static func traffic(seed: UInt64) -> [(time: Int64, response: Bool, id: UInt16, client: UInt8, name: String)] {
        var rng = seed
        func next(_ n: Int) -> Int {
            rng = rng &* 6364136223846793005 &+ 1442695040888963407
            return Int((rng >> 33) % UInt64(n))
        }
        var out = [(time: Int64, response: Bool, id: UInt16, client: UInt8, name: String)]()
        var t: Int64 = 1_000_000
        var late = [(due: Int, item: (time: Int64, response: Bool, id: UInt16, client: UInt8, name: String))]()
        for i in 0..<900 {
            t += Int64(next(3) == 0 ? 40_000 : 2_000)
            if i == 450 { t += 11_000_000 }  // a pause longer than the pairing timeout
            let id = UInt16(next(40)), client = UInt8(1 + next(3)), name = "n\(next(25)).example"
            out.append((t, false, id, client, name))
            switch next(10) {
            case 0: break  // unanswered (or answered by a later query's response with the same key)
            case 1: out.append((t + 5, true, id, client, name)); out.append((t + 6, true, id, client, name))  // duplicate response
            case 2: out.append((t + 1, false, id, client, name)); late.append((i + 3, (t + 9, true, id, client, name)))  // retransmission
            case 3: out.append((t + 3, true, UInt16(41 + next(20)), client, name))  // orphan response
            case 4, 5: late.append((i + 1 + next(60), (t + 100, true, id, client, name)))  // late by many records
            default: out.append((t + 50, true, id, client, name))
            }
            while let j = late.firstIndex(where: { $0.due <= i }) {
                var r = late.remove(at: j).item
                r.time = max(r.time, t + 1)
                out.append(r)
            }
        }
        for l in late { out.append(l.item) }
        return out
    }

    @Test func syntheticDnstapReadsTheSameInChunks() throws {
        var bytes = FrameStreams.Control(type: .start, contentTypes: [FrameStreams.dnstapContentType]).encoded
        for m in Self.traffic(seed: 7) {
            var r = Self.clientRecord(m.response ? .clientResponse : .clientQuery, client: m.client)
            let sec = UInt64(m.time / 1_000_000), nsec = UInt32(m.time % 1_000_000) * 1000
            if m.response {
                r.responseTimeSec = sec; r.responseTimeNsec = nsec
                r.responseMessage = try PcapReaderTests.dnsResponse(m.name, id: m.id, rcode: m.id % 5 == 0 ? 3 : 0)
            } else {
                r.queryTimeSec = sec; r.queryTimeNsec = nsec
                r.queryMessage = try PcapReaderTests.dnsQuery(m.name, id: m.id)
            }
            bytes += FrameStreams.encodeData(r.encoded)
        }
        bytes += FrameStreams.Control(type: .stop).encoded
        let path = try Text.temporaryFile(bytes, suffix: ".dnstap")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let whole = try Self.readWhole(path, .dnstap, ReaderOptions())
        #expect((whole.1.skipped["response without its query (reported alone)"] ?? 0) > 10)
        #expect((whole.1.skipped["query without a response (reported alone)"] ?? 0) > 10)
        for chunkBytes in [700, 3000, 9000, 40000] {
            let chunked = try #require(try Self.readChunked(path, .dnstap, ReaderOptions(), chunkBytes: chunkBytes))
            Self.expectSame(whole, chunked, "synthetic dnstap chunk \(chunkBytes)")
        }
    }

    /// Bad input inside a file that is cut: frames whose payload is not dnstap (framing intact) and a file that ends
    /// in the middle of a frame. Every chunk reports what it cannot read with its offset in the file, the good frames
    /// around them are kept, and the counts are those of reading the file whole.
    @Test func malformedFramesAndATruncatedTailReadTheSameInChunks() throws {
        var bytes = FrameStreams.Control(type: .start, contentTypes: [FrameStreams.dnstapContentType]).encoded
        var garbage: [Range<Int>] = []
        for (i, m) in Self.traffic(seed: 9).enumerated() {
            if i % 97 == 50 {
                let start = bytes.count
                bytes += FrameStreams.encodeData([0xFF, 0xFF, 0xFF, 0xFF, 0x01, 0x02, 0x03])
                garbage.append(start..<bytes.count)
            }
            var r = Self.clientRecord(.clientResponse, client: m.client)
            r.queryTimeSec = UInt64(m.time / 1_000_000)
            r.responseTimeSec = UInt64(m.time / 1_000_000)
            r.responseMessage = try PcapReaderTests.dnsResponse(m.name, id: m.id, rcode: 0)
            bytes += FrameStreams.encodeData(r.encoded)
        }
        let lastFrame = bytes.count
        // A last frame cut short: its length says more bytes than the file has.
        let tail = FrameStreams.encodeData(Array(repeating: 0x0A, count: 300))
        bytes += tail.prefix(100)
        let path = try Text.temporaryFile(bytes, suffix: ".dnstap")
        let whole = try Self.readWhole(path, .dnstap, ReaderOptions())
        let badFrames = whole.1.malformed.values.reduce(0, +)
        #expect(garbage.count > 5 && badFrames >= garbage.count)
        #expect(whole.0.count == Self.traffic(seed: 9).count, "every good frame around the bad ones is kept")
        #expect(whole.1.malformed.count >= 2, "the bad frames and the cut-off tail are both reported: \(whole.1.malformed)")
        for chunkBytes in [900, 5000] {
            let chunked = try #require(try Self.readChunked(path, .dnstap, ReaderOptions(), chunkBytes: chunkBytes))
            Self.expectSame(whole, chunked, "malformed dnstap chunk \(chunkBytes)")
            for e in chunked.diagnostics.examples {
                let o = e.position.byteOffset
                #expect(garbage.contains { $0.contains(o) } || o >= lastFrame, "example at \(o) is not a bad frame: \(e)")
            }
        }
    }

    @Test func syntheticPcapReadsTheSameInChunks() throws {
        let server: [UInt8] = [10, 9, 9, 9]
        var packets = [(sec: UInt32, usec: UInt32, data: [UInt8])]()
        for m in Self.traffic(seed: 11) {
            let client: [UInt8] = [10, 0, 0, m.client]
            let (sec, usec) = (UInt32(m.time / 1_000_000), UInt32(m.time % 1_000_000))
            let dns = m.response ? try PcapReaderTests.dnsResponse(m.name, id: m.id) : try PcapReaderTests.dnsQuery(m.name, id: m.id)
            let udp = m.response ? PcapReaderTests.udp(53, 5000 + UInt16(m.client), dns) : PcapReaderTests.udp(5000 + UInt16(m.client), 53, dns)
            packets.append((sec, usec, PcapReaderTests.ipv4(m.response ? server : client, m.response ? client : server, proto: 17, udp)))
        }
        let path = try Text.temporaryFile(PcapReaderTests.pcap(link: 101, packets), suffix: ".pcap")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let whole = try Self.readWhole(path, .pcap, ReaderOptions())
        for chunkBytes in [1000, 5000, 20000, 60000] {
            let chunked = try #require(try Self.readChunked(path, .pcap, ReaderOptions(), chunkBytes: chunkBytes))
            Self.expectSame(whole, chunked, "synthetic pcap chunk \(chunkBytes)")
        }
    }

    /// A capture of responses only (each carrying its query's time, as `make_bench.py` writes them): no chunk can
    /// pair with an earlier one, so none holds its unpaired responses back; a query part-way makes the chunks after
    /// it hold them again. Either way the result is the whole file's.
    @Test func responseOnlyDnstapHoldsNothingBack() throws {
        func file(queryAt: Int?) throws -> String {
            var bytes = FrameStreams.Control(type: .start, contentTypes: [FrameStreams.dnstapContentType]).encoded
            for i in 0..<600 {
                let isQuery = i == queryAt
                var r = DnstapRecord(messageType: isQuery ? .clientQuery : .clientResponse)
                r.queryAddress = [10, 0, 0, UInt8(i % 7)]
                r.queryPort = 5000
                r.queryTimeSec = 1_000 + UInt64(i / 100)
                r.queryTimeNsec = UInt32(i % 100) * 1000
                if isQuery {
                    r.queryMessage = try PcapReaderTests.dnsQuery("n\(i % 9).example", id: UInt16(i % 5))
                } else {
                    r.responseTimeSec = r.queryTimeSec
                    r.responseTimeNsec = r.queryTimeNsec! + 500
                    r.responseMessage = try PcapReaderTests.dnsResponse("n\(i % 9).example", id: UInt16(i % 5))
                }
                bytes += FrameStreams.encodeData(r.encoded)
            }
            bytes += FrameStreams.Control(type: .stop).encoded
            return try Text.temporaryFile(bytes, suffix: ".dnstap")
        }
        let plain = try file(queryAt: nil)
        defer { try? FileManager.default.removeItem(atPath: plain) }
        let size = try FileManager.default.attributesOfItem(atPath: plain)[.size] as! Int
        let b = try #require(try BinaryChunker.boundaries(path: plain, size: size, chunkBytes: 4000, format: .dnstap))
        #expect(b.cuts.count > 4 && !b.queriesBefore.contains(true))
        Self.expectSame(try Self.readWhole(plain, .dnstap, ReaderOptions()), try #require(try Self.readChunked(plain, .dnstap, ReaderOptions(), chunkBytes: 4000)), "responses only")
        let mixed = try file(queryAt: 300)
        defer { try? FileManager.default.removeItem(atPath: mixed) }
        let msize = try FileManager.default.attributesOfItem(atPath: mixed)[.size] as! Int
        let m = try #require(try BinaryChunker.boundaries(path: mixed, size: msize, chunkBytes: 4000, format: .dnstap))
        #expect(m.queriesBefore.first == false && m.queriesBefore.last == true)
        Self.expectSame(try Self.readWhole(mixed, .dnstap, ReaderOptions()), try #require(try Self.readChunked(mixed, .dnstap, ReaderOptions(), chunkBytes: 4000)), "one query")
    }
}
