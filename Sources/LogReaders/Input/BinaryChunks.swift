#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A reader of one chunk of a binary capture that pairs queries with responses: what it could not pair inside the
/// chunk is settled with the other chunks' leftovers by ``TransactionPairer/settle(_:emit:)``.
public protocol PairingChunkReader: EventReader {
    /// What the last read left to settle.
    var leftovers: PairingLeftovers { get }
}

extension DnstapFileReader: PairingChunkReader {}
extension PcapReader: PairingChunkReader {}

/// Cuts a large dnstap Frame Streams file or classic pcap file into chunks at record starts, so that several
/// threads can decode it at once.
///
/// Records carry their own length, so the cuts come from one pass that hops from length to length (it reads the
/// file once; decoding it costs far more). Like ``FileChunker``'s, the cuts depend only on the file and the chunk
/// size: chunk `k` starts at the first record at or after byte `k × chunkBytes`. A file is not cut (nil) where the
/// chunks could not be read apart with the same result as the whole file: pcapng (interface blocks carry state),
/// captures with DNS over TCP (streams would be split) or IP fragments, and anything whose framing looks broken
/// (the whole-file reader reports it, with its offset).
public enum BinaryChunker {
    /// Whether the format is cut by ``boundaries(path:size:chunkBytes:format:dnsPorts:)``.
    public static func canSplit(_ format: LogFormat) -> Bool { format == .dnstap || format == .pcap }

    /// The chunk boundaries `[0, b1, …, size]`, for pcap the file header every later chunk needs, and for each chunk
    /// whether any query message comes before it (dnstap; always true for pcap); nil when the file is not to be cut.
    public static func boundaries(path: String, size: Int, chunkBytes: Int, format: LogFormat,
                                  dnsPorts: Set<UInt16> = [53]) throws -> (cuts: [Int], header: [UInt8], queriesBefore: [Bool])? {
        guard chunkBytes > 0, size > chunkBytes, canSplit(format) else { return nil }
        var r = try WindowReader(path: path, size: size)
        defer { r.finish() }
        switch format {
        case .dnstap: return try dnstap(&r, size: size, chunkBytes: chunkBytes)
        case .pcap: return try pcap(&r, size: size, chunkBytes: chunkBytes, dnsPorts: dnsPorts)
        default: return nil
        }
    }

    /// Frame Streams: an escaped START control frame, then data frames `[length][payload]` until the STOP control
    /// frame. Cuts only between data frames; cutting stops at any control frame after START.
    static func dnstap(_ r: inout WindowReader, size: Int, chunkBytes: Int) throws -> (cuts: [Int], header: [UInt8], queriesBefore: [Bool])? {
        guard let escape = try r.u32(at: 0, bigEndian: true), escape == 0, let clen = try r.u32(at: 4, bigEndian: true),
              clen >= 4, clen <= UInt32(FrameStreams.maxControlFrame), let type = try r.u32(at: 8, bigEndian: true),
              type == FrameStreams.ControlType.start.rawValue else { return nil }
        var cuts = [0]
        var queriesBefore = [false]
        var sawQuery = false
        var p = 8 + Int(clen)
        var next = chunkBytes
        while p + 4 <= size, let len = try r.u32(at: p, bigEndian: true), len > 0, len <= UInt32(FrameStreams.maxDataFrame) {
            if p >= next {
                if size - p < chunkBytes / 4 { break }  // no sliver of a last chunk
                cuts.append(p)
                queriesBefore.append(sawQuery)
                next = (p / chunkBytes + 1) * chunkBytes
            }
            // Whether the frame may be a query: a response-only capture (responses carrying their query's time) then
            // has nothing to pair across a cut. Once one is seen, every later chunk may pair.
            if !sawQuery, p + 4 + Int(len) <= size, let frame = try r.slice(at: p + 4, count: Int(len)) {
                sawQuery = DnstapPeek.mayBeQuery(frame)
            }
            p += 4 + Int(len)
        }
        guard cuts.count > 1 else { return nil }
        cuts.append(size)
        return (cuts, [], queriesBefore)
    }

