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

    var prevalence: DomainPrevalence
    var dgaStage: DGAQueryDetector?
    var tunnel: TunnelDetector?
    var beacon: BeaconDetector?
    var nxdomain: NXDomainBurstDetector?
    var newDomain: NewDomainDetector?
    let suffixes: PublicSuffixList
    let benign: HashSet64
    let randomLabels: HashSet64
    let internalLabels: HashSet64
    var counters: [DetectorCounters]

    /// Events seen, and events without a usable name (root, empty) or device.
    public private(set) var events = 0, skipped = 0
    /// Whether the last event's registrable domain was newly observed (the newly-observed detector must be on).
    public private(set) var lastWasNewDomain = false
    /// Newly observed registrable domains queried in this run, and those of them with a malicious verdict
    /// (intel or detector).
    public private(set) var newDomains = Set<UInt64>(), maliciousNewDomains = Set<UInt64>()

    /// Index of each detector's counters.
    static let order = DetectorSettings.detectorNames

    /// Creates a chain. Without a scorer, DGA-likeness is unavailable: the DGA stage only attributes known-family
    /// names and the DGA branches never hold. `history` is the newly-observed seen-set to start from (nil: empty).
    public init(settings: DetectorSettings, scorer: DGAScorer?, history: NewDomainHistory? = nil) {
        self.settings = settings
        suffixes = scorer?.suffixes ?? PublicSuffixList.bundled
        dga = DGAContext(scorer: scorer, knownFamilies: settings.dga.knownFamilies, marginDays: settings.dga.marginDays,
                         cacheEntries: settings.dga.cacheEntries)
        let t3 = scorer?.model.thresholdFPR1e3 ?? .infinity
        let t4 = scorer?.model.thresholdFPR1e4 ?? .infinity
        nxdomainDGAThreshold = settings.nxdomain.dgaThreshold ?? t3
        newDomainDGAThreshold = settings.newDomain.dgaThreshold ?? t3
        queryDGAThreshold = settings.dga.threshold ?? t4
        prevalence = DomainPrevalence(maxDomains: settings.common.prevalenceMaxDomains, idleSeconds: settings.common.prevalenceIdleSeconds)
        if settings.dga.enabled { dgaStage = DGAQueryDetector(threshold: queryDGAThreshold) }
        if settings.tunnel.enabled { tunnel = TunnelDetector(settings: settings.tunnel, popularDevices: settings.common.popularDevices) }
        if settings.beacon.enabled { beacon = BeaconDetector(settings: settings.beacon, popularDevices: settings.common.popularDevices) }
        if settings.nxdomain.enabled { nxdomain = NXDomainBurstDetector(settings: settings.nxdomain, dgaThreshold: nxdomainDGAThreshold) }
        if settings.newDomain.enabled {
            newDomain = NewDomainDetector(settings: settings.newDomain, dgaThreshold: newDomainDGAThreshold,
                                          history: history ?? NewDomainDetector.emptyHistory(settings.newDomain))
        }
        benign = HashSet64(settings.common.benignDomains.map { StableHash.hash(Self.normalise($0)) })
        randomLabels = HashSet64(settings.common.randomLabelSuffixes.map { StableHash.hash(Self.normalise($0)) })
        internalLabels = HashSet64(settings.common.internalSuffixes.map { StableHash.hash(Self.normalise($0)) })
        counters = Self.order.map { DetectorCounters(detector: $0) }
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
        events += 1
        lastWasNewDomain = false
        let wire = e.queryName.wire
        guard wire.count > 1 else {
            skipped += 1
            return nil
        }
        let deviceHash = StableHash.hash(device)
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 256) { buf -> Verdict? in
            var o = 0
            var lastDot = -1
            wire.withUnsafeBufferPointer { w in
                var i = 0
                while i < w.count, w[i] != 0 {
                    let n = Int(w[i])
                    if o > 0 {
                        buf[o] = UInt8(ascii: ".")
                        lastDot = o
                        o += 1
                    }
                    var j = i + 1
                    while j <= i + n && j < w.count && o < 255 {
                        let b = w[j]
                        buf[o] = b &- 0x41 < 26 ? b | 0x20 : b
                        o += 1
                        j += 1
                    }
                    i += n + 1
                }
            }
            let name = UnsafeBufferPointer(rebasing: buf[0..<o])
            return observe(e, name: name, lastDot: lastDot, device: device, deviceHash: deviceHash, intelListed: intelListed,
                           intelAllowed: intelAllowed)
        }
    }

    private mutating func observe(_ e: DNSEvent, name: UnsafeBufferPointer<UInt8>, lastDot: Int, device: String, deviceHash: UInt64,
                                  intelListed: Bool, intelAllowed: Bool) -> Verdict? {
        let nameHash = StableHash.hash(name)
        var scope = QueryFacts.Scope.watched
        var suffixStart = 0, registrableStart = -1
        var registrableHash: UInt64 = 0, suffixHash: UInt64 = 0
        var randomByDesign = false
        if internalLabels.contains(StableHash.hash(UnsafeBufferPointer(rebasing: name[(lastDot + 1)...]))) {
            scope = .internalName
        } else if let split = suffixes.split(name), let r = split.registrableStart {
            suffixStart = split.suffixStart
            registrableStart = r
            registrableHash = StableHash.hash(UnsafeBufferPointer(rebasing: name[r...]))
            suffixHash = StableHash.hash(UnsafeBufferPointer(rebasing: name[suffixStart...]))
            // The benign and random-label lists hold registrable domains or platform suffixes (`googleapis.com`,
            // `cloudfront.net` are public suffixes of the list's private section): try each suffix from the
            // registrable domain down to the last two labels.
            var isBenign = intelAllowed || benign.contains(registrableHash)
            randomByDesign = randomLabels.contains(registrableHash)
            var i = r
            while i < name.count {
                if name[i] == UInt8(ascii: ".") {
                    let tail = UnsafeBufferPointer(rebasing: name[(i + 1)...])
                    if i + 1 > lastDot { break }
                    let h = i + 1 == suffixStart ? suffixHash : StableHash.hash(tail)
                    if benign.contains(h) { isBenign = true }
                    if randomLabels.contains(h) { randomByDesign = true }
                }
                i += 1
            }
            if isBenign { scope = .benign }
        } else {
            scope = .noRegistrableDomain
        }
        var f = QueryFacts(device: device, deviceHash: deviceHash, timeNanos: e.timeNanos, name: name, nameHash: nameHash,
                           suffixStart: suffixStart, registrableStart: registrableStart, registrableHash: registrableHash,
                           suffixHash: suffixHash, queryType: e.queryType, rcode: e.rcode, scope: scope, prevalence: 0)
        f.randomByDesign = randomByDesign
        if scope == .watched && (tunnel != nil || beacon != nil) {
            f.prevalence = prevalence.observe(domain: registrableHash, device: deviceHash, now: f.seconds)
        }

        var chosen: Verdict? = nil
        var chosenRank = Int.max
        func consider(_ index: Int, _ outcome: DetectorOutcome, rank: Int) {
            guard case .flag(let v, let newAlert) = outcome else { return }
            counters[index].flaggedQueries += 1
            if intelListed { counters[index].alsoKnown += 1 }
            if newAlert {
                counters[index].alerts += 1
                counters[index].devices.insert(device)
            }
            if rank < chosenRank {
                chosen = v
                chosenRank = rank
            }
        }
        if var d = dgaStage {
            let out = d.observe(f, dga: &dga)
            dgaStage = d
            consider(0, out, rank: out.verdict?.family != nil ? 0 : 4)
        }
        if tunnel != nil, f.subdomainLength > 0 { consider(1, tunnel!.observe(f, e), rank: 1) }
        if beacon != nil { consider(2, beacon!.observe(f), rank: 2) }
        if nxdomain != nil, f.rcode != nil { consider(3, nxdomain!.observe(f, dga: &dga), rank: 3) }
        if newDomain != nil {
            let (out, isNew) = newDomain!.observe(f, dga: &dga)
            consider(4, out, rank: 5)
            if isNew {
                lastWasNewDomain = true
                newDomains.insert(f.randomByDesign ? suffixHash : registrableHash)
            }
        }
        if lastWasNewDomain && (intelListed || chosen != nil) { maliciousNewDomains.insert(f.randomByDesign ? suffixHash : registrableHash) }
        return chosen
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

    /// The prevalence table's size and evictions (shared by the beacon and tunnel detectors).
    public var prevalenceState: (tracked: Int, evictions: Int) { (prevalence.tracked, prevalence.evictions) }

    /// The newly-observed seen-set as this worker leaves it (nil when that detector is off).
    public var newDomainHistory: NewDomainHistory? { newDomain?.history }
}

/// A set of 64-bit hashes, open-addressed, built once.
struct HashSet64: Sendable {
    private var slots: [UInt64]
    private let mask: Int

    init(_ items: [UInt64]) {
        var n = 16
        while n < items.count * 4 { n <<= 1 }
        slots = Array(repeating: 0, count: n)
        mask = n - 1
        for h in items {
            let k = h | 1
            var i = Int(truncatingIfNeeded: k) & mask
            while slots[i] != 0 && slots[i] != k { i = (i + 1) & mask }
            slots[i] = k
        }
    }

    @inline(__always)
    func contains(_ h: UInt64) -> Bool {
        let k = h | 1
        var i = Int(truncatingIfNeeded: k) & mask
        while true {
            let x = slots[i]
            if x == k { return true }
            if x == 0 { return false }
            i = (i + 1) & mask
        }
    }
}
