/// One setting of ``DetectorSettings``: its file key (`beacon.threshold`), help, and how to read and write it.
public struct DetectorSettingEntry: Sendable {
    /// The key in a `--detectors-config` file: `section.name` in snake case.
    public let key: String
    /// What it does.
    public let help: String
    let read: @Sendable (DetectorSettings) -> String
    let write: @Sendable (inout DetectorSettings, DetectorSettingValue) throws(DetectorsError) -> Void

    /// The current value in `settings`, as text (`-` for unset).
    public func value(in settings: DetectorSettings) -> String { read(settings) }
}

/// A value read from a configuration file: a scalar as text, a list of scalars, or null.
public enum DetectorSettingValue: Sendable, Hashable {
    case scalar(String)
    case list([String])
    case null
}

extension DetectorSettings {
    /// Every setting, in documentation order.
    public static var entries: [DetectorSettingEntry] {
        [
            flag("dga.enabled", \.dga.enabled, "per-query DGA-likeness and known-family DGA names"),
            optionalDouble("dga.threshold", \.dga.threshold, "flag a registrable label scoring at least this (unset: the model's 1-in-10,000 benign threshold)"),
            flag("dga.known_families", \.dga.knownFamilies, "attribute names produced by the QSnatch and Pykspa generators"),
            int("dga.margin_days", \.dga.marginDays, "days either side of a query's date whose generated names count"),

            flag("tunnel.enabled", \.tunnel.enabled, "DNS tunnelling / exfiltration per (device, parent domain)"),
            int64("tunnel.window_seconds", \.tunnel.windowSeconds, "tumbling window per (device, parent)"),
            int("tunnel.min_queries", \.tunnel.minQueries, "queries under the parent in the window before it is scored"),
            int("tunnel.unique_target", \.tunnel.uniqueTarget, "unique sub-domains for full marks"),
            double("tunnel.length_low", \.tunnel.lengthLow, "mean sub-domain bytes per query scoring 0"),
            double("tunnel.length_high", \.tunnel.lengthHigh, "mean sub-domain bytes per query scoring 1"),
            double("tunnel.entropy_low", \.tunnel.entropyLow, "mean entropy of long sub-domains (bits/char) scoring 0"),
            double("tunnel.entropy_high", \.tunnel.entropyHigh, "mean entropy of long sub-domains (bits/char) scoring 1"),
            int("tunnel.long_subdomain", \.tunnel.longSubdomain, "sub-domain bytes from which a query counts as long"),
            double("tunnel.weight_unique", \.tunnel.weightUnique, "weight of the unique sub-domain score"),
            double("tunnel.weight_length", \.tunnel.weightLength, "weight of the length score"),
            double("tunnel.weight_entropy", \.tunnel.weightEntropy, "weight of the entropy score"),
            double("tunnel.weight_types", \.tunnel.weightTypes, "weight of the TXT/NULL/CNAME/MX/ANY share"),
            double("tunnel.threshold", \.tunnel.threshold, "fire at or above this score"),
            int("tunnel.max_pairs", \.tunnel.maxPairs, "(device, parent) pairs tracked at most per worker"),

            flag("beacon.enabled", \.beacon.enabled, "periodic queries per (device, name)"),
            int("beacon.min_queries", \.beacon.minQueries, "distinct query times before a pair is scored"),
            int("beacon.target_intervals", \.beacon.targetIntervals, "intervals for full marks on the count score"),
            int64("beacon.dedupe_seconds", \.beacon.dedupeSeconds, "queries closer than this count as one"),
            int64("beacon.min_interval_seconds", \.beacon.minIntervalSeconds, "shortest median interval considered"),
            int64("beacon.max_interval_seconds", \.beacon.maxIntervalSeconds, "longest median interval considered"),
            double("beacon.threshold", \.beacon.threshold, "fire at or above this score (mean of skew, MAD and count scores)"),
            double("beacon.min_dispersion_score", \.beacon.minDispersionScore, "the dispersion score (1 − MAD/median) must reach this too"),
            double("beacon.hysteresis", \.beacon.hysteresis, "an alert lasts while re-scores stay at or above threshold − hysteresis"),
            int("beacon.evaluate_every", \.beacon.evaluateEvery, "re-score a pair after this many new query times"),
            int64("beacon.idle_seconds", \.beacon.idleSeconds, "a pair idle this long is forgotten"),
            int("beacon.max_pairs", \.beacon.maxPairs, "(device, name) candidate pairs (fewer than three query times) tracked at most per worker"),
            int("beacon.max_histories", \.beacon.maxHistories, "(device, name) pairs with a query-time history tracked at most per worker"),

            flag("nxdomain.enabled", \.nxdomain.enabled, "NXDOMAIN bursts per device"),
            int64("nxdomain.window_seconds", \.nxdomain.windowSeconds, "sliding window"),
            int("nxdomain.min_dga_domains", \.nxdomain.minDGADomains, "DGA branch: distinct DGA-like NXDOMAIN registrable domains"),
            double("nxdomain.min_dga_fraction", \.nxdomain.minDGAFraction, "DGA branch: their least share of all NXDOMAIN registrable domains"),
            optionalDouble("nxdomain.dga_threshold", \.nxdomain.dgaThreshold, "DGA-like score (unset: the model's 1-in-1,000 benign threshold)"),
            int("nxdomain.volume_domains", \.nxdomain.volumeDomains, "volume branch: distinct NXDOMAIN registrable domains"),
            int("nxdomain.volume_max_suffixes", \.nxdomain.volumeMaxSuffixes, "volume branch: under at most this many public suffixes"),
            int("nxdomain.subdomain_names", \.nxdomain.subdomainNames, "random-subdomain branch: distinct NXDOMAIN names"),
            int("nxdomain.subdomain_max_parents", \.nxdomain.subdomainMaxParents, "random-subdomain branch: under at most this many registrable domains"),
            double("nxdomain.subdomain_min_entropy", \.nxdomain.subdomainMinEntropy, "random-subdomain branch: least mean entropy of the leftmost labels"),
            int("nxdomain.max_names_per_device", \.nxdomain.maxNamesPerDevice, "distinct NXDOMAIN names remembered per device and window"),
            int("nxdomain.max_devices", \.nxdomain.maxDevices, "devices tracked at most per worker"),

            flag("nod.enabled", \.newDomain.enabled, "newly observed domains, flagged when DGA-like"),
            int("nod.window_days", \.newDomain.windowDays, "a domain is new this many days after first seen"),
            optionalDouble("nod.dga_threshold", \.newDomain.dgaThreshold, "flag a new domain scoring at least this (unset: the model's 1-in-1,000 benign threshold)"),
            int("nod.min_history_days", \.newDomain.minHistoryDays, "flag only once the seen-set has watched this long"),
            int("nod.bloom_capacity", \.newDomain.bloomCapacity, "older domains the Bloom filter is sized for"),
            double("nod.bloom_false_positive_rate", \.newDomain.bloomFalsePositiveRate, "the Bloom filter's false-positive rate at capacity"),
            int("nod.max_recent", \.newDomain.maxRecent, "recent domains kept exactly"),
            strings("nod.seed_files", \.newDomain.seedFiles, "domain lists whose registrable domains count as long known"),
            optionalString("nod.state_file", \.newDomain.stateFile, "seen-set file loaded at start and saved at the end"),

            strings("common.benign_domains", \.common.benignDomains, "registrable domains behaviour detectors never flag"),
            strings("common.random_label_suffixes", \.common.randomLabelSuffixes, "platform suffixes whose host labels are random by design: not scored for DGA-likeness"),
            strings("common.internal_suffixes", \.common.internalSuffixes, "last labels of internal / special-use names, never flagged"),
            int("common.popular_devices", \.common.popularDevices, "a domain queried by this many devices is popular: no beacon, tunnel or newly-observed-domain alert (0: off)"),
            int("common.max_domains", \.common.maxDomains, "registrable domains remembered per worker (device counts, DGA scores, newly-observed answers)"),
            int64("common.domain_idle_seconds", \.common.domainIdleSeconds, "a remembered domain lives this long without queries"),
        ]
    }

