/// A forgiving RFC 4180 CSV reader over bytes that reports the line and byte offset of every record.
///
/// Quoted fields may hold separators, doubled quotes and line breaks; spaces around fields are trimmed, so the
/// `"a", "b"` style of some exports reads the same as `"a","b"`. Lines whose first non-space byte is the comment
/// byte are returned as comments (headers are often commented out). A quoted field that never closes is reported
/// once, and reading resumes on the line after the one where that record began, so later good records are kept.
public struct CSVReader: Sendable {
    /// One event read from the input.
    public enum Event: Sendable, Equatable {
        /// A record: its fields, the 1-based line it starts on and its byte offset.
        case record(fields: [String], line: Int, offset: Int)
        /// A comment line without its comment byte, trimmed.
        case comment(String, line: Int, offset: Int)
        /// Something that could not be read, with the line and byte offset where it starts.
        case problem(String, line: Int, offset: Int)
    }

    private let bytes: [UInt8]
    private let separator: UInt8
    private let comment: UInt8?
    /// The largest field accepted, in bytes; a quoted field that grows past it is treated as unterminated.
    public var maxFieldBytes = 1 << 20
    private var pos = 0
    private var line = 1

    /// Creates a reader; `comment` is the byte that starts a comment line (`#` by default, `nil` for none).
    public init(_ bytes: [UInt8], separator: UInt8 = UInt8(ascii: ","), comment: UInt8? = UInt8(ascii: "#")) {
        self.bytes = bytes
        self.separator = separator
        self.comment = comment
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { pos = 3 }
    }

    /// The next event, or `nil` at the end. Blank lines are skipped.
    public mutating func next() -> Event? {
        let n = bytes.count
        // Skip blank lines.
        while pos < n {
            var p = pos
            while p < n, bytes[p] == 0x20 || bytes[p] == 0x09 || bytes[p] == 0x0D { p += 1 }
            if p < n, bytes[p] == 0x0A { pos = p + 1; line += 1; continue }
            if p == n { pos = n; return nil }
            if let c = comment, bytes[p] == c {
                let startLine = line, startOffset = pos
                var e = p + 1
                while e < n, bytes[e] != 0x0A { e += 1 }
                let text = String(decoding: bytes[(p + 1)..<e], as: UTF8.self).trimmingSpaces()
                pos = e < n ? e + 1 : n
                line += 1
                return .comment(text, line: startLine, offset: startOffset)
            }
            break
        }
        guard pos < n else { return nil }
        let startLine = line, startOffset = pos
        var fields: [String] = []
        var field: [UInt8] = []
        var p = pos
        var curLine = line
        while true {
            // Start of a field: skip leading spaces.
            while p < n, bytes[p] == 0x20 || bytes[p] == 0x09 { p += 1 }
            if p < n, bytes[p] == UInt8(ascii: "\"") {
                p += 1
                var closed = false
                while p < n {
                    let c = bytes[p]
                    if c == UInt8(ascii: "\"") {
                        if p + 1 < n, bytes[p + 1] == UInt8(ascii: "\"") { field.append(c); p += 2; continue }
                        p += 1; closed = true; break
                    }
                    if c == 0x0A { curLine += 1 }
                    field.append(c)
                    p += 1
                    if field.count > maxFieldBytes { break }
                }
                if !closed {
                    // Resume on the line after the record's first line.
                    var e = startOffset
                    while e < n, bytes[e] != 0x0A { e += 1 }
                    pos = e < n ? e + 1 : n
                    line = startLine + 1
                    return .problem("quoted field opened here is never closed", line: startLine, offset: startOffset)
                }
                // Anything between the closing quote and the separator is kept (lenient).
                while p < n, bytes[p] != separator, bytes[p] != 0x0A {
                    if bytes[p] != 0x20, bytes[p] != 0x09, bytes[p] != 0x0D { field.append(bytes[p]) }
                    p += 1
                }
            } else {
                while p < n, bytes[p] != separator, bytes[p] != 0x0A { field.append(bytes[p]); p += 1 }
                while let last = field.last, last == 0x20 || last == 0x09 || last == 0x0D { field.removeLast() }
            }
            fields.append(String(decoding: field, as: UTF8.self))
            field.removeAll(keepingCapacity: true)
            if p < n, bytes[p] == separator { p += 1; continue }
            // End of line or input.
            if p < n { p += 1; curLine += 1 }
            break
        }
        pos = p
        line = curLine
        return .record(fields: fields, line: startLine, offset: startOffset)
    }
}
