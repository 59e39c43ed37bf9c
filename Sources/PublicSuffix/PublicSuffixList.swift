import Foundation
import DNSWire

/// The error type of the `PublicSuffix` module.
public struct PublicSuffixError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong.
    public enum Kind: Sendable, Equatable {
        /// The bundled list could not be found or read.
        case resourceMissing
        /// A rule line could not be used (empty label, bad wildcard, not encodable).
        case badRule
        /// The list held no rules at all.
        case emptyList
    }

    /// What went wrong.
    public var kind: Kind
    /// The file (or resource name) being read.
    public var file: String
    /// The 1-based line number, or 0 when the error is not about one line.
    public var line: Int
    /// A short explanation.
    public var detail: String

    public init(_ kind: Kind, file: String, line: Int = 0, detail: String) {
        self.kind = kind
        self.file = file
        self.line = line
        self.detail = detail
    }

    public var description: String {
        line > 0 ? "\(file):\(line): \(detail)" : "\(file): \(detail)"
    }
}

/// A compiled Public Suffix List (publicsuffix.org): finds the public suffix and the registrable domain
/// (eTLD+1) of a name with the list's normal, wildcard (`*.`) and exception (`!`) rules and its default rule `*`.
///
/// Lookups hash the name's labels from the right and never allocate; the list is an immutable value and can be
/// shared between threads.
public struct PublicSuffixList: Sendable {
    /// Which parts of the list to use.
    public enum Sections: Sendable {
        /// The ICANN section and the private section (`blogspot.com`, `github.io`, …). The default.
        case all
        /// Only the ICANN section.
        case icannOnly
    }

    /// Where a name splits: byte offsets into the (trailing-dot-stripped) name.
    public struct Split: Sendable, Equatable {
        /// The offset where the public suffix begins.
        public var suffixStart: Int
        /// The offset where the registrable domain begins, or `nil` when the name is itself a public suffix.
        public var registrableStart: Int?
        /// The offset just past the last byte used (the name's length without a trailing dot).
        public var end: Int
    }

    private static let normalRule: UInt8 = 1
    private static let wildcardRule: UInt8 = 2
    private static let exceptionRule: UInt8 = 4

    // Open-addressing table over suffixes (every rule and every suffix of a rule), keyed by a label-wise hash.
    private var slots: [Int32]          // entry index + 1, 0 = empty
    private var mask: Int
    private var hashes: [UInt64] = []
    private var starts: [Int32] = []
    private var lengths: [Int32] = []
    private var flags: [UInt8] = []
    private var arena: [UInt8] = []
    /// One bit per suffix hash (16 KB, some one bit in nine set): most names end in a suffix that is absent (the
    /// registrable domain), and asking the 256 KB slot table about it missed the cache on every split.
    private var filter = [UInt64](repeating: 0, count: 2048)

    /// The number of rules read (normal, wildcard and exception, after IDN rules were added in both forms).
    public private(set) var ruleCount = 0
    /// The `// VERSION:` line of the list's header, if it has one.
    public private(set) var version: String?

    /// Compiles a list in the publicsuffix.org text format.
    /// - Parameters:
    ///   - text: the list (`public_suffix_list.dat`).
    ///   - sections: which sections to use.
    ///   - source: a name for the text, used in errors.
    public init(text: String, sections: Sections = .all, source: String = "public_suffix_list.dat") throws(PublicSuffixError) {
        try self.init(text: text, sections: sections, source: source, asciiFastPath: true)
    }

