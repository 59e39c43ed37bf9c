import Analytics
import EventStore
import Foundation

/// The output formats of `dnsight report`.
public enum ReportFormat: String, Hashable, Sendable, CaseIterable {
    /// One self-contained HTML file with inline SVG charts.
    case html
    /// Markdown.
    case md
    /// JSON: the whole ``ReportData`` with every numerator and denominator.
    case json
    /// A folder of CSV files, one per table (plus findings).
    case csv
}

/// Renders ``ReportData`` in each format.
public enum ReportRenderer {
    /// JSON text (sorted keys, pretty-printed).
    public static func json(_ data: ReportData) throws(ReportError) -> String {
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        do { return String(decoding: try enc.encode(data), as: UTF8.self) } catch {
            throw ReportError(.output("\(error)"), context: "encode JSON")
        }
    }

    /// One CSV text per table, by file name (`<table id>.csv`), plus `findings.csv`. Columns: the label columns, then
    /// for each measure `<m>_numerator`, `<m>_denominator`, `<m>_share`, `<m>_suppressed`.
    public static func csv(_ data: ReportData) -> [String: String] {
        func q(_ s: String) -> String {
            s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" }) ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
        }
        var out: [String: String] = [:]
        for t in data.tables {
            var header = t.labelColumns
            for m in t.measureColumns { header += ["\(m)_numerator", "\(m)_denominator", "\(m)_share", "\(m)_suppressed"] }
            var lines = [header.map(q).joined(separator: ",")]
            for r in t.rows {
                var f = r.labels
                for c in r.cells {
                    f += [c.numerator.map(String.init) ?? "", c.denominator.map(String.init) ?? "",
                          c.share.map { String(format: "%.6f", $0) } ?? "", c.suppressed ? "true" : "false"]
                }
                lines.append(f.map(q).joined(separator: ","))
            }
            out["\(t.id).csv"] = lines.joined(separator: "\n") + "\n"
        }
        out["findings.csv"] = (["finding"] + data.findings).map(q).joined(separator: "\n") + "\n"
        return out
    }

    /// Markdown text.
    public static func markdown(_ data: ReportData) -> String {
        let loc = Localizer(ReportLanguage(rawValue: data.language) ?? .en)
        let v = View(data: data, loc: loc)
        var s = "# \(loc.t("title"))\n\n\(loc.t("range")): \(v.rangeText)\n\n## \(loc.t("findings"))\n\n"
        for f in data.findings { s += "- \(f)\n" }
        for section in v.sections {
            s += "\n## \(section.title)\n"
            for t in section.tables {
                s += "\n### \(t.title)\n\n"
                s += "| " + t.header.joined(separator: " | ") + " |\n"
                s += "|" + t.header.map { _ in " --- " }.joined(separator: "|") + "|\n"
                for r in t.rows {
                    s += "| " + r.map { ($0 == View.ransomwareMark ? t.ransomwareText : $0).replacingOccurrences(of: "|", with: "\\|") }
                        .joined(separator: " | ") + " |\n"
                }
            }
        }
        s += "\n## \(loc.t("methodology"))\n\n"
        for p in v.methodologyParagraphs { s += p + "\n\n" }
        for t in v.methodologyTables {
            s += "### \(t.title)\n\n| " + t.header.joined(separator: " | ") + " |\n|" + t.header.map { _ in " --- " }.joined(separator: "|") + "|\n"
            for r in t.rows { s += "| " + r.joined(separator: " | ") + " |\n" }
            s += "\n"
        }
        s += "### \(loc.t("m.definitions"))\n\n"
        for d in loc.definitions(data.options) { s += "- \(d)\n" }
        s += "\n### \(loc.t("m.suppression"))\n\n" + String(format: loc.t("suppressed.note"), data.minimumDevices) + "\n"
        return s
    }

