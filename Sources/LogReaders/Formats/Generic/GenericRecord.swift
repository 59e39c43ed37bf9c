import DNSWire
import DNSightCore

/// The mapped values of one generic record (JSON line or CSV row), turned into a ``DNSEvent`` by the mapping.
struct GenericRecord {
    typealias Field = ColumnMapping.Field
    /// The text of each mapped field (indexed by `Field.allCases` position); nil when absent or empty.
    var values = [[UInt8]?](repeating: nil, count: Field.allCases.count)
    /// Answer items when the source gave a list (a JSON array).
    var answerItems: [[UInt8]]? = nil

    static let index: [Field: Int] = Dictionary(uniqueKeysWithValues: Field.allCases.enumerated().map { ($1, $0) })

    subscript(_ f: Field) -> [UInt8]? {
        get { values[Self.index[f]!] }
        set { values[Self.index[f]!] = newValue }
    }

    func with<R>(_ f: Field, _ body: (UnsafeRawBufferPointer) -> R?) -> R?? {
        guard let v = self[f] else { return .none }
        return .some(v.withUnsafeBytes { body($0) })
    }

    /// Parses field `f` with `parse`; nil when absent, an error naming the column when present but unreadable.
    func parse<R>(_ f: Field, _ mapping: ColumnMapping, _ parse: (UnsafeRawBufferPointer) -> R?) throws(LineError) -> R? {
        switch with(f, parse) {
        case .none: return nil
        case .some(.none): throw LineError("bad \(f.rawValue) (column \(mapping.columns[f] ?? "?"))")
        case .some(.some(let v)): return v
        }
    }

    func event(_ m: ColumnMapping, position: SourcePosition) throws(LineError) -> DNSEvent {
        guard let time = try parse(.time, m, { m.time($0, isString: true) }) else { throw LineError("missing time (column \(m.columns[.time]!))") }
        guard let name = try parse(.qname, m, { FieldParse.name($0.trimmed) }) else { throw LineError("missing qname (column \(m.columns[.qname]!))") }
        let qtype = try parse(.qtype, m, { FieldParse.recordType($0.trimmed) }) ?? RecordType(0)
        let qclass = try parse(.qclass, m, { FieldParse.recordClass($0.trimmed) }) ?? .internet
        let client = try parse(.client, m, { FieldParse.ipAddress($0.trimmed) })
        let clientPort = try parse(.clientPort, m, { FieldParse.port($0.trimmed) })
        let server = try parse(.server, m, { FieldParse.ipAddress($0.trimmed) })
        let serverPort = try parse(.serverPort, m, { FieldParse.port($0.trimmed) })
        let rcode = try parse(.rcode, m, { FieldParse.responseCode($0.trimmed) })
        let id = try parse(.id, m, { FieldParse.unsigned($0.trimmed, max: 65535).map { UInt16($0) } })
        let rtt = try parse(.rtt, m, { FieldParse.scaledDecimal($0.trimmed, scale: 6 - m.rttUnitDigits) })
        let transport = try parse(.transport, m, { b -> DNSTransport? in
            let t = Route53ResolverParser.transport(b.trimmed)
            return t == .unknown && !b.trimmed.isEmpty ? DNSTransport(rawValue: String(decoding: b.trimmed, as: UTF8.self).lowercased()) ?? .unknown : t
        }) ?? .unknown
        let device = self[.device].map { String(decoding: $0, as: UTF8.self) }
        let action = self[.action].map { String(decoding: $0, as: UTF8.self) }
        var answers = [DNSAnswer]()
        let items: [[UInt8]] = answerItems ?? (self[.answers].map { Self.splitList($0) } ?? [])
        for item in items where !item.isEmpty {
            answers.append(item.withUnsafeBytes { AnswerText.untyped(owner: name, queryType: qtype, ttl: nil, rdata: $0) })
        }
        return DNSEvent(timeNanos: time, clientAddress: client, clientPort: clientPort, serverAddress: server, serverPort: serverPort,
                        transport: transport, queryName: name, queryType: qtype, queryClass: qclass, id: id,
                        flags: rcode.map { 0x8000 | ($0.rawValue & 0xF) }, rcode: rcode, answers: answers, responseTimeMicros: rtt,
                        sourceAction: action, deviceID: device, position: position)
    }

    /// Splits a list written in one column: on `,`, `;`, `|` or spaces.
    static func splitList(_ v: [UInt8]) -> [[UInt8]] {
        v.split(whereSeparator: { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: ";") || $0 == UInt8(ascii: "|") || $0 == UInt8(ascii: " ") }).map(Array.init)
    }
}