    /// Applies one value from a configuration file.
    public mutating func apply(key: String, value: DetectorSettingValue, file: String = "") throws(DetectorsError) {
        guard let e = Self.entries.first(where: { $0.key == key }) else {
            throw DetectorsError(.badArgument, file: file, detail: "unknown detector setting '\(key)'")
        }
        do { try e.write(&self, value) } catch {
            throw DetectorsError(.badArgument, file: file, detail: "\(key): \(error.detail)")
        }
    }

    /// Checks values that would make a detector meaningless.
    public func validate() throws(DetectorsError) {
        func need(_ ok: Bool, _ what: String) throws(DetectorsError) {
            if !ok { throw DetectorsError(.badArgument, detail: what) }
        }
        try need(nxdomain.windowSeconds > 0 && tunnel.windowSeconds > 0 && beacon.idleSeconds > 0, "windows must be positive")
        try need(beacon.minQueries >= 4, "beacon.min_queries must be at least 4 (three intervals)")
        try need(beacon.minQueries <= BeaconDetector.historySize, "beacon.min_queries must be at most \(BeaconDetector.historySize)")
        try need(beacon.minIntervalSeconds < beacon.maxIntervalSeconds, "beacon.min_interval_seconds must be below beacon.max_interval_seconds")
        try need(tunnel.lengthLow < tunnel.lengthHigh && tunnel.entropyLow < tunnel.entropyHigh, "tunnel low bounds must be below high bounds")
        try need(newDomain.windowDays > 0, "nod.window_days must be positive")
        try need(newDomain.bloomFalsePositiveRate > 0 && newDomain.bloomFalsePositiveRate < 0.5, "nod.bloom_false_positive_rate must be in (0, 0.5)")
        for (k, v) in [("nxdomain.max_devices", nxdomain.maxDevices), ("tunnel.max_pairs", tunnel.maxPairs), ("beacon.max_pairs", beacon.maxPairs), ("beacon.max_histories", beacon.maxHistories),
                       ("nod.max_recent", newDomain.maxRecent), ("nod.bloom_capacity", newDomain.bloomCapacity),
                       ("common.max_domains", common.maxDomains)] {
            try need(v >= 1 && v <= 1 << 28, "\(k) must be between 1 and 2^28")
        }
    }

