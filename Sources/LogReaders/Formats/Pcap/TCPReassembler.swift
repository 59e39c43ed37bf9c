import DNSightCore

/// Reassembles one direction of TCP streams into DNS messages (2-byte length framing), with bounded state.
///
/// In-order segments are appended; retransmitted bytes are trimmed; a segment ahead of a gap waits (at most
/// `maxOutOfOrder` per stream); a gap that never fills makes the stream resynchronise at the next segment, and is
/// counted. Streams end on FIN/RST or are evicted oldest-first beyond `maxStreams`.
struct TCPReassembler {
    struct Key: Hashable { var src: IPAddress, sport: UInt16, dst: IPAddress, dport: UInt16 }
    struct Stream {
        var next: UInt32?
        var deframer = TCPFramingBuffer()
        var outOfOrder: [UInt32: ArraySlice<UInt8>] = [:]
        var lastSeen: Int
    }

    var maxStreams = 10_000
    var maxOutOfOrder = 64
    private var streams: [Key: Stream] = [:]
    private var clock = 0
    private(set) var gaps = 0
    private(set) var evicted = 0

    /// Feeds a segment whose payload bytes are `payload`; returns the DNS messages it completed.
    mutating func segment(_ t: TransportPayload, payload: ArraySlice<UInt8>) -> [[UInt8]] {
        clock += 1
        let key = Key(src: t.source, sport: t.sourcePort, dst: t.destination, dport: t.destinationPort)
        if t.rst { streams.removeValue(forKey: key); return [] }
        var s = streams[key] ?? Stream(lastSeen: clock)
        if streams[key] == nil && streams.count >= maxStreams { evictOldest() }
        s.lastSeen = clock
        var seq = t.sequence
        if t.syn { s.next = seq &+ 1; seq = seq &+ 1 }
        var out = [[UInt8]]()
        if !payload.isEmpty {
            if s.next == nil { s.next = seq }  // capture started mid-stream
            accept(&s, seq: seq, data: payload)
            while let m = s.deframer.next() { out.append(m) }
        }
        if t.fin { streams.removeValue(forKey: key) } else { streams[key] = s }
        return out
    }

    private mutating func accept(_ s: inout Stream, seq: UInt32, data: ArraySlice<UInt8>) {
        guard let next = s.next else { return }
        let delta = Int32(bitPattern: seq &- next)
        if delta > 0 {
            if s.outOfOrder.count < maxOutOfOrder { s.outOfOrder[seq] = data; return }
            // The gap will not fill: resynchronise here and drop what was buffered.
            gaps += 1
            s.outOfOrder.removeAll()
            s.deframer = TCPFramingBuffer()
            s.next = seq
            accept(&s, seq: seq, data: data)
            return
        }
        let skip = Int(-delta)
        if skip < data.count {
            s.deframer.append(data.dropFirst(skip))
            s.next = seq &+ UInt32(data.count)
        }
        // Drain buffered segments that are now in order.
        while let n = s.next, let (k, v) = s.outOfOrder.first(where: { Int32(bitPattern: $0.key &- n) <= 0 }) {
            s.outOfOrder.removeValue(forKey: k)
            let skip = Int(Int32(bitPattern: n &- k))
            if skip < v.count {
                s.deframer.append(v.dropFirst(skip))
                s.next = k &+ UInt32(v.count)
            }
        }
    }

    private mutating func evictOldest() {
        if let oldest = streams.min(by: { $0.value.lastSeen < $1.value.lastSeen })?.key {
            streams.removeValue(forKey: oldest)
            evicted += 1
        }
    }
}

/// The 2-byte length framing of DNS over TCP, over slices (a thin wrapper that keeps `DNSWire` out of the
/// packet code's hot types).
struct TCPFramingBuffer {
    var buffer: [UInt8] = []
    var start = 0
    mutating func append(_ b: ArraySlice<UInt8>) {
        if start > 0 && start * 2 >= buffer.count { buffer.removeFirst(start); start = 0 }
        buffer.append(contentsOf: b)
    }
    mutating func next() -> [UInt8]? {
        guard buffer.count - start >= 2 else { return nil }
        let len = Int(buffer[start]) << 8 | Int(buffer[start + 1])
        guard buffer.count - start - 2 >= len else { return nil }
        let m = Array(buffer[(start + 2)..<(start + 2 + len)])
        start += 2 + len
        return m
    }
}