    /// `asciiFastPath: false` reads every line through the Unicode-aware path (tests compare the two tables).
    init(text: String, sections: Sections, source: String, asciiFastPath: Bool) throws(PublicSuffixError) {
        slots = []
        mask = 0
        var rules: [(labels: [[UInt8]], flag: UInt8)] = []
        var inPrivate = false
        var lineNumber = 0
        var text = text
        // The list is read once per process before the first split (some 16,000 lines): lines of ASCII — all rules
        // but the IDN ones — are read as bytes, because the String path (Foundation's trimming, splitting,
        // lower-casing) cost as much as splitting a few hundred thousand names.
        var failure: PublicSuffixError? = nil
        text.withUTF8 { all in
            var lineStart = 0
            while lineStart <= all.count && failure == nil {
                var lineEnd = lineStart
                var ascii = true
                while lineEnd < all.count && all[lineEnd] != UInt8(ascii: "\n") {
                    if all[lineEnd] >= 0x80 { ascii = false }
                    lineEnd += 1
                }
                lineNumber += 1
                let raw = UnsafeBufferPointer(rebasing: all[lineStart..<lineEnd])
                let next = lineEnd + 1
                defer { lineStart = next }
                let line: Line
                if ascii && asciiFastPath {
                    line = Self.asciiLine(raw)
                } else {
                    line = Self.unicodeLine(String(decoding: raw, as: UTF8.self))
                }
                switch line {
                case .blank: continue
                case .comment(let c):
                    if Self.contains(c, "===BEGIN PRIVATE DOMAINS===") { inPrivate = true }
                    if Self.contains(c, "===END PRIVATE DOMAINS===") { inPrivate = false }
                    let tag = Array("// VERSION:".utf8)
                    if version == nil, c.count >= tag.count, Array(c[0..<tag.count]) == tag {
                        version = String(decoding: c[tag.count...], as: UTF8.self).trimmingCharacters(in: .whitespaces)
                    }
                case .rule(let labels, let flag, let idn):
                    if inPrivate && sections == .icannOnly { continue }
                    if labels.isEmpty || labels.contains(where: { $0.isEmpty || $0.contains(UInt8(ascii: "*")) }) {
                        let shown = String(decoding: raw, as: UTF8.self).trimmingCharacters(in: .whitespaces)
                        failure = PublicSuffixError(.badRule, file: source, line: lineNumber, detail: "unusable rule '\(shown)'")
                        return
                    }
                    rules.append((labels, flag))
                    // IDN rules also go in under their A-label (xn--) form, which is what DNS carries.
                    if let idn {
                        var ascii: [[UInt8]] = []
                        for l in idn {
                            guard let a = Punycode.aceLabel(l) else {
                                failure = PublicSuffixError(.badRule, file: source, line: lineNumber, detail: "cannot encode '\(l)'")
                                return
                            }
                            ascii.append(Array(a.utf8))
                        }
                        rules.append((ascii, flag))
                    }
                }
            }
        }
        if let failure { throw failure }
        if rules.isEmpty { throw PublicSuffixError(.emptyList, file: source, detail: "no rules") }
        ruleCount = rules.count
        var capacity = 16
        while capacity < rules.count * 4 { capacity <<= 1 }
        slots = [Int32](repeating: 0, count: capacity)
        mask = capacity - 1
        for (labels, flag) in rules {
            // Insert every suffix of the rule so that a lookup can stop at the first suffix that is absent.
            var h = Self.rootHash
            var joined: [UInt8] = []
            for k in 1...labels.count {
                let label = labels[labels.count - k]
                h = Self.combine(h, Self.labelHash(label))
                joined = k == 1 ? label : label + [UInt8(ascii: ".")] + joined
                insert(h, joined, flag: k == labels.count ? flag : 0)
            }
        }
    }

    /// One line of the list, read.
    private enum Line {
        case blank
        /// The trimmed comment line, from its `//`.
        case comment([UInt8])
        /// A rule's labels (lower case, left to right), its kind, and the same labels as text when one is not ASCII.
        case rule([[UInt8]], flag: UInt8, idn: [String]?)
    }

    /// Reads an ASCII line as `unicodeLine` would (ASCII whitespace is the space and the tab).
    private static func asciiLine(_ raw: UnsafeBufferPointer<UInt8>) -> Line {
        var a = 0, b = raw.count
        while a < b && (raw[a] == 0x20 || raw[a] == 0x09) { a += 1 }
        while b > a && (raw[b - 1] == 0x20 || raw[b - 1] == 0x09) { b -= 1 }
        if a == b { return .blank }
        if b - a >= 2 && raw[a] == UInt8(ascii: "/") && raw[a + 1] == UInt8(ascii: "/") { return .comment(Array(raw[a..<b])) }
        // A rule is the first space-delimited token of its line.
        var e = a
        while e < b && raw[e] != 0x20 { e += 1 }
        var flag = normalRule
        if raw[a] == UInt8(ascii: "!") {
            flag = exceptionRule
            a += 1
        }
        var labels: [[UInt8]] = [[]]
        for i in a..<e {
            let c = raw[i]
            if c == UInt8(ascii: ".") { labels.append([]) } else { labels[labels.count - 1].append(lower(c)) }
        }
        if flag != exceptionRule, labels.first == [UInt8(ascii: "*")] {
            flag = wildcardRule
            labels.removeFirst()
        }
        return .rule(labels, flag: flag, idn: nil)
    }

