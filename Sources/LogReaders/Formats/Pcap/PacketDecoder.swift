import DNSightCore

/// A transport-layer payload pulled out of a captured packet.
struct TransportPayload {
    var source: IPAddress
    var destination: IPAddress
    var sourcePort: UInt16
    var destinationPort: UInt16
    var isTCP: Bool
    /// TCP only.
    var sequence: UInt32 = 0
    var syn = false, fin = false, rst = false
    /// Where the payload lies: in the packet's bytes, or in `reassembled` for a datagram rebuilt from fragments.
    var payload: Range<Int>
    var reassembled: [UInt8]? = nil

    /// Runs `body` over the payload; `packet` is the bytes the payload was decoded from.
    func withPayload<R>(in packet: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        if let reassembled { return try reassembled.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[payload])) } }
        return try body(UnsafeRawBufferPointer(rebasing: packet[payload]))
    }
}

/// Why a packet was not turned into a payload.
enum PacketOutcome {
    case payload(TransportPayload)
    /// Deliberately ignored (not IP, not UDP/TCP, a fragment still waiting), counted under the reason.
    case skip(String)
    /// Broken, counted as malformed under the reason.
    case malformed(String)
}

/// Link layer → IPv4/IPv6 (with fragment reassembly) → UDP/TCP, with every length checked.
struct PacketDecoder {
    /// Fragments wait at most this long (capture time) and at most this many datagrams wait at once.
    var fragmentTimeoutNanos: Int64 = 30_000_000_000
    var maxPendingDatagrams = 1024
    private var fragments: [FragmentKey: FragmentBuffer] = [:]
    private(set) var reassembled = 0
    private(set) var fragmentsDropped = 0

    struct FragmentKey: Hashable { var src: IPAddress, dst: IPAddress, proto: UInt8, id: UInt32 }
    struct FragmentBuffer {
        var pieces: [(offset: Int, data: ArraySlice<UInt8>)] = []
        var totalLength: Int?
        var firstSeen: Int64
        var bytes = 0
    }

    static func be16(_ b: UnsafeRawBufferPointer, _ i: Int) -> Int { Int(b[i]) << 8 | Int(b[i + 1]) }

    /// Decodes a packet whose captured bytes are `d`; a payload in the packet is located in `d`.
    mutating func decode(_ p: CapturedPacket, _ d: UnsafeRawBufferPointer) -> PacketOutcome {
        var i: Int
        var etherType: Int
        switch p.linkType {
        case 1:  // Ethernet, with any number of 802.1Q / 802.1ad tags
            guard d.count >= 14 else { return .malformed("Ethernet frame shorter than its header") }
            i = 12
            etherType = Self.be16(d, i)
            while etherType == 0x8100 || etherType == 0x88A8 || etherType == 0x9100 {
                i += 4
                guard i + 2 <= d.count else { return .malformed("VLAN tag truncated") }
                etherType = Self.be16(d, i)
            }
            i += 2
        case 113:  // Linux cooked v1
            guard d.count >= 16 else { return .malformed("Linux SLL header truncated") }
            etherType = Self.be16(d, 14); i = 16
        case 276:  // Linux cooked v2
            guard d.count >= 20 else { return .malformed("Linux SLL2 header truncated") }
            etherType = Self.be16(d, 0); i = 20
        case 101, 12, 14, 228, 229:  // raw IP
            guard !d.isEmpty else { return .malformed("empty raw IP packet") }
            etherType = d[0] >> 4 == 6 ? 0x86DD : 0x0800; i = 0
        case 0, 108:  // BSD loopback: 4-byte address family, host byte order for 0, network order for 108
            guard d.count >= 4 else { return .malformed("loopback header truncated") }
            let le = Int(d[0]) | Int(d[1]) << 8, be = Int(d[2]) << 8 | Int(d[3])
            let fam = p.linkType == 108 ? be : (le != 0 ? le : be)
            etherType = fam == 2 ? 0x0800 : [10, 24, 28, 30].contains(fam) ? 0x86DD : -1
            i = 4
        default:
            return .skip("unsupported link type \(p.linkType)")
        }
        switch etherType {
        case 0x0800: return ipv4(d, i, p.timeNanos)
        case 0x86DD: return ipv6(d, i, p.timeNanos)
        default: return .skip("not IP")
        }
    }

