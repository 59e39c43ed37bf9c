import CPrefetch
import DNSWire
import DNSightCore
import PublicSuffix

/// The suspected-tier stage of the pipeline: runs the enabled detectors over every event, keeps their state, and
/// returns the verdict of the first that flags the event.
///
/// One chain per worker thread (a value, never shared). The caller runs the intel classifier first and passes what
/// it found: intel's verdict wins, but every event still goes through the detectors so that their windows, counts
/// and seen-sets stay right; a name that intel's allowlist covers is recorded but never flagged.
///
/// Order when several detectors flag one event: a known-family DGA name, tunnelling, beaconing, an NXDOMAIN burst,
/// a DGA-like name, a newly observed DGA-like domain.
public struct DetectorChain: Sendable {
    /// The settings in force.
    public let settings: DetectorSettings
    /// The DGA scorer and known-family names, with this worker's caches.
    public private(set) var dga: DGAContext
    /// The thresholds resolved from the settings and the model.
    public let nxdomainDGAThreshold: Double, newDomainDGAThreshold: Double, queryDGAThreshold: Double

    var domains: DomainTable
    var domainDoor = Doorkeeper()
    var dgaStage: DGAQueryDetector?
    var tunnel: TunnelDetector?
    var beacon: BeaconDetector?
    var nxdomain: NXDomainBurstDetector?
    var newDomain: NewDomainDetector?
    /// Splits and scopes names: a reference, because calling a method of the chain's own from inside its
    /// mutating observe copied the whole chain (2.5 KB, and a retain and release of each of its references) first.
    let names: NameScope
    var counters: [DetectorCounters]
    var fast = FastTable(setBits: DetectorChain.fastBits - 2)
    var fastBase: Int64 = .min
    /// One bit per fast entry's key (8 bits per entry), rebuilt from the table when a quarter is set: on traffic
    /// whose names rarely qualify for the fast path the table's probe missed the cache for nothing.
    var fastFilter = [UInt64](repeating: 0, count: 1 << (DetectorChain.fastFilterBits - 6))
    var fastFilterSet = 0
    /// The facts ``prefetch(_:)`` worked out for the next event's name (`key` 0: none).
    var pending = NameFacts()
    /// One bit per top-16-bit parent hash that may have a tunnel pair open.
    var tunnelParents = [UInt64](repeating: 0, count: 1024)
    let newDomainWindow: Int64
    /// Which detectors are on, and the seen-set's window: asking `detector != nil` of an optional detector copied
    /// it (with its tables' references) several times per query.
    let hasDGAStage: Bool, hasTunnel: Bool, hasBeacon: Bool, hasNXDomain: Bool, hasNewDomain: Bool
    let newDomainHistoryWindow: Int64
    let minDGAThreshold: Double
    /// Queries answered by the fast path.
    public private(set) var fastHits = 0

    /// Events seen, and events without a usable name (root, empty) or device.
    public private(set) var events = 0, skipped = 0
    /// Whether the last event's registrable domain was newly observed (the newly-observed detector must be on).
    public private(set) var lastWasNewDomain = false
    /// Newly observed registrable domains queried in this run (counted when the chain first asks the seen-set about
    /// them), and those of them with a malicious verdict (intel or detector).
    public var newDomains: Set<UInt64> { Set(newDomainSet.elements) }
    public var maliciousNewDomains: Set<UInt64> { Set(maliciousNewDomainSet.elements) }
    var newDomainSet = UInt64Set(), maliciousNewDomainSet = UInt64Set()

    /// Index of each detector's counters.
    static let order = DetectorSettings.detectorNames

