import Analytics
import EventStore

/// The report laid out for people: sections with their charts and tables, localised — shared by the HTML and
/// Markdown renderers.
struct View {
    let data: ReportData
    let loc: Localizer

    static let ransomwareMark = "\u{1}ransomware"

    struct Table {
        var id: String
        var title: String
        var header: [String]
        var rows: [[String]]
        var labelCount: Int
        var ransomwareText: String
    }

    struct Chart {
        var id: String
        var title: String
        var svg: String
    }

    struct Section {
        var id: String
        var title: String
        var charts: [Chart]
        var tables: [Table]
    }

    var periodsByLabel: [String: ReportPeriod] {
        var d: [String: ReportPeriod] = [:]
        for p in data.periods + data.halves + [data.summaryPeriod] { d[p.label] = p }
        return d
    }

    var summary: String { data.summaryPeriod.label }

    var rangeText: String { loc.ja ? "\(data.from)〜\(data.to)（UTC）" : "\(data.from) to \(data.to) (UTC)" }

    var dash: String { "—" }

    /// `12% (12 / 100)`, or a dash when suppressed.
    func text(_ c: ReportCell, ratio: Bool = false) -> String {
        guard !c.suppressed, let n = c.numerator, let d = c.denominator else { return dash }
        guard let s = c.share else { return "\(loc.integer(n)) / \(loc.integer(d))" }
        return ratio ? "\(loc.times(s)) (\(loc.integer(n)) / \(loc.integer(d)))" : "\(loc.percent(s)) (\(loc.integer(n)) / \(loc.integer(d)))"
    }

    func short(_ c: ReportCell) -> String { c.share.map(loc.percent) ?? dash }

    /// A bar's label: the figure with its numerator and denominator, or "suppressed".
    func barText(_ c: ReportCell) -> String { c.suppressed ? loc.t("suppressed") : text(c) }

    /// A chart label: the share, "suppressed", or 0% for a cell the data has no row for (nothing was counted).
    func chartText(_ c: ReportCell?) -> String {
        guard let c else { return loc.percent(0) }
        return c.suppressed ? loc.t("suppressed") : short(c)
    }

    func table(_ id: String) -> ReportTable { data.table(id) ?? ReportTable(id: id, labelColumns: [], measureColumns: []) }

    func share(_ id: String, _ match: [String: String], column: Int = 0) -> ReportCell? {
        table(id).rows(where: match).first?.cells[column]
    }

    // MARK: Sections

    var sections: [Section] {
        [organisations, devices, families, home, phishing, chains, nod]
    }

    var periodNames: [String] { data.periods.map { loc.period($0) } }

    var organisations: Section {
        let groups = ReportBuilder.regionGroups
        let series = groups.map { g -> (name: String, values: [Double?], texts: [String]) in
            let cells = data.periods.map { share("organisations-c2", ["period": $0.label, "dimension": g == Analytics.total ? "all" : "region", "group": g]) }
            return (loc.region(g), cells.map { $0?.share }, cells.map { $0.map { text($0) } ?? dash })
        }
        let trend = Chart(id: "orgs-c2-trend", title: loc.t("chart.orgs-c2-trend"),
                          svg: SVGChart.lines(id: "orgs-c2-trend", title: loc.t("chart.orgs-c2-trend"), x: periodNames, series: series, percent: true))
        let ind = table("c2-organisations-by-industry").rows(where: ["period": summary, "segment": "enterprise"])
        let byIndustry = Chart(id: "orgs-c2-industry", title: loc.t("chart.orgs-c2-industry"),
                               svg: SVGChart.bars(id: "orgs-c2-industry", title: loc.t("chart.orgs-c2-industry"),
                                                  items: ind.map { (loc.industry($0.labels[2]), $0.cells[0].share, barText($0.cells[0])) }))
        var rows: [[String]] = []
        for p in data.periods + (data.periods.count > 1 ? [data.summaryPeriod] : []) {
            var r = [loc.period(p)]
            for g in groups {
                r.append(share("organisations-c2", ["period": p.label, "dimension": g == Analytics.total ? "all" : "region", "group": g]).map { text($0) } ?? dash)
            }
            rows.append(r)
        }
        let t = Table(id: "orgs-c2", title: loc.t("table.organisations-c2"), header: [loc.t("col.period")] + groups.map(loc.region),
                      rows: rows, labelCount: 1, ransomwareText: loc.t("ransomware"))
        return Section(id: "organisations", title: loc.t("organisations"), charts: [trend, byIndustry],
                       tables: [t, topC2ByOrganisations(segment: "enterprise"), topThreats(segment: "enterprise", ranking: "devices")])
    }

