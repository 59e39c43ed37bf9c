/// One captured packet from a pcap or pcapng file.
public struct CapturedPacket {
    /// The link-layer type (LINKTYPE_* numbers: 1 Ethernet, 113 Linux SLL, 276 SLL2, 101 raw IP, 0 BSD loopback…).
    public var linkType: UInt32
    /// Capture time, nanoseconds since 1970.
    public var timeNanos: Int64
    /// Where the captured bytes (possibly shorter than the packet on the wire) lie in the source's buffer: read them
    /// with ``PacketSource/withBytes(of:_:)`` before asking the source for the next packet.
    var dataRange: Range<Int>
    /// The packet's length on the wire.
    public var originalLength: Int
    /// The file offset of the packet's record.
    public var offset: Int
}

/// Reads packets from classic pcap (either byte order, µs or ns timestamps) and pcapng (sections of either byte
/// order, several interfaces, `if_tsresol`, enhanced/simple/obsolete packet blocks).
public struct PacketSource {
    /// The most bytes one record may declare; beyond it the framing is assumed lost.
    public static let maxRecord = 1 << 18

    enum Container { case pcap(bigEndian: Bool, nanos: Bool, linkType: UInt32), pcapng }

    var stream: BinaryStream
    let container: Container
    let name: String
    // pcapng state
    var bigEndian = false
    var interfaces: [(linkType: UInt32, tsDivisor: Int64, tsMultiplier: Int64)] = []

    /// Opens an input; throws if it is neither pcap nor pcapng. `fileHeader` is the 24-byte classic pcap file header
    /// when `input` is a later chunk of a file (cut at record starts), whose own bytes start with a record.
    public init(_ input: ByteInput, fileHeader: [UInt8]? = nil) throws {
        name = input.name
        stream = BinaryStream(input)
        if let h = fileHeader {
            guard h.count >= 24, let c = Self.classicHeader(h) else {
                throw ReaderError(file: name, byteOffset: 0, "not a classic pcap file header")
            }
            container = c
            return
        }
        guard try stream.ensure(4) else { throw ReaderError(file: name, byteOffset: 0, "not a pcap or pcapng file: shorter than 4 bytes") }
        let m = stream.u32(0, bigEndian: true)
        switch m {
        case 0xA1B2_C3D4, 0xD4C3_B2A1, 0xA1B2_3C4D, 0x4D3C_B2A1:
            guard try stream.ensure(24) else { throw ReaderError(file: name, byteOffset: 0, "pcap file header truncated") }
            let be = m == 0xA1B2_C3D4 || m == 0xA1B2_3C4D
            let nanos = m == 0xA1B2_3C4D || m == 0x4D3C_B2A1
            let link = stream.u32(20, bigEndian: be) & 0x0FFF_FFFF
            container = .pcap(bigEndian: be, nanos: nanos, linkType: link)
            stream.consume(24)
        case 0x0A0D_0D0A:
            container = .pcapng
        default:
            throw ReaderError(file: name, byteOffset: 0, "not a pcap or pcapng file: magic 0x\(String(m, radix: 16)) (expected a1b2c3d4, a1b23c4d or the pcapng 0a0d0d0a)")
        }
    }

    /// The container a classic pcap file header describes; nil for any other bytes.
    static func classicHeader(_ h: [UInt8]) -> Container? {
        guard h.count >= 24 else { return nil }
        let m = UInt32(h[0]) << 24 | UInt32(h[1]) << 16 | UInt32(h[2]) << 8 | UInt32(h[3])
        guard [0xA1B2_C3D4, 0xD4C3_B2A1, 0xA1B2_3C4D, 0x4D3C_B2A1].contains(m) else { return nil }
        let be = m == 0xA1B2_C3D4 || m == 0xA1B2_3C4D
        let nanos = m == 0xA1B2_3C4D || m == 0x4D3C_B2A1
        let l = h[20..<24].map(UInt32.init)
        let link = (be ? l[0] << 24 | l[1] << 16 | l[2] << 8 | l[3] : l[3] << 24 | l[2] << 16 | l[1] << 8 | l[0]) & 0x0FFF_FFFF
        return .pcap(bigEndian: be, nanos: nanos, linkType: link)
    }

