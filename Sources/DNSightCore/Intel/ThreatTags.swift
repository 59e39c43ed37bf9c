/// Yes/no traits of a threat: what role it plays and how it behaves.
///
/// Stored as a 32-bit set so that a compiled matcher can carry them per indicator without allocating. Each trait has
/// one stable name (``names``) used in files, flags and JSON.
public struct ThreatTraits: OptionSet, Sendable, Hashable, CustomStringConvertible {
    public let rawValue: UInt32
    /// Wraps a stored bit set.
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// An initial-access broker: malware whose access is sold on (Emotet, QakBot, IcedID…).
    public static let initialAccessBroker = ThreatTraits(rawValue: 1 << 0)
    /// Ransomware or its operators' infrastructure.
    public static let ransomware = ThreatTraits(rawValue: 1 << 1)
    /// Banking trojan.
    public static let banking = ThreatTraits(rawValue: 1 << 2)
    /// Information stealer.
    public static let stealer = ThreatTraits(rawValue: 1 << 3)
    /// Botnet.
    public static let botnet = ThreatTraits(rawValue: 1 << 4)
    /// Loader / dropper that installs further payloads.
    public static let loader = ThreatTraits(rawValue: 1 << 5)
    /// Remote-access trojan.
    public static let remoteAccess = ThreatTraits(rawValue: 1 << 6)
    /// Uses a domain-generation algorithm.
    public static let dga = ThreatTraits(rawValue: 1 << 7)
    /// Phishing kit or phishing-as-a-service.
    public static let phishingKit = ThreatTraits(rawValue: 1 << 8)
    /// Offensive command-and-control framework (Cobalt Strike, Sliver, Brute Ratel).
    public static let c2Framework = ThreatTraits(rawValue: 1 << 9)
    /// Self-propagating worm.
    public static let worm = ThreatTraits(rawValue: 1 << 10)
    /// Cryptocurrency miner.
    public static let cryptominer = ThreatTraits(rawValue: 1 << 11)
    /// Web shell.
    public static let webshell = ThreatTraits(rawValue: 1 << 12)
    /// Traffic distribution system, fake browser updates, malvertising.
    public static let trafficDistribution = ThreatTraits(rawValue: 1 << 13)
    /// Proxy malware or residential-proxy botnet.
    public static let proxy = ThreatTraits(rawValue: 1 << 14)
    /// Backdoor.
    public static let backdoor = ThreatTraits(rawValue: 1 << 15)
    /// Spam botnet.
    public static let spam = ThreatTraits(rawValue: 1 << 16)
    /// Attributed to a state-sponsored or targeted (APT) actor.
    public static let apt = ThreatTraits(rawValue: 1 << 17)
    /// Exploit kit.
    public static let exploitKit = ThreatTraits(rawValue: 1 << 18)

    /// Every trait with its stable name, in bit order.
    public static let names: [(trait: ThreatTraits, name: String)] = [
        (.initialAccessBroker, "iab"), (.ransomware, "ransomware"), (.banking, "banking"), (.stealer, "stealer"),
        (.botnet, "botnet"), (.loader, "loader"), (.remoteAccess, "rat"), (.dga, "dga"), (.phishingKit, "phishing-kit"),
        (.c2Framework, "c2-framework"), (.worm, "worm"), (.cryptominer, "miner"), (.webshell, "webshell"),
        (.trafficDistribution, "tds"), (.proxy, "proxy"), (.backdoor, "backdoor"), (.spam, "spam"), (.apt, "apt"),
        (.exploitKit, "exploit-kit"),
    ]

    /// Reads one trait name: the stable name or a common spelling (`initial-access-broker`, `ransom`, `bank`,
    /// `infostealer`, `remote-access-trojan`, `fakeupdates`…). Case, `-`, `_` and spaces are ignored.
    public init?(parsing text: some StringProtocol) {
        var key = ""
        for c in text.lowercased() where c.isLetter || c.isNumber { key.append(c) }
        switch key {
        case "iab", "initialaccessbroker", "initialaccess", "accessbroker": self = .initialAccessBroker
        case "ransomware", "ransom", "ransomwaregroup", "locker": self = .ransomware
        case "banking", "bank", "bankingtrojan", "banker": self = .banking
        case "stealer", "infostealer", "informationstealer", "passwordstealer", "spyware", "credentialstealer": self = .stealer
        case "botnet", "bot": self = .botnet
        case "loader", "dropper", "downloader": self = .loader
        case "rat", "remoteaccess", "remoteaccesstrojan", "remoteaccesstool": self = .remoteAccess
        case "dga", "domaingenerationalgorithm", "domaingeneration": self = .dga
        case "phishingkit", "phishkit", "phishingasaservice", "phaas", "aitm": self = .phishingKit
        case "c2framework", "c2frameworks", "redteam", "postexploitation", "offensiveframework": self = .c2Framework
        case "worm": self = .worm
        case "miner", "cryptominer", "coinminer", "cryptojacking": self = .cryptominer
        case "webshell": self = .webshell
        case "tds", "trafficdistribution", "trafficdistributionsystem", "fakeupdates", "fakeupdate", "malvertising": self = .trafficDistribution
        case "proxy", "proxymalware", "residentialproxy": self = .proxy
        case "backdoor": self = .backdoor
        case "spam", "spambot": self = .spam
        case "apt", "targeted", "statesponsored", "nationstate": self = .apt
        case "exploitkit", "ek": self = .exploitKit
        default: return nil
        }
    }