    func topC2ByOrganisations(segment: String) -> Table {
        let tt = table("top-c2-threats-by-organisations")
        var rows: [[String]] = []
        for g in ReportBuilder.regionGroups {
            for r in tt.rows(where: ["period": summary, "region": g, "segment": segment]) {
                rows.append([loc.region(g), r.labels[3], r.labels[4], r.labels[6] == "yes" ? View.ransomwareMark : "",
                             text(r.cells[0]), text(r.cells[1]), text(r.cells[2])])
            }
        }
        return Table(id: "top-c2-orgs-\(segment)", title: "\(loc.t("top.c2orgs")) — \(loc.segment(segment))",
                     header: [loc.t("col.region"), loc.t("col.rank"), loc.t("col.family"), loc.t("col.ransomware"),
                              loc.t("col.organisations"), loc.t("col.devices"), loc.t("col.queries")],
                     rows: rows, labelCount: 4, ransomwareText: loc.t("ransomware"))
    }

    func topThreats(segment: String, ranking: String) -> Table {
        let tt = table("top-threats")
        var rows: [[String]] = []
        for g in ReportBuilder.regionGroups {
            for r in tt.rows(where: ["period": summary, "region": g, "segment": segment, "ranking": ranking]) {
                rows.append([loc.region(g), r.labels[4], r.labels[5], r.labels[7] == "yes" ? View.ransomwareMark : "",
                             loc.value("categories", r.labels[6], periods: [:]), text(r.cells[0]), text(r.cells[1]), text(r.cells[2])])
            }
        }
        return Table(id: "top-\(segment)-\(ranking)", title: "\(loc.t(ranking == "devices" ? "top.devices" : "top.queries")) — \(loc.segment(segment))",
                     header: [loc.t("col.region"), loc.t("col.rank"), loc.t("col.family"), loc.t("col.ransomware"), loc.t("col.categories"),
                              loc.t("col.devices"), loc.t("col.queries"), loc.t("col.organisations")],
                     rows: rows, labelCount: 5, ransomwareText: loc.t("ransomware"))
    }

    var devices: Section {
        let cats = StoreVocabulary.categories
        let series = cats.map { c -> (name: String, values: [Double?], texts: [String]) in
            let cells = data.periods.map { share("affected-devices", ["period": $0.label, "dimension": "all", "group": Analytics.total, "category": c]) }
            return (loc.category(c), cells.map { $0?.share }, cells.map { $0.map { text($0) } ?? dash })
        }
        let trend = Chart(id: "affected-trend", title: loc.t("chart.affected-trend"),
                          svg: SVGChart.lines(id: "affected-trend", title: loc.t("chart.affected-trend"), x: periodNames, series: series, percent: true))
        let types = table("device-types").rows(where: ["period": summary, "category": "any"])
        let typeChart = Chart(id: "device-types", title: loc.t("chart.device-types"),
                              svg: SVGChart.bars(id: "device-types", title: loc.t("chart.device-types"),
                                                 items: types.map { (loc.deviceType($0.labels[2]), $0.cells[0].share, barText($0.cells[0])) }, color: SVGChart.palette[2]))
        var rows: [[String]] = []
        for p in data.periods + (data.periods.count > 1 ? [data.summaryPeriod] : []) {
            var r = [loc.period(p)]
            for c in ["any"] + cats {
                r.append(share("affected-devices", ["period": p.label, "dimension": "all", "group": Analytics.total, "category": c]).map { text($0) } ?? dash)
            }
            r.insert(share("devices-seen", ["period": p.label, "dimension": "all", "group": Analytics.total]).flatMap { $0.numerator.map(loc.integer) } ?? dash, at: 1)
            rows.append(r)
        }
        let t = Table(id: "affected", title: loc.t("table.affected-devices"),
                      header: [loc.t("col.period"), loc.t("table.devices-seen")] + (["any"] + cats).map(loc.category),
                      rows: rows, labelCount: 1, ransomwareText: "")
        return Section(id: "devices", title: loc.t("devices"), charts: [trend, typeChart], tables: [t])
    }

