/// Word lists and name builders: company names, generated domains, and the shapes malicious names take.
enum Names {
    static let syllables = ["ka", "ro", "mi", "ta", "lo", "ne", "vi", "sa", "to", "ri", "mo", "na", "zu", "pe", "li", "ga", "do", "fi",
                            "ko", "ra", "be", "tu", "ma", "se", "no", "ha", "ki", "la", "po", "de", "ve", "xo", "ju", "ni", "co", "ba",
                            "lux", "tek", "val", "mar", "dor", "fin", "gen", "nova", "sol", "ter", "vel", "ar", "on", "el", "is", "um"]
    static let words = ["blue", "river", "stone", "cloud", "north", "bright", "green", "silver", "rapid", "cedar", "harbor", "summit",
                        "maple", "pixel", "atlas", "vector", "orbit", "delta", "pine", "coral", "ember", "falcon", "lumen", "quartz",
                        "urban", "metro", "prime", "nexus", "alpha", "echo", "iron", "golden", "ocean", "lake", "field", "bridge",
                        "market", "media", "craft", "data", "smart", "home", "travel", "food", "shop", "news", "tech", "health",
                        "auto", "garden", "sport", "music", "photo", "studio", "games", "books", "style", "bank", "energy", "labs"]
    static let companySuffix: [String: [String]] = [
        "manufacturing": ["Manufacturing", "Industries", "Components", "Precision", "Fabrication", "Motors"],
        "business-services": ["Consulting", "Partners", "Services", "Advisory", "Group", "Solutions"],
        "high-tech": ["Systems", "Software", "Networks", "Labs", "Technologies", "Semiconductor"],
        "commerce": ["Retail", "Stores", "Trading", "Commerce", "Outlet", "Market"],
        "financial-services": ["Bank", "Capital", "Finance", "Securities", "Insurance", "Credit"],
        "healthcare": ["Health", "Medical", "Clinic", "Pharma", "Care", "Hospital"],
        "education": ["University", "College", "Academy", "Institute", "School", "Learning"],
        "government": ["Agency", "Council", "Authority", "Office", "Bureau", "Department"],
    ]

    static func capitalised(_ s: String) -> String { s.prefix(1).uppercased() + s.dropFirst() }

    /// A word made of 2–4 syllables.
    static func coined(_ rng: inout SimRandom, syllables n: ClosedRange<Int> = 2...3) -> String {
        var s = ""
        for _ in 0..<rng.int(n) { s += syllables[rng.below(syllables.count)] }
        return s
    }

    /// A company name in the style of its industry.
    static func companyName(_ rng: inout SimRandom, industry: String) -> String {
        let suffixes = companySuffix[industry] ?? ["Group", "Holdings", "Company", "Partners"]
        let base = rng.chance(0.5) ? capitalised(coined(&rng)) : capitalised(words[rng.below(words.count)]) + capitalised(coined(&rng, syllables: 1...2))
        return base + " " + suffixes[rng.below(suffixes.count)]
    }

    /// An organisation's own domain: its name in lower case letters and digits, under `.com`.
    static func orgDomain(_ name: String) -> String {
        var s = ""
        for c in name.lowercased() where c.isASCII && (c.isLetter || c.isNumber) { s.append(c) }
        if s.isEmpty { s = "org" }
        return String(s.prefix(40)) + ".com"
    }

    /// A random lower-case label of letters.
    static func letters(_ rng: inout SimRandom, _ n: Int) -> String {
        var s = ""
        let a: [Character] = Array("abcdefghijklmnopqrstuvwxyz")
        for _ in 0..<n { s.append(a[rng.below(26)]) }
        return s
    }

    /// A random lower-case label of letters and digits.
    static func alnum(_ rng: inout SimRandom, _ n: Int) -> String {
        var s = ""
        let a: [Character] = Array("abcdefghijklmnopqrstuvwxyz0123456789")
        for _ in 0..<n { s.append(a[rng.below(36)]) }
        return s
    }

