/// The number of queries a key saw and the first and last time it saw one.
public struct Span: Hashable, Sendable, Codable {
    /// Queries counted.
    public var queries: Int64
    /// The earliest query time, nanoseconds since 1970 UTC.
    public var firstNanos: Int64
    /// The latest query time.
    public var lastNanos: Int64

    /// A span of one query at `t`.
    public init(at t: Int64) { queries = 1; firstNanos = t; lastNanos = t }
    /// Creates a span.
    public init(queries: Int64, firstNanos: Int64, lastNanos: Int64) {
        self.queries = queries
        self.firstNanos = firstNanos
        self.lastNanos = lastNanos
    }

    /// Adds one query at `t`.
    @inlinable public mutating func add(_ t: Int64) {
        queries += 1
        if t < firstNanos { firstNanos = t }
        if t > lastNanos { lastNanos = t }
    }

    /// Merges another span.
    public mutating func merge(_ o: Span) {
        queries += o.queries
        firstNanos = min(firstNanos, o.firstNanos)
        lastNanos = max(lastNanos, o.lastNanos)
    }
}

/// Query counts of one device on one day.
public struct TrafficCounts: Hashable, Sendable, Codable {
    /// All queries.
    public var queries: Int64 = 0
    /// Queries with at least one detection (each query counted once, whatever the number of detections).
    public var flagged: Int64 = 0
    /// Queries with at least one known-tier detection.
    public var flaggedKnown: Int64 = 0
    /// Zero counts.
    public init() {}
    /// Creates counts.
    public init(queries: Int64, flagged: Int64, flaggedKnown: Int64) {
        self.queries = queries
        self.flagged = flagged
        self.flaggedKnown = flaggedKnown
    }

    /// Adds another producer's counts of the same device-day.
    mutating func add(_ o: TrafficCounts) {
        queries += o.queries
        flagged += o.flagged
        flaggedKnown += o.flaggedKnown
    }
}

/// What the store remembers about one domain's sightings (for newly observed domains).
public struct DomainSighting: Hashable, Sendable, Codable {
    /// The first query for it.
    public var firstNanos: Int64
    /// The last query for it.
    public var lastNanos: Int64
    /// The first query that resolved (NOERROR with answers), if any.
    public var firstResolvedNanos: Int64?
    /// The first query classified malicious, if any.
    public var firstMaliciousNanos: Int64?

    /// Creates a sighting.
    public init(firstNanos: Int64, lastNanos: Int64, firstResolvedNanos: Int64? = nil, firstMaliciousNanos: Int64? = nil) {
        self.firstNanos = firstNanos
        self.lastNanos = lastNanos
        self.firstResolvedNanos = firstResolvedNanos
        self.firstMaliciousNanos = firstMaliciousNanos
    }

    /// Merges another sighting of the same domain (earliest firsts, latest last).
    public mutating func merge(_ o: DomainSighting) {
        firstNanos = min(firstNanos, o.firstNanos)
        lastNanos = max(lastNanos, o.lastNanos)
        firstResolvedNanos = DomainSighting.minOpt(firstResolvedNanos, o.firstResolvedNanos)
        firstMaliciousNanos = DomainSighting.minOpt(firstMaliciousNanos, o.firstMaliciousNanos)
    }

    static func minOpt(_ a: Int64?, _ b: Int64?) -> Int64? {
        switch (a, b) {
        case let (x?, y?): return min(x, y)
        case let (x?, nil): return x
        case let (nil, y): return y
        }
    }
}

/// A device's position in one ``IngestBatch`` (valid for that batch only).
public struct DeviceSlot: Hashable, Sendable {
    /// The index into ``IngestBatch/devices``.
    public let index: Int32
    /// Wraps an index that ``IngestBatch/device(_:)`` or ``IngestBatch/newDevice(_:)`` returned.
    public init(index: Int32) { self.index = index }
}