    /// The C2 families shown in the family-share chart: the top five globally over the summary period.
    var chartFamilies: [String] {
        table("family-shares").rows(where: ["period": summary, "region": Analytics.total, "category": "c2"])
            .filter { !$0.labels[3].isEmpty }.prefix(5).map { $0.labels[3] }
    }

    var families: Section {
        let fams = chartFamilies + [""]
        let groups = ReportBuilder.regionGroups.filter { g in !table("family-shares").rows(where: ["period": summary, "region": g, "category": "c2"]).isEmpty }
        let cells = groups.map { g in fams.map { f in share("family-shares", ["period": summary, "region": g, "category": "c2", "family": f]) } }
        let chart = Chart(id: "family-shares", title: loc.t("chart.family-shares"),
                          svg: SVGChart.groupedBars(id: "family-shares", title: loc.t("chart.family-shares"), groups: groups.map(loc.region),
                                                    series: fams.map(loc.family), values: cells.map { $0.map { $0?.share } },
                                                    texts: cells.map { $0.map(chartText) }))
        let reach = table("iab-reach").rows(where: ["period": summary])
        let reachChart = Chart(id: "iab-reach", title: loc.t("chart.iab-reach"),
                               svg: SVGChart.bars(id: "iab-reach", title: loc.t("chart.iab-reach"),
                                                  items: reach.map { (loc.region($0.labels[1]), $0.cells[0].share, barText($0.cells[0])) }, color: SVGChart.palette[1]))
        let rows = table("family-shares").rows(where: ["period": summary, "category": "c2"]).map {
            [loc.region($0.labels[1]), loc.family($0.labels[3]), text($0.cells[0])]
        }
        let t = Table(id: "family-c2", title: loc.t("table.family-shares") + " — C2",
                      header: [loc.t("col.region"), loc.t("col.family"), loc.t("col.share")], rows: rows, labelCount: 2, ransomwareText: "")
        let rt = Table(id: "iab", title: loc.t("table.iab-reach"), header: [loc.t("col.region"), loc.t("col.share")],
                       rows: reach.map { [loc.region($0.labels[1]), text($0.cells[0])] }, labelCount: 1, ransomwareText: "")
        return Section(id: "families", title: loc.t("families"), charts: [chart, reachChart], tables: [t, rt])
    }

    var home: Section {
        let regions = StoreVocabulary.regions
        let cells = regions.map { r in data.halves.map { h in share("flagged-queries", ["period": h.label, "segment": "home", "region": r]) } }
        let chart = Chart(id: "flagged-home", title: loc.t("chart.flagged-home"),
                          svg: SVGChart.groupedBars(id: "flagged-home", title: loc.t("chart.flagged-home"), groups: regions.map(loc.region),
                                                    series: data.halves.map { loc.period($0) },
                                                    values: cells.map { $0.map { c in c.flatMap { $0.numerator.map(Double.init) } } },
                                                    texts: cells.map { $0.map { c in c.map { $0.numerator.map(loc.large) ?? loc.t("suppressed") } ?? "0" } }))
        var rows: [[String]] = []
        for h in data.halves {
            for r in table("flagged-query-ratios").rows(where: ["period": h.label, "segment": "home"]) {
                rows.append([loc.period(h), loc.region(r.labels[2]), loc.region(r.labels[3]), text(r.cells[0], ratio: true)])
            }
        }
        let t = Table(id: "ratios", title: loc.t("table.flagged-query-ratios"),
                      header: [loc.t("col.period"), loc.t("col.region"), loc.t("col.versus"), loc.t("col.ratio")], rows: rows, labelCount: 3, ransomwareText: "")
        var frows: [[String]] = []
        for h in data.halves {
            for r in table("flagged-queries").rows(where: ["period": h.label, "segment": "home"]) {
                frows.append([loc.period(h), loc.region(r.labels[2]), text(r.cells[0])])
            }
        }
        let ft = Table(id: "flagged", title: loc.t("table.flagged-queries") + " — " + loc.segment("home"),
                       header: [loc.t("col.period"), loc.t("col.region"), loc.t("col.share")], rows: frows, labelCount: 2, ransomwareText: "")
        return Section(id: "home", title: loc.t("home"), charts: [chart], tables: [ft, t, topThreats(segment: "home", ranking: "queries")])
    }