    // MARK: entry builders

    static func flag(_ key: String, _ kp: WritableKeyPath<DetectorSettings, Bool> & Sendable, _ help: String) -> DetectorSettingEntry {
        DetectorSettingEntry(key: key, help: help, read: { $0[keyPath: kp] ? "true" : "false" }, write: { s, v throws(DetectorsError) in
            guard case .scalar(let t) = v else { throw DetectorsError(.badArgument, detail: "expected true or false") }
            switch t.lowercased() {
            case "true", "yes", "on", "1": s[keyPath: kp] = true
            case "false", "no", "off", "0": s[keyPath: kp] = false
            default: throw DetectorsError(.badArgument, detail: "expected true or false, got '\(t)'")
            }
        })
    }

    static func int(_ key: String, _ kp: WritableKeyPath<DetectorSettings, Int> & Sendable, _ help: String) -> DetectorSettingEntry {
        DetectorSettingEntry(key: key, help: help, read: { String($0[keyPath: kp]) }, write: { s, v throws(DetectorsError) in
            guard case .scalar(let t) = v, let x = Int(t.replacingUnderscores), x >= 0 else {
                throw DetectorsError(.badArgument, detail: "expected a whole number ≥ 0")
            }
            s[keyPath: kp] = x
        })
    }

    static func int64(_ key: String, _ kp: WritableKeyPath<DetectorSettings, Int64> & Sendable, _ help: String) -> DetectorSettingEntry {
        DetectorSettingEntry(key: key, help: help, read: { String($0[keyPath: kp]) }, write: { s, v throws(DetectorsError) in
            guard case .scalar(let t) = v, let x = Int64(t.replacingUnderscores), x >= 0 else {
                throw DetectorsError(.badArgument, detail: "expected a whole number ≥ 0")
            }
            s[keyPath: kp] = x
        })
    }

    static func double(_ key: String, _ kp: WritableKeyPath<DetectorSettings, Double> & Sendable, _ help: String) -> DetectorSettingEntry {
        DetectorSettingEntry(key: key, help: help, read: { formatNumber($0[keyPath: kp]) }, write: { s, v throws(DetectorsError) in
            guard case .scalar(let t) = v, let x = Double(t), x.isFinite else { throw DetectorsError(.badArgument, detail: "expected a number") }
            s[keyPath: kp] = x
        })
    }

    static func optionalDouble(_ key: String, _ kp: WritableKeyPath<DetectorSettings, Double?> & Sendable, _ help: String) -> DetectorSettingEntry {
        DetectorSettingEntry(key: key, help: help, read: { $0[keyPath: kp].map(formatNumber) ?? "-" }, write: { s, v throws(DetectorsError) in
            switch v {
            case .null: s[keyPath: kp] = nil
            case .scalar(let t):
                guard let x = Double(t), x.isFinite else { throw DetectorsError(.badArgument, detail: "expected a number or null") }
                s[keyPath: kp] = x
            case .list: throw DetectorsError(.badArgument, detail: "expected a number or null")
            }
        })
    }

    static func optionalString(_ key: String, _ kp: WritableKeyPath<DetectorSettings, String?> & Sendable, _ help: String) -> DetectorSettingEntry {
        DetectorSettingEntry(key: key, help: help, read: { $0[keyPath: kp] ?? "-" }, write: { s, v throws(DetectorsError) in
            switch v {
            case .null: s[keyPath: kp] = nil
            case .scalar(let t): s[keyPath: kp] = t
            case .list: throw DetectorsError(.badArgument, detail: "expected a path or null")
            }
        })
    }

    static func strings(_ key: String, _ kp: WritableKeyPath<DetectorSettings, [String]> & Sendable, _ help: String) -> DetectorSettingEntry {
        DetectorSettingEntry(key: key, help: help, read: { $0[keyPath: kp].joined(separator: ",") }, write: { s, v throws(DetectorsError) in
            switch v {
            case .list(let xs): s[keyPath: kp] = xs.map { $0.lowercased() }
            case .scalar(let t): s[keyPath: kp] = t.split(separator: ",").map { $0.trimmingSpaces.lowercased() }.filter { !$0.isEmpty }
            case .null: s[keyPath: kp] = []
            }
        })
    }

    static func formatNumber(_ x: Double) -> String {
        x == x.rounded() && abs(x) < 1e15 ? String(Int64(x)) : String(x)
    }
}

extension StringProtocol {
    var replacingUnderscores: String { String(filter { $0 != "_" }) }
    var trimmingSpaces: String {
        var s = Substring(self)
        while s.first == " " { s = s.dropFirst() }
        while s.last == " " { s = s.dropLast() }
        return String(s)
    }
}
