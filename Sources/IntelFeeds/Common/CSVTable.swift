import DNSightCore

/// CSV read by header name: the header is the first record, or a commented line (`# id,dateadded,url,…`) just
/// before the data, whichever names the required columns.
struct CSVTable {
    struct Row {
        var fields: [String]
        var line: Int
        var offset: Int
        let columns: [String: Int]

        /// The trimmed value of a column, or "" when the column is absent or the row is short.
        subscript(_ name: String) -> String {
            guard let i = columns[name], i < fields.count else { return "" }
            return fields[i].trimmingSpaces()
        }

        func first(_ names: String...) -> String {
            for n in names { let v = self[n]; if !v.isEmpty { return v } }
            return ""
        }

        var excerpt: String { fields.joined(separator: ",") }
    }

    /// Reads every row. `isHeader` decides whether a list of lower-cased column names is the header. Rows before the
    /// header, and problems, go to `problem`.
    static func read(
        _ bytes: [UInt8], isHeader: ([String]) -> Bool,
        comment: (String, Int) -> Void = { _, _ in },
        problem: (String, Int, Int, String) -> Void,
        row: (Row) -> Void
    ) -> Bool {
        var reader = CSVReader(bytes)
        var columns: [String: Int]? = nil
        func makeHeader(_ names: [String]) -> [String: Int] {
            var h: [String: Int] = [:]
            for (i, n) in names.enumerated() { h[n] = h[n] ?? i }
            return h
        }
        while let e = reader.next() {
            switch e {
            case .comment(let text, let line, _):
                if columns == nil {
                    var inner = CSVReader(Array(text.utf8), comment: nil)
                    if case .record(let f, _, _)? = inner.next() {
                        let names = f.map { $0.trimmingSpaces().lowercased() }
                        if isHeader(names) { columns = makeHeader(names); continue }
                    }
                }
                comment(text, line)
            case .problem(let why, let line, let offset):
                problem(why, line, offset, "")
            case .record(let fields, let line, let offset):
                if columns == nil {
                    let names = fields.map { $0.trimmingSpaces().lowercased() }
                    if isHeader(names) { columns = makeHeader(names); continue }
                    problem("a row before the CSV header", line, offset, fields.joined(separator: ","))
                    continue
                }
                row(Row(fields: fields, line: line, offset: offset, columns: columns!))
            }
        }
        return columns != nil
    }
}

extension FeedParseResult {
    /// The `url` cell of a row, or `nil` after recording a malformed-row diagnostic when it is empty or not a URL.
    mutating func urlCell(_ row: CSVTable.Row, file: String) -> String? {
        let url = row["url"]
        guard !url.isEmpty else {
            malformed("row without a url", line: row.line, offset: row.offset, excerpt: row.excerpt, file: file)
            return nil
        }
        guard HostText.findScheme(HostText.refang(Array(url.utf8)[...])) != nil else {
            malformed("not a URL (expected scheme://host/…)", line: row.line, offset: row.offset, excerpt: url, file: file)
            return nil
        }
        return url
    }
}