    var phishing: Section {
        let camp = table("phishing-campaigns").rows(where: ["period": summary])
        let vict = table("phishing-victims").rows(where: ["period": summary])
        var industries: [String] = []
        for r in camp + vict where !industries.contains(r.labels[1]) { industries.append(r.labels[1]) }
        let cells = industries.map { i in [camp.first { $0.labels[1] == i }?.cells[0], vict.first { $0.labels[1] == i }?.cells[0]] }
        let chart = Chart(id: "phishing", title: loc.t("chart.phishing"),
                          svg: SVGChart.groupedBars(id: "phishing", title: loc.t("chart.phishing"), groups: industries.map(loc.industry),
                                                    series: [loc.t("legend.campaigns"), loc.t("legend.victims")],
                                                    values: cells.map { $0.map { $0?.share } }, texts: cells.map { $0.map(chartText) }))
        let t = Table(id: "phish", title: loc.t("table.phishing-campaigns"),
                      header: [loc.t("col.industry"), loc.t("legend.campaigns"), loc.t("legend.victims")],
                      rows: industries.indices.map { [loc.industry(industries[$0]), cells[$0][0].map { text($0) } ?? dash, cells[$0][1].map { text($0) } ?? dash] },
                      labelCount: 1, ransomwareText: "")
        return Section(id: "phishing", title: loc.t("phishing"), charts: [chart], tables: [t])
    }

    var chains: Section {
        let rows = table("chains").rows(where: ["period": summary])
        let chart = Chart(id: "chains", title: loc.t("chart.chains"),
                          svg: SVGChart.bars(id: "chains", title: loc.t("chart.chains"),
                                             items: rows.map { (loc.region($0.labels[1]), $0.cells[0].share, barText($0.cells[0])) }, color: SVGChart.palette[3]))
        let t = Table(id: "chain", title: loc.t("table.chains"), header: [loc.t("col.region"), loc.t("col.share")],
                      rows: rows.map { [loc.region($0.labels[1]), text($0.cells[0])] }, labelCount: 1, ransomwareText: "")
        return Section(id: "chains", title: loc.t("chains"), charts: [chart], tables: [t])
    }

    var nod: Section {
        let t = table("newly-observed-domains")
        let rows = data.periods.compactMap { p in t.rows(where: ["period": p.label]).first.map { r in
            [loc.period(p), "\(r.labels[1]) – \(r.labels[2])", text(r.cells[0]), text(r.cells[1])]
        } }
        return Section(id: "nod", title: loc.t("nod"), charts: [], tables: [
            Table(id: "nod", title: loc.t("table.newly-observed-domains"),
                  header: [loc.t("col.period"), loc.t("col.window-from") + " – " + loc.t("col.window-to"),
                           loc.t("col.malicious-share-of-resolving"), loc.t("col.malicious-share")],
                  rows: rows, labelCount: 2, ransomwareText: ""),
        ])
    }

    // MARK: Methodology