    /// Creates a chain. Without a scorer, DGA-likeness is unavailable: the DGA stage only attributes known-family
    /// names and the DGA branches never hold. `history` is the newly-observed seen-set to start from (nil: empty).
    public init(settings: DetectorSettings, scorer: DGAScorer?, history: NewDomainHistory? = nil) {
        self.settings = settings
        dga = DGAContext(scorer: scorer, knownFamilies: settings.dga.knownFamilies, marginDays: settings.dga.marginDays)
        let t3 = scorer?.model.thresholdFPR1e3 ?? .infinity
        let t4 = scorer?.model.thresholdFPR1e4 ?? .infinity
        nxdomainDGAThreshold = settings.nxdomain.dgaThreshold ?? t3
        newDomainDGAThreshold = settings.newDomain.dgaThreshold ?? t3
        queryDGAThreshold = settings.dga.threshold ?? t4
        domains = DomainTable(maxDomains: settings.common.maxDomains, idleSeconds: settings.common.domainIdleSeconds)
        if settings.dga.enabled { dgaStage = DGAQueryDetector(threshold: queryDGAThreshold) }
        if settings.tunnel.enabled { tunnel = TunnelDetector(settings: settings.tunnel, popularDevices: settings.common.popularDevices) }
        if settings.beacon.enabled { beacon = BeaconDetector(settings: settings.beacon, popularDevices: settings.common.popularDevices) }
        if settings.nxdomain.enabled { nxdomain = NXDomainBurstDetector(settings: settings.nxdomain, dgaThreshold: nxdomainDGAThreshold) }
        if settings.newDomain.enabled {
            newDomain = NewDomainDetector(settings: settings.newDomain, dgaThreshold: newDomainDGAThreshold,
                                          history: history ?? NewDomainDetector.emptyHistory(settings.newDomain))
        }
        names = NameScope(suffixes: scorer?.suffixes ?? PublicSuffixList.bundled, common: settings.common)
        counters = Self.order.map { DetectorCounters(detector: $0) }
        newDomainWindow = Int64(settings.newDomain.windowDays) * 86_400
        hasDGAStage = dgaStage != nil
        hasTunnel = tunnel != nil
        hasBeacon = beacon != nil
        hasNXDomain = nxdomain != nil
        hasNewDomain = newDomain != nil
        newDomainHistoryWindow = newDomain?.history.windowSeconds ?? 0
        var m = Double.infinity
        if settings.dga.enabled { m = min(m, queryDGAThreshold) }
        if settings.newDomain.enabled { m = min(m, newDomainDGAThreshold) }
        if settings.nxdomain.enabled { m = min(m, nxdomainDGAThreshold) }
        minDGAThreshold = m
    }

    static func normalise(_ s: String) -> String {
        var t = Substring(s.lowercased())
        while t.hasPrefix(".") { t = t.dropFirst() }
        while t.hasSuffix(".") { t = t.dropLast() }
        return String(t)
    }

    /// Observes one event of `device` (the organisation-scoped device key). `intelListed`: the classifier had a
    /// verdict (which wins); `intelAllowed`: an allowlist covered the name. Returns the detectors' verdict, or nil.
    public mutating func observe(_ e: DNSEvent, device: String, intelListed: Bool = false, intelAllowed: Bool = false) -> Verdict? {
        observe(e, deviceHash: { StableHash.hash(device) }, device: { device }, intelListed: intelListed, intelAllowed: intelAllowed).verdict
    }

