import Yams

/// Reads a YAML inventory into raw rows, keeping each entry's line and each value's line and column.
enum InventoryYAML {
    static func rows(_ bytes: [UInt8], file: String, report: inout InventoryReport) throws(AttributionError) -> [RawInventoryRow] {
        let text = String(decoding: bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? Array(bytes.dropFirst(3)) : bytes, as: UTF8.self)
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let e as YamlError {
            switch e {
            case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
                throw AttributionError(.syntax, file: file, line: mark.line, column: mark.column, "YAML: \(problem)")
            default:
                throw AttributionError(.syntax, file: file, "YAML: \(e)")
            }
        } catch {
            throw AttributionError(.syntax, file: file, "YAML: \(error)")
        }
        guard var list = root else { throw AttributionError(.format, file: file, "empty inventory: no entries") }
        if case .mapping(let m) = list, let entries = m["entries"] { list = entries }
        guard case .sequence(let seq) = list else {
            throw AttributionError(.format, file: file, line: list.mark?.line,
                                   "a YAML inventory is a list of entries (or a mapping with an 'entries' list)")
        }
        var out = [RawInventoryRow]()
        var warnedKeys = Set<String>()
        for item in seq {
            let line = item.mark?.line ?? 0
            guard case .mapping(let map) = item else {
                report.rowsRead += 1
                report.rowsSkipped += 1
                report.skippedByKind[.syntax, default: 0] += 1
                report.problems.append(AttributionError(.syntax, file: file, line: line, column: item.mark?.column,
                                                        "an inventory entry must be a mapping of column: value"))
                continue
            }
            var row = RawInventoryRow(line: line)
            for (k, v) in map {
                let key = k.string ?? ""
                guard let col = InventoryColumn(header: key) else {
                    if warnedKeys.insert(key).inserted {
                        report.ignoredColumns.append(key)
                        report.problems.append(AttributionError(.unknownColumn, severity: .warning, file: file, line: k.mark?.line,
                                                                column: k.mark?.column, "key '\(key)' is not an inventory column; ignored"))
                    }
                    continue
                }
                switch v {
                case .scalar(let s):
                    // YAML's null (`~`, `null`, empty) means "not given".
                    let isNull = s.style == .plain && ["", "~", "null", "Null", "NULL"].contains(s.string)
                    row[col] = (isNull ? "" : s.string, v.mark?.line, v.mark?.column)
                default:
                    // A non-scalar value cannot be a cell: make it fail validation visibly.
                    row[col] = ("<\(v.mark.map { "non-scalar at \($0)" } ?? "non-scalar")>", v.mark?.line, v.mark?.column)
                    if col == .cidr || col == .segment || col == .region || col == .country { continue }
                    row[col] = nil
                    report.problems.append(AttributionError(.syntax, severity: .warning, file: file, line: v.mark?.line, column: v.mark?.column,
                                                            "'\(key)' must be a plain value; ignored"))
                }
            }
            out.append(row)
        }
        return out
    }
}
