/// A forgiving RFC 4180 CSV reader over bytes that reports the line and byte offset of every record.
///
/// Quoted fields may hold separators, doubled quotes and line breaks; spaces around fields are trimmed, so the
/// `"a", "b"` style of some exports reads the same as `"a","b"`. Lines whose first non-space byte is the comment
/// byte are returned as comments (headers are often commented out). A quoted field that never closes is reported
/// once (at its opening quote), and reading resumes on the line after the one where that record began, so later good
/// records are kept. Text after a closing quote is kept as part of the field, or, with ``strictQuotes``, reported
/// (at that text) with the rest of its line skipped.
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
    /// Whether text after a closing quote (other than blanks before the separator) is a problem rather than part of
    /// the field: `"a"b` is then reported and its line skipped, as a strict RFC 4180 reader would refuse it.
    public var strictQuotes = false
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
                let quoteLine = curLine, quoteOffset = p
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
                    return .problem("quoted field opened here is never closed", line: quoteLine, offset: quoteOffset)
                }
                // Anything between the closing quote and the separator is kept (lenient).
                while p < n, bytes[p] != separator, bytes[p] != 0x0A {
                    if bytes[p] != 0x20, bytes[p] != 0x09, bytes[p] != 0x0D {
                        if strictQuotes {
                            let badLine = curLine, badOffset = p
                            while p < n, bytes[p] != 0x0A { p += 1 }
                            pos = p < n ? p + 1 : n
                            line = curLine + 1
                            return .problem("unexpected text after a closing quote (a quote inside a quoted field must be doubled)",
                                            line: badLine, offset: badOffset)
                        }
                        field.append(bytes[p])
                    }
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