    /// Reads a line with Unicode: trimmed of Unicode spaces, lower-cased.
    private static func unicodeLine(_ raw: String) -> Line {
        let line = raw.trimmingCharacters(in: .whitespaces)
        if line.isEmpty { return .blank }
        if line.hasPrefix("//") { return .comment(Array(line.utf8)) }
        var rule = Substring(line.split(separator: " ", maxSplits: 1).first ?? "")
        var flag = normalRule
        if rule.hasPrefix("!") {
            flag = exceptionRule
            rule = rule.dropFirst()
        }
        var labels = rule.lowercased().split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        if flag != exceptionRule, labels.first == "*" {
            flag = wildcardRule
            labels.removeFirst()
        }
        let idn = labels.contains(where: { !$0.allSatisfy(\.isASCII) }) ? labels : nil
        return .rule(labels.map { Array($0.utf8) }, flag: flag, idn: idn)
    }

    private static func contains(_ hay: [UInt8], _ needle: String) -> Bool {
        let n = Array(needle.utf8)
        guard hay.count >= n.count else { return false }
        for i in 0...(hay.count - n.count) where hay[i] == n[0] && Array(hay[i..<(i + n.count)]) == n { return true }
        return false
    }

    private mutating func insert(_ h: UInt64, _ bytes: [UInt8], flag: UInt8) {
        var slot = Int(truncatingIfNeeded: h) & mask
        while slots[slot] != 0 {
            let e = Int(slots[slot] - 1)
            if hashes[e] == h, Int(lengths[e]) == bytes.count, arena[Int(starts[e])..<Int(starts[e] + lengths[e])].elementsEqual(bytes) {
                flags[e] |= flag
                return
            }
            slot = (slot + 1) & mask
        }
        filter[Int(truncatingIfNeeded: h >> 53)] |= 1 << ((h >> 47) & 63)
        hashes.append(h)
        starts.append(Int32(arena.count))
        lengths.append(Int32(bytes.count))
        flags.append(flag)
        arena.append(contentsOf: bytes)
        slots[slot] = Int32(hashes.count)
    }

    /// Every suffix the table holds, with its hash and rule flags (tests compare tables built two ways).
    var entries: [(hash: UInt64, bytes: [UInt8], flags: UInt8)] {
        hashes.indices.map { (hashes[$0], Array(arena[Int(starts[$0])..<Int(starts[$0] + lengths[$0])]), flags[$0]) }
    }

    @inline(__always) private static var rootHash: UInt64 { 0x9E37_79B9_7F4A_7C15 }

    @inline(__always) private static func combine(_ h: UInt64, _ label: UInt64) -> UInt64 {
        (h ^ label) &* 0x0000_0100_0000_01B3 &+ 0x2545_F491_4F6C_DD1D
    }

    @inline(__always) private static func lower(_ b: UInt8) -> UInt8 {
        b &- 65 < 26 ? b | 0x20 : b
    }

