import Foundation

/// Which field (JSON lines) or column (CSV) of a generic log holds which part of a DNS transaction.
///
/// Given on the command line as `--map time=ts,client=src,qname=query,qtype=type,time_format=epoch_ms` or in a file
/// with one `key = value` (or `key: value`) per line, `#` comments allowed. Keys are the ``Field`` names (with a few
/// aliases: `query`/`name` for `qname`, `type` for `qtype`, `src` for `client`, `device_id` for `device`, `status`
/// for `action`…) and the options `time_format` (`auto`, `epoch_s`, `epoch_ms`, `epoch_us`, `epoch_ns`, `iso8601`),
/// `rtt_unit` (`s`, `ms`, `us`), `delimiter` (CSV: `,`, `;`, `tab`, `|`) and `tz` (offset of zone-less ISO times,
/// `+09:00`). JSON field names may be dotted paths into nested objects (`srcids.instance`). `time` and `qname` are
/// required.
public struct ColumnMapping: Sendable, Equatable {
    /// The parts of a transaction a column can hold.
    public enum Field: String, CaseIterable, Sendable {
        case time, client, clientPort = "client_port", server, serverPort = "server_port", qname, qtype, qclass, rcode, id
        case transport, answers, device, action, rtt
    }

    /// How the time column is written.
    public enum TimeFormat: String, CaseIterable, Sendable {
        /// ISO 8601 text, or an epoch number whose unit is guessed from its size.
        case auto
        case epochSeconds = "epoch_s", epochMillis = "epoch_ms", epochMicros = "epoch_us", epochNanos = "epoch_ns"
        case iso8601
    }

    /// A mapping that cannot be used, and why.
    public struct Invalid: Error, Equatable, Sendable, CustomStringConvertible {
        /// What is wrong.
        public var message: String
        public var description: String { message }
    }

    /// The source column or field of each mapped part.
    public var columns: [Field: String]
    /// How times are written.
    public var timeFormat: TimeFormat
    /// The unit of the `rtt` column: digits below a second (0 seconds, 3 ms, 6 µs).
    public var rttUnitDigits: Int
    /// The CSV delimiter.
    public var delimiter: UInt8
    /// Offset east of UTC of zone-less ISO 8601 times, in seconds.
    public var timeZoneOffsetSeconds: Int

    /// Creates a mapping.
    public init(columns: [Field: String], timeFormat: TimeFormat = .auto, rttUnitDigits: Int = 3, delimiter: UInt8 = UInt8(ascii: ","),
                timeZoneOffsetSeconds: Int = 0) throws(Invalid) {
        self.columns = columns
        self.timeFormat = timeFormat
        self.rttUnitDigits = rttUnitDigits
        self.delimiter = delimiter
        self.timeZoneOffsetSeconds = timeZoneOffsetSeconds
        for required in [Field.time, .qname] where columns[required] == nil {
            throw Invalid(message: "the column mapping needs '\(required.rawValue)=<column>'")
        }
    }

    static let aliases: [String: Field] = [
        "timestamp": .time, "ts": .time, "query": .qname, "name": .qname, "query_name": .qname, "domain": .qname,
        "type": .qtype, "query_type": .qtype, "class": .qclass, "src": .client, "client_ip": .client, "source": .client,
        "src_port": .clientPort, "sport": .clientPort, "dst": .server, "server_ip": .server, "dst_port": .serverPort,
        "dport": .serverPort, "device_id": .device, "status": .action, "policy": .action, "proto": .transport,
        "protocol": .transport, "answer": .answers, "response_time": .rtt,
    ]

    /// Parses `key=value` pairs separated by commas (the `--map` form) or newlines (the file form).
    public init(parsing spec: String) throws(Invalid) {
        var columns: [Field: String] = [:]
        var timeFormat = TimeFormat.auto
        var rtt = 3
        var delimiter = UInt8(ascii: ",")
        var tz = 0
        let items = spec.split(whereSeparator: { $0 == "\n" || $0 == "," }).map { $0.trimmingCharacters(in: .whitespaces) }
        for item in items where !item.isEmpty && !item.hasPrefix("#") {
            guard let sep = item.firstIndex(where: { $0 == "=" || $0 == ":" }) else { throw Invalid(message: "'\(item)' is not key=value") }
            let key = item[..<sep].trimmingCharacters(in: .whitespaces).lowercased()
            var value = item[item.index(after: sep)...].trimmingCharacters(in: .whitespaces)
            if value.count >= 2, value.hasPrefix("\"") && value.hasSuffix("\"") || value.hasPrefix("'") && value.hasSuffix("'") {
                value = String(value.dropFirst().dropLast())
            }
            guard !value.isEmpty else { throw Invalid(message: "'\(key)' has no value") }
            switch key {
            case "time_format", "timeformat":
                guard let f = TimeFormat(rawValue: value.lowercased()) else {
                    throw Invalid(message: "unknown time_format '\(value)' (one of \(TimeFormat.allCases.map(\.rawValue).joined(separator: ", ")))")
                }
                timeFormat = f
            case "rtt_unit":
                switch value.lowercased() {
                case "s": rtt = 0
                case "ms": rtt = 3
                case "us", "µs": rtt = 6
                default: throw Invalid(message: "unknown rtt_unit '\(value)' (s, ms or us)")
                }
            case "delimiter", "separator":
                switch value.lowercased() {
                case "tab", "\\t": delimiter = 0x09
                case "comma": delimiter = UInt8(ascii: ",")
                case "semicolon": delimiter = UInt8(ascii: ";")
                case "pipe": delimiter = UInt8(ascii: "|")
                default:
                    guard value.utf8.count == 1 else { throw Invalid(message: "delimiter must be one character or tab/comma/semicolon/pipe") }
                    delimiter = value.utf8.first!
                }
            case "tz":
                let b = Array(value.utf8)
                guard let off = b.withUnsafeBytes({ TimeParse.zoneOffset($0, 0, default: 0) }) else { throw Invalid(message: "bad tz '\(value)' (e.g. +09:00)") }
                tz = off
            default:
                guard let field = Field(rawValue: key) ?? Self.aliases[key] else {
                    throw Invalid(message: "unknown mapping key '\(key)' (fields: \(Field.allCases.map(\.rawValue).joined(separator: ", ")); options: time_format, rtt_unit, delimiter, tz)")
                }
                columns[field] = value
            }
        }
        try self.init(columns: columns, timeFormat: timeFormat, rttUnitDigits: rtt, delimiter: delimiter, timeZoneOffsetSeconds: tz)
    }

    /// Reads a mapping file (`key = value` lines).
    public init(contentsOfFile path: String) throws {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        try self.init(parsing: text)
    }

    /// Parses a time value in this mapping's format.
    func time(_ b: UnsafeRawBufferPointer, isString: Bool) -> Int64? {
        switch timeFormat {
        case .auto:
            if b.count >= 10, b.count > 4, b[4] == UInt8(ascii: "-") { return TimeParse.iso8601(b, defaultOffsetSeconds: timeZoneOffsetSeconds) }
            return TimeParse.epochGuessingUnit(b)
        case .iso8601: return TimeParse.iso8601(b, defaultOffsetSeconds: timeZoneOffsetSeconds)
        case .epochSeconds: return TimeParse.epoch(b, unitDigits: 0)
        case .epochMillis: return TimeParse.epoch(b, unitDigits: 3)
        case .epochMicros: return TimeParse.epoch(b, unitDigits: 6)
        case .epochNanos: return TimeParse.epoch(b, unitDigits: 9)
        }
    }
}