    var methodologyParagraphs: [String] {
        let c = data.context
        let days = Day(iso: data.from)!.distance(to: Day(iso: data.to)!) + 1
        let kind = loc.periodKindPlural(data.periodKind)
        if loc.ja {
            var p = ["本レポートは\(rangeText)（\(days)日間）を対象とし、推移は\(kind)で集計しています。この期間にストアには\(loc.integer(c.organisationsInRange))組織の\(loc.integer(c.devicesInRange))台のデバイスから\(loc.integer(c.queriesInRange))件のクエリがあり、そのうち\(loc.integer(c.flaggedInRange))件が悪性と判定されました。ストア全体では\(loc.integer(c.store.devices))台のデバイス、\(loc.integer(c.store.detections))件の検知（証拠付き）、\(loc.integer(c.store.domains))件のドメインの初回観測記録を保持しています。"]
            if c.runs.isEmpty { p.append(loc.t("m.no-runs")) } else {
                let stopped = c.runs.filter { $0.finishedNanos == 0 }.count
                p.append("データは\(c.runs.count)回の取り込み（\(c.runs.first!.tool)）で作成されました。" + (stopped == 0 ? "" : "そのうち\(stopped)回は完了していません（中断または実行中）。確定した分はストアに残り、同じ入力で再実行すると続きから取り込みます。"))
                if c.runs.allSatisfy(\.detectors.isEmpty) { p.append(loc.t("m.no-detectors")) }
            }
            return p
        }
        var p = ["This report covers \(rangeText), \(days) days, with trends in \(kind). In that range the store holds \(loc.integer(c.queriesInRange)) queries from \(loc.integer(c.devicesInRange)) devices of \(loc.integer(c.organisationsInRange)) organisations, of which \(loc.integer(c.flaggedInRange)) were flagged as malicious. In all, the store knows \(loc.integer(c.store.devices)) devices and keeps \(loc.integer(c.store.detections)) detections with their evidence and the first sighting of \(loc.integer(c.store.domains)) domains."]
        if c.runs.isEmpty { p.append(loc.t("m.no-runs")) } else {
            let stopped = c.runs.filter { $0.finishedNanos == 0 }.count
            p.append("The data comes from \(c.runs.count) ingest run\(c.runs.count == 1 ? "" : "s") (\(c.runs.first!.tool))"
                     + (stopped == 0 ? "." : "; \(stopped) of them did not finish (interrupted, or still running): the store keeps what they committed, and a run over the same inputs resumes after it."))
            if c.runs.allSatisfy(\.detectors.isEmpty) { p.append(loc.t("m.no-detectors")) }
        }
        return p
    }

    var methodologyTables: [Table] {
        let runs = data.context.runs
        guard !runs.isEmpty else { return [] }
        var sources: [[String]] = []
        for r in runs { for s in r.sources { sources.append([s.name, s.format, loc.integer(s.events), loc.integer(s.malformed)]) } }
        var feeds: [String: [String]] = [:], feedOrder: [String] = []
        for r in runs { for f in r.feeds { if feeds[f.name + "\u{0}" + f.format] == nil { feedOrder.append(f.name + "\u{0}" + f.format) }
            feeds[f.name + "\u{0}" + f.format] = [f.name, f.format, loc.integer(f.indicators)] } }
        var dets: [String: [String]] = [:], detOrder: [String] = []
        for r in runs { for d in r.detectors { if dets[d.name] == nil { detOrder.append(d.name) }
            dets[d.name] = [d.name, d.parameters.map { $0.joined(separator: " = ") }.joined(separator: ", ")] } }
        return [
            Table(id: "m-sources", title: loc.t("m.sources"), header: [loc.t("m.col.source"), loc.t("m.col.format"), loc.t("m.col.events"), loc.t("m.col.malformed")],
                  rows: sources, labelCount: 2, ransomwareText: ""),
            Table(id: "m-feeds", title: loc.t("m.feeds"), header: [loc.t("m.col.feed"), loc.t("m.col.format"), loc.t("m.col.indicators")],
                  rows: feedOrder.map { feeds[$0]! }, labelCount: 2, ransomwareText: ""),
        ] + (detOrder.isEmpty ? [] : [
            Table(id: "m-detectors", title: loc.t("m.detectors"), header: [loc.t("m.col.detector"), loc.t("m.col.parameters")],
                  rows: detOrder.map { dets[$0]! }, labelCount: 2, ransomwareText: ""),
        ])
    }

    /// Every table of the data, in full.
    var appendixTables: [Table] {
        let periods = periodsByLabel
        return data.tables.map { t in
            Table(id: "all-\(t.id)", title: loc.t("table.\(t.id)"),
                  header: t.labelColumns.map { loc.t("col.\($0)") } + t.measureColumns.map { loc.t("col.\($0)") },
                  rows: t.rows.map { r in
                      zip(t.labelColumns, r.labels).map { loc.value($0, $1, periods: periods) }
                          + r.cells.map { text($0, ratio: t.id == "flagged-query-ratios") }
                  },
                  labelCount: t.labelColumns.count, ransomwareText: "")
        }
    }
}
