import Attribution
import DNSWire
import DNSightCore

/// Property: any bytes given to `MMDBReader` either fail to open with an AttributionError or open, and then every
/// look-up (tree walk, full record decode, field extraction) returns or throws an AttributionError — never a crash,
/// a hang or unbounded memory.
let probes: [IPAddress] = ["0.0.0.0", "1.2.3.4", "10.10.10.10", "100.5.1.1", "192.0.2.200", "255.255.255.255",
                           "::", "::1", "2001:db8:1:2::1", "2400:cb00::1", "ffff::1"].map { IPAddress($0)! }

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let reader: MMDBReader
    do { reader = try MMDBReader(bytes: bytes, name: "fuzz") } catch { return 0 }
    precondition([24, 28, 32].contains(reader.metadata.recordSize) && [4, 6].contains(reader.metadata.ipVersion))
    for a in probes {
        do {
            let t = try reader.find(a)
            precondition(t.prefixLength >= 0 && t.prefixLength <= 128)
            if let o = t.dataOffset { _ = try reader.value(atDataOffset: o) }
        } catch {}
        do { _ = try reader.geo(a) } catch {}
    }
    return 0
}
