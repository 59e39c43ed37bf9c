import DNSWire
import DNSightCore
import Foundation

/// What loading an inventory kept, skipped and complained about.
public struct InventoryReport: Sendable, Equatable {
    /// Rows read (header and blank/comment lines excluded), over all files.
    public var rowsRead = 0
    /// Rows kept.
    public var rowsKept = 0
    /// Rows skipped because of an error.
    public var rowsSkipped = 0
    /// Skipped rows by reason.
    public var skippedByKind: [AttributionError.Kind: Int] = [:]
    /// IPv4 and IPv6 prefix rules and device rules in the final inventory (after duplicates were replaced).
    public var ipv4Prefixes = 0
    public var ipv6Prefixes = 0
    public var devices = 0
    /// Rules that replaced an earlier rule with the same key (the later line wins).
    public var duplicatesReplaced = 0
    /// Columns present in a header that dnsight does not use (ignored), per file.
    public var ignoredColumns: [String] = []
    /// Every error (row skipped) and warning (row kept), with file, line and column.
    public var problems: [AttributionError] = []

    /// Creates an empty report.
    public init() {}

    /// The errors only.
    public var errors: [AttributionError] { problems.filter { $0.severity == .error } }
    /// The warnings only.
    public var warnings: [AttributionError] { problems.filter { $0.severity == .warning } }

    /// A few lines for a terminal: counts, then the first `limit` problems.
    public func summary(limit: Int = 10) -> String {
        var s = "inventory: \(rowsRead) rows read, \(rowsKept) kept, \(rowsSkipped) skipped; "
        s += "\(ipv4Prefixes) IPv4 and \(ipv6Prefixes) IPv6 prefixes, \(devices) devices"
        if duplicatesReplaced > 0 { s += "; \(duplicatesReplaced) duplicates replaced by a later line" }
        for (kind, n) in skippedByKind.sorted(by: { $0.key.rawValue < $1.key.rawValue }) { s += "\n  skipped (\(kind.rawValue)): \(n)" }
        if !ignoredColumns.isEmpty { s += "\n  ignored columns: \(ignoredColumns.joined(separator: ", "))" }
        for p in problems.prefix(limit) { s += "\n  \(p)" }
        if problems.count > limit { s += "\n  … and \(problems.count - limit) more" }
        return s
    }
}

/// The inventory columns dnsight knows.
enum InventoryColumn: String, CaseIterable, Sendable {
    case cidr, deviceID = "device_id", organisation, segment, region, country, industry, deviceType = "device_type", site

    /// A dense index, for per-row value arrays.
    var index: Int {
        switch self {
        case .cidr: return 0
        case .deviceID: return 1
        case .organisation: return 2
        case .segment: return 3
        case .region: return 4
        case .country: return 5
        case .industry: return 6
        case .deviceType: return 7
        case .site: return 8
        }
    }

    /// Maps a header or YAML key to a column: case-insensitive, `-` and spaces read as `_`, and the US spelling
    /// `organization` (or `org`) accepted.
    init?(header: some StringProtocol) {
        let h = String(header.trimmingASCIIWhitespace()).lowercased()
            .replacingOccurrences(of: "-", with: "_").replacingOccurrences(of: " ", with: "_")
        switch h {
        case "organization", "org": self = .organisation
        case "deviceid", "device": self = .deviceID
        case "devicetype": self = .deviceType
        default: self.init(rawValue: h)
        }
    }
}

/// One row as read from CSV or YAML, before validation.
struct RawInventoryRow {
    typealias Value = (text: String, line: Int?, column: Int?)
    var line: Int
    /// Each value with where it was (YAML knows each value's line and column; CSV only the row's line), by column.
    private var slots = [Value?](repeating: nil, count: 9)

    init(line: Int) { self.line = line }

    subscript(_ c: InventoryColumn) -> Value? {
        get { slots[c.index] }
        set { slots[c.index] = newValue }
    }
}