    /// The stable names of the traits in this set, in bit order.
    public var nameList: [String] { Self.names.filter { contains($0.trait) }.map(\.name) }

    public var description: String { nameList.joined(separator: ",") }
}

/// A targeted industry, as the reference report groups organisations and phishing targets.
///
/// Industries are an open set: the well-known ones have constants, and any other name is kept as written
/// (lower-cased, spaces as `-`).
public struct Industry: RawRepresentable, Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public let rawValue: String
    /// Normalises a name: lower case, runs of spaces/underscores become `-`.
    public init(rawValue: String) {
        var out = ""
        var dash = false
        for c in rawValue.lowercased() {
            if c == " " || c == "_" || c == "-" || c == "/" { dash = !out.isEmpty; continue }
            if dash { out.append("-"); dash = false }
            out.append(c)
        }
        self.rawValue = out
    }

    /// Banks, payments, insurance, cryptocurrency exchanges.
    public static let financialServices = Industry(rawValue: "financial-services")
    /// Manufacturing.
    public static let manufacturing = Industry(rawValue: "manufacturing")
    /// Business services.
    public static let businessServices = Industry(rawValue: "business-services")
    /// High technology: software, cloud, telecom equipment.
    public static let highTech = Industry(rawValue: "high-tech")
    /// Commerce and retail, including delivery and logistics brands.
    public static let commerce = Industry(rawValue: "commerce")
    /// Social media.
    public static let socialMedia = Industry(rawValue: "social-media")
    /// Video games.
    public static let gaming = Industry(rawValue: "gaming")
    /// Government and public sector.
    public static let government = Industry(rawValue: "government")
    /// Healthcare.
    public static let healthcare = Industry(rawValue: "healthcare")
    /// Education.
    public static let education = Industry(rawValue: "education")
    /// Media and entertainment.
    public static let media = Industry(rawValue: "media")
    /// Telecommunications and internet service providers.
    public static let telecom = Industry(rawValue: "telecom")
    /// Shipping and logistics.
    public static let logistics = Industry(rawValue: "logistics")

    public static func < (a: Industry, b: Industry) -> Bool { a.rawValue < b.rawValue }
    public var description: String { rawValue }
}

/// The kind of device a threat targets or that a device is, as the report counts infected devices.
public enum DeviceType: String, Sendable, Hashable, CaseIterable, Codable, Comparable, CustomStringConvertible {
    /// Network-attached storage (QSnatch targets QNAP NAS).
    case nas
    /// Home or small-office router.
    case router
    /// IP camera or DVR.
    case camera
    /// Other Internet-of-Things device.
    case iot
    /// Phone or tablet.
    case mobile
    /// Desktop or laptop computer.
    case pc
    /// Server.
    case server

    /// The bit of this type in a compact 16-bit set.
    public var bit: UInt16 { UInt16(1) << UInt16(Self.allCases.firstIndex(of: self)!) }

    /// The types whose bits are set in `bits`.
    public static func from(bits: UInt16) -> [DeviceType] { allCases.filter { bits & $0.bit != 0 } }

    /// Reads a device type name, accepting common spellings (`NAS`, `android`, `phone`, `desktop`, `windows`, `linux-server`…).
    public init?(parsing text: some StringProtocol) {
        var key = ""
        for c in text.lowercased() where c.isLetter || c.isNumber { key.append(c) }
        switch key {
        case "nas", "qnap", "synology", "networkattachedstorage", "storage": self = .nas
        case "router", "soho", "gateway", "cpe": self = .router
        case "camera", "ipcamera", "dvr", "nvr", "cctv": self = .camera
        case "iot", "embedded", "elf", "linuxiot": self = .iot
        case "mobile", "android", "ios", "phone", "smartphone", "tablet", "apk": self = .mobile
        case "pc", "desktop", "laptop", "windows", "workstation", "macos", "computer": self = .pc
        case "server", "linuxserver", "webserver": self = .server
        default: return nil
        }
    }

    public static func < (a: DeviceType, b: DeviceType) -> Bool { a.bit < b.bit }
    public var description: String { rawValue }
}

