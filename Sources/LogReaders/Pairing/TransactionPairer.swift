import DNSWire
import DNSightCore

/// Pairs queries with their responses (by client, server, id and question) for sources that see the two
/// separately — pcap and dnstap — and emits one ``DNSEvent`` per transaction.
///
/// State is bounded: a query waits at most `timeoutNanos` (in the source's own clock) and at most `capacity`
/// queries wait at once; a query that times out or is evicted is emitted on its own (no rcode), and evictions are
/// counted. A response whose query was never seen is emitted on its own too.
public struct TransactionPairer {
    struct Key: Hashable, Sendable {
        let client: IPAddress?
        let clientPort: UInt16?
        let server: IPAddress?
        let serverPort: UInt16?
        let id: UInt16?
        let name: DNSName
        let type: RecordType
        /// ``stableHash(client:clientPort:server:serverPort:id:name:type:)`` of the fields, taken once: it is also
        /// the dictionary hash, where a `Hasher` fed field by field (a call per field) was a tenth of a pcap profile.
        let stableHash: UInt64

        init(client: IPAddress?, clientPort: UInt16?, server: IPAddress?, serverPort: UInt16?, id: UInt16?, name: DNSName, type: RecordType) {
            self.client = client
            self.clientPort = clientPort
            self.server = server
            self.serverPort = serverPort
            self.id = id
            self.name = name
            self.type = type
            stableHash = Self.stableHash(client: client, clientPort: clientPort, server: server, serverPort: serverPort, id: id, name: name, type: type)
        }

        func hash(into hasher: inout Hasher) { hasher.combine(stableHash) }
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

    /// Reading one chunk of a file cut at record boundaries, other than the first: a response whose query is not
    /// here may have its query at the end of an earlier chunk, so early ones are held for ``settle(_:emit:)``
    /// instead of being emitted alone.
    public var holdsEarlyOrphans = false
    /// Reading a chunk other than the last: queries still waiting at the end are handed to ``settle(_:emit:)``
    /// (their response may be in the next chunk) instead of being emitted unanswered.
    public var keepsPendingAtEnd = false
    /// What this chunk leaves to ``settle(_:emit:)``, filled in by ``flush(emit:)``.
    public private(set) var leftovers = PairingLeftovers()
    /// The highest expiry cutoff applied so far (every call expires queries older than its time minus the timeout).
    private var cutoff = Int64.min
    /// While the cutoff is below this, queries are remembered by key and orphan responses held (see
    /// `holdsEarlyOrphans`): a query from an earlier chunk can be waiting only so long.
    private var windowEnd: Int64?
    /// Queries and responses seen, numbering them for the leftovers.
    private var calls = 0

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
    public mutating func query(_ e: consuming DNSEvent, emit: (DNSEvent) throws -> Void) rethrows {
        let time = e.timeNanos
        try expire(before: time - timeoutNanos, emit: emit)
        let k = Self.key(e)
        if inEarlyWindow(time) { leftovers.earlyQueries.append(k.stableHash, call: calls) }
        if let old = pending[k] {
            // A retransmission with the same id: the first is reported unanswered.
            unanswered += 1
            try emit(old.event)
        }
        if pending.count >= capacity {
            try evictOldest(emit: emit)
        }
        seq += 1
        // The event moves into the table and out of it again when emitted: copying it retained every field.
        order.append((k, seq, time))
        pending[consume k] = (consume e, seq)
    }

    /// Records a response: emits the merged transaction, or the response alone if its query is unknown.
    public mutating func response(_ r: consuming DNSEvent, emit: (DNSEvent) throws -> Void) rethrows {
        try expire(before: r.timeNanos - timeoutNanos, emit: emit)
        let early = inEarlyWindow(r.timeNanos)
        let holds = early && holdsEarlyOrphans
        if pending.isEmpty && !holds {
            // No query waits, so none can match: the key (a hash over every field, then a probe) is not needed. A
            // capture of responses only (which carry their query's time, as Unbound and BIND log them) takes
            // this path for every message.
            orphanResponses += 1
            try emit(r)
            return
        }
        let k = Self.key(r)
        if case let (query, _)? = pending.removeValue(forKey: k) {
            paired += 1
            try emit(Self.merge(query, from: r))
        } else if holds {
            leftovers.orphans.append(.init(event: r, key: k, call: calls, cutoff: cutoff))
        } else {
            orphanResponses += 1
            try emit(r)
        }
    }

    /// A query completed by its response.
    static func merge(_ q: consuming DNSEvent, from r: borrowing DNSEvent) -> DNSEvent {
        let queryTime = q.timeNanos
        var merged = consume q
        merged.rcode = r.rcode
        merged.flags = r.flags
        merged.answers = r.answers
        if r.sourceAction != nil { merged.sourceAction = r.sourceAction }
        if merged.transport == .unknown { merged.transport = r.transport }
        merged.responseTimeMicros = r.responseTimeMicros ?? max(0, (r.timeNanos - queryTime) / 1000)
        return merged
    }

