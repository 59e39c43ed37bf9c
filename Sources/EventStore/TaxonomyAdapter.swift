import DNSWire
import DNSightCore

// The adapter from the pipeline's types (DNSEvent, Verdict and the taxonomy of DNSightCore) to the store's plain
// records, so that `dnsight analyze --store` fills the store with one call per event.

extension StoreVocabulary {
    /// The category code of a verdict: `malware`, `phishing`, `c2`, `exfiltration`, or `unspecified` when the source
    /// gave none (counted as flagged, in no category).
    public static func category(_ c: ThreatCategory?) -> String { c?.rawValue ?? "unspecified" }

    /// The store's tags for a verdict: trait names (`iab`, `ransomware`, `dga`…) of the verdict and of its tags,
    /// `targeted-industry:<industry>` (from the tags, else from the built-in brand catalogue for its brands),
    /// `targeted-brand:<brand>`, `targeted-device:<type>`, and the free labels as they are (`campaign:…`, `kit:…`).
    public static func tags(of v: Verdict, brands: BrandCatalogue = .builtIn) -> [String] {
        var out: [String] = []
        var seen = Set<String>()
        func add(_ t: String) { if seen.insert(t).inserted { out.append(t) } }
        let traits = v.traits.union(v.tags.traits)
        for (t, name) in ThreatTraits.names where traits.contains(t) { add(name) }
        var industries = v.tags.industries.map(\.rawValue)
        if industries.isEmpty {
            industries = v.tags.brands.compactMap { brands.brand(named: $0)?.industry?.rawValue }
        }
        for i in industries { add(targetedIndustryPrefix + i) }
        for b in v.tags.brands { add(targetedBrandPrefix + b) }
        for d in v.tags.deviceTypes { add("targeted-device:" + d.rawValue) }
        for l in v.tags.labels { add(l) }
        return out
    }

    /// A name in presentation form without the trailing dot (`.` for the root).
    public static func text(_ name: DNSName) -> String {
        name.isRoot ? "." : String(name.presentation.dropLast())
    }
}

extension DeviceInfo {
    /// The device of an event: its key (explicit device id, else client address; `unknown` when the source has
    /// neither) inside its organisation (`unattributed` when attribution found none), with the attribution's
    /// attributes as strings (empty when unknown).
    public init(event: DNSEvent, organisation: String?, segment: String?, region: String?, country: String?, industry: String?,
                deviceType: String?, site: String?) {
        self.init(organisation: organisation ?? "unattributed", deviceKey: event.deviceKey ?? "unknown", segment: segment ?? "",
                  region: region ?? "", country: country ?? "", industry: industry ?? "", deviceType: deviceType ?? "", site: site ?? "")
    }
}

extension DetectionRecord {
    /// A detection from an event, its device and the verdict, with the evidence (indicator or detector, source
    /// feed, reference, score and threshold, input file, line and offset).
    public init(event e: DNSEvent, device: DeviceInfo, verdict v: Verdict) {
        let detector = v.tier == .suspected
        self.init(timeNanos: e.timeNanos, device: device, queryName: StoreVocabulary.text(e.queryName), queryType: e.queryType.description,
                  rcode: e.rcode?.description ?? "", category: StoreVocabulary.category(v.category), tier: v.tier.rawValue,
                  family: v.family ?? "", tags: StoreVocabulary.tags(of: v), indicator: detector ? "" : v.matched,
                  detector: detector ? v.matched : "", reason: "\(v.subject) matched \(v.matched)", sourceFeed: v.source,
                  reference: v.reference ?? "", score: v.score, threshold: v.threshold, sourceFile: e.position.file,
                  sourceLine: Int64(e.position.line), sourceOffset: Int64(e.position.byteOffset))
    }
}

extension TrafficObservation {
    /// An observation of an event: resolved when its response was NOERROR with answers; the domain tracked for
    /// newly observed domains is `domain` (e.g. the registered domain) or else the query name.
    public init(event e: DNSEvent, device: DeviceInfo, verdicts: [Verdict], domain: String? = nil) {
        self.init(timeNanos: e.timeNanos, device: device, domain: domain ?? StoreVocabulary.text(e.queryName),
                  resolved: e.rcode == .noError && !e.answers.isEmpty,
                  detections: verdicts.map { DetectionRecord(event: e, device: device, verdict: $0) })
    }
}
