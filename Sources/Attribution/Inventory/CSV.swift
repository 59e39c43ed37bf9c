import DNSightCore

/// The inventory's view of ``DNSightCore/CSVReader``: RFC 4180 with strict quotes (text after a closing quote is an
/// error), `#` comment lines skipped, a UTF-8 byte order mark skipped, unquoted fields trimmed of spaces and tabs,
/// CRLF or LF line ends. Syntax errors come with the line and the column (in bytes, from 1) where they are, and
/// reading goes on at the next line, so that one stray quote costs one row, not the rest of the file.
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
    private var reader: CSVReader

    init(bytes: [UInt8]) {
        self.bytes = bytes
        reader = CSVReader(bytes)
        reader.strictQuotes = true
    }

    /// The next record, a syntax error, or nil at the end. Blank lines and comment lines are skipped.
    mutating func next() -> Result<Record, SyntaxError>? {
        while let event = reader.next() {
            switch event {
            case .comment: continue
            case .record(let fields, let line, _): return .success(Record(fields: fields, line: line))
            case .problem(let message, let line, let offset):
                // The column counts from the start of the line (after a byte order mark on the first).
                var start = offset
                while start > 0 && bytes[start - 1] != 0x0A { start -= 1 }
                if start == 0 && bytes.starts(with: [0xEF, 0xBB, 0xBF]) { start = 3 }
                return .failure(SyntaxError(line: line, column: offset - start + 1, message: message))
            }
        }
        return nil
    }
}