    /// Counts a call and its expiry cutoff; whether it falls in the early window of a chunk.
    private mutating func inEarlyWindow(_ time: Int64) -> Bool {
        calls += 1
        let (c, o) = time.subtractingReportingOverflow(timeoutNanos)
        let t = o ? Int64.min : c
        if t > cutoff { cutoff = t }
        guard holdsEarlyOrphans else { return false }
        if windowEnd == nil {
            // Two timeouts past the chunk's first record: one for a query waiting from before the cut, one for
            // records out of time order around the cut.
            let (w, o) = time.addingReportingOverflow(timeoutNanos)
            windowEnd = o ? .max : w
        }
        return cutoff < windowEnd!
    }

    /// Emits every waiting query (at the end of the input) — or, with `keepsPendingAtEnd`, keeps them in the
    /// leftovers.
    public mutating func flush(emit: (DNSEvent) throws -> Void) rethrows {
        leftovers.finalCutoff = cutoff
        if keepsPendingAtEnd {
            while orderHead < order.count {
                let o = order[orderHead]
                orderHead += 1
                if let p = pending[o.key], p.seq == o.seq {
                    pending.removeValue(forKey: o.key)
                    leftovers.pending.append(.init(event: p.event, key: o.key))
                }
            }
            order.removeAll()
            orderHead = 0
            return
        }
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

/// What the pairer of one chunk of a file (cut at record boundaries and read on its own) could not settle alone:
/// the queries still waiting at its end and the responses near its start whose query was not in it. Settled in
/// chunk order by ``TransactionPairer/settle(_:emit:)``.
public struct PairingLeftovers: Sendable {
    struct Orphan: Sendable {
        var event: DNSEvent
        var key: TransactionPairer.Key
        /// The response's number among the chunk's calls.
        var call: Int
        /// The expiry cutoff in force when it arrived: a query older than this had been expired.
        var cutoff: Int64
    }
    struct Waiting: Sendable {
        var event: DNSEvent
        var key: TransactionPairer.Key
    }
    var orphans: [Orphan] = []
    var pending: [Waiting] = []
    /// The first call of each query key in the chunk's early window: a query from an earlier chunk with this key
    /// was replaced (reported unanswered) by it, had the file been read whole.
    var earlyQueries = EarlyQueries()
    var finalCutoff = Int64.min

    /// Creates empty leftovers (a chunk that settled everything).
    public init() {}

    /// Whether there is nothing to settle.
    public var isEmpty: Bool { orphans.isEmpty && pending.isEmpty }
}

/// What settling chunk leftovers did, to add to the file's pairing counters.
public struct SettledPairs: Sendable {
    public var paired = 0
    public var unanswered = 0
    public var orphanResponses = 0
    public var emitted = 0

    /// Adds the counts to reader diagnostics under the pairer's reasons.
    public func record(into d: inout ReaderDiagnostics) {
        if unanswered > 0 { d.skipped("query without a response (reported alone)", count: unanswered) }
        if orphanResponses > 0 { d.skipped("response without its query (reported alone)", count: orphanResponses) }
        d.eventsEmitted += emitted
    }
}

extension TransactionPairer {
    /// Pairs the queries left waiting at the end of each chunk with the responses held at the start of the next
    /// ones, in chunk order (see ``PairSettler``). `chunks` are every chunk's leftovers, in file order.
    public static func settle(_ chunks: [PairingLeftovers], emit: (DNSEvent) throws -> Void) rethrows -> SettledPairs {
        var settler = PairSettler()
        for (i, c) in chunks.enumerated() { try settler.add(c, last: i == chunks.count - 1, emit: emit) }
        return settler.counts
    }
}

/// Settles the leftovers of a file's chunks one chunk at a time, in file order, the way one pairer reading the whole
/// file would have: a held response takes a waiting query with its key unless that query had expired by then or a
/// query with the same key came before it in its chunk; waiting queries that expire, are replaced or are never
/// answered are emitted alone, and so are responses that find no query. One chunk at a time, so that each chunk's
/// part can be settled (and its transactions processed) by the thread that read it, as soon as the chunk before
/// it is settled.
public struct PairSettler: Sendable {
    private var waiting: [TransactionPairer.Key: DNSEvent] = [:]
    private var order: [TransactionPairer.Key] = []
    /// What settling did so far.
    public private(set) var counts = SettledPairs()

    /// Creates a settler for one file, before its first chunk.
    public init() {}

    /// Settles the next chunk's leftovers; `last` emits every query still waiting after it.
    public mutating func add(_ c: PairingLeftovers, last: Bool, emit: (DNSEvent) throws -> Void) rethrows {
        var out = [DNSEvent]()
        // The first early call of every key this can ask about (a held response's, a waiting query's): one pass
        // over the chunk's early queries.
        var wanted = Set<UInt64>()
        if !waiting.isEmpty {
            for o in c.orphans { wanted.insert(o.key.stableHash) }
            for k in waiting.keys { wanted.insert(k.stableHash) }
        }
        let early = c.earlyQueries.firstCalls(of: wanted)
        for o in c.orphans {
            if let q = waiting[o.key], q.timeNanos >= o.cutoff, (early[o.key.stableHash].map { $0 > o.call } ?? true) {
                waiting[o.key] = nil
                counts.paired += 1
                out.append(TransactionPairer.merge(q, from: o.event))
            } else {
                counts.orphanResponses += 1
                out.append(o.event)
            }
        }
        if !waiting.isEmpty {
            out += drop { k, q in early[k.stableHash] != nil || q.timeNanos < c.finalCutoff }
        }
        for p in c.pending {
            if let old = waiting[p.key] {
                // A retransmission with the same key: the first is reported unanswered.
                counts.unanswered += 1
                out.append(old)
                order.removeAll { $0 == p.key }
            }
            waiting[p.key] = p.event
            order.append(p.key)
        }
        if last { out += drop { _, _ in true } }
        counts.emitted += out.count
        for e in out { try emit(e) }
    }

    /// Drops the waiting queries `gone` says are gone and returns them, in arrival order.
    private mutating func drop(where gone: (TransactionPairer.Key, DNSEvent) -> Bool) -> [DNSEvent] {
        var kept = [TransactionPairer.Key](), out = [DNSEvent]()
        for k in order {
            guard let q = waiting[k] else { continue }
            if gone(k, q) {
                waiting[k] = nil
                counts.unanswered += 1
                out.append(q)
            } else {
                kept.append(k)
            }
        }
        order = kept
        return out
    }
}

extension TransactionPairer.Key {
    /// A 64-bit hash of a key's fields (FNV-1a over them, then mixed): the key's hash, and what a chunk's early window
    /// remembers its queries by. Two keys of one chunk sharing a hash (odds about n² / 2⁶⁵) would make a held
    /// response look preceded by its query.
    static func stableHash(client: IPAddress?, clientPort: UInt16?, server: IPAddress?, serverPort: UInt16?, id: UInt16?, name: DNSName,
                           type: RecordType) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        @inline(__always) func mix(_ v: UInt64) { h = (h ^ v) &* 0x0000_0100_0000_01B3 }
        func address(_ a: IPAddress?) {
            switch a {
            case .v4(let x)?: mix(UInt64(x.rawValue) | 1 << 40)
            case .v6(let x)?: mix(x.high); mix(x.low)
            case nil: mix(2 << 40)
            }
        }
        address(client)
        address(server)
        mix(UInt64(clientPort ?? 0) | UInt64(serverPort ?? 0) << 16 | UInt64(id ?? 0) << 32 | (clientPort == nil ? 1 << 48 : 0)
            | (serverPort == nil ? 1 << 49 : 0) | (id == nil ? 1 << 50 : 0))
        mix(UInt64(type.rawValue))
        // Case-folded like the name's `==`, so that keys equal as keys hash alike.
        mix(name.caseFoldedHash)
        h ^= h >> 33
        h = h &* 0xFF51_AFD7_ED55_8CCD
        h ^= h >> 33
        return h
    }
}

/// The queries of a chunk's early window, in call order: each one's key hash and call number, appended as they come.
/// A hash table filled per query (keeping each key's first call) missed the cache on nearly every insert, a twentieth
/// of a pcap profile; the calls are looked up only when the chunk is settled, and only for the few keys settling
/// asks about, so one pass over this list then does it.
struct EarlyQueries: Sendable {
    private var hashes: [UInt64] = []
    private var calls: [Int32] = []

    /// The queries recorded.
    var count: Int { hashes.count }

    /// Records the query of `call` with key hash `hash`.
    mutating func append(_ hash: UInt64, call: Int) {
        hashes.append(hash)
        calls.append(Int32(truncatingIfNeeded: call))
    }

    /// The first call recorded for each of the `wanted` hashes that has one.
    func firstCalls(of wanted: Set<UInt64>) -> [UInt64: Int] {
        var out = [UInt64: Int]()
        if wanted.isEmpty { return out }
        for (i, h) in hashes.enumerated() where out[h] == nil && wanted.contains(h) { out[h] = Int(calls[i]) }
        return out
    }
}
