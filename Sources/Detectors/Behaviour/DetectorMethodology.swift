/// What the detectors of a run were and how they were set, for the report's methodology and the analyze summary.
public struct DetectorMethodology: Sendable, Hashable, Codable {
    /// One setting as key and value text.
    public struct Setting: Sendable, Hashable, Codable {
        public var key: String
        public var value: String
        public var help: String
    }

    /// One detector.
    public struct Detector: Sendable, Hashable, Codable {
        /// The configuration name (`beacon`) and the verdicts' `matched` name (`beacon`, `dns-tunnel`…).
        public var name: String
        public var matched: String
        /// Whether it ran.
        public var enabled: Bool
        /// The category its verdicts carry.
        public var category: String
        /// The rule, in words.
        public var rule: String
        /// Its settings.
        public var settings: [Setting]
    }

    /// The detectors, in chain order.
    public var detectors: [Detector]
    /// Settings shared by the behaviour detectors (benign list, internal suffixes, popularity).
    public var common: [Setting]
    /// Thresholds as used after unset DGA thresholds took the model's calibrated values.
    public var resolvedThresholds: [Setting]
}

extension DetectorSettings {
    static let rules: [String: (matched: String, category: String, rule: String)] = [
        "dga": (DGAQueryDetector.name, "malware, or the family's category",
                "a query whose name a known family's generator (QSnatch, Pykspa) produces within dga.margin_days of its date, or whose "
                    + "registrable label the DGA model scores at or above dga.threshold"),
        "tunnel": (TunnelDetector.name, "exfiltration",
                   "per (device, registrable domain) and tumbling window: weighted score of unique sub-domains, sub-domain bytes per query, "
                    + "entropy of long sub-domains and TXT/NULL/CNAME/MX/ANY share, from tunnel.min_queries queries; not for popular parents"),
        "beacon": (BeaconDetector.name, "c2",
                   "per (device, name): the last 32 distinct query times; mean of 1 − |Bowley skew|, 1 − MAD/median and "
                    + "min(1, intervals/target) of the inter-arrival times, with the median interval in range; not for popular domains"),
        "nxdomain": (NXDomainBurstDetector.name, "malware, or the family's category",
                     "per device and sliding window: known-family names, or many distinct DGA-like NXDOMAIN registrable domains, or many "
                        + "under few public suffixes, or many random sub-domains under few parents"),
        "nod": (NewDomainDetector.name, "malware, or the family's category",
                "a registrable domain first seen within nod.window_days (Bloom filter + exact recent set) whose DGA score is at least "
                    + "nod.dga_threshold"),
    ]

    /// The methodology value for these settings; `chain` supplies the thresholds resolved from the model.
    public func methodology(chain: DetectorChain? = nil) -> DetectorMethodology {
        let all = Self.entries
        func settings(_ prefix: String) -> [DetectorMethodology.Setting] {
            all.filter { $0.key.hasPrefix(prefix + ".") }.map { .init(key: $0.key, value: $0.value(in: self), help: $0.help) }
        }
        let detectors = Self.detectorNames.map { name -> DetectorMethodology.Detector in
            let r = Self.rules[name]!
            return .init(name: name, matched: r.matched, enabled: isEnabled(name), category: r.category, rule: r.rule, settings: settings(name))
        }
        var resolved: [DetectorMethodology.Setting] = []
        if let c = chain {
            func fmt(_ x: Double) -> String { x.isFinite ? BehaviourVerdict.fixed(x, 4) : "unavailable (no DGA model)" }
            resolved = [
                .init(key: "dga.threshold", value: fmt(c.queryDGAThreshold), help: "per-query DGA threshold in force"),
                .init(key: "nxdomain.dga_threshold", value: fmt(c.nxdomainDGAThreshold), help: "DGA-like threshold of the NXDOMAIN branch"),
                .init(key: "nod.dga_threshold", value: fmt(c.newDomainDGAThreshold), help: "DGA threshold for newly observed domains"),
            ]
        }
        return DetectorMethodology(detectors: detectors, common: settings("common"), resolvedThresholds: resolved)
    }
}