    /// Classic pcap: a 24-byte file header, then records `[16-byte header][captured bytes]`. Not cut when any
    /// packet is TCP to or from a DNS port or an IP fragment.
    static func pcap(_ r: inout WindowReader, size: Int, chunkBytes: Int, dnsPorts: Set<UInt16>) throws -> (cuts: [Int], header: [UInt8], queriesBefore: [Bool])? {
        guard size >= 24, let header = try r.bytes(at: 0, count: 24), let container = PacketSource.classicHeader(header),
              case .pcap(let be, _, let link) = container else { return nil }
        var cuts = [0]
        var p = 24
        var next = chunkBytes
        while p < size {
            guard p + 16 <= size, let incl32 = try r.u32(at: p + 8, bigEndian: be) else { return nil }
            let incl = Int(incl32)
            guard incl <= PacketSource.maxRecord, p + 16 + incl <= size else { return nil }
            if p >= next, size - p >= chunkBytes / 4 {
                cuts.append(p)
                next = (p / chunkBytes + 1) * chunkBytes
            }
            guard let packet = try r.slice(at: p + 16, count: min(incl, 128)) else { return nil }
            if !PacketPeek.readsApart(link: link, packet, dnsPorts: dnsPorts) { return nil }
            p += 16 + incl
        }
        guard cuts.count > 1 else { return nil }
        let chunks = cuts.count
        cuts.append(size)
        return (cuts, header, [Bool](repeating: true, count: chunks))
    }
}

/// A quick look at a dnstap frame: the message type, without decoding the rest.
enum DnstapPeek {
    /// False only for a well-formed `Dnstap` whose `Message.type` is a response; anything else may be a query.
    static func mayBeQuery(_ f: UnsafeRawBufferPointer) -> Bool {
        func varint(_ p: inout Int, _ end: Int) -> UInt64? {
            var v: UInt64 = 0, shift: UInt64 = 0
            while p < end, shift < 64 {
                let b = f[p]
                p += 1
                v |= UInt64(b & 0x7F) << shift
                if b & 0x80 == 0 { return v }
                shift += 7
            }
            return nil
        }
        /// The bytes of field `number` (length-delimited) or the value of it (varint) in `start..<end`.
        func find(_ number: UInt64, _ start: Int, _ end: Int) -> (value: UInt64, range: Range<Int>)? {
            var p = start
            while p < end {
                guard let tag = varint(&p, end) else { return nil }
                switch tag & 7 {
                case 0:
                    guard let v = varint(&p, end) else { return nil }
                    if tag >> 3 == number { return (v, p..<p) }
                case 1: p += 8
                case 2:
                    guard let n = varint(&p, end), n <= UInt64(end - p) else { return nil }
                    if tag >> 3 == number { return (0, p..<(p + Int(n))) }
                    p += Int(n)
                case 5: p += 4
                default: return nil
                }
            }
            return nil
        }
        guard let message = find(14, 0, f.count), let type = find(1, message.range.lowerBound, message.range.upperBound),
              let t = DnstapRecord.MessageType(rawValue: Int(clamping: type.value)) else { return true }
        return !t.isResponse
    }
}

/// A quick look at a packet's headers: whether it can be decoded without the packets before it.
enum PacketPeek {
    /// False for TCP to or from a DNS port and for IP fragments (their decoding needs earlier packets), and for
    /// IPv6 extension headers (not worth walking here); true for everything else, including what the decoder will
    /// skip or count as malformed on its own.
    static func readsApart(link: UInt32, _ d: UnsafeRawBufferPointer, dnsPorts: Set<UInt16>) -> Bool {
        func be16(_ i: Int) -> Int { Int(d[i]) << 8 | Int(d[i + 1]) }
        var i: Int
        var etherType: Int
        switch link {
        case 1:
            guard d.count >= 14 else { return true }
            i = 12
            etherType = be16(i)
            while etherType == 0x8100 || etherType == 0x88A8 || etherType == 0x9100 {
                i += 4
                guard i + 2 <= d.count else { return true }
                etherType = be16(i)
            }
            i += 2
        case 113:
            guard d.count >= 16 else { return true }
            etherType = be16(14); i = 16
        case 276:
            guard d.count >= 20 else { return true }
            etherType = be16(0); i = 20
        case 101, 12, 14, 228, 229:
            guard d.count >= 1 else { return true }
            etherType = d[0] >> 4 == 6 ? 0x86DD : 0x0800; i = 0
        case 0, 108:
            // The loopback family's byte order varies; look at the IP version nibble instead.
            guard d.count >= 5 else { return true }
            i = 4
            etherType = d[4] >> 4 == 6 ? 0x86DD : d[4] >> 4 == 4 ? 0x0800 : -1
        default:
            return true
        }
        let proto: UInt8
        let transport: Int
        switch etherType {
        case 0x0800:
            guard d.count >= i + 20, d[i] >> 4 == 4 else { return true }
            let flagsFrag = be16(i + 6)
            if flagsFrag & 0x3FFF != 0 { return false }  // MF set or a fragment offset
            proto = d[i + 9]
            transport = i + Int(d[i] & 0x0F) * 4
        case 0x86DD:
            guard d.count >= i + 40, d[i] >> 4 == 6 else { return true }
            proto = d[i + 6]
            transport = i + 40
            if proto == 0 || proto == 43 || proto == 44 || proto == 60 { return false }
        default:
            return true
        }
        guard proto == 6 else { return true }
        // TCP: fine only when neither port is a DNS port (the reader skips it then); a header cut short by the
        // snap length cannot say, so no.
        guard d.count >= transport + 4 else { return false }
        return !dnsPorts.contains(UInt16(be16(transport))) && !dnsPorts.contains(UInt16(be16(transport + 2)))
    }
}

