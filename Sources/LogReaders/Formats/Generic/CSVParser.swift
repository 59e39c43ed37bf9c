import DNSWire
import DNSightCore

/// CSV (RFC 4180) read through a ``ColumnMapping``: the first record is the header, and columns are found by their
/// header name (case-insensitively). Quoted fields may contain delimiters, doubled quotes and line breaks; a record
/// with the wrong number of fields is malformed. The delimiter comes from the mapping (comma by default; tab,
/// semicolon or pipe for the common variants).
public struct CSVParser: LineEventParser {
    public static let formatName = "CSV (mapped)"
    let mapping: ColumnMapping
    /// The column of each mapped field, once the header is read.
    var columnOf: [(ColumnMapping.Field, Int)] = []
    var header: [String]? = nil
    /// A record whose quoted field spans lines: its bytes so far, and where it started.
    var carry: [UInt8]? = nil
    var carryStart: (line: Int, offset: Int) = (0, 0)
    var file = ""
    /// The longest record kept across lines.
    let maxRecordLength = 1 << 20

    /// Creates a parser for a mapping.
    public init(mapping: ColumnMapping) { self.mapping = mapping }

    /// Splits a record into fields; nil if a quoted field is still open at the end.
    static func fields(_ b: UnsafeRawBufferPointer, delimiter: UInt8) throws(LineError) -> [[UInt8]]? {
        var out = [[UInt8]]()
        var i = 0
        let n = b.count
        while true {
            var field = [UInt8]()
            if i < n && b[i] == UInt8(ascii: "\"") {
                i += 1
                var closed = false
                while i < n {
                    if b[i] == UInt8(ascii: "\"") {
                        if i + 1 < n && b[i + 1] == UInt8(ascii: "\"") { field.append(UInt8(ascii: "\"")); i += 2; continue }
                        i += 1
                        closed = true
                        break
                    }
                    field.append(b[i])
                    i += 1
                }
                if !closed { return nil }
                if i < n && b[i] != delimiter { throw LineError("text after a closing quote") }
            } else {
                let start = i
                while i < n && b[i] != delimiter { i += 1 }
                field.append(contentsOf: b.slice(start..<i))
            }
            out.append(field)
            if i >= n { return out }
            i += 1  // the delimiter
        }
    }

    public mutating func parse(_ line: TextLine, file: String) throws(LineError) -> LineOutcome {
        self.file = file
        var record: [UInt8]? = nil
        var number = line.number, offset = line.byteOffset
        if var c = carry {
            c.append(0x0A)
            c.append(contentsOf: line.bytes)
            number = carryStart.line
            offset = carryStart.offset
            if c.count > maxRecordLength { carry = nil; throw LineError("unterminated quoted field") }
            record = c
        } else if line.bytes.trimmed.isEmpty {
            return .skip(reason: nil)
        }
        let delimiter = mapping.delimiter
        let split: [[UInt8]]?
        if let record { split = try withLineBytes(record) { (b) throws(LineError) in try Self.fields(b, delimiter: delimiter) } }
        else { split = try Self.fields(line.bytes, delimiter: delimiter) }
        guard let fields = split else {
            if carry == nil {
                carry = Array(line.bytes)
                carryStart = (line.number, line.byteOffset)
            } else {
                carry = record
            }
            // Not yet a record: neither good nor bad until its closing quote comes.
            return .skip(reason: nil)
        }
        carry = nil
        guard let header else {
            let names = fields.map { String(decoding: $0, as: UTF8.self).trimmingASCIISpaces().lowercased() }
            var map: [(ColumnMapping.Field, Int)] = []
            for (field, column) in mapping.columns {
                guard let i = names.firstIndex(of: column.lowercased()) else {
                    throw LineError("the header has no column '\(column)' (for \(field.rawValue))")
                }
                map.append((field, i))
            }
            self.header = names
            columnOf = map
            return .skip(reason: nil)
        }
        guard fields.count == header.count else { throw LineError("expected \(header.count) fields, got \(fields.count)") }
        var r = GenericRecord()
        for (field, i) in columnOf where !fields[i].isEmpty { r[field] = fields[i] }
        return .event(try r.event(mapping, position: SourcePosition(file: file, line: number, byteOffset: offset)))
    }

    public mutating func finish(diagnostics: inout ReaderDiagnostics) -> [DNSEvent] {
        if carry != nil {
            diagnostics.malformed("unterminated quoted field at the end of the input", at: SourcePosition(file: file, line: carryStart.line, byteOffset: carryStart.offset))
            carry = nil
        }
        return []
    }
}

extension String {
    func trimmingASCIISpaces() -> String {
        var s = Substring(self)
        while s.first == " " || s.first == "\t" { s = s.dropFirst() }
        while s.last == " " || s.last == "\t" { s = s.dropLast() }
        return String(s)
    }
}