/// Key of the threat roll-up: day × device × category × tier × family.
public struct ThreatRollupKey: Hashable, Sendable {
    /// The day.
    public var day: Day
    /// The device slot in the batch.
    public var device: Int32
    /// Category code.
    public var category: String
    /// Tier code.
    public var tier: String
    /// Family; empty when unattributed.
    public var family: String
}

/// Key of the tag roll-up: day × device × category × tier × tag.
public struct TagRollupKey: Hashable, Sendable {
    /// The day.
    public var day: Day
    /// The device slot in the batch.
    public var device: Int32
    /// Category code.
    public var category: String
    /// Tier code.
    public var tier: String
    /// The tag.
    public var tag: String
}

/// Key of the phishing roll-up: day × device × tier × campaign key × targeted industry.
public struct PhishingRollupKey: Hashable, Sendable {
    /// The day.
    public var day: Day
    /// The device slot in the batch.
    public var device: Int32
    /// Tier code.
    public var tier: String
    /// The campaign key (``StoreVocabulary/campaignKey(tags:family:queryName:)``).
    public var campaign: String
    /// The targeted industry; empty when the detection names none.
    public var industry: String
}

/// A family and one tag seen on its detections.
public struct FamilyTag: Hashable, Sendable, Codable {
    /// The family.
    public var family: String
    /// The tag.
    public var tag: String
    /// Creates a pair.
    public init(family: String, tag: String) {
        self.family = family
        self.tag = tag
    }
}

/// An in-memory, pre-aggregated unit of ingest: the roll-ups, detections and domain sightings of many observations,
/// plus the checkpoints they reach. A store writes a batch in one transaction, so that detections, roll-ups and the
/// checkpoint are either all stored or none is.
///
/// The simple path is ``addQuery(timeNanos:device:domain:resolved:)`` with a ``DeviceSlot`` from ``device(_:)``. A
/// producer that keeps per-device and per-name state of its own (the analyze worker) counts clean queries there
/// instead and hands the totals over with ``addCountedElsewhere(_:)``, ``addTraffic(device:day:queries:)`` and
/// ``sightDomain(_:hash:_:)``: the batch's tables are then touched per device-day and per domain, not per query.
public struct IngestBatch: Sendable {
    /// The devices of this batch, in slot order (attributes from the last registration win).
    public private(set) var devices: [DeviceInfo] = []
    private var deviceIndex: [DeviceIdentity: Int32] = [:]
    /// How many of ``devices`` (from the start) `deviceIndex` holds: those added by ``newDevice(_:)`` are indexed
    /// only when ``device(_:)`` next needs the index.
    private var indexedDevices = 0
    /// Per day × device query counts of finished days, keyed by ``packKey(day:device:)``.
    private var trafficSpill: [UInt64: TrafficCounts] = [:]
    /// The day each slot is counting now and its counts (traffic is mostly in time order: one array access per query).
    private var current: [(day: Int32, counts: TrafficCounts)] = []
    /// Threat roll-up.
    public private(set) var threats: [ThreatRollupKey: Span] = [:]
    /// Tag roll-up.
    public private(set) var tags: [TagRollupKey: Span] = [:]
    /// Phishing roll-up.
    public private(set) var phishing: [PhishingRollupKey: Span] = [:]
    /// Tags seen per family.
    public private(set) var familyTags: Set<FamilyTag> = []
    /// Domain sightings.
    private var domainTable = DomainTable()
    /// Every detection, with evidence.
    public private(set) var detections: [DetectionRecord] = []
    /// The slot of the device whose observation each of ``detections`` came with (parallel to it), so that a writer
    /// finds a detection's device without hashing its identity.
    public private(set) var detectionSlots: [Int32] = []
    /// The checkpoints this batch reaches, by stream key (the last one set for a stream wins).
    public private(set) var checkpoints: [String: IngestCheckpoint] = [:]
    /// Observations added.
    public private(set) var observationCount: Int64 = 0

    /// An empty batch.
    public init() {}

