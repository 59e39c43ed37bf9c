import DNSightApp
import EventStore
import Foundation
import LogReaders
import SQLiteStore
import Testing
import TestSupport

/// A large Zeek file read in chunks by several workers gives the same answer as reading it whole: counts,
/// detections, malformed lines with their line numbers, a second log (with its own header, columns in another
/// order) appended part-way through; and the store checkpoints each chunk so a rerun skips them all.
@Suite(.serialized) struct ChunkedAnalyzeTests {
    static let header = """
        #separator \\x09
        #set_separator\t,
        #empty_field\t(empty)
        #unset_field\t-
        #path\tdns
        #fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\ttrans_id\trtt\tquery\tqclass\tqclass_name\tqtype\tqtype_name\trcode\trcode_name\tAA\tTC\tRD\tRA\tZ\tanswers\tTTLs\trejected
        #types\ttime\tstring\taddr\tport\taddr\tport\tenum\tcount\tinterval\tstring\tcount\tstring\tcount\tstring\tcount\tstring\tbool\tbool\tbool\tbool\tcount\tvector[string]\tvector[interval]\tbool
        """
    /// The second log's header: `query` and `id.orig_h` swapped, so a chunk parsed with the first header would
    /// read garbage.
    static let header2 = header.replacingOccurrences(of: "\tid.orig_h\t", with: "\tQUERYCOL\t")
        .replacingOccurrences(of: "\tquery\t", with: "\tid.orig_h\t").replacingOccurrences(of: "\tQUERYCOL\t", with: "\tquery\t")

    static func write(to dir: URL) throws -> String {
        var text = header + "\n"
        let names = ["abc-hobbies.com", "www.example.com", "lockbit-decryptor.com", "mail.example.org", "cdn.example.net"]
        func row(_ i: Int, swapped: Bool) -> String {
            let client = "10.0.\(i % 2).\(i % 50 + 1)"
            let name = i % 97 == 0 ? names[i % 3 == 0 ? 0 : 2] : names[1 + (i % 4)]
            let (a, b) = swapped ? (name, client) : (client, name)
            return "\(1_656_000_000 + i).000000\tC\(i)\t\(a)\t5\(i % 1000)\t10.9.9.9\t53\tudp\t\(i % 65536)\t0.001\t\(b)\t1\tC_INTERNET\t1\tA\t\(i % 13 == 0 ? 3 : 0)\t-\tF\tF\tT\tT\t0\t-\t-\tF"
        }
        for i in 0..<3000 {
            text += row(i, swapped: false) + "\n"
            if i == 1234 || i == 2222 { text += "garbage line \(i)\n" }
        }
        text += "#close\t2022-06-23-16-00-00\n" + header2 + "\n"
        for i in 3000..<5000 {
            text += row(i, swapped: true) + "\n"
            if i == 4321 { text += "another garbage line\n" }
        }
        let path = dir.appendingPathComponent("big.log").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static func config(_ dir: URL, log: String, chunk: Int, threads: Int) -> AnalyzeConfiguration {
        var c = AnalyzeConfiguration(inputs: [log], snapshotPath: "/nonexistent")
        c.intelPaths = [dir.appendingPathComponent("intel").path]
        c.inventoryPaths = [dir.appendingPathComponent("inventory.csv").path]
        c.chunkBytes = chunk
        c.threads = threads
        return c
    }

    /// The detections as (query, client, line, offset) lines, sorted.
    static func evidence(_ path: String) throws -> [String] {
        try detections(path) { o, e in "\(o["query"]!) \(o["client"]!) line \(e["line"]!) offset \(e["offset"]!)" }
    }

    /// The detections of a `--detections` file, each described by `describe(detection, evidence)`, sorted.
    static func detections(_ path: String, _ describe: ([String: Any], [String: Any]) -> String) throws -> [String] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map { l in
            let o = try JSONSerialization.jsonObject(with: Data(l.utf8)) as! [String: Any]
            return describe(o, o["evidence"] as! [String: Any])
        }.sorted()
    }

