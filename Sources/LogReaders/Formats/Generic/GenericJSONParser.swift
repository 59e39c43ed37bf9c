import DNSWire
import DNSightCore

/// Any JSON-lines log, read through a ``ColumnMapping``: one object per line, each mapped field found by its key or
/// by a dotted path into nested objects (`client.ip`). Numbers and strings are both accepted for every field; an
/// `answers` field may be an array or a string list.
public struct GenericJSONParser: LineEventParser {
    public static let formatName = "JSON lines (mapped)"
    let mapping: ColumnMapping
    /// For each mapped field, its path components.
    let paths: [(ColumnMapping.Field, [String])]

    /// Creates a parser for a mapping.
    public init(mapping: ColumnMapping) {
        self.mapping = mapping
        paths = mapping.columns.map { ($0.key, $0.value.split(separator: ".").map(String.init)) }.sorted { $0.0.rawValue < $1.0.rawValue }
    }

    public mutating func parse(_ line: TextLine, file: String) throws(LineError) -> LineOutcome {
        let b = line.bytes.trimmed
        if b.isEmpty { return .skip(reason: nil) }
        var r = GenericRecord()
        let mapping = self.mapping
        // Literal keys first ("id.orig_h" may be a key with dots), then nested paths.
        try collect(b, depth: 0, candidates: paths.map { ($0.0, $0.1, mapping.columns[$0.0]!) }, into: &r)
        return .event(try r.event(mapping, position: SourcePosition(file: file, line: line.number, byteOffset: line.byteOffset)))
    }

    /// Scans one object level: `candidates` are (field, remaining path components, remaining path as text).
    func collect(_ object: UnsafeRawBufferPointer, depth: Int, candidates: [(ColumnMapping.Field, [String], String)], into r: inout GenericRecord) throws(LineError) {
        try JSONScan.object(object) { (k, v) throws(LineError) in
            let key = k.string ?? ""
            var deeper = [(ColumnMapping.Field, [String], String)]()
            for (field, comps, whole) in candidates {
                if key == whole {
                    try Self.store(v, field, into: &r)
                } else if comps.count > 1 && key == comps[0] {
                    let rest = Array(comps.dropFirst())
                    deeper.append((field, rest, rest.joined(separator: ".")))
                }
            }
            if !deeper.isEmpty && v.kind == .object { try collect(v.raw, depth: depth + 1, candidates: deeper, into: &r) }
        }
    }

    static func store(_ v: JSONValue, _ field: ColumnMapping.Field, into r: inout GenericRecord) throws(LineError) {
        switch v.kind {
        case .string:
            let bytes = v.hasEscapes ? JSONScan.unescapeBytes(v.raw) : Array(v.raw)
            if !bytes.isEmpty { r[field] = bytes }
        case .number, .bool:
            r[field] = Array(v.raw)
        case .null:
            break
        case .array where field == .answers:
            var items = [[UInt8]]()
            try JSONScan.array(v.raw) { (e) throws(LineError) in
                if e.kind == .string { items.append(e.hasEscapes ? JSONScan.unescapeBytes(e.raw) : Array(e.raw)) }
            }
            r.answerItems = items
        case .array, .object:
            throw LineError("bad \(field.rawValue) (a JSON \(v.kind == .array ? "array" : "object"), expected a value)")
        }
    }
}
