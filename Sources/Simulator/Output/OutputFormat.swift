import Foundation

/// The traffic formats the simulator writes, each as its real producer writes it, rotated monthly.
public enum OutputFormat: String, CaseIterable, Sendable, Codable {
    /// dnstap over Frame Streams (CLIENT_QUERY and CLIENT_RESPONSE messages, as Unbound or BIND write them).
    case dnstap
    /// A classic pcap capture on the resolver's port (Ethernet, IPv4, UDP).
    case pcap
    /// Zeek `dns.log`, tab-separated with its header.
    case zeek
    /// Zeek `dns.log` as JSON lines.
    case zeekJSON = "zeek-json"
    /// BIND's query log.
    case bind
    /// Suricata EVE `dns` records (version 2: `query` and `answer`).
    case eve
    /// AWS Route 53 Resolver query logs.
    case route53
    /// JSON lines as Packetbeat writes DNS transactions (Elastic Common Schema), read through a column mapping.
    case json

    /// Parses a `--format` name (`zeek-tsv`, `suricata`, `packetbeat`, `jsonl` are accepted too).
    public init?(name: String) {
        switch name.lowercased() {
        case "dnstap": self = .dnstap
        case "pcap": self = .pcap
        case "zeek", "zeek-tsv": self = .zeek
        case "zeek-json": self = .zeekJSON
        case "bind", "named": self = .bind
        case "eve", "suricata": self = .eve
        case "route53", "route53-resolver": self = .route53
        case "json", "jsonl", "packetbeat", "ecs": self = .json
        default: return nil
        }
    }

    /// Parses a comma-separated list; `all` means every format, `none` no traffic at all (the inventory, intel and
    /// ground truth only).
    public static func parseList(_ text: String) throws(SimulatorError) -> [OutputFormat] {
        if text.trimmingCharacters(in: .whitespaces) == "none" { return [] }
        var out: [OutputFormat] = []
        for part in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !part.isEmpty {
            if part == "all" { return allCases }
            guard let f = OutputFormat(name: part) else {
                throw SimulatorError(.argument("unknown format '\(part)' (one of: \(allCases.map(\.rawValue).joined(separator: ", ")), all, none)"))
            }
            if !out.contains(f) { out.append(f) }
        }
        guard !out.isEmpty else { throw SimulatorError(.argument("no format given")) }
        return out
    }

    /// The folder under `traffic/` and the file name pattern (`MONTH` is replaced by `YYYY-MM`).
    var folder: String { rawValue }
    var filePattern: String {
        switch self {
        case .dnstap: "resolver-MONTH.dnstap"
        case .pcap: "resolver-MONTH.pcap"
        case .zeek: "dns.MONTH.log"
        case .zeekJSON: "dns.MONTH.log"
        case .bind: "query.MONTH.log"
        case .eve: "eve.MONTH.json"
        case .route53: "resolver-query-log.MONTH.jsonl"
        case .json: "packetbeat.MONTH.ndjson"
        }
    }

    /// The `dnsight analyze --format` name that reads it.
    public var readerName: String {
        switch self {
        case .dnstap: "dnstap"
        case .pcap: "pcap"
        case .zeek: "zeek"
        case .zeekJSON: "zeek-json"
        case .bind: "bind"
        case .eve: "eve"
        case .route53: "route53"
        case .json: "json"
        }
    }

    /// For `json`: the column mapping that reads Packetbeat's fields (`--map`).
    public static let packetbeatMapping = "time=@timestamp,time_format=iso8601,client=client.ip,client_port=client.port,server=server.ip,server_port=server.port,qname=dns.question.name,qtype=dns.question.type,rcode=dns.response_code,id=dns.id,transport=network.transport,answers=dns.resolved_ip"
}

/// Writes one traffic format, a file per calendar month.
class TrafficWriter {
    let format: OutputFormat
    let folder: String
    var sink: ByteSink?
    /// Files written, in order.
    private(set) var files: [String] = []
    /// Bytes written to closed files.
    private(set) var closedBytes = 0
    /// Events written.
    var events = 0

    init(format: OutputFormat, folder: String) {
        self.format = format
        self.folder = folder
    }

    /// All bytes written so far.
    var bytes: Int { closedBytes + (sink?.totalBytes ?? 0) }

    /// Starts the file of a month (`firstDay` is its first simulated day).
    func begin(month: String, firstDay: Int) throws(SimulatorError) {
        let path = folder + "/" + format.filePattern.replacingOccurrences(of: "MONTH", with: month)
        sink = try ByteSink(path: path)
        files.append(path)
        try header(firstDay: firstDay)
    }

    /// Ends the current file.
    func end(nextDay: Int) throws(SimulatorError) {
        guard let s = sink else { return }
        try trailer(nextDay: nextDay)
        try s.close()
        closedBytes += s.totalBytes
        sink = nil
    }

    /// Writes one day.
    func write(_ batch: DayBatch, _ context: WriteContext) throws(SimulatorError) {
        var b = sink!.take()
        try writeDay(batch, context, &b)
        sink!.give(b)
        events += batch.events.count
        try sink!.maybeFlush()
    }

    // Overridden per format.
    func header(firstDay: Int) throws(SimulatorError) {}
    func trailer(nextDay: Int) throws(SimulatorError) {}
    func writeDay(_ batch: DayBatch, _ s: WriteContext, _ out: inout OutBuffer) throws(SimulatorError) {}