    /// Whether nothing was added (checkpoints aside).
    public var isEmpty: Bool { observationCount == 0 && detections.isEmpty }

    /// About how many rows storing this batch writes (devices, day × device counts, domains, detections, roll-up
    /// keys). It grows with distinct keys, not with queries, so a producer can bound a batch's memory and its
    /// transaction by it while letting repeated keys aggregate over a long window.
    public var rowCount: Int {
        devices.count + trafficSpill.count + domainTable.names.count + detections.count + threats.count + tags.count + phishing.count
    }

    /// Packs a day and a device slot into the ``traffic`` key.
    @inlinable public static func packKey(day: Day, device: Int32) -> UInt64 {
        UInt64(UInt32(bitPattern: day.index)) << 32 | UInt64(UInt32(bitPattern: device))
    }

    /// Unpacks a ``traffic`` key.
    @inlinable public static func unpackKey(_ k: UInt64) -> (day: Day, device: Int32) {
        (Day(index: Int32(bitPattern: UInt32(truncatingIfNeeded: k >> 32))), Int32(bitPattern: UInt32(truncatingIfNeeded: k)))
    }

    /// Registers a device (or updates its attributes) and returns its slot in this batch.
    public mutating func device(_ info: DeviceInfo) -> DeviceSlot {
        while indexedDevices < devices.count {
            deviceIndex[devices[indexedDevices].identity] = Int32(indexedDevices)
            indexedDevices += 1
        }
        let id = info.identity
        if let i = deviceIndex[id] {
            if devices[Int(i)] != info { devices[Int(i)] = info }
            return DeviceSlot(index: i)
        }
        let i = Int32(devices.count)
        devices.append(info)
        deviceIndex[id] = i
        indexedDevices = devices.count
        current.append((Int32.min, TrafficCounts()))
        return DeviceSlot(index: i)
    }

    /// Registers a device that is not in this batch yet and returns its slot, without hashing its identity: for a
    /// producer that keeps its own map from its devices to their slots (one call per device and batch). Registering
    /// the same identity twice this way would store it twice.
    public mutating func newDevice(_ info: DeviceInfo) -> DeviceSlot {
        let i = Int32(devices.count)
        devices.append(info)
        current.append((Int32.min, TrafficCounts()))
        return DeviceSlot(index: i)
    }

    /// The slot of a registered device.
    public func slot(of identity: DeviceIdentity) -> DeviceSlot? {
        if let i = deviceIndex[identity] { return DeviceSlot(index: i) }
        // Devices from ``newDevice(_:)`` not indexed yet.
        return devices[indexedDevices...].firstIndex { $0.identity == identity }.map { DeviceSlot(index: Int32($0)) }
    }

    /// Per day × device query counts, keyed by ``packKey(day:device:)``.
    public var traffic: [UInt64: TrafficCounts] {
        var out = trafficSpill
        for (slot, e) in current.enumerated() where e.day != Int32.min {
            let k = Self.packKey(day: Day(index: e.day), device: Int32(slot))
            let c = e.counts
            if let o = out[k] {
                out[k] = TrafficCounts(queries: o.queries + c.queries, flagged: o.flagged + c.flagged, flaggedKnown: o.flaggedKnown + c.flaggedKnown)
            } else {
                out[k] = c
            }
        }
        return out
    }

    /// The tracked domains and their sightings, in first-seen order (parallel arrays).
    public var domainSightings: (names: [String], sightings: [DomainSighting]) {
        // A domain registered and never sighted (its sighting still empty: first after last) is left out.
        let (names, sightings) = (domainTable.names, domainTable.sightings)
        guard sightings.contains(where: { $0.firstNanos > $0.lastNanos }) else { return (names, sightings) }
        let keep = sightings.indices.filter { sightings[$0].firstNanos <= sightings[$0].lastNanos }
        return (keep.map { names[$0] }, keep.map { sightings[$0] })
    }