    @Test func chunksGiveTheSameAnswerAsTheWholeFile() throws {
        let dir = try AnalyzeTests.fixture()
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = try Self.write(to: dir)
        var whole = Self.config(dir, log: log, chunk: 0, threads: 1)
        whole.detectionsPath = dir.appendingPathComponent("whole.jsonl").path
        let a = try AnalyzeJob.run(whole)
        #expect(a.events == 5000)
        #expect(a.inputs.first?.malformed == 3)
        #expect(a.detections > 50)
        for threads in [1, 2] {
            var chunked = Self.config(dir, log: log, chunk: 16 << 10, threads: threads)
            chunked.detectionsPath = dir.appendingPathComponent("chunked\(threads).jsonl").path
            let b = try AnalyzeJob.run(chunked)
            #expect(b.events == a.events && b.detections == a.detections && b.allowlisted == a.allowlisted)
            #expect(b.devicesSeen == a.devicesSeen && b.organisationsSeen == a.organisationsSeen)
            #expect(b.affectedDevices == a.affectedDevices && b.affectedOrganisations == a.affectedOrganisations)
            #expect(b.malformed == a.malformed)
            #expect(b.malformedExamples.sorted() == a.malformedExamples.sorted())
            #expect(b.inputs.count == 1 && b.inputs[0].records == a.inputs[0].records && b.inputs[0].skippedRecords == a.inputs[0].skippedRecords)
            #expect(b.attribution == a.attribution)
            #expect(try Self.evidence(chunked.detectionsPath!) == Self.evidence(whole.detectionsPath!))
            if threads == 1 {
                // One worker takes the chunks in order: the detectors see exactly what they see reading it whole.
                #expect(b.suspectedDetections == a.suspectedDetections)
                #expect(b.detectors.map(\.alerts) == a.detectors.map(\.alerts))
            }
        }
    }

    /// Which worker reads which chunk is a fixed deal, not a race between threads: two runs with the same threads
    /// give the same detections line for line, suspected ones (whose per-device state depends on the split) included.
    @Test func twoRunsWithTwoThreadsGiveTheSameDetections() throws {
        let dir = try AnalyzeTests.fixture()
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = try Self.write(to: dir)
        var runs: [(AnalyzeSummary, [String])] = []
        for k in 0..<3 {
            var c = Self.config(dir, log: log, chunk: 8 << 10, threads: 2)
            c.detectionsPath = dir.appendingPathComponent("run\(k).jsonl").path
            let r = try AnalyzeJob.run(c)
            let lines = try String(contentsOfFile: c.detectionsPath!, encoding: .utf8).split(separator: "\n").map(String.init).sorted()
            runs.append((r, lines))
        }
        for (r, lines) in runs.dropFirst() {
            #expect(lines == runs[0].1)
            #expect(r.suspectedDetections == runs[0].0.suspectedDetections)
            #expect(r.detectors.map(\.alerts) == runs[0].0.detectors.map(\.alerts))
            #expect(r.detectors.map(\.queries) == runs[0].0.detectors.map(\.queries))
        }
    }

    /// A compressed file cannot be cut: without a store, one thread reads it and shards its events by device over
    /// the workers. Same counts, same detections and evidence, and the per-device detectors see every query of a
    /// device (each device's events go to one worker, in order).
    @Test func shardedReadingGivesTheSameAnswer() throws {
        let dir = try AnalyzeTests.fixture()
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = try Self.write(to: dir)
        let gz = Process()
        gz.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        gz.arguments = ["gzip", "-k", log]
        try gz.run()
        gz.waitUntilExit()
        #expect(gz.terminationStatus == 0)
        var whole = Self.config(dir, log: log, chunk: 0, threads: 1)
        whole.detectionsPath = dir.appendingPathComponent("whole.jsonl").path
        let a = try AnalyzeJob.run(whole)
        var sharded = Self.config(dir, log: log + ".gz", chunk: 16 << 10, threads: 2)
        sharded.detectionsPath = dir.appendingPathComponent("sharded.jsonl").path
        let b = try AnalyzeJob.run(sharded)
        #expect(b.detectorStateScope?.contains("gives each device's queries, in order, to one worker") == true)
        #expect(b.events == a.events && b.detections == a.detections && b.allowlisted == a.allowlisted)
        #expect(b.devicesSeen == a.devicesSeen && b.organisationsSeen == a.organisationsSeen)
        #expect(b.affectedDevices == a.affectedDevices && b.malformed == a.malformed && b.attribution == a.attribution)
        #expect(try Self.evidence(sharded.detectionsPath!) == Self.evidence(whole.detectionsPath!))
        let perDevice = ["tunnel", "beacon", "nxdomain", "dga"]
        #expect(b.detectors.filter { perDevice.contains($0.name) }.map(\.alerts) == a.detectors.filter { perDevice.contains($0.name) }.map(\.alerts))
        #expect(b.detectors.filter { perDevice.contains($0.name) }.map(\.queries) == a.detectors.filter { perDevice.contains($0.name) }.map(\.queries))
    }