    /// Makes the writer for a format.
    static func make(_ f: OutputFormat, folder: String) -> TrafficWriter {
        switch f {
        case .dnstap: DnstapWriter(format: f, folder: folder)
        case .pcap: PcapWriter(format: f, folder: folder)
        case .zeek: ZeekTSVWriter(format: f, folder: folder)
        case .zeekJSON: ZeekJSONWriter(format: f, folder: folder)
        case .bind: BINDWriter(format: f, folder: folder)
        case .eve: EVEWriter(format: f, folder: folder)
        case .route53: Route53Writer(format: f, folder: folder)
        case .json: PacketbeatWriter(format: f, folder: folder)
        }
    }
}

/// What the writers read, copied out of the run's state once per day (reads of local values are not access-checked).
struct WriteContext {
    let names: NameTable
    let answers: AnswerStore
    let devices: [Device]
    let organisations: [Organisation]
    let regions: [RegionSpec]
    /// Per organisation: its resolver, and its region's index.
    let resolvers: [UInt32]
    let orgRegion: [Int]
    let addressText: TextTable
    let resolverText: TextTable

    init(_ s: SimState) {
        names = s.names
        answers = s.answers
        devices = s.world.devices
        organisations = s.world.organisations
        regions = s.world.regions
        resolvers = s.resolvers
        orgRegion = s.orgRegion
        addressText = s.addressText
        resolverText = s.resolverText
    }

    /// The resolver a device asks.
    @inline(__always) func resolver(_ d: Device) -> UInt32 { resolvers[Int(d.organisation)] }
}

extension OutBuffer {
    /// The address of device `d` (an index), as text.
    @inline(__always) mutating func client(_ d: Int32, _ s: WriteContext) { s.addressText.write(Int(d), to: &self) }

    /// The resolver of the organisation of device `dev`, as text.
    @inline(__always) mutating func server(_ dev: Device, _ s: WriteContext) { s.resolverText.write(Int(dev.organisation), to: &self) }

    /// A name's presentation bytes (no trailing dot).
    @inline(__always) mutating func name(_ id: Int32, _ s: WriteContext) {
        s.names.withName(id) { append($0) }
    }

    /// ISO 8601 UTC time with `digits` fraction digits and the given zone suffix.
    mutating func isoTime(_ nanos: Int64, digits: Int, zone: StaticString = "Z") {
        let secs = nanos / 1_000_000_000
        let day = Int(secs / 86_400)
        if day != stampDay {
            stampDay = day
            let c = SimCalendar.civil(day)
            stampDate = (c.year, c.month, c.day)
        }
        let sod = Int(secs % 86_400)
        padded(stampDate.0, 4); byte(0x2D); padded(stampDate.1, 2); byte(0x2D); padded(stampDate.2, 2); byte(UInt8(ascii: "T"))
        padded(sod / 3600, 2); byte(0x3A); padded(sod / 60 % 60, 2); byte(0x3A); padded(sod % 60, 2)
        if digits > 0 {
            byte(0x2E)
            var frac = Int(nanos % 1_000_000_000)
            for _ in 0..<(9 - digits) { frac /= 10 }
            padded(frac, digits)
        }
        ascii(zone)
    }

    /// Epoch seconds with six decimals (Zeek's `time`).
    @inline(__always) mutating func epochMicros(_ nanos: Int64) {
        fixed(nanos / 1000, digits: 6)
    }

    /// A JSON string of name bytes (names here never need escapes).
    @inline(__always) mutating func jsonName(_ id: Int32, _ s: WriteContext) {
        byte(0x22); name(id, s); byte(0x22)
    }
}

/// Per-event helpers the text writers share.
enum EventText {
    /// A stable pseudo-random 64-bit value per event (Zeek uids, flow ids).
    @inline(__always) static func hash(_ e: SimEvent, _ day: Int) -> UInt64 {
        SimRandom.mix(UInt64(bitPattern: e.time) ^ UInt64(UInt32(bitPattern: e.device)) << 17 ^ UInt64(e.txid) << 49 ^ UInt64(day))
    }

    static let base62: [UInt8] = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".utf8)

    /// Zeek's connection uid: `C` and 17 base-62 characters.
    @inline(__always) static func zeekUID(_ h: UInt64, _ out: inout OutBuffer) {
        out.byte(UInt8(ascii: "C"))
        var x = h, y = SimRandom.mix(h)
        for i in 0..<17 {
            if i == 9 { x = y; y = 0 }
            out.byte(base62[Int(x % 62)])
            x /= 62
        }
    }

    /// Writes each answer's data as the log prints it; `body(kind, ttl)` is called before each for separators.
    @inline(__always) static func answerData(_ r: SimRecord, _ s: WriteContext, _ out: inout OutBuffer, txtPrefix: Bool) {
        switch r.kind {
        case .a: out.ipv4(UInt32(truncatingIfNeeded: r.data))
        case .aaaa: let (hi, lo) = s.answers.address6(r.data); out.ipv6(hi: hi, lo: lo)
        case .cname: out.name(Int32(r.data), s)
        case .txt:
            s.answers.withText(r.data) { t in
                if txtPrefix { out.ascii("TXT "); out.decimal(t.count); out.byte(0x20) }
                out.append(t)
            }
        }
    }

    static func typeName(_ k: SimRecord.Kind) -> StaticString {
        switch k {
        case .a: "A"
        case .aaaa: "AAAA"
        case .cname: "CNAME"
        case .txt: "TXT"
        }
    }
}
