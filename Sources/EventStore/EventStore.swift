/// A device as the store knows it: its store-assigned number and its description.
public struct StoredDevice: Hashable, Sendable, Codable {
    /// The store's number for the device (stable for the life of the store).
    public var id: Int64
    /// Identity and attributes (the last written attributes).
    public var info: DeviceInfo
    /// Creates a stored device.
    public init(id: Int64, info: DeviceInfo) {
        self.id = id
        self.info = info
    }
}

/// One row of the threat roll-up: day × device × category × tier × family.
public struct ThreatRollupRow: Hashable, Sendable, Codable {
    /// The day.
    public var day: Day
    /// The device number.
    public var deviceID: Int64
    /// Category code.
    public var category: String
    /// Tier code.
    public var tier: String
    /// Family; empty when unattributed.
    public var family: String
    /// Queries, first and last seen.
    public var span: Span
    /// Creates a row.
    public init(day: Day, deviceID: Int64, category: String, tier: String, family: String, span: Span) {
        self.day = day
        self.deviceID = deviceID
        self.category = category
        self.tier = tier
        self.family = family
        self.span = span
    }
}

/// One row of the tag roll-up: day × device × category × tier × tag.
public struct TagRollupRow: Hashable, Sendable, Codable {
    /// The day.
    public var day: Day
    /// The device number.
    public var deviceID: Int64
    /// Category code.
    public var category: String
    /// Tier code.
    public var tier: String
    /// The tag.
    public var tag: String
    /// Queries, first and last seen.
    public var span: Span
    /// Creates a row.
    public init(day: Day, deviceID: Int64, category: String, tier: String, tag: String, span: Span) {
        self.day = day
        self.deviceID = deviceID
        self.category = category
        self.tier = tier
        self.tag = tag
        self.span = span
    }
}

/// One row of the phishing roll-up: day × device × tier × campaign key × targeted industry.
public struct PhishingRollupRow: Hashable, Sendable, Codable {
    /// The day.
    public var day: Day
    /// The device number.
    public var deviceID: Int64
    /// Tier code.
    public var tier: String
    /// Campaign key.
    public var campaign: String
    /// Targeted industry; empty when unknown.
    public var industry: String
    /// Queries, first and last seen.
    public var span: Span
    /// Creates a row.
    public init(day: Day, deviceID: Int64, tier: String, campaign: String, industry: String, span: Span) {
        self.day = day
        self.deviceID = deviceID
        self.tier = tier
        self.campaign = campaign
        self.industry = industry
        self.span = span
    }
}

/// Flagged (malicious) query counts of one device on one day; only devices with flagged queries have rows.
public struct FlaggedRollupRow: Hashable, Sendable, Codable {
    /// The day.
    public var day: Day
    /// The device number.
    public var deviceID: Int64
    /// Flagged queries (any tier).
    public var queries: Int64
    /// Queries flagged by at least one known-tier detection.
    public var knownQueries: Int64
    /// Creates a row.
    public init(day: Day, deviceID: Int64, queries: Int64, knownQueries: Int64) {
        self.day = day
        self.deviceID = deviceID
        self.queries = queries
        self.knownQueries = knownQueries
    }
}

/// The days on which each device sent at least one query, within a range.
public struct DeviceActivity: Sendable {
    /// The range the bit sets cover; bit `i` is day `range.first + i`.
    public let range: DayRange
    /// Per device number, the active days as a bit set (64 days a word).
    public private(set) var days: [Int64: [UInt64]]

    /// Empty activity over a range.
    public init(range: DayRange) {
        self.range = range
        days = [:]
    }

    /// Marks a device active on a day (ignored outside the range).
    public mutating func mark(device: Int64, day: Day) {
        guard range.contains(day) else { return }
        let i = range.first.distance(to: day)
        let words = (range.count + 63) / 64
        days[device, default: [UInt64](repeating: 0, count: words)][i >> 6] |= 1 << UInt64(i & 63)
    }

    /// Marks a device active on the days of `bits`, where bit `i` is day `start + i` (for monthly bit maps); days
    /// outside the range are ignored.
    public mutating func mark(device: Int64, start: Day, bits: UInt64) {
        var b = bits
        var offset = range.first.distance(to: start)   // bit i of `bits` is bit offset + i of the range
        if offset < 0 {
            guard -offset < 64 else { return }
            b >>= UInt64(-offset)
            offset = 0
        }
        let n = range.count
        guard b != 0, offset < n else { return }
        if n - offset < 64 { b &= (UInt64(1) << UInt64(n - offset)) - 1 }
        guard b != 0 else { return }
        let words = (n + 63) / 64
        let w = offset >> 6, shift = UInt64(offset & 63)
        days[device, default: [UInt64](repeating: 0, count: words)][w] |= b << shift
        if shift > 0, w + 1 < words {
            let high = b >> (64 - shift)
            if high != 0 { days[device]![w + 1] |= high }
        }
    }

