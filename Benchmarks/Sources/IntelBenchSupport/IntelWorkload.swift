import DNSWire
import DNSightCore
import DomainMatcher
import Foundation
import ThreatIntel

/// A small, fast, seedable generator so that every run builds the same names and queries.
public struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    /// A generator with a fixed seed.
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Query names packed in one buffer: wire-format names back to back, and the offset of each.
public struct QuerySet: Sendable {
    /// The names' wire bytes.
    public var bytes: [UInt8] = []
    /// Start offset and length of each name in `bytes`.
    public var spans: [(offset: Int, length: Int)] = []
    /// The same names in presentation form (for String lookups and the Set<String> baseline).
    public var strings: [String] = []
    /// How many of them an indicator covers (known by construction).
    public var expectedHits = 0

    mutating func append(_ presentation: String) {
        guard let n = try? DNSName(parsing: presentation) else { return }
        spans.append((bytes.count, n.wire.count))
        bytes += n.wire
        strings.append(presentation)
    }

    /// Number of queries.
    public var count: Int { spans.count }
}

/// The benchmark workload: the real shared intel (Maltrail trails and every sample) plus generated names up to
/// a total, and query mixes over it.
public enum IntelWorkload {
    /// `../shared/data/intel` beside the repository.
    public static var sharedIntel: String {
        var u = URL(fileURLWithPath: #filePath)
        for _ in 0..<5 { u.deleteLastPathComponent() }
        return u.appendingPathComponent("shared/data/intel").path
    }

    /// The benign names used as the bulk of the query mix (Alexa top 100k, 2015).
    public static var benignList: String {
        var u = URL(fileURLWithPath: #filePath)
        for _ in 0..<5 { u.deleteLastPathComponent() }
        return u.appendingPathComponent("shared/data/dga/benign/alexa_2015.txt").path
    }

    static let tlds = ["com", "com", "com", "net", "org", "ru", "cn", "info", "xyz", "top", "io", "online", "site", "shop", "de", "uk", "biz", "cc", "pw", "su"]
    static let syllables = ["ka", "lo", "mi", "ne", "ra", "to", "vu", "zi", "an", "el", "or", "us", "ex", "in", "qu", "ba", "de", "fi", "go", "hu",
                            "ja", "ke", "li", "mo", "nu", "pa", "ri", "se", "ti", "wo", "xa", "yo", "ze", "st", "tr", "pl", "cr", "sh", "th", "ch"]

    /// A generated name: 1–2 labels of 2–7 syllables (sometimes with digits or a hyphen) under a TLD; realistic
    /// lengths (about 17 bytes in presentation form on average).
    public static func generatedName(_ rng: inout SplitMix64) -> String {
        func label() -> String {
            var s = ""
            for _ in 0..<Int.random(in: 2...7, using: &rng) { s += syllables.randomElement(using: &rng)! }
            switch Int.random(in: 0..<10, using: &rng) {
            case 0: s += String(Int.random(in: 1...999, using: &rng))
            case 1: s += "-" + syllables.randomElement(using: &rng)! + syllables.randomElement(using: &rng)!
            default: break
            }
            return s
        }
        let sub = Int.random(in: 0..<4, using: &rng) == 0 ? label() + "." : ""
        return sub + label() + "." + tlds.randomElement(using: &rng)!
    }

    /// Writes `count` generated names, one per line, to `path` (a plain list).
    public static func writeGeneratedList(count: Int, to path: String, seed: UInt64 = 1) throws {
        var rng = SplitMix64(seed: seed)
        var out = "# generated benchmark names\n"
        out.reserveCapacity(count * 20)
        for _ in 0..<count { out += generatedName(&rng); out += "\n" }
        try out.write(toFile: path, atomically: true, encoding: .utf8)
    }

    /// The real shared intel, imported as dnsight imports it.
    public static func realImporter() throws -> IntelImporter {
        var imp = IntelImporter()
        try imp.importPath(sharedIntel + "/maltrail")
        try imp.importPath(sharedIntel + "/samples")
        return imp
    }

    /// The benign query names: Alexa entries, most popular first.
    public static func benignNames() -> [String] {
        guard let d = FileManager.default.contents(atPath: benignList) else { return [] }
        return String(decoding: d, as: UTF8.self).split(separator: "\n").map { String($0).trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    static let prefixes = ["", "", "www.", "www.", "mail.", "api.", "cdn.", "static.", "m.", "img.", "login.", "a.b.", "edge.x1."]

    /// A realistic mix: mostly misses. 90 % benign names drawn with a Zipf-like popularity (rank r with weight
    /// 1/r) with common prefixes (1–5 labels), 5 % random never-seen names (NXDOMAIN noise), 5 % listed names or
    /// names below them.
    public static func realisticQueries(count: Int, listed: [String], benign: [String], seed: UInt64 = 7) -> QuerySet {
        var rng = SplitMix64(seed: seed)
        var q = QuerySet()
        let n = Double(max(benign.count, 1))
        for _ in 0..<count {
            let roll = Int.random(in: 0..<100, using: &rng)
            if roll < 90, !benign.isEmpty {
                // Inverse-CDF sampling of a 1/r law: rank = n^u.
                let u = Double.random(in: 0..<1, using: &rng)
                let rank = min(benign.count - 1, Int(pow(n, u)) - 1)
                q.append(prefixes.randomElement(using: &rng)! + benign[max(0, rank)])
            } else if roll < 95 {
                q.append(randomLabel(&rng) + "." + randomLabel(&rng) + ".com")
            } else if !listed.isEmpty {
                let base = listed.randomElement(using: &rng)!
                q.append(Int.random(in: 0..<2, using: &rng) == 0 ? base : "x" + String(Int.random(in: 0...99, using: &rng)) + "." + base)
                q.expectedHits += 1
            }
        }
        return q
    }

    /// The worst case: every query a different random name that is not listed, so that nothing stays in cache.
    public static func uniformMisses(count: Int, seed: UInt64 = 11) -> QuerySet {
        var rng = SplitMix64(seed: seed)
        var q = QuerySet()
        for _ in 0..<count {
            let labels = Int.random(in: 1...4, using: &rng)
            q.append((0..<labels).map { _ in randomLabel(&rng) }.joined(separator: ".") + "." + tlds.randomElement(using: &rng)!)
        }
        return q
    }

    static func randomLabel(_ rng: inout SplitMix64) -> String {
        let a = Array("abcdefghijklmnopqrstuvwxyz0123456789")
        return String((0..<Int.random(in: 4...12, using: &rng)).map { _ in a.randomElement(using: &rng)! })
    }
}

/// The obvious alternative to the compiled matcher: a `Set<String>` of lower-cased listed names, and for each query
/// a probe of every label-boundary suffix.
public struct StringSetMatcher: Sendable {
    public let names: Set<String>

    /// Builds the set from indicator names.
    public init(_ names: [String]) {
        var s = Set<String>(minimumCapacity: names.count)
        for n in names { s.insert(n.lowercased()) }
        self.names = s
    }

    /// Whether the name or one of its parents is in the set.
    public func matches(_ query: String) -> Bool {
        var name = query.lowercased()
        if name.hasSuffix(".") { name.removeLast() }
        var i = name.startIndex
        while true {
            if names.contains(String(name[i...])) { return true }
            guard let dot = name[i...].firstIndex(of: ".") else { return false }
            i = name.index(after: dot)
        }
    }
}