/// Collects inventory rows from one or more files (CSV or YAML), validates them and builds an `Inventory`.
///
/// Validation: a row needs a `cidr` or a `device_id` (or both: it then matches either way); the CIDR must parse
/// (host bits past the prefix are cleared, with a warning); `segment` must be enterprise|home, `region`
/// APAC|NA|EMEA|LATAM (APJ is read as APAC), `country` a two-letter code; empty cells mean "not given". A row
/// whose CIDR or device id repeats an earlier row's replaces it — **the later line wins**, with a warning naming
/// both lines. Rows with an error are skipped and counted; the rest are kept.
public struct InventoryBuilder: Sendable {
    struct Entry: Sendable {
        var attribution: Attribution
        var file: String
        var line: Int
    }

    private(set) var entries: [Entry] = []
    /// Prefix → entry index, and the line that set it (for duplicate messages).
    private var prefixes: [CIDRPrefix: Int32] = [:]
    private var devices: [String: Int32] = [:]
    /// The report so far.
    public private(set) var report = InventoryReport()

    /// Creates an empty builder.
    public init() {}

    /// The file format of an inventory.
    public enum Format: String, Sendable, CaseIterable {
        case csv, yaml
        /// Guesses from the file name (`.yaml`/`.yml` → YAML) and otherwise from the content (a first non-comment
        /// line starting with `-` → YAML).
        public static func detect(path: String, bytes: [UInt8]) -> Format {
            let lower = path.lowercased()
            if lower.hasSuffix(".yaml") || lower.hasSuffix(".yml") { return .yaml }
            if lower.hasSuffix(".csv") { return .csv }
            var text = String(decoding: bytes.prefix(4096), as: UTF8.self)[...]
            while let nl = text.firstIndex(of: "\n") {
                let l = text[..<nl].trimmingASCIIWhitespace()
                if !l.isEmpty && !l.hasPrefix("#") && l != "---" { return l.hasPrefix("-") ? .yaml : .csv }
                text = text[text.index(after: nl)...]
            }
            return text.trimmingASCIIWhitespace().hasPrefix("-") ? .yaml : .csv
        }
    }

