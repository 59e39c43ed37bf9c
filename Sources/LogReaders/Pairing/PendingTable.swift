import DNSightCore

/// Transactions waiting for more lines (a query for its reply), for the text formats that log the two apart.
///
/// Entries are kept per key in arrival order, and globally in arrival order so that the oldest can be expired (by
/// the log's own clock) or evicted when the table is full. Memory is bounded by `capacity`.
struct PendingTable<Key: Hashable> {
    struct Entry {
        var key: Key
        var event: DNSEvent
        /// Format-specific state (e.g. "has received an answer").
        var answered = false
        var sawCNAME = false
    }

    private(set) var entries: [Int: Entry] = [:]
    private var byKey: [Key: [Int]] = [:]
    private var order: [Int] = []
    private var orderHead = 0
    private var nextSeq = 0
    /// The most entries held.
    let capacity: Int
    /// How long an entry may wait, in nanoseconds of log time.
    let timeoutNanos: Int64
    /// Entries without an answer emitted because they timed out or the input ended.
    private(set) var expired = 0
    private(set) var evicted = 0

    init(capacity: Int = 100_000, timeoutNanos: Int64 = 60_000_000_000) {
        self.capacity = capacity
        self.timeoutNanos = timeoutNanos
    }

    var count: Int { entries.count }

    /// Adds an entry; returns its sequence number. If the table is full, the oldest entry is appended to `out`.
    mutating func add(_ key: Key, _ event: DNSEvent, out: inout [DNSEvent]) -> Int {
        if entries.count >= capacity, let oldest = oldestSeq() {
            evicted += 1
            out.append(remove(oldest)!.event)
        }
        let s = nextSeq
        nextSeq += 1
        entries[s] = Entry(key: key, event: event)
        byKey[key, default: []].append(s)
        order.append(s)
        return s
    }

    /// The sequence numbers waiting under `key`, oldest first.
    func seqs(_ key: Key) -> [Int] { byKey[key] ?? [] }

    subscript(seq: Int) -> Entry? {
        get { entries[seq] }
        set { if let newValue { entries[seq] = newValue } }
    }

    /// Removes an entry and returns it.
    @discardableResult
    mutating func remove(_ seq: Int) -> Entry? {
        guard let e = entries.removeValue(forKey: seq) else { return nil }
        if var list = byKey[e.key] {
            list.removeAll { $0 == seq }
            byKey[e.key] = list.isEmpty ? nil : list
        }
        return e
    }

    private mutating func oldestSeq() -> Int? {
        while orderHead < order.count {
            let s = order[orderHead]
            if entries[s] != nil { return s }
            orderHead += 1
        }
        return nil
    }

    /// Moves every entry older than the timeout, as of log time `now`, to `out`.
    mutating func expire(now: Int64, out: inout [DNSEvent]) {
        let (cutoff, overflow) = now.subtractingReportingOverflow(timeoutNanos)
        expire(before: overflow ? .min : cutoff, out: &out)
    }

    /// Moves every entry that arrived before `cutoff` (log time) to `out`, oldest first.
    mutating func expire(before cutoff: Int64, out: inout [DNSEvent]) {
        while let s = oldestSeq(), let e = entries[s], e.event.timeNanos < cutoff {
            remove(s)
            orderHead += 1
            if !e.answered { expired += 1 }
            out.append(e.event)
        }
        if orderHead > 4096 && orderHead * 2 > order.count {
            order.removeFirst(orderHead)
            orderHead = 0
        }
    }

    /// Everything still waiting, oldest first (at the end of the input).
    mutating func drain() -> [DNSEvent] {
        var out = [DNSEvent]()
        expire(before: .max, out: &out)
        return out
    }
}

/// Microseconds from `start` to `end` (both nanoseconds), never negative; nil when the difference does not fit.
func elapsedMicros(from start: Int64, to end: Int64) -> Int64? {
    let (d, overflow) = end.subtractingReportingOverflow(start)
    return overflow ? nil : max(0, d / 1000)
}
