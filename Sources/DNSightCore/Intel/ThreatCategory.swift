/// What a malicious DNS transaction is part of, in the reference report's four categories.
///
/// The raw value is the short, stable name used in files, flags and JSON (`c2` for command-and-control).
public enum ThreatCategory: String, Sendable, Hashable, CaseIterable, Codable, CustomStringConvertible {
    /// Domains that deliver or host malware (payload downloads, droppers, fake updates, worms).
    case malware
    /// Domains that impersonate a brand or service to steal credentials or money.
    case phishing
    /// Domains that infected devices contact for instructions: botnet and RAT controllers, loaders, ransomware operators.
    case commandAndControl = "c2"
    /// Domains used to carry data out of a network inside DNS itself (tunnelling, encoded labels).
    case exfiltration

    /// A small stable number for compact storage (1…4; 0 is reserved for "unspecified").
    public var code: UInt8 {
        switch self {
        case .malware: 1
        case .phishing: 2
        case .commandAndControl: 3
        case .exfiltration: 4
        }
    }

    /// The category stored under ``code``; `nil` for 0 or an unknown number.
    public init?(code: UInt8) {
        switch code {
        case 1: self = .malware
        case 2: self = .phishing
        case 3: self = .commandAndControl
        case 4: self = .exfiltration
        default: return nil
        }
    }

    /// Reads the many spellings feeds use: `c2`, `cnc`, `C&C`, `command-and-control`, `botnet_cc`, `payload_delivery`,
    /// `phish`, `exfil`, `tunnel`… Case, spaces, `-` and `_` are ignored.
    public init?(parsing text: some StringProtocol) {
        var key = ""
        for c in text.lowercased() where c.isLetter || c.isNumber || c == "&" { key.append(c) }
        switch key {
        case "malware", "payload", "payloaddelivery", "malwaredownload", "malwaredistribution", "dropper", "malicious":
            self = .malware
        case "phishing", "phish", "fraud", "scam", "credentialphishing":
            self = .phishing
        case "c2", "cc", "c&c", "cnc", "commandandcontrol", "commandcontrol", "botnetcc", "botnetc2", "botnet", "controller":
            self = .commandAndControl
        case "exfiltration", "exfil", "dnsexfiltration", "tunnel", "tunnelling", "tunneling", "dnstunnel", "dnstunnelling":
            self = .exfiltration
        default:
            return nil
        }
    }

    /// A human-readable name (`command-and-control` rather than `c2`).
    public var displayName: String {
        switch self {
        case .malware: "malware"
        case .phishing: "phishing"
        case .commandAndControl: "command-and-control"
        case .exfiltration: "exfiltration"
        }
    }

    public var description: String { rawValue }
}

/// How a verdict was reached: from threat intelligence (known) or from a detector's judgement (suspected).
public enum Tier: String, Sendable, Hashable, CaseIterable, Codable, CustomStringConvertible {
    /// Listed by threat intelligence.
    case known
    /// Inferred by a detector (DGA-likeness, tunnelling, beaconing, newly observed domain…) or listed as suspicious.
    case suspected

    public var description: String { rawValue }
}