    /// Reads an inventory file, CSV or YAML (detected when `format` is nil). Throws only when the file cannot be
    /// read or is not an inventory at all; row problems go into `report`.
    public mutating func add(path: String, format: Format? = nil) throws(AttributionError) {
        guard let data = FileManager.default.contents(atPath: path) else {
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDir) && isDir.boolValue {
                throw AttributionError(.io, file: path, "is a directory")
            }
            throw AttributionError(.io, file: path, "cannot read the inventory file")
        }
        let bytes = [UInt8](data)
        switch format ?? Format.detect(path: path, bytes: bytes) {
        case .csv: try add(csv: bytes, file: path)
        case .yaml: try add(yaml: bytes, file: path)
        }
    }

    /// Reads CSV inventory text: a header row naming the columns (any order; unknown columns ignored), then one row
    /// per rule.
    public mutating func add(csv bytes: [UInt8], file: String) throws(AttributionError) {
        var reader = InventoryCSVReader(bytes: bytes)
        var header: [InventoryColumn?]? = nil
        var headerLine = 0
        while let result = reader.next() {
            switch result {
            case .failure(let e):
                if header == nil {
                    throw AttributionError(.format, file: file, line: e.line, column: e.column, "bad header row: \(e.message)")
                }
                report.rowsRead += 1
                skip(AttributionError(.syntax, file: file, line: e.line, column: e.column, e.message))
            case .success(let record):
                guard let h = header else {
                    let cols = record.fields.map { InventoryColumn(header: $0) }
                    guard cols.contains(.cidr) || cols.contains(.deviceID) else {
                        throw AttributionError(.format, file: file, line: record.line,
                                               "the header row must name a 'cidr' or a 'device_id' column (found: \(record.fields.joined(separator: ", ")))")
                    }
                    var seen = Set<InventoryColumn>()
                    for (i, c) in cols.enumerated() {
                        if let c, !seen.insert(c).inserted {
                            throw AttributionError(.format, file: file, line: record.line, "column '\(c.rawValue)' appears twice in the header")
                        }
                        if c == nil && !record.fields[i].isEmpty {
                            report.ignoredColumns.append(record.fields[i])
                            report.problems.append(AttributionError(.unknownColumn, severity: .warning, file: file, line: record.line,
                                                                    "column '\(record.fields[i])' is not an inventory column; ignored"))
                        }
                    }
                    header = cols
                    headerLine = record.line
                    continue
                }
                report.rowsRead += 1
                if record.fields.count > h.count && record.fields[h.count...].contains(where: { !$0.isEmpty }) {
                    skip(AttributionError(.extraFields, file: file, line: record.line,
                                          "\(record.fields.count) fields but the header (line \(headerLine)) has \(h.count)"))
                    continue
                }
                var row = RawInventoryRow(line: record.line)
                for (i, col) in h.enumerated() {
                    guard let col, i < record.fields.count else { continue }
                    row[col] = (record.fields[i], nil, nil)
                }
                add(row: row, file: file)
            }
        }
        if header == nil { throw AttributionError(.format, file: file, "empty inventory: no header row") }
    }

    /// Reads YAML inventory text: a list of mappings with the same keys as the CSV columns (or a mapping whose
    /// `entries` key holds that list).
    public mutating func add(yaml bytes: [UInt8], file: String) throws(AttributionError) {
        for row in try InventoryYAML.rows(bytes, file: file, report: &report) {
            report.rowsRead += 1
            add(row: row, file: file)
        }
    }

    /// Validates one row and keeps it, or counts it as skipped.
    mutating func add(row: RawInventoryRow, file: String) {
        func text(_ c: InventoryColumn) -> String? {
            guard let v = row[c]?.text.trimmingASCIIWhitespace(), !v.isEmpty else { return nil }
            return String(v)
        }
        func err(_ kind: AttributionError.Kind, _ c: InventoryColumn?, _ message: String, _ severity: AttributionError.Severity = .error) -> AttributionError {
            AttributionError(kind, severity: severity, file: file, line: c.flatMap { row[$0]?.line } ?? row.line,
                             column: c.flatMap { row[$0]?.column }, message)
        }
        let cidrText = text(.cidr), deviceID = text(.deviceID)
        guard cidrText != nil || deviceID != nil else {
            skip(err(.missingKey, nil, "row has neither a cidr nor a device_id"))
            return
        }
        var prefix: CIDRPrefix? = nil
        var warnings = [AttributionError]()
        if let cidrText {
            switch CIDRPrefix.parse(cidrText) {
            case .failure(.bad(let why)):
                skip(err(.badCIDR, .cidr, why))
                return
            case .success(let (p, cleared)):
                prefix = p
                if cleared {
                    warnings.append(err(.hostBitsSet, .cidr, "'\(cidrText)' has bits set past the prefix length; read as \(p)", .warning))
                }
            }
        }
        var a = Attribution()
        if let s = text(.segment) {
            guard let seg = Segment(text: s) else { skip(err(.unknownSegment, .segment, "segment '\(s)' is not enterprise or home")); return }
            a.segment = seg
        }
        if let r = text(.region) {
            guard let reg = Region(text: r) else { skip(err(.unknownRegion, .region, "region '\(r)' is not APAC, NA, EMEA or LATAM")); return }
            a.region = reg
        }
        if let c = text(.country) {
            guard c.utf8.count == 2, c.utf8.allSatisfy({ ($0 | 0x20) >= 0x61 && ($0 | 0x20) <= 0x7A }) else {
                skip(err(.badCountry, .country, "country '\(c)' is not an ISO 3166-1 alpha-2 code"))
                return
            }
            a.country = c.uppercased()
        }
        a.organisation = text(.organisation)
        a.industry = text(.industry)
        a.deviceType = text(.deviceType)
        a.site = text(.site)
        a.source = prefix != nil ? .cidr : .device

        let index = Int32(entries.count)
        entries.append(Entry(attribution: a, file: file, line: row.line))
        report.rowsKept += 1
        report.problems += warnings
        if let prefix {
            if let old = prefixes[prefix] {
                let was = entries[Int(old)]
                report.duplicatesReplaced += 1
                report.problems.append(err(.duplicate, .cidr, "cidr \(prefix) repeats \(was.file):\(was.line); this line (\(row.line)) wins", .warning))
            }
            prefixes[prefix] = index
        }
        if let deviceID {
            if let old = devices[deviceID] {
                let was = entries[Int(old)]
                report.duplicatesReplaced += 1
                report.problems.append(err(.duplicate, .deviceID, "device_id '\(deviceID)' repeats \(was.file):\(was.line); this line (\(row.line)) wins", .warning))
            }
            devices[deviceID] = index
        }
    }

    private mutating func skip(_ e: AttributionError) {
        report.rowsSkipped += 1
        report.skippedByKind[e.kind, default: 0] += 1
        report.problems.append(e)
    }

    /// Adds a rule directly (for programs that generate inventories, such as the simulator). Returns the problems
    /// found; an error means the rule was not added.
    @discardableResult
    public mutating func add(cidr: String? = nil, deviceID: String? = nil, organisation: String? = nil, segment: String? = nil,
                             region: String? = nil, country: String? = nil, industry: String? = nil, deviceType: String? = nil,
                             site: String? = nil, file: String = "<api>", line: Int = 0) -> [AttributionError] {
        var row = RawInventoryRow(line: line)
        let pairs: [(InventoryColumn, String?)] = [(.cidr, cidr), (.deviceID, deviceID), (.organisation, organisation),
                                                   (.segment, segment), (.region, region), (.country, country),
                                                   (.industry, industry), (.deviceType, deviceType), (.site, site)]
        for (c, v) in pairs { if let v { row[c] = (v, nil, nil) } }
        let before = report.problems.count
        report.rowsRead += 1
        add(row: row, file: file)
        return Array(report.problems[before...])
    }

    /// The finished inventory.
    public func build() -> Inventory {
        var r = report
        var v4 = [(prefix: CIDRPrefix, value: Int32)](), v6 = [(prefix: CIDRPrefix, value: Int32)]()
        for (p, i) in prefixes { if p.family == .v4 { v4.append((p, i)) } else { v6.append((p, i)) } }
        r.ipv4Prefixes = v4.count
        r.ipv6Prefixes = v6.count
        r.devices = devices.count
        var strings = InternedStrings()
        var compact = [CompactEntry]()
        compact.reserveCapacity(entries.count)
        for e in entries {
            let a = e.attribution
            compact.append(CompactEntry(organisation: strings.index(a.organisation), industry: strings.index(a.industry),
                                        deviceType: strings.index(a.deviceType), site: strings.index(a.site),
                                        country: strings.index(a.country), file: strings.index(e.file), line: Int32(clamping: e.line),
                                        segment: a.segment, region: a.region))
        }
        var prefixOf = [CIDRPrefix?](repeating: nil, count: entries.count)
        for (p, i) in prefixes { prefixOf[Int(i)] = p }
        for i in prefixOf.indices { compact[i].prefixLength = prefixOf[i].map { Int16($0.length) } ?? -1 }
        return Inventory(entries: compact, strings: strings.table, table: PrefixTable(v4: v4, v6: v6),
                         devices: devices, report: r, prefixList: prefixes)
    }
}

