import DNSightCore
import LogReaders

/// Property: any bytes given to the dnstap Frame Streams reader either fail as a whole with a ReaderError or
/// produce events whose count matches the diagnostics; each data frame is also decoded on its own as a
/// DnstapRecord, and a record that decodes re-encodes to bytes that decode to the same record.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    if let rec = try? DnstapRecord(decoding: bytes) {
        let again = try? DnstapRecord(decoding: rec.encoded)
        precondition(again == rec, "dnstap record does not survive encode/decode")
    }
    guard let input = try? ByteInput(bytes: bytes, name: "fuzz") else { return 0 }
    var reader = DnstapFileReader(includeUpstream: size % 2 == 0)
    var d = ReaderDiagnostics()
    var events = 0
    do {
        try reader.read(input, diagnostics: &d) { _ in events += 1 }
    } catch is ReaderError {
        return 0
    } catch {
        fatalError("unexpected error type \(error)")
    }
    precondition(events == d.eventsEmitted, "events emitted \(events) but counted \(d.eventsEmitted)")
    return 0
}