/// Everything an indicator or a family says about a threat beyond its category: traits (IAB, ransomware, banking…),
/// targeted industries, brands and device types, and free-form labels a feed attached.
public struct ThreatTags: Sendable, Hashable, CustomStringConvertible {
    /// Yes/no traits.
    public var traits: ThreatTraits
    /// Targeted industries, sorted and unique.
    public var industries: [Industry] { didSet { industries = Array(Set(industries)).sorted() } }
    /// Targeted brands as the feed names them (PhishTank's `target`), unique, in the order first seen.
    public var brands: [String]
    /// Targeted device types, sorted and unique.
    public var deviceTypes: [DeviceType] { didSet { deviceTypes = Array(Set(deviceTypes)).sorted() } }
    /// Other labels a feed attached (ThreatFox/URLhaus tags such as `elf`, `mirai`), unique, in the order first seen.
    public var labels: [String]

    /// No tags.
    public static let none = ThreatTags()

    /// Creates a tag set.
    public init(traits: ThreatTraits = [], industries: [Industry] = [], brands: [String] = [], deviceTypes: [DeviceType] = [], labels: [String] = []) {
        self.traits = traits
        self.industries = Array(Set(industries)).sorted()
        self.brands = []
        self.deviceTypes = Array(Set(deviceTypes)).sorted()
        self.labels = []
        for b in brands { addBrand(b) }
        for l in labels { addLabel(l) }
    }

    /// Reads tag words: a trait name (`iab`, `ransomware`…), `industry:NAME`, `brand:NAME`, `device:TYPE`, or any other
    /// word, which is kept as a label. Words may also be given joined by `;` or `,` in one string.
    public init(parsing words: [String]) {
        self.init()
        for word in words {
            for part in word.split(whereSeparator: { $0 == ";" || $0 == "," }) {
                add(parsing: part.trimmingSpaces())
            }
        }
    }

    /// Adds one tag word (see ``init(parsing:)``).
    public mutating func add(parsing word: String) {
        guard !word.isEmpty else { return }
        if let colon = word.firstIndex(of: ":") {
            let key = word[..<colon].lowercased()
            let value = String(word[word.index(after: colon)...]).trimmingSpaces()
            switch key {
            case "industry", "sector":
                if !value.isEmpty { industries.append(Industry(rawValue: value)) }
                return
            case "brand", "target":
                addBrand(value)
                return
            case "device", "devicetype", "device-type":
                if let d = DeviceType(parsing: value) { deviceTypes.append(d) } else { addLabel(word) }
                return
            default:
                break
            }
        }
        if let t = ThreatTraits(parsing: word) { traits.insert(t) } else { addLabel(word) }
    }

    /// Adds a brand unless it is empty, `Other` or already present (compared case-insensitively).
    public mutating func addBrand(_ brand: String) {
        let b = brand.trimmingSpaces()
        guard !b.isEmpty, b.lowercased() != "other", !brands.contains(where: { $0.lowercased() == b.lowercased() }) else { return }
        brands.append(b)
    }

    /// Adds a free-form label unless it is empty, `None` or already present.
    public mutating func addLabel(_ label: String) {
        let l = label.trimmingSpaces()
        guard !l.isEmpty, l.lowercased() != "none", l.lowercased() != "null", !labels.contains(l) else { return }
        labels.append(l)
    }

    /// The union of two tag sets (this set's order first).
    public func union(_ other: ThreatTags) -> ThreatTags {
        var t = self
        t.traits.formUnion(other.traits)
        if !other.industries.isEmpty { t.industries += other.industries }
        if !other.deviceTypes.isEmpty { t.deviceTypes += other.deviceTypes }
        for b in other.brands { t.addBrand(b) }
        for l in other.labels { t.addLabel(l) }
        return t
    }

    /// Whether there is no tag at all.
    public var isEmpty: Bool { traits.isEmpty && industries.isEmpty && brands.isEmpty && deviceTypes.isEmpty && labels.isEmpty }

    /// The tags as words that ``init(parsing:)`` reads back.
    public var words: [String] {
        traits.nameList + industries.map { "industry:\($0.rawValue)" } + brands.map { "brand:\($0)" }
            + deviceTypes.map { "device:\($0.rawValue)" } + labels
    }

    public var description: String { words.joined(separator: ",") }
}

extension StringProtocol {
    /// The text without leading and trailing spaces, tabs, carriage returns and newlines.
    package func trimmingSpaces() -> String {
        let u = Array(utf8)
        var s = 0, e = u.count
        while s < e, u[s] == 0x20 || u[s] == 0x09 || u[s] == 0x0D || u[s] == 0x0A { s += 1 }
        while e > s, u[e - 1] == 0x20 || u[e - 1] == 0x09 || u[e - 1] == 0x0D || u[e - 1] == 0x0A { e -= 1 }
        return String(decoding: u[s..<e], as: UTF8.self)
    }
}