/// Strings stored once, referred to by index (-1 for "not given").
struct InternedStrings {
    private(set) var table: [String] = []
    private var index: [String: Int32] = [:]

    mutating func index(_ s: String?) -> Int32 {
        guard let s else { return -1 }
        if let i = index[s] { return i }
        let i = Int32(table.count)
        table.append(s)
        index[s] = i
        return i
    }
}

/// One inventory rule's attribution, in 32 bytes: text fields are indices into the inventory's string table, so that
/// 100,000 rules stay a few megabytes and a look-up touches one cache line.
struct CompactEntry: Sendable {
    var organisation: Int32, industry: Int32, deviceType: Int32, site: Int32, country: Int32, file: Int32, line: Int32
    var segment: Segment?, region: Region?
    /// The rule's prefix length, or -1 when the rule is a device id only.
    var prefixLength: Int16 = -1
}

/// Who is who: CIDR prefixes and device ids mapped to organisation, segment, region, country, industry, device type
/// and site. Immutable once built, so one value serves every thread.
///
/// Lookup: the explicit device id first, else the longest CIDR prefix covering the client address (IPv4 or IPv6;
/// IPv4-mapped IPv6 addresses are looked up as IPv4).
public struct Inventory: Sendable {
    private let entries: [CompactEntry]
    /// Each entry's organisation (an index into `strings`), apart from the entries: the per-event path reads only
    /// this, and 4 bytes per rule stay in cache where the 32-byte entries of 100,000 rules do not.
    private let organisations: [Int32]
    /// The prefixes again, valued by organisation (`strings` index + 1; 0 for a rule without one) instead of by
    /// entry: the per-event path needs only the organisation, and neighbouring rules of one organisation merge into
    /// one interval, so that this table is a fraction of `table`'s size (100,000 /26 rules of 5,000 organisations:
    /// about 5,000 intervals) and stays in cache.
    private let organisationTable: PrefixTable
    private let strings: [String]
    private let table: PrefixTable
    private let devices: [String: Int32]
    /// Prefix → entry, kept for `anonymised(with:)`.
    private let prefixList: [CIDRPrefix: Int32]
    /// What loading kept, skipped and complained about.
    public let report: InventoryReport