    /// Domain sightings, by domain.
    public var domains: [String: DomainSighting] {
        var out: [String: DomainSighting] = [:]
        out.reserveCapacity(domainTable.names.count)
        let (names, sightings) = domainSightings
        for (i, n) in names.enumerated() { out[n] = sightings[i] }
        return out
    }

    /// Counts a query of a slot on a day.
    @inline(__always)
    private mutating func count(slot: Int32, day: Int32, flagged: Bool, known: Bool) {
        let i = Int(slot)
        if current[i].day != day { spill(i, newDay: day) }
        current[i].counts.queries += 1
        if flagged { current[i].counts.flagged += 1 }
        if known { current[i].counts.flaggedKnown += 1 }
    }

    /// Moves a slot's counts of its previous day into the spill dictionary and starts counting `newDay`.
    private mutating func spill(_ i: Int, newDay: Int32) {
        let (day, c) = current[i]
        if day != Int32.min {
            let k = Self.packKey(day: Day(index: day), device: Int32(i))
            if let o = trafficSpill[k] {
                trafficSpill[k] = TrafficCounts(queries: o.queries + c.queries, flagged: o.flagged + c.flagged, flaggedKnown: o.flaggedKnown + c.flaggedKnown)
            } else {
                trafficSpill[k] = c
            }
        }
        current[i] = (newDay, TrafficCounts())
    }

    /// Counts one clean query (the hot path).
    public mutating func addQuery(timeNanos t: Int64, device: DeviceSlot, domain: String?, resolved: Bool) {
        observationCount += 1
        count(slot: device.index, day: Day(timeNanos: t).index, flagged: false, known: false)
        if let domain { domainTable.sight(domain, hash: DomainTable.hash(domain), at: t, resolved: resolved, malicious: false) }
    }

    /// Counts `n` clean queries whose day × device counts and domain sightings the producer keeps itself and hands
    /// over with ``addTraffic(device:day:queries:)`` and ``sightDomain(_:hash:_:)`` before the batch is stored: a
    /// producer that keeps them beside its own per-device and per-name look-ups counts a query without touching the
    /// batch's tables, whose entries are cache misses on many-device, many-name traffic.
    public mutating func addCountedElsewhere(_ n: Int64 = 1) { observationCount += n }

    /// Adds `queries` clean queries of a device on a day (counted by the producer, see ``addCountedElsewhere(_:)``).
    public mutating func addTraffic(device: DeviceSlot, day: Day, queries: Int64) {
        guard queries > 0 else { return }
        let k = Self.packKey(day: day, device: device.index)
        trafficSpill[k, default: TrafficCounts()].queries += queries
    }

    /// Merges a sighting of a tracked domain (kept by the producer, see ``addCountedElsewhere(_:)``); `hash` is its
    /// ``domainHash(_:)``.
    public mutating func sightDomain(_ domain: String, hash: UInt64, _ sighting: DomainSighting) {
        domainTable.merge(at: Int(domainTable.slot(domain, hash: hash)), sighting)
    }

    /// The hash that ``sightDomain(_:hash:_:)`` takes for a domain.
    public static func domainHash(_ domain: String) -> UInt64 { DomainTable.hash(domain) }

    /// Counts one observation: its query, and each of its detections in the threat, tag and phishing roll-ups.
    ///
    /// The tier of a roll-up row is the query's best tier for that key: `known` if any of its detections for the
    /// key is known, else `suspected`.
    public mutating func add(_ o: TrafficObservation) { add(o, slot: device(o.device)) }

