import DNSightCore
import Foundation

/// Every input format dnsight reads; `--format NAME` names one, auto-detection picks one from the first bytes.
public enum LogFormat: String, Sendable, CaseIterable, CustomStringConvertible {
    case dnstap
    case pcap
    case pcapng
    case zeekTSV = "zeek"
    case zeekJSON = "zeek-json"
    case bind
    case unbound
    case dnsmasq
    case piholeDB = "pihole-db"
    case eve
    case route53
    case cloudflare
    case jsonLines = "json"
    case csv

    /// The name used by `--format` and in summaries.
    public var description: String { rawValue }

    /// A `--format` value: the names above plus a few aliases (`zeek-tsv`, `pihole`, `suricata`, `jsonl`…).
    public init?(name: String) {
        let n = name.lowercased()
        if let f = LogFormat(rawValue: n) { self = f; return }
        switch n {
        case "zeek-tsv", "zeek-dns", "dns.log": self = .zeekTSV
        case "named", "bind9", "bind-querylog": self = .bind
        case "pihole-log", "pihole-ftl-log": self = .dnsmasq
        case "pihole", "pihole-ftl", "ftl-db": self = .piholeDB
        case "suricata", "suricata-eve", "eve-json": self = .eve
        case "route53-resolver", "aws-route53": self = .route53
        case "cloudflare-gateway", "gateway-dns": self = .cloudflare
        case "jsonl", "ndjson", "json-lines": self = .jsonLines
        default: return nil
        }
    }

    /// Whether the format needs a ``ColumnMapping`` (`--map`).
    public var needsColumnMapping: Bool { self == .jsonLines || self == .csv }
}

/// Options that readers take from the command line or the configuration.
public struct ReaderOptions: Sendable {
    /// The column mapping for generic JSON lines and CSV (`--map time=ts,client=src,...`).
    public var columnMapping: ColumnMapping?
    /// The offset east of UTC, in seconds, of timestamps that carry no zone (BIND, dnsmasq/syslog, Unbound with
    /// `log-time-ascii`, zone-less ISO 8601). Default 0: such times are taken as UTC.
    public var timeZoneOffsetSeconds: Int
    /// The year of syslog timestamps, which have none (`Nov 28 10:00:00`); nil: the current year (UTC). A month
    /// that goes backwards (December → January) advances the year.
    public var year: Int?
    /// Whether dnstap upstream (resolver→authority) messages become events too.
    public var includeUpstream: Bool
    /// The ports whose traffic a packet capture reader decodes as DNS (`--dns-ports`).
    public var dnsPorts: Set<UInt16>
    /// The longest text line read whole.
    public var maxLineLength: Int

    /// Creates options.
    public init(columnMapping: ColumnMapping? = nil, timeZoneOffsetSeconds: Int = 0, year: Int? = nil, includeUpstream: Bool = false, dnsPorts: Set<UInt16> = [53],
                maxLineLength: Int = 1 << 20) {
        self.columnMapping = columnMapping
        self.timeZoneOffsetSeconds = timeZoneOffsetSeconds
        self.year = year
        self.includeUpstream = includeUpstream
        self.dnsPorts = dnsPorts
        self.maxLineLength = maxLineLength
    }

    /// Parses a zone offset (`+09:00`, `-0500`, `+09`, `Z`) into seconds east of UTC.
    public static func zoneOffset(_ text: String) -> Int? {
        let b = Array(text.utf8)
        guard !b.isEmpty else { return nil }
        return b.withUnsafeBytes { TimeParse.zoneOffset($0, 0, default: 0) }
    }

    /// The year syslog timestamps are taken to be in.
    var effectiveYear: Int {
        if let year { return year }
        var t = time(nil)
        var tmv = tm()
        gmtime_r(&t, &tmv)
        return Int(tmv.tm_year) + 1900
    }
}

/// Recognises an input's format from its first bytes (after gunzip).
public enum FormatDetector {
    /// How many bytes ``detect(_:)`` wants to see; more lines let it look past start-up messages in daemon logs.
    public static let sniffLength = 64 * 1024

    /// The format of an input that starts with `firstBytes`, or nil when it is none that dnsight recognises.
    ///
    /// Binary containers are recognised by their magic numbers; text formats by their first meaningful lines: a Zeek
    /// header, the keys of the first JSON object, or a line in the shape of a BIND, Unbound or dnsmasq query log.
    /// A JSON object or CSV header that matches no known producer is generic (`json`, `csv`), which needs `--map`.
    public static func detect(_ firstBytes: [UInt8]) -> LogFormat? {
        if let binary = binaryFormat(firstBytes) { return binary }
        return firstBytes.withUnsafeBytes { textFormat($0) }
    }

    static func binaryFormat(_ b: [UInt8]) -> LogFormat? {
        if b.count >= 16, Array(b[0..<16]) == Array("SQLite format 3\0".utf8) { return .piholeDB }
        if b.count >= 4 {
            let m = UInt32(b[0]) << 24 | UInt32(b[1]) << 16 | UInt32(b[2]) << 8 | UInt32(b[3])
            switch m {
            case 0xA1B2_C3D4, 0xD4C3_B2A1, 0xA1B2_3C4D, 0x4D3C_B2A1: return .pcap
            case 0x0A0D_0D0A: return .pcapng
            default: break
            }
        }
        // Frame Streams: an escape (four zero bytes), a control frame length, then CONTROL_START (2).
        if b.count >= 12, b[0] == 0, b[1] == 0, b[2] == 0, b[3] == 0, b[8] == 0, b[9] == 0, b[10] == 0, b[11] == 2 { return .dnstap }
        return nil
    }