    fileprivate init(entries: [CompactEntry], strings: [String], table: PrefixTable, devices: [String: Int32],
                     report: InventoryReport, prefixList: [CIDRPrefix: Int32]) {
        self.entries = entries
        let organisations = entries.map(\.organisation)
        self.organisations = organisations
        var v4 = [(prefix: CIDRPrefix, value: Int32)](), v6 = [(prefix: CIDRPrefix, value: Int32)]()
        for (p, i) in prefixList {
            let value = organisations[Int(i)] + 1
            if p.family == .v4 { v4.append((p, value)) } else { v6.append((p, value)) }
        }
        organisationTable = PrefixTable(v4: v4, v6: v6)
        self.strings = strings
        self.table = table
        self.devices = devices
        self.report = report
        self.prefixList = prefixList
    }

    /// An empty inventory: every lookup misses.
    public init() {
        self = InventoryBuilder().build()
    }

    /// Loads one file (CSV or YAML, detected from the name or content). Row problems are in `report`; `strict`
    /// turns the first row error into a thrown error instead.
    public static func load(path: String, format: InventoryBuilder.Format? = nil, strict: Bool = false) throws(AttributionError) -> Inventory {
        var b = InventoryBuilder()
        try b.add(path: path, format: format)
        if strict, let first = b.report.errors.first { throw first }
        return b.build()
    }

    /// The number of rules (entries) kept.
    public var count: Int { entries.count }

    /// The number of flat intervals the prefix table holds (IPv4, IPv6): a measure of its size.
    public var intervalCounts: (v4: Int, v6: Int) { table.intervalCounts }

    @inline(__always)
    private func text(_ i: Int32) -> String? { i < 0 ? nil : strings[Int(i)] }

    /// The attribution of entry `i`, with the rule that matched.
    private func attribution(_ i: Int32, source: AttributionSource, rule: InventoryRule.Storage) -> Attribution {
        let e = entries[Int(i)]
        return Attribution(organisation: text(e.organisation), segment: e.segment, region: e.region, country: text(e.country),
                           industry: text(e.industry), deviceType: text(e.deviceType), site: text(e.site), source: source,
                           rule: InventoryRule(storage: rule, file: text(e.file) ?? "", line: Int(e.line)))
    }

    /// The attribution for an explicit device id, if the inventory has it.
    public func lookup(deviceID: String) -> Attribution? {
        guard let i = devices[deviceID] else { return nil }
        return attribution(i, source: .device, rule: .device(deviceID))
    }

    /// The attribution of the longest prefix covering an address, if any.
    public func lookup(address: IPAddress) -> Attribution? {
        let i = entryIndex(address)
        guard i >= 0 else { return nil }
        // The matched prefix is the address masked to the rule's length: no need to store it per entry.
        let length = Int(entries[Int(i)].prefixLength)
        let prefix: CIDRPrefix
        switch Attributor.normalised(address) {
        case .v4(let a): prefix = CIDRPrefix(family: .v4, bits: U128(high: 0, low: UInt64(a.rawValue)), length: length).masked
        case .v6(let a): prefix = CIDRPrefix(family: .v6, bits: U128(a), length: length).masked
        }
        return attribution(i, source: .cidr, rule: .prefix(prefix))
    }

    /// The entry a device id (first) or address (longest prefix) falls in, and by which: the allocation-free core
    /// of `lookup(deviceID:address:)` for the per-event hot path (nil: no rule covers it).
    @inline(__always)
    public func entry(deviceID: String?, address: IPAddress?) -> (index: Int32, source: AttributionSource)? {
        if let deviceID, let i = devices[deviceID] { return (i, .device) }
        if let address {
            let i = entryIndex(address)
            if i >= 0 { return (i, .cidr) }
        }
        return nil
    }

