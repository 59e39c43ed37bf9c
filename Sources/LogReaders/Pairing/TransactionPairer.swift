import DNSWire
import DNSightCore

/// Pairs queries with their responses (by client, server, id and question) for sources that see the two
/// separately — pcap and dnstap — and emits one ``DNSEvent`` per transaction.
///
/// State is bounded: a query waits at most `timeoutNanos` (in the source's own clock) and at most `capacity`
/// queries wait at once; a query that times out or is evicted is emitted on its own (no rcode), and evictions are
/// counted. A response whose query was never seen is emitted on its own too.
public struct TransactionPairer {
    struct Key: Hashable {
        var client: IPAddress?
        var clientPort: UInt16?
        var server: IPAddress?
        var serverPort: UInt16?
        var id: UInt16?
        var name: DNSName
        var type: RecordType
    }

    /// How long a query waits for its response, in nanoseconds of source time.
    public var timeoutNanos: Int64
    /// The most queries waiting at once.
    public var capacity: Int
    /// Queries emitted without a response because the table was full.
    public private(set) var evicted = 0
    /// Queries emitted without a response because none came in time (or the input ended).
    public private(set) var unanswered = 0
    /// Responses emitted without their query.
    public private(set) var orphanResponses = 0
    /// Transactions paired.
    public private(set) var paired = 0

    private var pending: [Key: (event: DNSEvent, seq: Int)] = [:]
    private var order: [(key: Key, seq: Int, time: Int64)] = []
    private var orderHead = 0
    private var seq = 0

    /// Creates a pairer.
    public init(timeoutNanos: Int64 = 10_000_000_000, capacity: Int = 200_000) {
        self.timeoutNanos = timeoutNanos
        self.capacity = capacity
    }

    static func key(_ e: DNSEvent) -> Key {
        Key(client: e.clientAddress, clientPort: e.clientPort, server: e.serverAddress, serverPort: e.serverPort, id: e.id, name: e.queryName, type: e.queryType)
    }

    /// Records a query; emits whatever timed out or had to be evicted to make room.
    public mutating func query(_ e: DNSEvent, emit: (DNSEvent) throws -> Void) rethrows {
        try expire(before: e.timeNanos - timeoutNanos, emit: emit)
        let k = Self.key(e)
        if let old = pending[k] {
            // A retransmission with the same id: the first is reported unanswered.
            unanswered += 1
            try emit(old.event)
        }
        if pending.count >= capacity {
            try evictOldest(emit: emit)
        }
        seq += 1
        pending[k] = (e, seq)
        order.append((k, seq, e.timeNanos))
    }

    /// Records a response: emits the merged transaction, or the response alone if its query is unknown.
    public mutating func response(_ r: DNSEvent, emit: (DNSEvent) throws -> Void) rethrows {
        try expire(before: r.timeNanos - timeoutNanos, emit: emit)
        let k = Self.key(r)
        if let q = pending.removeValue(forKey: k) {
            paired += 1
            var merged = q.event
            merged.rcode = r.rcode
            merged.flags = r.flags
            merged.answers = r.answers
            if r.sourceAction != nil { merged.sourceAction = r.sourceAction }
            if merged.transport == .unknown { merged.transport = r.transport }
            merged.responseTimeMicros = r.responseTimeMicros ?? max(0, (r.timeNanos - q.event.timeNanos) / 1000)
            try emit(merged)
        } else {
            orphanResponses += 1
            try emit(r)
        }
    }

    /// Emits every waiting query (at the end of the input).
    public mutating func flush(emit: (DNSEvent) throws -> Void) rethrows {
        try expire(before: .max, emit: emit)
    }

    private mutating func expire(before cutoff: Int64, emit: (DNSEvent) throws -> Void) rethrows {
        while orderHead < order.count && order[orderHead].time < cutoff {
            let o = order[orderHead]
            orderHead += 1
            if let p = pending[o.key], p.seq == o.seq {
                pending.removeValue(forKey: o.key)
                unanswered += 1
                try emit(p.event)
            }
        }
        compact()
    }

    private mutating func evictOldest(emit: (DNSEvent) throws -> Void) rethrows {
        while orderHead < order.count {
            let o = order[orderHead]
            orderHead += 1
            if let p = pending[o.key], p.seq == o.seq {
                pending.removeValue(forKey: o.key)
                evicted += 1
                try emit(p.event)
                break
            }
        }
        compact()
    }

    private mutating func compact() {
        if orderHead > 4096 && orderHead * 2 > order.count {
            order.removeFirst(orderHead)
            orderHead = 0
        }
    }

    /// Adds the pairing counters to reader diagnostics.
    public func record(into d: inout ReaderDiagnostics) {
        if unanswered > 0 { d.skipped("query without a response (reported alone)", count: unanswered) }
        if evicted > 0 { d.skipped("query evicted from the full pairing table (reported alone)", count: evicted) }
        if orphanResponses > 0 { d.skipped("response without its query (reported alone)", count: orphanResponses) }
    }
}