    /// ``add(_:)`` for an observation whose device is registered at `slot` already (its ``device(_:)`` or
    /// ``newDevice(_:)``).
    public mutating func add(_ o: TrafficObservation, slot: DeviceSlot) {
        guard !o.detections.isEmpty else {
            addQuery(timeNanos: o.timeNanos, device: slot, domain: o.domain, resolved: o.resolved)
            return
        }
        observationCount += 1
        let t = o.timeNanos
        let day = Day(timeNanos: t)
        count(slot: slot.index, day: day.index, flagged: true, known: o.detections.contains(where: { $0.tier == StoreVocabulary.known }))
        if let d = o.domain { domainTable.sight(d, hash: DomainTable.hash(d), at: t, resolved: o.resolved, malicious: true) }
        // A query counts once per roll-up key, however many detections map to it; when a query has both known and
        // suspected detections for a key, it counts under known only (so that summing over tiers is exact and the
        // known-only view still sees every query intel flagged).
        var threatKeys: [ThreatRollupKey: Bool] = [:], tagKeys: [TagRollupKey: Bool] = [:], phishKeys: [PhishingRollupKey: Bool] = [:]
        for d in o.detections {
            detections.append(d)
            detectionSlots.append(slot.index)
            let known = d.tier == StoreVocabulary.known
            Self.mark(&threatKeys, ThreatRollupKey(day: day, device: slot.index, category: d.category, tier: "", family: d.family), known)
            for tag in d.tags {
                Self.mark(&tagKeys, TagRollupKey(day: day, device: slot.index, category: d.category, tier: "", tag: tag), known)
                if !d.family.isEmpty { familyTags.insert(FamilyTag(family: d.family, tag: tag)) }
            }
            if !d.family.isEmpty { familyTags.insert(FamilyTag(family: d.family, tag: "category:" + d.category)) }
            if d.category == StoreVocabulary.phishing {
                let campaign = StoreVocabulary.campaignKey(tags: d.tags, family: d.family, queryName: d.queryName)
                let industries = StoreVocabulary.values(prefix: StoreVocabulary.targetedIndustryPrefix, in: d.tags)
                for industry in industries.isEmpty ? [""] : industries {
                    Self.mark(&phishKeys, PhishingRollupKey(day: day, device: slot.index, tier: "", campaign: campaign, industry: industry), known)
                }
            }
        }
        func tier(_ known: Bool) -> String { known ? StoreVocabulary.known : StoreVocabulary.suspected }
        for (var key, known) in threatKeys {
            key.tier = tier(known)
            threats[key, default: Span(queries: 0, firstNanos: t, lastNanos: t)].add(t)
        }
        for (var key, known) in tagKeys {
            key.tier = tier(known)
            tags[key, default: Span(queries: 0, firstNanos: t, lastNanos: t)].add(t)
        }
        for (var key, known) in phishKeys {
            key.tier = tier(known)
            phishing[key, default: Span(queries: 0, firstNanos: t, lastNanos: t)].add(t)
        }
    }

    private static func mark<K: Hashable>(_ d: inout [K: Bool], _ k: K, _ known: Bool) {
        if known { d[k] = true } else if d[k] == nil { d[k] = false }
    }

    /// Adds everything `other` holds to this batch, as if its observations had been added here: devices by
    /// identity (the other batch's attributes win, as a later registration does), counts and spans summed per key,
    /// domain sightings merged, detections appended, checkpoints joined. Lets several producers' last batches be
    /// stored in one transaction, so that a device they share has its day and month rows written once.
    public mutating func merge(_ other: IngestBatch) {
        var slotHere = [Int32](repeating: 0, count: other.devices.count)
        for (i, d) in other.devices.enumerated() { slotHere[i] = device(d).index }
        for (k, c) in other.traffic {
            let (day, slot) = Self.unpackKey(k)
            let key = Self.packKey(day: day, device: slotHere[Int(slot)])
            trafficSpill[key, default: TrafficCounts()].add(c)
        }
        for (k, span) in other.threats {
            var key = k
            key.device = slotHere[Int(k.device)]
            Self.mergeSpan(&threats, key, span)
        }
        for (k, span) in other.tags {
            var key = k
            key.device = slotHere[Int(k.device)]
            Self.mergeSpan(&tags, key, span)
        }
        for (k, span) in other.phishing {
            var key = k
            key.device = slotHere[Int(k.device)]
            Self.mergeSpan(&phishing, key, span)
        }
        familyTags.formUnion(other.familyTags)
        let (names, sightings) = other.domainSightings
        for (i, name) in names.enumerated() { sightDomain(name, hash: DomainTable.hash(name), sightings[i]) }
        detections.append(contentsOf: other.detections)
        detectionSlots.append(contentsOf: other.detectionSlots.map { slotHere[Int($0)] })
        for (k, cp) in other.checkpoints { checkpoints[k] = cp }
        observationCount += other.observationCount
    }