    /// Observes one event of the device whose ``StableHash`` `deviceHash` gives (called unless the fast path
    /// answers); `device` names it (called only when a verdict or an alert needs the name). Returns the outcome of
    /// the detector whose verdict wins (its `newAlert` is that detector's), or `.none`.
    ///
    /// An outcome, not a `Verdict?`: the verdict is boxed in it, so the usual answer (none) is one word, where the
    /// 240-byte optional verdict was copied out through every return on every query.
    public mutating func observe(_ e: DNSEvent, deviceHash: () -> UInt64, device: () -> String, intelListed: Bool = false,
                                 intelAllowed: Bool = false) -> DetectorOutcome {
        events += 1
        lastWasNewDomain = false
        let wire = e.queryName.wire
        guard wire.count > 1 else {
            skipped += 1
            return .none
        }
        let timeNanos = e.timeNanos
        let seconds = timeNanos >= 0 ? timeNanos / 1_000_000_000 : (timeNanos - 999_999_999) / 1_000_000_000
        // Fast path: a name the chain has already found to be of no interest to any detector (for any device) —
        // popular, low DGA score, no generator produces it, no tunnel pair open under its parent — and a query
        // that cannot change that (not NXDOMAIN, not a TXT/NULL/CNAME/MX/KEY/ANY type, not listed by intel).
        let wireHash = wire.withUnsafeBufferPointer { StableHash.hash($0, seed: 0x5EED) } | 1
        if !intelListed && Self.filterHas(fastFilter, wireHash), let entry = fast.find(wireHash) {
            if seconds &- fastBase <= Int64(entry.validUntil)
                && (entry.anyQuery || (e.rcode != .nxDomain && !TunnelDetector.isRareType(e.queryType)))
                && tunnelParents[Int(entry.parentTop >> 6)] & (1 << UInt64(entry.parentTop & 63)) == 0 {
                fastHits += 1
                if entry.newDomain { lastWasNewDomain = true }
                return .none
            }
        }
        let type = e.queryType, rcode = e.rcode
        let answers = e.answers
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 256) { buf -> DetectorOutcome in
            let (o, lastDot) = Self.lowercased(wire, into: buf)
            let name = UnsafeBufferPointer(rebasing: buf[0..<o])
            // The facts `prefetch` worked out for this event's name, else worked out now. Taken once: a stale
            // entry never answers for a later event.
            let n: NameFacts
            if pending.key == wireHash && Int(pending.length) == o {
                n = pending
            } else {
                n = names.describe(name, lastDot: lastDot)
            }
            pending.key = 0
            return observe(answers: answers, timeNanos: timeNanos, type: type, rcode: rcode, name: name, facts: n, device: device,
                           deviceHash: deviceHash(), intelListed: intelListed, intelAllowed: intelAllowed, fastKey: wireHash)
        }
    }

    /// Starts loading what ``observe(_:deviceHash:device:intelListed:intelAllowed:)`` will probe for `e`, to be
    /// called with the same event before it, as early as possible (the caller's other look-ups then overlap these).
    ///
    /// A name the fast path may answer only has its fast entry loaded. Any other name is split and scoped here
    /// (kept for the observe call, which then skips that work) and its domain-table slot and doorkeeper word,
    /// almost always cache misses on traffic of many names, are loaded.
    public mutating func prefetch(_ e: DNSEvent) {
        let wire = e.queryName.wire
        guard wire.count > 1 else { return }
        let wireHash = wire.withUnsafeBufferPointer { StableHash.hash($0, seed: 0x5EED) } | 1
        if Self.filterHas(fastFilter, wireHash) {
            fast.prefetch(wireHash)
            pending.key = 0
            return
        }
        let facts = withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 256) { buf -> NameFacts in
            let (o, lastDot) = Self.lowercased(wire, into: buf)
            var n = names.describe(UnsafeBufferPointer(rebasing: buf[0..<o]), lastDot: lastDot)
            n.key = wireHash
            n.length = Int16(o)
            return n
        }
        pending = facts
        if pending.scope == .watched || pending.scope == .benign {
            domainDoor.prefetch(pending.registrableHash)
            domains.table.prefetch(pending.registrableHash)
        }
        if pending.scope == .watched && hasDGAStage { dga.prefetchKnownFamily(pending.nameHash) }
    }

    /// Starts loading the beacon detector's state of the (device, name) pair of the event passed to
    /// ``prefetch(_:)``, once its device is known (call before the caller's other look-ups for the event).
    /// `deviceHash` is called only when that state will be probed.
    public mutating func prefetch(deviceHash: () -> UInt64) {
        guard pending.key != 0 && pending.scope == .watched && hasBeacon else { return }
        beacon!.prefetch(StableHash.pair(deviceHash(), pending.nameHash))
    }

    /// Writes the lower-case presentation bytes of a wire name (a valid ``DNSName``'s, not the root: at most 253
    /// bytes, no trailing dot) into `buf`; returns their count and the offset of the last dot (-1 for one label).
    ///
    /// The label bytes are the wire bytes between the first length byte and the final zero with each later length
    /// byte in place of a dot: one bulk copy, one lower-casing pass the compiler vectorises, and a dot per label
    /// (copying byte by byte with a label loop cost ten instructions a byte, twice per query).
    @inline(__always)
    static func lowercased(_ wire: [UInt8], into buf: UnsafeMutableBufferPointer<UInt8>) -> (count: Int, lastDot: Int) {
        wire.withUnsafeBufferPointer { w -> (count: Int, lastDot: Int) in
            let o = w.count - 2
            guard o > 0, let src = w.baseAddress, let dst = buf.baseAddress else { return (0, -1) }
            dst.update(from: src + 1, count: o)
            for k in 0..<o {
                let b = dst[k]
                dst[k] = b &- 0x41 < 26 ? b | 0x20 : b
            }
            var lastDot = -1
            var p = Int(src[0]) + 1
            while p < o + 1 {
                dst[p - 1] = UInt8(ascii: ".")
                lastDot = p - 1
                p += Int(src[p]) + 1
            }
            return (o, lastDot)
        }
    }

    /// The fast table's size (log 2): 262,144 entries, 4 MB. Traffic spread over a couple of hundred thousand
    /// popular names (the ingest benchmark's 200,000) kept most of them out of a 16,384-entry table (5% of 3M queries
    /// took the fast path; see ``FastTable`` for the figures since); on the simulator's traffic, whose names fit the
    /// small table, the larger one costs nothing measurable.
    static let fastBits = 18
    /// The fast filter's size, in bits (log 2).
    static let fastFilterBits = fastBits + 3
    static let fastFilterMask: UInt64 = (1 << UInt64(fastFilterBits)) - 1
    /// How long (event seconds) a name stays on the fast path before the full path looks at it again.
    static let fastValidity: Int64 = 3600

    private mutating func observe(answers: [DNSAnswer], timeNanos: Int64, type: RecordType, rcode: ResponseCode?,
                                  name: UnsafeBufferPointer<UInt8>, facts n: NameFacts, device: () -> String, deviceHash: UInt64,
                                  intelListed: Bool, intelAllowed: Bool, fastKey: UInt64) -> DetectorOutcome {
        let nameHash = n.nameHash
        var scope = n.scope
        if intelAllowed && scope == .watched { scope = .benign }
        let suffixStart = Int(n.suffixStart), registrableStart = Int(n.registrableStart)
        let registrableHash = n.registrableHash, suffixHash = n.suffixHash, randomByDesign = n.randomByDesign
        var f = QueryFacts(deviceHash: deviceHash, timeNanos: timeNanos, name: name, nameHash: nameHash,
                           suffixStart: suffixStart, registrableStart: registrableStart, registrableHash: registrableHash,
                           suffixHash: suffixHash, queryType: type, rcode: rcode, scope: scope, prevalence: 0)
        f.randomByDesign = randomByDesign

        // One probe into the domain table: device count, cached DGA score, newly-observed answer.
        var firstSeen: Int64? = nil
        let domainHash = randomByDesign ? suffixHash : registrableHash
        // Asked once: `ResponseCode.nxDomain` is another module's static property, whose accessor checks its lazy
        // initialisation on every read.
        let isNXDomain = rcode == .nxDomain
        let needDomain = hasNewDomain || (scope == .watched && (hasTunnel || hasBeacon || hasDGAStage || isNXDomain))
        if (scope == .watched || scope == .benign) && needDomain && !domainDoor.seenBefore(registrableHash) {
            // First sighting of the domain (since the doorkeeper's last clear): answer without a table entry — one
            // device, the seen-set asked directly, the score computed — so that one-off domains do not churn it.
            f.prevalence = 1
            if hasNewDomain {
                switch newDomain!.lookup(domainHash, at: f.seconds) {
                case .old: break
                case .new(let t):
                    firstSeen = t
                    newDomainSet.insert(domainHash)
                }
            }
            if scope == .watched && (hasDGAStage || isNXDomain || firstSeen != nil) { f.dgaScore = dga.computeScore(f) }
        } else if (scope == .watched || scope == .benign) && needDomain {
            let slot = domains.slot(registrableHash, now: f.seconds)
            if scope == .watched && (hasTunnel || hasBeacon || hasNewDomain) { f.prevalence = domains.addDevice(slot, device: deviceHash) }
            if hasNewDomain {
                switch domains.table[slot].newState {
                case 1: break
                case 2 where f.seconds - domains.table[slot].firstSeen <= newDomainHistoryWindow:
                    firstSeen = domains.table[slot].firstSeen
                default:
                    switch newDomain!.lookup(domainHash, at: f.seconds) {
                    case .old: domains.table[slot].newState = 1
                    case .new(let t):
                        domains.table[slot].newState = 2
                        domains.table[slot].firstSeen = t
                        firstSeen = t
                        newDomainSet.insert(domainHash)
                    }
                }
            }
            if scope == .watched && (hasDGAStage || isNXDomain || firstSeen != nil) {
                if domains.table[slot].score.isNaN { domains.table[slot].score = dga.computeScore(f) }
                f.dgaScore = domains.table[slot].score
            }
        }

        var chosen = DetectorOutcome.none
        var chosenRank = Int.max
        func consider(_ index: Int, _ outcome: DetectorOutcome, rank: Int) {
            guard case .flag(_, let newAlert) = outcome else { return }
            counters[index].flaggedQueries += 1
            if intelListed { counters[index].alsoKnown += 1 }
            if newAlert {
                counters[index].alerts += 1
                counters[index].devices.insert(device())
            }
            if rank < chosenRank {
                chosen = outcome
                chosenRank = rank
            }
        }
        if hasDGAStage {
            let out = dgaStage!.observe(f, dga: &dga)
            // Only a flag has a rank; asking a non-flag for its verdict's family copied an empty verdict per query.
            if case .flag = out { consider(0, out, rank: out.verdict?.family != nil ? 0 : 4) }
        }
        if hasTunnel, f.subdomainLength > 0 {
            // Any query that may open a tunnel pair marks its parent, so that the fast path sends the parent's later
            // queries to the detector (over-marking only costs a full path).
            if f.subdomainLength >= settings.tunnel.longSubdomain || TunnelDetector.isRareType(f.queryType) {
                let top = Int(truncatingIfNeeded: registrableHash >> 48)
                tunnelParents[top >> 6] |= 1 << UInt64(top & 63)
            }
            consider(1, tunnel!.observe(f, answers: answers), rank: 1)
        }
        if hasBeacon { consider(2, beacon!.observe(f), rank: 2) }
        if hasNXDomain, f.rcode != nil { consider(3, nxdomain!.observe(f, device: device, dga: &dga), rank: 3) }
        if let t = firstSeen {
            lastWasNewDomain = true
            // A new domain that many devices query is a new service (a CDN or an app's new domain), not one
            // device's C2, unless a known generator produces it (a botnet's devices all query the day's names).
            let popular = settings.common.popularDevices > 0 && f.prevalence >= settings.common.popularDevices
            if !popular || dga.knownFamily(f) != nil {
                consider(4, newDomain!.flag(f, domainHash: domainHash, firstSeen: t, dga: &dga), rank: 5)
            }
            if intelListed || chosenRank != Int.max { maliciousNewDomainSet.insert(domainHash) }
        }
        if fastBase == .min { fastBase = f.seconds }
        if chosenRank == Int.max && !intelListed && (!isNXDomain || scope != .watched) && isOfNoInterest(f, intelAllowed: intelAllowed) {
            let dayEnd = (f.seconds >= 0 ? f.seconds / 86_400 : (f.seconds - 86_399) / 86_400) * 86_400 + 86_399
            var until = min(f.seconds + Self.fastValidity, dayEnd)
            if let t = firstSeen { until = min(until, t + newDomainWindow) }
            let rel = until - fastBase
            if rel >= 0 && rel < Int64(UInt32.max) {
                fast.insert(FastTable.Entry(key: fastKey, validUntil: UInt32(rel), parentTop: UInt16(truncatingIfNeeded: registrableHash >> 48),
                                                 newDomain: firstSeen != nil, anyQuery: scope != .watched))
                addToFastFilter(fastKey)
            }
        }
        return chosen
    }

    @inline(__always)
    static func filterHas(_ filter: [UInt64], _ key: UInt64) -> Bool {
        let b = Int(truncatingIfNeeded: (key >> 1) & fastFilterMask)
        return filter[b >> 6] & (1 << UInt64(b & 63)) != 0
    }

    private mutating func addToFastFilter(_ key: UInt64) {
        let b = Int(truncatingIfNeeded: (key >> 1) & Self.fastFilterMask)
        let bit: UInt64 = 1 << UInt64(b & 63)
        if fastFilter[b >> 6] & bit != 0 { return }
        fastFilter[b >> 6] |= bit
        fastFilterSet += 1
        guard fastFilterSet > (1 << Self.fastFilterBits) / 4 else { return }
        // Overwritten entries leave their bits behind: start again from the keys the table holds now.
        for i in fastFilter.indices { fastFilter[i] = 0 }
        fastFilterSet = 0
        fast.forEachKey { key in
            let c = Int(truncatingIfNeeded: (key >> 1) & Self.fastFilterMask)
            let m: UInt64 = 1 << UInt64(c & 63)
            if fastFilter[c >> 6] & m == 0 {
                fastFilter[c >> 6] |= m
                fastFilterSet += 1
            }
        }
    }

    /// Whether no detector can act on this name (for any device) until the fast entry expires: see the fast path.
    private mutating func isOfNoInterest(_ f: QueryFacts, intelAllowed: Bool) -> Bool {
        switch f.scope {
        case .internalName, .noRegistrableDomain, .benign: return true
        case .watched: break
        }
        let popularAt = settings.common.popularDevices
        let popular = popularAt > 0 && f.prevalence >= popularAt
        if hasBeacon && !popular { return false }
        if hasTunnel && f.subdomainLength >= settings.tunnel.longSubdomain && !popular { return false }
        if hasDGAStage || hasNewDomain || hasNXDomain {
            if dga.hasScorer {
                let s = f.dgaScore.isNaN ? Double(dga.computeScore(f)) : Double(f.dgaScore)
                if s >= minDGAThreshold { return false }
            }
            if dga.knownFamily(f) != nil { return false }
        }
        return true
    }

    /// The counters of every detector (enabled or not), with their state sizes, evictions and expiries now.
    public var detectorCounters: [DetectorCounters] {
        var out = counters
        func state(_ i: Int, tracked: Int, evictions: Int, expirations: Int) {
            out[i].tracked = tracked
            out[i].evictions = evictions
            out[i].expirations = expirations
        }
        if let t = tunnel { state(1, tracked: t.tracked, evictions: t.evictions, expirations: t.expirations) }
        if let b = beacon { state(2, tracked: b.tracked, evictions: b.evictions, expirations: b.expirations) }
        if let n = nxdomain { state(3, tracked: n.tracked, evictions: n.evictions, expirations: n.expirations) }
        if let d = newDomain { state(4, tracked: d.history.recentCount, evictions: d.history.evictedEarly, expirations: d.history.agedOut) }
        return out
    }

    /// The domain table's size, evictions and expiries (device counts, DGA scores, newly-observed answers).
    public var domainState: (tracked: Int, evictions: Int, expirations: Int) { (domains.tracked, domains.evictions, domains.expirations) }

    /// The newly-observed seen-set as this worker leaves it (nil when that detector is off).
    public var newDomainHistory: NewDomainHistory? { newDomain?.history }
}
