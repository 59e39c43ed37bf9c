/// Builds the DNS query and response messages of an event in wire format (RFC 1035, with name compression and an
/// EDNS(0) OPT record, as a stub and a recursive resolver send them) into a reusable scratch buffer.
struct WireEncoder {
    var buf: [UInt8] = []

    init() { buf.reserveCapacity(4096) }

    @inline(__always) mutating func u16(_ v: UInt16) { buf.append(UInt8(v >> 8)); buf.append(UInt8(truncatingIfNeeded: v)) }
    @inline(__always) mutating func u32(_ v: UInt32) { u16(UInt16(v >> 16)); u16(UInt16(truncatingIfNeeded: v)) }

    /// Writes a name in wire form; returns the offset of each label start (for compression pointers into it).
    @inline(__always) mutating func name(_ p: UnsafeRawBufferPointer, labelOffsets: inout [Int]) {
        labelOffsets.removeAll(keepingCapacity: true)
        var start = 0
        let n = p.count
        while start < n {
            var end = start
            while end < n && p[end] != 0x2E { end += 1 }
            labelOffsets.append(buf.count)
            buf.append(UInt8(end - start))
            buf.append(contentsOf: UnsafeRawBufferPointer(rebasing: p[start..<end]))
            start = end + 1
        }
        buf.append(0)
    }

    /// Writes a name without remembering offsets.
    @inline(__always) mutating func plainName(_ p: UnsafeRawBufferPointer) {
        var start = 0
        let n = p.count
        while start < n {
            var end = start
            while end < n && p[end] != 0x2E { end += 1 }
            buf.append(UInt8(end - start))
            buf.append(contentsOf: UnsafeRawBufferPointer(rebasing: p[start..<end]))
            start = end + 1
        }
        buf.append(0)
    }

    mutating func opt() {
        buf.append(0)          // root owner
        u16(41)                // OPT
        u16(1232)              // UDP payload size
        u32(0)                 // extended rcode, version, flags
        u16(0)                 // no options
    }

    /// The query message.
    mutating func query(_ e: SimEvent, _ s: WriteContext, _ scratch: inout [Int]) {
        buf.removeAll(keepingCapacity: true)
        u16(e.txid); u16(0x0100); u16(1); u16(0); u16(0); u16(1)
        s.names.withName(e.name) { name($0, labelOffsets: &scratch) }
        u16(e.qtype); u16(1)
        opt()
    }

    /// The response message: answers (owner compressed to the question or the previous CNAME target), a SOA in the
    /// authority section for NXDOMAIN and NODATA, and OPT.
    mutating func response(_ e: SimEvent, _ s: WriteContext, _ scratch: inout [Int]) {
        buf.removeAll(keepingCapacity: true)
        let answerCount = e.answer >= 0 ? s.answers.count(e.answer) : 0
        let negative = answerCount == 0
        u16(e.txid); u16(0x8180 | UInt16(e.rcode)); u16(1); u16(UInt16(answerCount)); u16(negative ? 1 : 0); u16(1)
        s.names.withName(e.name) { name($0, labelOffsets: &scratch) }
        u16(e.qtype); u16(1)
        var owner = 12
        if answerCount > 0 {
            for k in s.answers.range(e.answer) {
                let r = s.answers.records[k]
                u16(0xC000 | UInt16(owner))
                switch r.kind {
                case .a:
                    u16(1); u16(1); u32(r.ttl); u16(4); u32(UInt32(truncatingIfNeeded: r.data))
                case .aaaa:
                    let (hi, lo) = s.answers.address6(r.data)
                    u16(28); u16(1); u32(r.ttl); u16(16)
                    u32(UInt32(hi >> 32)); u32(UInt32(truncatingIfNeeded: hi)); u32(UInt32(lo >> 32)); u32(UInt32(truncatingIfNeeded: lo))
                case .cname:
                    u16(5); u16(1); u32(r.ttl)
                    let lenAt = buf.count
                    u16(0)
                    let start = buf.count
                    owner = start
                    s.names.withName(Int32(r.data)) { plainName($0) }
                    let len = buf.count - start
                    buf[lenAt] = UInt8(len >> 8); buf[lenAt + 1] = UInt8(truncatingIfNeeded: len)
                case .txt:
                    u16(16); u16(1); u32(r.ttl)
                    s.answers.withText(r.data) { t in
                        let chunks = (t.count + 254) / 255
                        u16(UInt16(t.count + max(chunks, 1)))
                        var i = 0
                        repeat {
                            let n = min(255, t.count - i)
                            buf.append(UInt8(n))
                            buf.append(contentsOf: UnsafeRawBufferPointer(rebasing: t[i..<(i + n)]))
                            i += n
                        } while i < t.count
                    }
                }
            }
        } else {
            // SOA of the top-level zone (compressed into the question name's last label).
            let tld = scratch.last ?? 12
            u16(0xC000 | UInt16(tld)); u16(6); u16(1); u32(900)
            let lenAt = buf.count
            u16(0)
            let start = buf.count
            buf.append(3); buf.append(contentsOf: [0x6E, 0x69, 0x63]); u16(0xC000 | UInt16(tld))              // nic.<tld>
            buf.append(10); buf.append(contentsOf: Array("hostmaster".utf8)); u16(0xC000 | UInt16(tld))   // hostmaster.<tld>
            u32(2022010101); u32(1800); u32(900); u32(604_800); u32(900)
            let len = buf.count - start
            buf[lenAt] = UInt8(len >> 8); buf[lenAt + 1] = UInt8(truncatingIfNeeded: len)
        }
        opt()
    }
}