    @inline(__always) private static func labelHash<C: Collection>(_ bytes: C) -> UInt64 where C.Element == UInt8 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for b in bytes { h = (h ^ UInt64(lower(b))) &* 0x0000_0100_0000_01B3 }
        return h
    }

    /// Looks up the suffix `name[start..<end]` (hash `h`); returns its flags, or `nil` when absent.
    @inline(__always)
    private func lookup(_ h: UInt64, _ name: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> UInt8? {
        if filter[Int(truncatingIfNeeded: h >> 53)] & (1 << ((h >> 47) & 63)) == 0 { return nil }
        var slot = Int(truncatingIfNeeded: h) & mask
        let len = end - start
        return arena.withUnsafeBufferPointer { a -> UInt8? in
            while true {
                let s = Int(slots[slot])
                if s == 0 { return nil }
                let e = s - 1
                if hashes[e] == h && Int(lengths[e]) == len {
                    let o = Int(starts[e])
                    var same = true
                    for i in 0..<len where Self.lower(name[start + i]) != a[o + i] {
                        same = false
                        break
                    }
                    if same { return flags[e] }
                }
                slot = (slot + 1) & mask
            }
        }
    }

    /// Splits a name given as bytes (ASCII, any case, optional trailing dot). Returns `nil` for an empty name or
    /// one with an empty label.
    public func split(_ name: UnsafeBufferPointer<UInt8>) -> Split? {
        var end = name.count
        if end > 0 && name[end - 1] == UInt8(ascii: ".") { end -= 1 }
        if end == 0 { return nil }
        var labelEnd = end
        var k = 0
        var h = Self.rootHash
        var parentFlags: UInt8 = 0
        var suffixLabels = 1                       // the default rule "*"
        // Walk the labels from the right while the suffix so far is in the table (every suffix of every rule is).
        while true {
            var s = labelEnd - 1
            while s >= 0 && name[s] != UInt8(ascii: ".") { s -= 1 }
            let labelStart = s + 1
            if labelStart == labelEnd { return nil }   // empty label
            k += 1
            if parentFlags & Self.wildcardRule != 0 { suffixLabels = k }
            h = Self.combine(h, Self.labelHash(UnsafeBufferPointer(rebasing: name[labelStart..<labelEnd])))
            guard let f = lookup(h, name, labelStart, end) else { break }
            if f & Self.exceptionRule != 0 {
                suffixLabels = k - 1               // an exception wins; its leftmost label is not part of the suffix
                break
            }
            if f & Self.normalRule != 0 { suffixLabels = k }
            parentFlags = f
            if s < 0 { break }
            labelEnd = s
        }
        // Offsets of the suffix and of the label before it, and a check that no label is empty.
        var suffixStart = end
        var registrableStart: Int? = nil
        var dots = 0
        var i = end - 1
        var lastDot = end
        while i >= -1 {
            if i == -1 || name[i] == UInt8(ascii: ".") {
                if i + 1 == lastDot { return nil }   // empty label
                dots += 1
                if dots == suffixLabels { suffixStart = i + 1 }
                if dots == suffixLabels + 1 { registrableStart = i + 1 }
                lastDot = i
            }
            i -= 1
        }
        if suffixLabels > dots { suffixStart = 0 }
        return Split(suffixStart: suffixStart, registrableStart: registrableStart, end: end)
    }

    /// Splits a name given as a string (see ``split(_:)-(UnsafeBufferPointer<UInt8>)``); offsets are UTF-8 offsets.
    public func split(_ name: String) -> Split? {
        var name = name
        return name.withUTF8 { split($0) }
    }

    /// The public suffix of `name`, lower-cased, without a trailing dot (`co.uk` for `www.bbc.co.uk`).
    public func publicSuffix(of name: String) -> String? {
        var name = name
        return name.withUTF8 { buf -> String? in
            guard let s = split(buf), s.suffixStart < s.end else { return nil }
            return String(decoding: buf[s.suffixStart..<s.end], as: UTF8.self).lowercased()
        }
    }

    /// The registrable domain (eTLD+1) of `name`, lower-cased, without a trailing dot (`bbc.co.uk` for
    /// `www.bbc.co.uk`); `nil` when the name is itself a public suffix or malformed.
    public func registrableDomain(of name: String) -> String? {
        var name = name
        return name.withUTF8 { buf -> String? in
            guard let s = split(buf), let r = s.registrableStart else { return nil }
            return String(decoding: buf[r..<s.end], as: UTF8.self).lowercased()
        }
    }

    /// The list shipped with dnsight (both sections), compiled once on first use.
    ///
    /// The resource is part of the build; if it were missing the process stops with a message naming it.
    public static let bundled: PublicSuffixList = {
        do {
            return try loadBundled(sections: .all)
        } catch {
            fatalError("dnsight: the bundled public suffix list is unusable: \(error)")
        }
    }()

    /// Loads and compiles the bundled snapshot (`Resources/PSL/public_suffix_list.dat`).
    public static func loadBundled(sections: Sections = .all) throws(PublicSuffixError) -> PublicSuffixList {
        try PublicSuffixList(text: try bundledText(), sections: sections)
    }

    /// The bundled snapshot's text.
    static func bundledText() throws(PublicSuffixError) -> String {
        guard let url = Bundle.module.url(forResource: "PSL/public_suffix_list", withExtension: "dat")
            ?? Bundle.module.url(forResource: "public_suffix_list", withExtension: "dat", subdirectory: "PSL"),
            let data = FileManager.default.contents(atPath: url.path)
        else {
            throw PublicSuffixError(.resourceMissing, file: "PSL/public_suffix_list.dat", detail: "resource not found in the PublicSuffix bundle")
        }
        return String(decoding: data, as: UTF8.self)
    }
}
