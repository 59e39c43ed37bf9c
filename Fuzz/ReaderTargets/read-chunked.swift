import DNSightCore
import Foundation
import LogReaders

/// Property: any bytes, written to a file and cut by `BinaryChunker` as dnstap or as pcap (the cuts come from
/// record lengths read out of the file), give cuts that start at 0, rise and end at the file's size, and read
/// chunk by chunk — with the pairs across cuts settled as `ParallelIngest` does — without a crash, a hang or
/// unbounded memory, emitting as many events as the diagnostics count.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let path = NSTemporaryDirectory() + "dnsight-fuzz-chunked-\(getpid())"
    guard FileManager.default.createFile(atPath: path, contents: Data(bytes: data, count: size)) else { return 0 }
    defer { try? FileManager.default.removeItem(atPath: path) }
    // Chunks of 24 to 279 bytes, so that small inputs are cut into several.
    let chunkBytes = 24 + Int(data[0])
    for format in [LogFormat.dnstap, .pcap] {
        let options = ReaderOptions(dnsPorts: [53, 5353])
        guard let b = try? BinaryChunker.boundaries(path: path, size: size, chunkBytes: chunkBytes, format: format,
                                                    dnsPorts: options.dnsPorts) else { continue }
        precondition(b.cuts.first == 0 && b.cuts.last == size, "cuts do not cover the file")
        precondition(zip(b.cuts, b.cuts.dropFirst()).allSatisfy { $0 < $1 }, "cuts do not rise")
        precondition(b.queriesBefore.count == b.cuts.count - 1, "one queriesBefore per chunk")
        let last = b.cuts.count - 2
        var leftovers = [PairingLeftovers]()
        var events = 0
        var d = ReaderDiagnostics()
        for k in 0...last {
            var chunk = FileChunk(index: k, range: b.cuts[k]..<b.cuts[k + 1],
                                  header: k > 0 && !b.header.isEmpty ? [b.header] : [], isLast: k == last)
            chunk.queriesBefore = b.queriesBefore[k]
            guard var reader = try? format.makeChunkReader(options: options, chunk: chunk),
                  let input = try? ByteInput(path: path, range: chunk.range) else { return 0 }
            var cd = ReaderDiagnostics()
            do {
                try reader.read(input, diagnostics: &cd) { _ in events += 1 }
            } catch is ReaderError {
                continue
            } catch {
                fatalError("unexpected error type \(error)")
            }
            d.merge(cd)
            if let paired = reader as? any PairingChunkReader { leftovers.append(paired.leftovers) }
        }
        let settled = TransactionPairer.settle(leftovers) { _ in events += 1 }
        settled.record(into: &d)
        precondition(events == d.eventsEmitted, "events emitted \(events) but counted \(d.eventsEmitted)")
    }
    return 0
}