    /// One self-contained HTML document.
    public static func html(_ data: ReportData) -> String {
        let loc = Localizer(ReportLanguage(rawValue: data.language) ?? .en)
        let v = View(data: data, loc: loc)
        let e = SVGChart.esc
        var s = """
        <!DOCTYPE html>
        <html lang="\(data.language)">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(e(loc.t("title"))) — \(e(v.rangeText))</title>
        <style>
        body { font-family: system-ui, -apple-system, "Segoe UI", "Noto Sans CJK JP", "Noto Sans JP", sans-serif; color: #1d232b; margin: 0; background: #fff; }
        main { max-width: 980px; margin: 0 auto; padding: 24px 32px 64px; }
        header.cover { background: #0f2f57; color: #fff; padding: 36px 32px; }
        header.cover h1 { margin: 0 0 6px; font-size: 30px; }
        header.cover p { margin: 0; opacity: .85; }
        h2 { border-bottom: 2px solid #0f2f57; padding-bottom: 4px; margin-top: 40px; }
        h3 { margin-top: 28px; font-size: 17px; }
        ul.findings li { margin: 6px 0; line-height: 1.5; }
        figure { margin: 16px 0 24px; }
        figcaption { font-weight: 600; margin-bottom: 6px; }
        svg.chart { max-width: 100%; height: auto; font-size: 12px; }
        svg .label, svg .legend { fill: #1d232b; }
        svg .value { fill: #333; } svg .small { font-size: 10px; } svg .muted { fill: #999; font-style: italic; }
        svg .axis { fill: #555; font-size: 11px; } svg .grid { stroke: #e3e6ea; }
        table { border-collapse: collapse; width: 100%; font-size: 13px; margin: 8px 0 20px; }
        th, td { border-bottom: 1px solid #e3e6ea; padding: 4px 8px; text-align: left; vertical-align: top; }
        td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
        th { background: #f3f5f8; }
        .badge { background: #c23b3b; color: #fff; border-radius: 3px; padding: 0 5px; font-size: 11px; }
        .note { color: #555; font-size: 13px; }
        details summary { cursor: pointer; font-weight: 600; margin: 10px 0; }
        footer { color: #777; font-size: 12px; margin-top: 48px; }
        @media print {
          header.cover { background: none; color: #000; border-bottom: 3px solid #0f2f57; }
          main { max-width: none; padding: 0 12mm; }
          figure, table, h3 { break-inside: avoid; }
          h2, h3 { break-after: avoid; }
          details { display: none; }
          a { color: inherit; text-decoration: none; }
        }
        </style>
        </head>
        <body>
        <header class="cover"><h1>\(e(loc.t("title")))</h1><p>\(e(loc.t("subtitle")))</p><p>\(e(loc.t("range"))): \(e(v.rangeText))</p></header>
        <main>
        <section id="findings"><h2>\(e(loc.t("findings")))</h2><ul class="findings">
        """
        for f in data.findings { s += "<li>\(e(f))</li>" }
        s += "</ul></section>\n"
        for section in v.sections {
            s += "<section id=\"\(section.id)\"><h2>\(e(section.title))</h2>\n"
            for c in section.charts { s += "<figure><figcaption>\(e(c.title))</figcaption>\(c.svg)</figure>\n" }
            for t in section.tables { s += htmlTable(t) }
            s += "</section>\n"
        }
        s += "<section id=\"methodology\"><h2>\(e(loc.t("methodology")))</h2>\n"
        for p in v.methodologyParagraphs { s += "<p>\(e(p))</p>" }
        for t in v.methodologyTables { s += htmlTable(t) }
        s += "<h3>\(e(loc.t("m.definitions")))</h3><ul>"
        for d in loc.definitions(data.options) { s += "<li>\(e(d))</li>" }
        s += "</ul><h3>\(e(loc.t("m.suppression")))</h3><p>\(e(String(format: loc.t("suppressed.note"), data.minimumDevices)))</p></section>\n"
        s += "<section id=\"tables\"><h2>\(e(loc.t("tables")))</h2>"
        for t in v.appendixTables { s += "<details><summary>\(e(t.title))</summary>\(htmlTable(t, heading: false))</details>" }
        s += "</section><footer>\(e(loc.t("generated"))) · \(e(data.from)) – \(e(data.to))</footer>\n</main>\n</body>\n</html>\n"
        return s
    }

    static func htmlTable(_ t: View.Table, heading: Bool = true) -> String {
        let e = SVGChart.esc
        var s = heading ? "<h3>\(e(t.title))</h3>" : ""
        s += "<table data-table=\"\(e(t.id))\"><thead><tr>" + t.header.map { "<th>\(e($0))</th>" }.joined() + "</tr></thead><tbody>"
        for r in t.rows {
            s += "<tr>" + r.enumerated().map { i, c in
                let cls = i >= t.labelCount ? " class=\"num\"" : ""
                let text = c == View.ransomwareMark ? "<span class=\"badge\">\(e(t.ransomwareText))</span>" : e(c)
                return "<td\(cls)>\(text)</td>"
            }.joined() + "</tr>"
        }
        return s + "</tbody></table>\n"
    }

    /// Writes a report to `path` (for `csv`, a folder that is created if needed).
    public static func write(_ data: ReportData, format: ReportFormat, to path: String) throws(ReportError) {
        do {
            switch format {
            case .html: try html(data).write(toFile: path, atomically: true, encoding: .utf8)
            case .md: try markdown(data).write(toFile: path, atomically: true, encoding: .utf8)
            case .json: try json(data).write(toFile: path, atomically: true, encoding: .utf8)
            case .csv:
                try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
                for (name, text) in csv(data) { try text.write(toFile: path + "/" + name, atomically: true, encoding: .utf8) }
            }
        } catch let e as ReportError {
            throw e
        } catch {
            throw ReportError(.output("\(error)"), context: path)
        }
    }
}