    /// TLDs of generated benign domains by weight, and the region each ccTLD belongs to.
    static let benignTLDs: [(tld: String, weight: Double, region: String?)] = [
        ("com", 46, nil), ("net", 7, nil), ("org", 6, nil), ("io", 3, nil), ("co", 2, nil), ("info", 1, nil), ("app", 1, nil),
        ("jp", 2, "APAC"), ("co.jp", 2, "APAC"), ("com.au", 2, "APAC"), ("in", 1.5, "APAC"), ("co.in", 1, "APAC"), ("sg", 0.8, "APAC"),
        ("co.kr", 1, "APAC"), ("id", 0.8, "APAC"), ("com.sg", 0.5, "APAC"),
        ("us", 1, "NA"), ("ca", 2, "NA"),
        ("de", 4, "EMEA"), ("co.uk", 3, "EMEA"), ("fr", 2, "EMEA"), ("nl", 1.5, "EMEA"), ("ae", 0.5, "EMEA"), ("it", 1, "EMEA"), ("es", 1, "EMEA"),
        ("com.br", 2.5, "LATAM"), ("com.mx", 1.5, "LATAM"), ("com.ar", 1, "LATAM"), ("cl", 0.8, "LATAM"),
    ]

    /// TLDs malicious infrastructure favours.
    static let shadyTLDs = ["com", "net", "org", "top", "xyz", "info", "ru", "online", "site", "club", "biz", "cn", "su", "icu", "live", "shop"]

    /// A plausible C2 or malware-hosting domain.
    static func maliciousDomain(_ rng: inout SimRandom, style: MaliciousStyle) -> String {
        let tld = shadyTLDs[rng.below(shadyTLDs.count)]
        switch style {
        case .words:
            let a = words[rng.below(words.count)], b = words[rng.below(words.count)]
            return a + b + (rng.chance(0.4) ? String(rng.int(1...99)) : "") + "." + tld
        case .service:
            let prefixes = ["cdn", "update", "api", "static", "sync", "img", "telemetry", "secure", "portal", "files"]
            return prefixes[rng.below(prefixes.count)] + "-" + words[rng.below(words.count)] + (rng.chance(0.5) ? "-" + coined(&rng, syllables: 1...2) : "") + "." + tld
        case .random:
            return letters(&rng, rng.int(8...14)) + "." + tld
        case .dynamicDNS:
            let providers = ["duckdns.org", "ddns.net", "hopto.org", "no-ip.biz", "serveftp.com", "zapto.org"]
            return coined(&rng, syllables: 2...4) + String(rng.int(1...999)) + "." + providers[rng.below(providers.count)]
        case .tunnel:
            return coined(&rng, syllables: 2...3) + (rng.chance(0.5) ? "-" + words[rng.below(words.count)] : "") + "." + ["com", "net", "io", "xyz", "online"][rng.below(5)]
        }
    }

    /// A phishing host impersonating a brand.
    static func phishingHost(_ rng: inout SimRandom, brand: String) -> String {
        var slug = ""
        for c in brand.lowercased() where c.isASCII && (c.isLetter || c.isNumber) { slug.append(c) }
        slug = String(slug.prefix(14))
        let verbs = ["login", "verify", "secure", "account", "signin", "update", "support", "auth", "billing", "confirm", "wallet", "recovery"]
        let tld = ["com", "net", "top", "xyz", "online", "info", "site", "live", "app", "support"][rng.below(10)]
        let v = verbs[rng.below(verbs.count)], w = verbs[rng.below(verbs.count)]
        switch rng.below(5) {
        case 0: return "\(slug)-\(v).\(tld)"
        case 1: return "\(v)-\(slug)-\(w).\(tld)"
        case 2: return "\(slug).\(v)-\(coined(&rng, syllables: 1...2)).\(tld)"
        case 3: return "\(v).\(slug)-\(alnum(&rng, 4)).\(tld)"
        default: return "\(slug)\(rng.int(1...9))-\(v).\(tld)"
        }
    }
}

/// The shapes malicious domains take.
enum MaliciousStyle {
    case words, service, random, dynamicDNS, tunnel
}