    /// Runs `body` over a packet's captured bytes, where they lie in the read buffer (copying each packet out cost an
    /// allocation and a copy per packet). `packet` must be the last one ``next(diagnostics:)`` returned.
    public func withBytes<R>(of packet: CapturedPacket, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try stream.withBuffer { try body(UnsafeRawBufferPointer(rebasing: $0[packet.dataRange])) }
    }

    /// The next packet; nil at the end. Throws when the container's framing is broken (nothing after can be read).
    public mutating func next(diagnostics: inout ReaderDiagnostics) throws -> CapturedPacket? {
        switch container {
        case .pcap(let be, let nanos, let link):
            guard try stream.ensure(16) else {
                if stream.available > 0 { diagnostics.malformed("pcap: truncated record header at end of file", at: .init(file: name, byteOffset: stream.offset)) }
                return nil
            }
            let sec = Int64(stream.u32(0, bigEndian: be)), frac = Int64(stream.u32(4, bigEndian: be))
            let incl = Int(stream.u32(8, bigEndian: be)), orig = Int(stream.u32(12, bigEndian: be))
            let at = stream.offset
            guard incl <= PacketSource.maxRecord else {
                throw ReaderError(file: name, byteOffset: at, "pcap record declares \(incl) captured bytes (limit \(PacketSource.maxRecord)): the file is corrupt from here")
            }
            guard try stream.ensure(16 + incl) else {
                diagnostics.malformed("pcap: truncated packet at end of file", at: .init(file: name, byteOffset: at), excerpt: "\(stream.available - 16) of \(incl) bytes")
                stream.consume(stream.available)
                return nil
            }
            let data = stream.range(16, incl)
            stream.consume(16 + incl)
            return CapturedPacket(linkType: link, timeNanos: sec * 1_000_000_000 + (nanos ? frac : frac * 1000), dataRange: data, originalLength: orig, offset: at)
        case .pcapng:
            while true {
                guard try stream.ensure(12) else {
                    if stream.available > 0 { diagnostics.malformed("pcapng: truncated block at end of file", at: .init(file: name, byteOffset: stream.offset)) }
                    return nil
                }
                let at = stream.offset
                let rawType = stream.u32(0, bigEndian: true)
                if rawType == 0x0A0D_0D0A {
                    // Section header: its byte-order magic decides how the rest of the section is read.
                    let bom = stream.u32(8, bigEndian: true)
                    guard bom == 0x1A2B_3C4D || bom == 0x4D3C_2B1A else {
                        throw ReaderError(file: name, byteOffset: at + 8, "pcapng section header byte-order magic 0x\(String(bom, radix: 16)) (expected 1a2b3c4d)")
                    }
                    bigEndian = bom == 0x1A2B_3C4D
                    interfaces = []
                }
                let type = stream.u32(0, bigEndian: bigEndian)
                let len = Int(stream.u32(4, bigEndian: bigEndian))
                guard len >= 12, len % 4 == 0, len <= PacketSource.maxRecord + 64 else {
                    throw ReaderError(file: name, byteOffset: at, "pcapng block length \(len) (expected a multiple of 4 between 12 and \(PacketSource.maxRecord + 64)): the file is corrupt from here")
                }
                guard try stream.ensure(len) else {
                    diagnostics.malformed("pcapng: truncated block at end of file", at: .init(file: name, byteOffset: at))
                    stream.consume(stream.available)
                    return nil
                }
                guard Int(stream.u32(len - 4, bigEndian: bigEndian)) == len else {
                    throw ReaderError(file: name, byteOffset: at, "pcapng block's trailing length does not match its leading length \(len)")
                }
                defer { stream.consume(len) }
                switch type {
                case 1:  // Interface Description Block
                    guard len >= 20 else { diagnostics.malformed("pcapng: short interface block", at: .init(file: name, byteOffset: at)); continue }
                    let link = UInt32(stream.u16(8, bigEndian: bigEndian))
                    var resolution: (Int64, Int64) = (1000, 1)  // default microseconds: ns = ts * 1000
                    var p = 16
                    while p + 4 <= len - 4 {
                        let code = stream.u16(p, bigEndian: bigEndian), olen = Int(stream.u16(p + 2, bigEndian: bigEndian))
                        if code == 0 { break }
                        if p + 4 + olen > len - 4 { break }
                        if code == 9 && olen >= 1 {
                            let v = stream.byte(p + 4)
                            let exp = Int(v & 0x7F)
                            if v & 0x80 == 0 {
                                // 10^-exp seconds per tick.
                                if exp <= 9 { var m: Int64 = 1; for _ in 0..<(9 - exp) { m *= 10 }; resolution = (m, 1) }
                                else { var d: Int64 = 1; for _ in 0..<min(exp - 9, 18) { d *= 10 }; resolution = (1, d) }
                            } else {
                                // 2^-exp seconds per tick: ns = ts * 1e9 / 2^exp.
                                resolution = (1_000_000_000, Int64(1) << Int64(min(exp, 62)))
                            }
                        }
                        p += 4 + (olen + 3) & ~3
                    }
                    interfaces.append((link, resolution.1, resolution.0))
                case 6, 2:  // Enhanced Packet Block, obsolete Packet Block
                    guard len >= 32 else { diagnostics.malformed("pcapng: short packet block", at: .init(file: name, byteOffset: at)); continue }
                    let iface = type == 6 ? Int(stream.u32(8, bigEndian: bigEndian)) : Int(stream.u16(8, bigEndian: bigEndian))
                    guard iface < interfaces.count else {
                        diagnostics.malformed("pcapng: packet for undeclared interface \(iface)", at: .init(file: name, byteOffset: at))
                        continue
                    }
                    let ts = Int64(stream.u32(12, bigEndian: bigEndian)) << 32 | Int64(stream.u32(16, bigEndian: bigEndian))
                    let cap = Int(stream.u32(20, bigEndian: bigEndian)), orig = Int(stream.u32(24, bigEndian: bigEndian))
                    guard 28 + cap <= len - 4 else {
                        diagnostics.malformed("pcapng: captured length overruns its block", at: .init(file: name, byteOffset: at))
                        continue
                    }
                    let i = interfaces[iface]
                    // A 64-bit tick count times the resolution can overflow: fall back to dividing first, and clamp
                    // what still does not fit (such a time is nonsense, but it must not stop the read).
                    let (mul, overflow) = ts.multipliedReportingOverflow(by: i.tsMultiplier)
                    var ns = mul / i.tsDivisor
                    if overflow {
                        let (m2, o2) = (ts / i.tsDivisor).multipliedReportingOverflow(by: i.tsMultiplier)
                        ns = o2 ? .max : m2
                    }
                    return CapturedPacket(linkType: i.linkType, timeNanos: ns, dataRange: stream.range(28, cap), originalLength: orig, offset: at)
                case 3:  // Simple Packet Block: no timestamp, interface 0
                    guard let i = interfaces.first else {
                        diagnostics.malformed("pcapng: simple packet block before any interface", at: .init(file: name, byteOffset: at))
                        continue
                    }
                    let orig = Int(stream.u32(8, bigEndian: bigEndian))
                    let cap = min(orig, len - 16)
                    return CapturedPacket(linkType: i.linkType, timeNanos: 0, dataRange: stream.range(12, cap), originalLength: orig, offset: at)
                default:
                    continue  // section header, statistics, name resolution, custom blocks
                }
            }
        }
    }
}