/// Sequential reads over a file for hopping from record length to record length: the file mapped whole where
/// `mmap` allows (the hop touches a few bytes per record, so copying every byte into a buffer cost more than the
/// hop itself), else read through a large buffer.
struct WindowReader {
    let fd: Int32
    let size: Int
    let path: String
    private var buffer: UnsafeMutableRawBufferPointer
    /// The whole file, when mapped; `buffer` is then empty and the window is the file.
    private var mapped: UnsafeRawBufferPointer?
    /// The mapped bytes before this were handed back (see `load`).
    private var released = 0
    /// How far behind the hop pages are handed back (a multiple of any page size).
    private static let releaseLag = 8 << 20
    private var windowStart = 0
    private var windowCount = 0

    init(path: String, size: Int) throws {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw ReaderError(file: path, "cannot open: \(String(cString: strerror(errno)))") }
        self.fd = fd
        self.size = size
        self.path = path
        if size > 0, let m = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), m != MAP_FAILED {
            _ = madvise(m, size, MADV_SEQUENTIAL)
            mapped = UnsafeRawBufferPointer(start: m, count: size)
            buffer = UnsafeMutableRawBufferPointer(start: nil, count: 0)
        } else {
            buffer = .allocate(byteCount: 4 << 20, alignment: 64)
        }
    }

    /// Closes the file (the reader is spent).
    func finish() {
        _ = close(fd)
        if let mapped { _ = munmap(UnsafeMutableRawPointer(mutating: mapped.baseAddress), mapped.count) } else { buffer.deallocate() }
    }

    /// The first byte of the window.
    private var base: UnsafeRawPointer { mapped?.baseAddress ?? UnsafeRawPointer(buffer.baseAddress!) }

    /// Makes `offset..<offset+count` readable in the window; false past the end of the file.
    private mutating func load(_ offset: Int, _ count: Int) throws -> Bool {
        if let mapped {
            // Unmap the pages well behind the hop as it goes (they stay in the page cache), so that the scan's
            // memory stays bounded as with a buffer rather than growing to the file's size.
            if offset - released >= 2 * Self.releaseLag {
                let upTo = (offset - Self.releaseLag) & ~(Self.releaseLag - 1)
                _ = madvise(UnsafeMutableRawPointer(mutating: mapped.baseAddress! + released), upTo - released, MADV_DONTNEED)
                released = upTo
            }
            return offset >= 0 && offset + count <= size
        }
        if offset >= windowStart && offset + count <= windowStart + windowCount { return true }
        guard offset + count <= size, count <= buffer.count else { return false }
        let n = pread(fd, buffer.baseAddress, min(buffer.count, size - offset), off_t(offset))
        guard n >= count else { throw ReaderError(file: path, byteOffset: offset, "read failed while cutting chunks") }
        windowStart = offset
        windowCount = n
        return true
    }

    mutating func u32(at offset: Int, bigEndian: Bool) throws -> UInt32? {
        guard try load(offset, 4) else { return nil }
        let v = (base + (offset - windowStart)).loadUnaligned(as: UInt32.self)
        return bigEndian ? UInt32(bigEndian: v) : UInt32(littleEndian: v)
    }

    mutating func bytes(at offset: Int, count: Int) throws -> [UInt8]? {
        guard let s = try slice(at: offset, count: count) else { return nil }
        return Array(s)
    }

    /// A view of `count` bytes, valid until the next call.
    mutating func slice(at offset: Int, count: Int) throws -> UnsafeRawBufferPointer? {
        guard try load(offset, count) else { return nil }
        return UnsafeRawBufferPointer(start: base + (offset - windowStart), count: count)
    }
}
