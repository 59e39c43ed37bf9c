/// An RFC 4180 CSV reader over bytes: comma-separated fields, optional double quotes around a field, `""` for a
/// quote inside one, quoted fields that hold commas and line breaks; CRLF or LF line ends; a UTF-8 byte order mark
/// is skipped. Unquoted fields are trimmed of spaces and tabs. A line that starts with `#` is a comment.
///
/// Syntax errors are reported per record with the line they start on, and reading goes on at the next line, so
/// that one stray quote costs one row, not the rest of the file.
struct InventoryCSVReader {
    /// One record: its fields and the line it starts on.
    struct Record {
        var fields: [String]
        var line: Int
    }

    /// What went wrong in one record.
    struct SyntaxError: Error {
        var line: Int
        var column: Int
        var message: String
    }

    private let bytes: [UInt8]
    private var pos: Int
    private var line: Int
    /// Byte offset of the start of the current line, for columns.
    private var lineStart: Int

    init(bytes: [UInt8]) {
        self.bytes = bytes
        pos = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        line = 1
        lineStart = pos
    }

    /// The next record, a syntax error (after which reading resumes on the line after the record's start), or nil
    /// at the end. Blank lines and comment lines are skipped.
    mutating func next() -> Result<Record, SyntaxError>? {
        // Skip blank and comment lines.
        while pos < bytes.count {
            let c = bytes[pos]
            if c == 0x0A { newline(at: pos); pos += 1; continue }
            if c == 0x0D && pos + 1 < bytes.count && bytes[pos + 1] == 0x0A { pos += 1; continue }
            if c == UInt8(ascii: "#") {
                while pos < bytes.count && bytes[pos] != 0x0A { pos += 1 }
                continue
            }
            // A line of only spaces/tabs/CR counts as blank.
            var p = pos
            while p < bytes.count && (bytes[p] == 0x20 || bytes[p] == 0x09 || bytes[p] == 0x0D) { p += 1 }
            if p == bytes.count { pos = p; break }
            if bytes[p] == 0x0A { pos = p; continue }
            break
        }
        guard pos < bytes.count else { return nil }

        let startLine = line, startPos = pos, startLineStart = lineStart
        var fields = [String]()
        var field = [UInt8]()
        while true {
            // At the start of a field.
            while pos < bytes.count && (bytes[pos] == 0x20 || bytes[pos] == 0x09) { pos += 1 }
            if pos < bytes.count && bytes[pos] == UInt8(ascii: "\"") {
                let quoteColumn = pos - lineStart + 1, quoteLine = line
                pos += 1
                field.removeAll(keepingCapacity: true)
                var closed = false
                while pos < bytes.count {
                    let c = bytes[pos]
                    if c == UInt8(ascii: "\"") {
                        if pos + 1 < bytes.count && bytes[pos + 1] == UInt8(ascii: "\"") {
                            field.append(c); pos += 2; continue
                        }
                        pos += 1; closed = true; break
                    }
                    if c == 0x0A { newline(at: pos) }
                    field.append(c); pos += 1
                }
                guard closed else {
                    // Unterminated: report it and resume right after the line the record started on.
                    resync(afterLineStartingAt: startPos, line: startLine, lineStart: startLineStart)
                    return .failure(SyntaxError(line: quoteLine, column: quoteColumn,
                                                message: "unterminated quoted field (opened here, never closed)"))
                }
                while pos < bytes.count && (bytes[pos] == 0x20 || bytes[pos] == 0x09) { pos += 1 }
                fields.append(String(decoding: field, as: UTF8.self))
                if pos < bytes.count && bytes[pos] != UInt8(ascii: ",") && bytes[pos] != 0x0A && bytes[pos] != 0x0D {
                    let column = pos - lineStart + 1, badLine = line
                    skipToEndOfLine()
                    return .failure(SyntaxError(line: badLine, column: column,
                                                message: "unexpected text after a closing quote (a quote inside a quoted field must be doubled)"))
                }
            } else {
                let start = pos
                while pos < bytes.count && bytes[pos] != UInt8(ascii: ",") && bytes[pos] != 0x0A { pos += 1 }
                var end = pos
                while end > start && (bytes[end - 1] == 0x20 || bytes[end - 1] == 0x09 || bytes[end - 1] == 0x0D) { end -= 1 }
                fields.append(String(decoding: bytes[start..<end], as: UTF8.self))
            }
            // After a field: a comma, a line end, or the end of input.
            if pos < bytes.count && bytes[pos] == UInt8(ascii: ",") { pos += 1; continue }
            if pos < bytes.count && bytes[pos] == 0x0D { pos += 1 }
            if pos < bytes.count && bytes[pos] == 0x0A { newline(at: pos); pos += 1 }
            return .success(Record(fields: fields, line: startLine))
        }
    }

    private mutating func newline(at p: Int) {
        line += 1
        lineStart = p + 1
    }

    private mutating func skipToEndOfLine() {
        while pos < bytes.count && bytes[pos] != 0x0A { pos += 1 }
        if pos < bytes.count { newline(at: pos); pos += 1 }
    }

    private mutating func resync(afterLineStartingAt start: Int, line startLine: Int, lineStart: Int) {
        pos = start
        line = startLine
        self.lineStart = lineStart
        skipToEndOfLine()
    }
}