    private static func mergeSpan<K: Hashable>(_ d: inout [K: Span], _ k: K, _ s: Span) {
        if var old = d[k] {
            old.merge(s)
            d[k] = old
        } else {
            d[k] = s
        }
    }

    /// Records that input up to `checkpoint` is part of this batch.
    public mutating func setCheckpoint(_ checkpoint: IngestCheckpoint) {
        checkpoints[checkpoint.stream.key] = checkpoint
    }

}

/// Domain sightings keyed by name in an open-addressing table over a 64-bit FNV-1a hash of the name's bytes (the
/// name is compared on every hit, so distinct names never merge): cheaper per query than a `[String: …]` dictionary.
struct DomainTable: Sendable {
    private(set) var names: [String] = []
    private(set) var sightings: [DomainSighting] = []
    /// Open addressing: each slot holds a name's hash and its index (-1 when empty), so a probe touches one cache line.
    private var table = [Slot](repeating: Slot(hash: 0, index: -1), count: 1024)
    private var mask = 1023

    struct Slot: Sendable {
        var hash: UInt64
        var index: Int32
    }

    static func hash(_ s: String) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        var copy = s
        copy.withUTF8 { buf in
            for b in buf {
                h ^= UInt64(b)
                h = h &* 0x0000_0100_0000_01b3
            }
        }
        return h ^ (h >> 29)
    }

    mutating func sight(_ name: String, hash h: UInt64, at t: Int64, resolved: Bool, malicious: Bool) {
        sight(at: Int(slot(name, hash: h)), t, resolved: resolved, malicious: malicious)
    }

    /// Updates the sighting at index `k` with a query at `t`.
    @inline(__always)
    mutating func sight(at k: Int, _ t: Int64, resolved: Bool, malicious: Bool) {
        if t < sightings[k].firstNanos { sightings[k].firstNanos = t }
        if t > sightings[k].lastNanos { sightings[k].lastNanos = t }
        if resolved, sightings[k].firstResolvedNanos.map({ t < $0 }) ?? true { sightings[k].firstResolvedNanos = t }
        if malicious, sightings[k].firstMaliciousNanos.map({ t < $0 }) ?? true { sightings[k].firstMaliciousNanos = t }
    }

    /// Merges a sighting into the one at index `k` (which may be the empty one ``slot(_:hash:)`` registers).
    mutating func merge(at k: Int, _ o: DomainSighting) {
        sightings[k].merge(o)
    }

    /// The index of `name`, registered if new with an empty sighting (first after last) that its first query fills.
    mutating func slot(_ name: String, hash h: UInt64) -> Int32 {
        var i = Int(truncatingIfNeeded: h) & mask
        while true {
            let e = table[i]
            if e.index < 0 { break }
            if e.hash == h && names[Int(e.index)] == name { return e.index }
            i = (i + 1) & mask
        }
        let k = Int32(names.count)
        table[i] = Slot(hash: h, index: k)
        names.append(name)
        sightings.append(DomainSighting(firstNanos: .max, lastNanos: .min))
        if names.count * 2 > table.count { grow() }
        return k
    }

    private mutating func grow() {
        let old = table
        table = [Slot](repeating: Slot(hash: 0, index: -1), count: old.count * 2)
        mask = table.count - 1
        for e in old where e.index >= 0 {
            var i = Int(truncatingIfNeeded: e.hash) & mask
            while table[i].index >= 0 { i = (i + 1) & mask }
            table[i] = e
        }
    }
}