    private mutating func ipv4(_ d: UnsafeRawBufferPointer, _ start: Int, _ time: Int64) -> PacketOutcome {
        guard d.count >= start + 20 else { return .malformed("IPv4 header truncated") }
        guard d[start] >> 4 == 4 else { return .malformed("IPv4 version field is not 4") }
        let ihl = Int(d[start] & 0x0F) * 4
        let total = Self.be16(d, start + 2)
        guard ihl >= 20, total >= ihl else { return .malformed("IPv4 header length invalid") }
        guard start + total <= d.count else { return .malformed("packet truncated by the capture's snap length") }
        let src = IPAddress.v4(.init(bytes: d[(start + 12)..<(start + 16)]))
        let dst = IPAddress.v4(.init(bytes: d[(start + 16)..<(start + 20)]))
        let proto = d[start + 9]
        let flagsFrag = Self.be16(d, start + 6)
        let moreFragments = flagsFrag & 0x2000 != 0
        let fragOffset = (flagsFrag & 0x1FFF) * 8
        let body = d[(start + ihl)..<(start + total)]
        if moreFragments || fragOffset > 0 {
            let key = FragmentKey(src: src, dst: dst, proto: proto, id: UInt32(Self.be16(d, start + 4)))
            guard let whole = addFragment(key, offset: fragOffset, last: !moreFragments, data: ArraySlice(body), time: time) else { return .skip("IP fragment (waiting for the rest)") }
            return transport(proto, src, dst, reassembled: whole)
        }
        return transport(proto, src, dst, body)
    }

    private mutating func ipv6(_ d: UnsafeRawBufferPointer, _ start: Int, _ time: Int64) -> PacketOutcome {
        guard d.count >= start + 40 else { return .malformed("IPv6 header truncated") }
        guard d[start] >> 4 == 6 else { return .malformed("IPv6 version field is not 6") }
        let payloadLength = Self.be16(d, start + 4)
        guard start + 40 + payloadLength <= d.count else { return .malformed("packet truncated by the capture's snap length") }
        let src = IPAddress.v6(.init(bytes: d[(start + 8)..<(start + 24)]))
        let dst = IPAddress.v6(.init(bytes: d[(start + 24)..<(start + 40)]))
        var next = d[start + 6]
        var i = start + 40
        let end = start + 40 + payloadLength
        var fragment: (offset: Int, more: Bool, id: UInt32)?
        // Walk the extension headers (at most 8: more is an attack, not a packet).
        for _ in 0..<8 {
            switch next {
            case 0, 43, 60:
                guard i + 8 <= end else { return .malformed("IPv6 extension header truncated") }
                let len = (Int(d[i + 1]) + 1) * 8
                guard i + len <= end else { return .malformed("IPv6 extension header truncated") }
                next = d[i]; i += len
                continue
            case 44:
                guard i + 8 <= end else { return .malformed("IPv6 fragment header truncated") }
                let v = Self.be16(d, i + 2)
                fragment = ((v >> 3) * 8, v & 1 != 0, UInt32(Self.be16(d, i + 4)) << 16 | UInt32(Self.be16(d, i + 6)))
                next = d[i]; i += 8
                continue
            default: break
            }
            break
        }
        let body = d[i..<end]
        if let f = fragment, f.more || f.offset > 0 {
            let key = FragmentKey(src: src, dst: dst, proto: next, id: f.id)
            guard let whole = addFragment(key, offset: f.offset, last: !f.more, data: ArraySlice(body), time: time) else { return .skip("IP fragment (waiting for the rest)") }
            return transport(next, src, dst, reassembled: whole)
        }
        return transport(next, src, dst, body)
    }

