/// A threat family (malware, ransomware group, phishing kit or C2 framework) with what is known about it by default.
public struct Family: Sendable, Hashable, CustomStringConvertible {
    /// The canonical name, e.g. `QakBot`.
    public var name: String
    /// Other names the same family goes by, e.g. `Qbot`, `Quakbot`.
    public var aliases: [String]
    /// The category its domains fall in when a source does not say.
    public var category: ThreatCategory?
    /// Traits (IAB, ransomware…) and targets (device types, industries) of the family.
    public var tags: ThreatTags
    /// A one-line note for people.
    public var note: String

    /// Creates a family.
    public init(name: String, aliases: [String] = [], category: ThreatCategory? = nil, tags: ThreatTags = .none, note: String = "") {
        self.name = name
        self.aliases = aliases
        self.category = category
        self.tags = tags
        self.note = note
    }

    public var description: String { name }
}

/// The family catalogue: family → default category, tags, aliases and targeted device types.
///
/// A curated catalogue ships with dnsight (``builtIn``, from `Resources/families.csv`); an operator can override or
/// extend it with a CSV file of the same shape (``merging(_:)``). Names are looked up ignoring case, spaces and
/// punctuation, Malpedia-style platform prefixes (`win.`, `elf.`, `apk.`, `android_`…) and a trailing
/// `ransomware`, so `win.qakbot`, `QBot`, `hive_ransomware` and `Agent Tesla` all find their family.
///
/// CSV columns, found by header name: `family` (required), `category`, `tags` (`;`-separated words, see
/// ``ThreatTags/init(parsing:)``), `aliases` (`;`-separated) and `note`. In an override file a row that names an
/// existing family (by name or alias) replaces the fields it fills and adds its aliases; `category` `-` clears the
/// category; any other row adds a family.
public struct FamilyCatalogue: Sendable {
    /// The families, in file order.
    public private(set) var families: [Family] = []
    private var index: [String: Int] = [:]

    /// An empty catalogue.
    public init() {}

    /// The catalogue that ships with dnsight.
    public static let builtIn: FamilyCatalogue = {
        do {
            return try FamilyCatalogue(csv: PackageResources.families_csv, file: "families.csv")
        } catch {
            // The shipped file is tested; reaching this means the build embedded a broken file.
            fatalError("the built-in family catalogue does not load: \(error)")
        }
    }()

    /// Reads a catalogue from CSV bytes.
    public init(csv bytes: [UInt8], file: String) throws(DNSightCoreError) {
        self.init()
        try apply(csv: bytes, file: file)
    }

    /// This catalogue with an operator's CSV file applied on top (overrides and additions).
    public func merging(csv bytes: [UInt8], file: String) throws(DNSightCoreError) -> FamilyCatalogue {
        var c = self
        try c.apply(csv: bytes, file: file)
        return c
    }

