import EventStore

/// Short constructors for hand-built test data.
public enum Build {
    /// A device.
    public static func device(_ org: String, _ key: String, region: String = "APAC", segment: String = "enterprise",
                              industry: String = "manufacturing", type: String = "pc", country: String = "JP") -> DeviceInfo {
        DeviceInfo(organisation: org, deviceKey: key, segment: segment, region: region, country: country,
                   industry: segment == "home" ? "" : industry, deviceType: type, site: "hq")
    }

    /// A UTC time: `"2026-03-31"` plus hours, minutes, seconds and nanoseconds.
    public static func time(_ date: String, _ h: Int = 0, _ m: Int = 0, _ s: Int = 0, ns: Int64 = 0) -> Int64 {
        Day(iso: date)!.startNanos + Int64(h * 3600 + m * 60 + s) * 1_000_000_000 + ns
    }

    /// A clean query.
    public static func clean(_ d: DeviceInfo, _ t: Int64, domain: String = "example.com", resolved: Bool = true) -> TrafficObservation {
        TrafficObservation(timeNanos: t, device: d, domain: domain, resolved: resolved)
    }

    /// A query with one detection.
    public static func hit(_ d: DeviceInfo, _ t: Int64, _ category: String, family: String = "", tags: [String] = [],
                           tier: String = StoreVocabulary.known, name: String? = nil, resolved: Bool = true) -> TrafficObservation {
        let q = name ?? "\(family.isEmpty ? "x" : family.lowercased()).\(category).bad"
        return TrafficObservation(timeNanos: t, device: d, domain: q, resolved: resolved, detections: [
            detection(d, t, category, family: family, tags: tags, tier: tier, name: q),
        ])
    }

    /// A detection record with plausible evidence.
    public static func detection(_ d: DeviceInfo, _ t: Int64, _ category: String, family: String = "", tags: [String] = [],
                                 tier: String = StoreVocabulary.known, name: String) -> DetectionRecord {
        DetectionRecord(timeNanos: t, device: d, queryName: name, queryType: "A", rcode: "NOERROR", category: category, tier: tier,
                        family: family, tags: tags, indicator: tier == StoreVocabulary.known ? name : "",
                        detector: tier == StoreVocabulary.known ? "" : "dga", reason: "test", sourceFeed: "test-feed",
                        score: tier == StoreVocabulary.known ? nil : 0.97, threshold: tier == StoreVocabulary.known ? nil : 0.9,
                        sourceFile: "test.log", sourceLine: 1, sourceOffset: 0)
    }

    /// A batch of observations.
    public static func batch(_ obs: [TrafficObservation]) -> IngestBatch {
        var b = IngestBatch()
        for o in obs { b.add(o) }
        return b
    }
}