    /// A later chunk that starts with a run of garbage lines counts them as malformed, as reading the file whole
    /// does, instead of rejecting the chunk as "not a Zeek file" (which only the file's start may decide).
    @Test func aLaterChunkStartingWithGarbageKeepsItsGoodLines() throws {
        let dir = TestScratch.folder("chunks")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let head = Self.header + "\n"
        let garbage = (0..<30).map { "garbage \($0)\n" }.joined()
        let good = (0..<5).map { i in
            "\(1_656_000_000 + i).000000\tC\(i)\t10.0.0.1\t53000\t10.9.9.9\t53\tudp\t\(i)\t0.001\twww.example.com\t1\tC_INTERNET\t1\tA\t0\t-\tF\tF\tT\tT\t0\t-\t-\tF\n"
        }.joined()
        let path = dir.appendingPathComponent("g.log").path
        try (head + garbage + good).write(toFile: path, atomically: true, encoding: .utf8)
        let start = head.utf8.count, end = start + garbage.utf8.count + good.utf8.count
        var scanner = ChunkScanner(path: path)
        try scanner.advance(to: start)
        var reader = try LogFormat.zeekTSV.makeChunkReader(options: ReaderOptions(), chunk: FileChunk(index: 1, range: start..<end, lineNumberBase: scanner.lines, header: scanner.header))
        var d = ReaderDiagnostics()
        var events = 0
        try reader.read(try ByteInput(path: path, range: start..<end), diagnostics: &d) { _ in events += 1 }
        #expect(events == 5 && d.malformedCount == 30)
        #expect(d.examples.first?.position.line == 8)  // the 7 header lines come first
    }

    @Test func chunkCutsAreDeterministicAndOnLineStarts() throws {
        let dir = TestScratch.folder("chunks")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = try Self.write(to: dir)
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: log)))
        let cuts = try FileChunker.boundaries(path: log, size: bytes.count, chunkBytes: 16 << 10)
        #expect(cuts.count > 10 && cuts.first == 0 && cuts.last == bytes.count)
        #expect(try FileChunker.boundaries(path: log, size: bytes.count, chunkBytes: 16 << 10) == cuts)
        for c in cuts.dropFirst().dropLast() { #expect(bytes[c - 1] == 0x0A) }
        // The scanner's line bases are the newline counts before each cut.
        var scanner = ChunkScanner(path: log)
        for c in cuts.dropLast() {
            try scanner.advance(to: c)
            #expect(scanner.lines == bytes[0..<c].filter { $0 == 0x0A }.count)
        }
        #expect(scanner.header.contains { $0.starts(with: Array("#fields".utf8)) })
    }

    @Test func storeCheckpointsEveryChunkAndARerunSkipsThem() throws {
        let dir = try AnalyzeTests.fixture()
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = try Self.write(to: dir)
        var c = Self.config(dir, log: log, chunk: 16 << 10, threads: 2)
        c.storePath = dir.appendingPathComponent("store.sqlite").path
        c.detectors = .init()
        let first = try AnalyzeJob.run(c)
        #expect(first.events == 5000)
        let size = try FileManager.default.attributesOfItem(atPath: log)[.size] as! Int
        let chunks = try FileChunker.boundaries(path: log, size: size, chunkBytes: 16 << 10).count - 1
        let store = try SQLiteStore.open(path: c.storePath!)
        for part in 1...chunks {
            let s = try StreamIdentity.of(file: log, part: part)
            #expect(try IngestLedger.resume(s, in: store) == .done)
        }
        #expect(try IngestLedger.resume(StreamIdentity.of(file: log, part: 0), in: store) == .fromStart)
        let again = try AnalyzeJob.run(c)
        #expect(again.events == 0)
        #expect(again.inputs.first?.skipped == "already ingested into the store")
    }
}