    private mutating func apply(csv bytes: [UInt8], file: String) throws(DNSightCoreError) {
        var reader = CSVReader(bytes)
        var columns: [String: Int]? = nil
        while let event = reader.next() {
            switch event {
            case .comment(let text, _, _):
                // A commented header (`# family,category,…`) is accepted too.
                if columns == nil, text.lowercased().hasPrefix("family") {
                    columns = Self.header(text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingSpaces() })
                }
            case .problem(let why, let line, let offset):
                throw DNSightCoreError(.badCSV(why), file: file, line: line, offset: offset)
            case .record(let fields, let line, let offset):
                guard let cols = columns else {
                    let header = Self.header(fields)
                    guard header["family"] != nil else { throw DNSightCoreError(.missingColumn("family"), file: file, line: line, offset: offset) }
                    columns = header
                    continue
                }
                func field(_ name: String) -> String {
                    guard let i = cols[name], i < fields.count else { return "" }
                    return fields[i].trimmingSpaces()
                }
                let name = field("family")
                guard !name.isEmpty else { throw DNSightCoreError(.badRow("empty family name"), file: file, line: line, offset: offset) }
                let categoryText = field("category")
                var category: ThreatCategory?? = nil   // nil: leave as is; .some(nil): clear
                if categoryText == "-" {
                    category = .some(nil)
                } else if !categoryText.isEmpty {
                    guard let c = ThreatCategory(parsing: categoryText) else {
                        throw DNSightCoreError(.badRow("unknown category '\(categoryText)' for \(name)"), file: file, line: line, offset: offset)
                    }
                    category = .some(c)
                }
                let tagsText = field("tags")
                let aliases = field("aliases").split(separator: ";").map { $0.trimmingSpaces() }.filter { !$0.isEmpty }
                let note = field("note")
                let found = lookupIndex(name) ?? aliases.compactMap({ lookupIndex($0) }).first
                if let existing = found {
                    var f = families[existing]
                    if let category { f.category = category }
                    if !tagsText.isEmpty { f.tags = ThreatTags(parsing: [tagsText]) }
                    for a in aliases where !f.aliases.contains(where: { Self.key($0) == Self.key(a) }) && Self.key(a) != Self.key(f.name) {
                        f.aliases.append(a)
                    }
                    if Self.key(name) != Self.key(f.name), !f.aliases.contains(where: { Self.key($0) == Self.key(name) }) {
                        f.aliases.append(name)
                    }
                    if !note.isEmpty { f.note = note }
                    families[existing] = f
                    register(existing)
                } else {
                    families.append(Family(name: name, aliases: aliases, category: category ?? nil, tags: ThreatTags(parsing: [tagsText]), note: note))
                    register(families.count - 1)
                }
            }
        }
    }

    private static func header(_ fields: [String]) -> [String: Int] {
        var h: [String: Int] = [:]
        for (i, f) in fields.enumerated() { h[f.trimmingSpaces().lowercased()] = h[f.trimmingSpaces().lowercased()] ?? i }
        return h
    }

    private mutating func register(_ i: Int) {
        let f = families[i]
        index[Self.key(f.name)] = i
        for a in f.aliases { index[Self.key(a)] = index[Self.key(a)] ?? i }
    }

    /// Adds a family, or replaces the one with the same name or alias.
    public mutating func add(_ family: Family) {
        if let i = lookupIndex(family.name) {
            families[i] = family
            register(i)
        } else {
            families.append(family)
            register(families.count - 1)
        }
    }

    /// The family a name refers to, or `nil` when the catalogue does not know it.
    public func family(named name: some StringProtocol) -> Family? {
        lookupIndex(String(name)).map { families[$0] }
    }

    private func lookupIndex(_ name: String) -> Int? {
        for k in Self.candidateKeys(name) { if let i = index[k] { return i } }
        return nil
    }

    /// The lookup key of a name: lower-case letters and digits only.
    public static func key(_ name: some StringProtocol) -> String {
        var k = ""
        for c in name.lowercased().unicodeScalars where (c >= "a" && c <= "z") || (c >= "0" && c <= "9") || c.value > 0x7F {
            k.unicodeScalars.append(c)
        }
        return k
    }

    private static let platformPrefixes = ["win", "elf", "osx", "apk", "android", "ios", "js", "php", "ps1", "py", "vbs", "jar", "lnx", "linux", "macos", "asp", "jsp", "doc", "xls", "pdf"]

    /// Keys to try for a name, most literal first.
    static func candidateKeys(_ name: String) -> [String] {
        var out = [key(name)]
        var n = name.lowercased().trimmingSpaces()
        // Malpedia (`win.qakbot`) and Maltrail (`android_flubot`, `elf_mirai`) platform prefixes.
        for p in platformPrefixes {
            for sep in [".", "_", "-", " ", "/"] where n.hasPrefix(p + sep) {
                n = String(n.dropFirst(p.count + 1))
                out.append(key(n))
            }
        }
        for suffix in ["ransomware", "ransom", "loader", "botnet", "rat", "stealer"] {
            let k = key(n)
            if k.hasSuffix(suffix), k.count > suffix.count + 2 { out.append(String(k.dropLast(suffix.count))) }
        }
        return out
    }
}
