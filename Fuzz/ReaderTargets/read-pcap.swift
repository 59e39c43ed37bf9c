import DNSightCore
import LogReaders

/// Property: any bytes given to the pcap/pcapng reader either fail as a whole with a ReaderError or produce
/// events and diagnostics whose counts add up — never a crash, a hang or unbounded memory.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let input = try? ByteInput(bytes: bytes, name: "fuzz") else { return 0 }
    var reader = PcapReader(dnsPorts: [53, 5353])
    var d = ReaderDiagnostics()
    var events = 0
    do {
        try reader.read(input, diagnostics: &d) { e in
            events += 1
            precondition(e.position.byteOffset >= 0 && e.position.byteOffset < max(size, 1), "event position outside the input")
        }
    } catch is ReaderError {
        return 0
    } catch {
        fatalError("unexpected error type \(error)")
    }
    precondition(events == d.eventsEmitted, "events emitted \(events) but counted \(d.eventsEmitted)")
    return 0
}