    /// `transport` over a datagram rebuilt from fragments, which the payload then points into.
    private func transport(_ proto: UInt8, _ src: IPAddress, _ dst: IPAddress, reassembled whole: [UInt8]) -> PacketOutcome {
        let outcome = whole.withUnsafeBytes { transport(proto, src, dst, $0[...]) }
        guard case .payload(var t) = outcome else { return outcome }
        t.reassembled = whole
        return .payload(t)
    }

    private func transport(_ proto: UInt8, _ src: IPAddress, _ dst: IPAddress, _ b: Slice<UnsafeRawBufferPointer>) -> PacketOutcome {
        let s = b.startIndex
        switch proto {
        case 17:
            guard b.count >= 8 else { return .malformed("UDP header truncated") }
            let len = Int(b[s + 4]) << 8 | Int(b[s + 5])
            guard len >= 8, len <= b.count else { return .malformed("UDP length field invalid") }
            return .payload(TransportPayload(source: src, destination: dst, sourcePort: UInt16(b[s]) << 8 | UInt16(b[s + 1]),
                                             destinationPort: UInt16(b[s + 2]) << 8 | UInt16(b[s + 3]), isTCP: false, payload: (s + 8)..<(s + len)))
        case 6:
            guard b.count >= 20 else { return .malformed("TCP header truncated") }
            let off = Int(b[s + 12] >> 4) * 4
            guard off >= 20, off <= b.count else { return .malformed("TCP data offset invalid") }
            let flags = b[s + 13]
            var t = TransportPayload(source: src, destination: dst, sourcePort: UInt16(b[s]) << 8 | UInt16(b[s + 1]),
                                     destinationPort: UInt16(b[s + 2]) << 8 | UInt16(b[s + 3]), isTCP: true, payload: (s + off)..<b.endIndex)
            t.sequence = UInt32(b[s + 4]) << 24 | UInt32(b[s + 5]) << 16 | UInt32(b[s + 6]) << 8 | UInt32(b[s + 7])
            t.syn = flags & 0x02 != 0; t.fin = flags & 0x01 != 0; t.rst = flags & 0x04 != 0
            return .payload(t)
        default:
            return .skip("not UDP or TCP")
        }
    }

    /// Adds a fragment; returns the whole datagram once every piece is there.
    private mutating func addFragment(_ key: FragmentKey, offset: Int, last: Bool, data: ArraySlice<UInt8>, time: Int64) -> [UInt8]? {
        // Expire old datagrams, then make room.
        if fragments.count >= maxPendingDatagrams || fragments.values.contains(where: { time - $0.firstSeen > fragmentTimeoutNanos }) {
            for (k, v) in fragments where time - v.firstSeen > fragmentTimeoutNanos || fragments.count >= maxPendingDatagrams {
                fragments.removeValue(forKey: k)
                fragmentsDropped += 1
            }
        }
        var buf = fragments[key] ?? FragmentBuffer(firstSeen: time)
        guard offset + data.count <= 65535, buf.bytes + data.count <= 65535 * 2 else {
            fragments.removeValue(forKey: key)
            fragmentsDropped += 1
            return nil
        }
        buf.pieces.append((offset, data))
        buf.bytes += data.count
        if last { buf.totalLength = offset + data.count }
        guard let total = buf.totalLength else { fragments[key] = buf; return nil }
        // Complete when the pieces cover 0..<total without a gap.
        let sorted = buf.pieces.sorted { $0.offset < $1.offset }
        var covered = 0
        for piece in sorted where piece.offset <= covered { covered = max(covered, piece.offset + piece.data.count) }
        guard covered >= total else { fragments[key] = buf; return nil }
        var whole = [UInt8](repeating: 0, count: total)
        for piece in sorted {
            for (j, byte) in piece.data.enumerated() where piece.offset + j < total { whole[piece.offset + j] = byte }
        }
        fragments.removeValue(forKey: key)
        reassembled += 1
        return whole
    }

    /// Datagrams still incomplete at the end.
    var pendingFragments: Int { fragments.count }
}