    /// Whether a device was active on some day of `sub` (which must lie within ``range``).
    public func wasActive(_ device: Int64, in sub: DayRange) -> Bool {
        guard let words = days[device], let s = sub.clamped(to: range) else { return false }
        var i = range.first.distance(to: s.first)
        let end = range.first.distance(to: s.last)
        while i <= end {
            let w = i >> 6, bit = i & 63
            let span = min(63 - bit, end - i)
            let mask: UInt64 = span == 63 ? ~0 : ((1 << UInt64(span + 1)) - 1) << UInt64(bit)
            if words[w] & mask != 0 { return true }
            i += span + 1
        }
        return false
    }

    /// The devices active on some day of `sub`.
    public func devices(activeIn sub: DayRange) -> [Int64] {
        days.keys.filter { wasActive($0, in: sub) }
    }
}

/// Newly observed domains as of a moment: how many domains were first seen in the window, how many of them had
/// resolved and how many had been classified malicious by then.
public struct NewlyObservedDomainCounts: Hashable, Sendable, Codable {
    /// Domains first seen in the window.
    public var domains: Int64
    /// Of those, domains that resolved before the window's end.
    public var resolving: Int64
    /// Of those, domains classified malicious before the window's end.
    public var malicious: Int64
    /// Domains that resolved and were classified malicious before the window's end.
    public var maliciousResolving: Int64
    /// Creates counts.
    public init(domains: Int64, resolving: Int64, malicious: Int64, maliciousResolving: Int64) {
        self.domains = domains
        self.resolving = resolving
        self.malicious = malicious
        self.maliciousResolving = maliciousResolving
    }
}

/// Totals of what a store holds.
public struct StoreSummary: Hashable, Sendable, Codable {
    /// The first and last day with traffic, if any.
    public var firstDay: Day?
    /// The last day with traffic.
    public var lastDay: Day?
    /// Devices known.
    public var devices: Int64
    /// Queries counted in the traffic roll-up.
    public var queries: Int64
    /// Detections stored.
    public var detections: Int64
    /// Domains tracked for newly-observed-domain metrics.
    public var domains: Int64
    /// Creates a summary.
    public init(firstDay: Day?, lastDay: Day?, devices: Int64, queries: Int64, detections: Int64, domains: Int64) {
        self.firstDay = firstDay
        self.lastDay = lastDay
        self.devices = devices
        self.queries = queries
        self.detections = detections
        self.domains = domains
    }
}

/// What a retention pass removed.
public struct RetentionSummary: Hashable, Sendable, Codable {
    /// Roll-up rows removed (all roll-up tables).
    public var rollupRows: Int64
    /// Detections removed.
    public var detections: Int64
    /// Domains whose last sighting was before the cut-off.
    public var domains: Int64
    /// Creates a summary.
    public init(rollupRows: Int64, detections: Int64, domains: Int64) {
        self.rollupRows = rollupRows
        self.detections = detections
        self.domains = domains
    }
}

/// Writes classified traffic into a store. Implementations commit each batch atomically with its checkpoints.
public protocol EventStoreWriter: Sendable {
    /// Stores a batch — devices, roll-ups, detections, domain sightings and checkpoints — in one transaction.
    func write(_ batch: IngestBatch) throws
    /// The checkpoint stored under a stream key, if any.
    func checkpoint(forKey key: String) throws -> IngestCheckpoint?
    /// The checkpoints of every stream read from a given file (device and inode).
    func checkpoints(fileDevice: UInt64, inode: UInt64) throws -> [IngestCheckpoint]
    /// Stores the facts of an ingest run, for the methodology.
    func record(run: IngestRun) throws
    /// Removes roll-ups and detections of days before `day`, and domains not seen since then.
    func removeData(before day: Day) throws -> RetentionSummary
}

/// Reads what the metrics need. Every call sees one committed state of the store.
public protocol EventStoreReader: Sendable {
    /// Totals.
    func summary() throws -> StoreSummary
    /// Every device.
    func devices() throws -> [StoredDevice]
    /// Which days each device was active, over a range.
    func activity(in range: DayRange) throws -> DeviceActivity
    /// Queries per device over a range.
    func queriesPerDevice(in range: DayRange) throws -> [Int64: Int64]
    /// The flagged-query roll-up over a range.
    func flaggedRollups(in range: DayRange) throws -> [FlaggedRollupRow]
    /// The threat roll-up over a range.
    func threatRollups(in range: DayRange) throws -> [ThreatRollupRow]
    /// The tag roll-up over a range.
    func tagRollups(in range: DayRange) throws -> [TagRollupRow]
    /// The phishing roll-up over a range.
    func phishingRollups(in range: DayRange) throws -> [PhishingRollupRow]
    /// Tags seen on each family's detections (plus `category:<code>` for each category it was seen in).
    func familyTags() throws -> [String: Set<String>]
    /// Counts of domains first seen in `[fromNanos, toNanos)`, resolving / malicious before `toNanos`.
    func newlyObservedDomains(fromNanos: Int64, toNanos: Int64) throws -> NewlyObservedDomainCounts
    /// Detections (evidence) in a range, optionally of one device, in time order, at most `limit`.
    func detections(in range: DayRange, deviceID: Int64?, limit: Int) throws -> [DetectionRecord]
    /// The stored ingest runs, oldest first.
    func ingestRuns() throws -> [IngestRun]
    /// Every stored checkpoint.
    func allCheckpoints() throws -> [IngestCheckpoint]
}