    /// The organisation of the rule a device id (first) or address (longest prefix) falls in, for the per-event hot
    /// path: the same organisation as `organisation(ofEntry:)` of `entry(deviceID:address:)`, found without
    /// reading the entry. `match` is non-negative and identifies the match only as far as `entry` did (the entry
    /// for device ids; for prefixes, the organisation). Nil when no rule covers it.
    @inline(__always)
    public func organisationMatch(deviceID: String?, address: IPAddress?) -> (organisation: String?, match: Int32, source: AttributionSource)? {
        if let deviceID, let i = devices[deviceID] { return (text(organisations[Int(i)]), i, .device) }
        guard let address else { return nil }
        let v: Int32
        switch address {
        case .v4(let a): v = organisationTable.lookup(v4: a.rawValue)
        case .v6(let a):
            v = a.high == 0 && a.low >> 32 == 0xFFFF ? organisationTable.lookup(v4: UInt32(truncatingIfNeeded: a.low))
                                                    : organisationTable.lookup(v6: U128(a))
        }
        guard v >= 0 else { return nil }
        return (text(v - 1), v, .cidr)
    }

    /// The organisation of entry `index` (from `entry(deviceID:address:)`).
    @inline(__always)
    public func organisation(ofEntry index: Int32) -> String? { text(organisations[Int(index)]) }

    /// Device id first, else longest-prefix match on the address.
    public func lookup(deviceID: String?, address: IPAddress?) -> Attribution? {
        if let deviceID, let a = lookup(deviceID: deviceID) { return a }
        if let address { return lookup(address: address) }
        return nil
    }

    /// The index of the entry whose prefix is the longest covering `address`, or -1: the allocation-free core of
    /// `lookup(address:)`.
    @inline(__always)
    public func entryIndex(_ address: IPAddress) -> Int32 {
        switch address {
        case .v4(let a): return table.lookup(v4: a.rawValue)
        case .v6(let a):
            if a.high == 0 && a.low >> 32 == 0xFFFF { return table.lookup(v4: UInt32(truncatingIfNeeded: a.low)) }
            return table.lookup(v6: U128(a))
        }
    }

    /// Starts loading what the longest-prefix look-up of an address reads first, so that the cache miss overlaps
    /// other work done before `organisationMatch(deviceID:address:)`. A hint only (IPv4; IPv6 tables are small).
    @inline(__always)
    public func prefetch(address: IPAddress) {
        switch address {
        case .v4(let a): organisationTable.prefetch(v4: a.rawValue)
        case .v6(let a):
            if a.high == 0 && a.low >> 32 == 0xFFFF { organisationTable.prefetch(v4: UInt32(truncatingIfNeeded: a.low)) }
        }
    }

    /// The entry-index lookup for a raw IPv4 address (`1.2.3.4` is `0x01020304`), for benchmarks and hot loops.
    @inline(__always)
    public func entryIndex(v4 rawAddress: UInt32) -> Int32 { table.lookup(v4: rawAddress) }

    /// The same inventory with every prefix mapped through a prefix-preserving anonymiser: a prefix P/k becomes
    /// the first k bits of the anonymised P, which covers exactly the anonymised addresses of P/k. Use it when
    /// lookups run on already-anonymised addresses. Device rules are unchanged.
    public func anonymised(with anonymiser: CryptoPAn) -> Inventory {
        var v4 = [(prefix: CIDRPrefix, value: Int32)](), v6 = [(prefix: CIDRPrefix, value: Int32)]()
        var newList = [CIDRPrefix: Int32]()
        for (p, i) in prefixList {
            var q = p
            switch p.family {
            case .v4:
                let anon = anonymiser.anonymize(IPv4Address(rawValue: UInt32(truncatingIfNeeded: p.bits.low)))
                q.bits = U128(high: 0, low: UInt64(anon.rawValue))
            case .v6:
                q.bits = U128(anonymiser.anonymize(IPv6Address(high: p.bits.high, low: p.bits.low)))
            }
            q = q.masked
            if q.family == .v4 { v4.append((q, i)) } else { v6.append((q, i)) }
            newList[q] = i
        }
        return Inventory(entries: entries, strings: strings, table: PrefixTable(v4: v4, v6: v6), devices: devices,
                         report: report, prefixList: newList)
    }
}