    static func textFormat(_ all: UnsafeRawBufferPointer) -> LogFormat? {
        if all.contains(0) { return nil }
        var start = 0
        var lines = 0
        var votes: [LogFormat: Int] = [:]
        while start < all.count && lines < 200 {
            let end = FieldParse.index(of: 0x0A, in: all, from: start) ?? all.count
            var line = all.slice(start..<end)
            if line.last == 0x0D { line = line.slice(0..<(line.count - 1)) }
            start = end + 1
            // A final partial line is not judged (it may be cut in the middle).
            if end == all.count && all.count >= sniffLength { break }
            line = line.trimmed
            if line.isEmpty { continue }
            lines += 1
            if lines == 1 {
                if FieldParse.hasPrefix(line, "#separator") || FieldParse.hasPrefix(line, "#fields") { return .zeekTSV }
                if line[0] == UInt8(ascii: "{") { return jsonFormat(line) }
            }
            if let f = lineFormat(line) {
                votes[f, default: 0] += 1
                if votes[f]! >= 2 || lines > 20 { return f }
            }
        }
        if let best = votes.max(by: { $0.value < $1.value }) { return best.key }
        // A CSV header: a first line of comma-separated names, no spaces around JSON braces.
        return looksLikeCSVHeader(all) ? .csv : nil
    }

    /// Which producer wrote a JSON object line, from its keys.
    static func jsonFormat(_ line: UnsafeRawBufferPointer) -> LogFormat {
        var keys = Set<String>()
        var eventType: String? = nil
        try? JSONScan.object(line) { (k, v) throws(LineError) in
            let key = k.string ?? ""
            keys.insert(key)
            if key == "event_type" { eventType = v.string }
        }
        if eventType != nil || (keys.contains("src_ip") && keys.contains("dns")) { return .eve }
        if keys.contains("query_timestamp") || (keys.contains("query_name") && keys.contains("srcaddr")) { return .route53 }
        if keys.contains("QueryName") && (keys.contains("Datetime") || keys.contains("SrcIP") || keys.contains("ResolverDecision")) { return .cloudflare }
        if keys.contains("id.orig_h") || (keys.contains("uid") && keys.contains("query")) || (keys.contains("ts") && keys.contains("qtype_name")) { return .zeekJSON }
        return .jsonLines
    }

    /// Which text log format a single line looks like, if any.
    static func lineFormat(_ line: UnsafeRawBufferPointer) -> LogFormat? {
        if FieldParse.find("client ", in: line) != nil && FieldParse.find("query: ", in: line) != nil { return .bind }
        if FieldParse.find("unbound[", in: line) != nil || FieldParse.find("unbound: [", in: line) != nil { return .unbound }
        if FieldParse.find("dnsmasq[", in: line) != nil || FieldParse.find("pihole-FTL[", in: line) != nil || FieldParse.find("dnsmasq: ", in: line) != nil {
            return .dnsmasq
        }
        // dnsmasq lines under another program tag (a container's log driver, a renamed daemon).
        if FieldParse.find(" query[", in: line) != nil && FieldParse.find(" from ", in: line) != nil { return .dnsmasq }
        return nil
    }

    static func looksLikeCSVHeader(_ all: UnsafeRawBufferPointer) -> Bool {
        let end = FieldParse.index(of: 0x0A, in: all) ?? all.count
        let first = all.slice(0..<end).trimmed
        guard first.count > 2, first.contains(UInt8(ascii: ",")) else { return false }
        return !first.contains(UInt8(ascii: "{")) && !first.contains(UInt8(ascii: "\t"))
    }
}

extension LogFormat {
    /// The format of an input, detected from its first bytes (``ByteInput/peek(_:)`` leaves them to be read).
    public static func detect(_ input: ByteInput) throws -> LogFormat {
        let head = try input.peek(FormatDetector.sniffLength)
        if head.isEmpty { throw ReaderError(file: input.name, "is empty") }
        guard let f = FormatDetector.detect(head) else {
            throw ReaderError(file: input.name, byteOffset: 0, "format not recognised from its first bytes; name it with --format (one of: \(LogFormat.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        return f
    }

    /// A reader for this format.
    ///
    /// Generic JSON lines and CSV need ``ReaderOptions/columnMapping``; without it this throws.
    public func makeReader(options: ReaderOptions = ReaderOptions()) throws -> any EventReader {
        let maxLine = options.maxLineLength
        switch self {
        case .zeekTSV: return LineFormatReader(ZeekTSVParser(), maxLineLength: maxLine)
        case .zeekJSON: return LineFormatReader(ZeekJSONParser(), maxLineLength: maxLine)
        case .dnstap: return DnstapFileReader(includeUpstream: options.includeUpstream)
        case .pcap, .pcapng: return PcapReader(dnsPorts: options.dnsPorts)
        case .bind, .unbound, .dnsmasq, .piholeDB, .eve, .route53, .cloudflare, .jsonLines, .csv:
            return try makeTextReader(options: options)
        }
    }
}
