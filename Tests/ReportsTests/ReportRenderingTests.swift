import Analytics
import EventStore
import Foundation
@testable import Reports
import SQLiteStore
import StoreFixtures
import Testing

/// The build folder (`.build`, or the --scratch-path), found from the test bundle's location.
func buildFolder() -> URL {
    var u = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    while u.path != "/" {
        if u.lastPathComponent.hasPrefix(".build") { return u }
        u = u.deletingLastPathComponent()
    }
    return URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(".build")
}

/// The built `dnsight` binary, next to the test bundle in the build products folder.
func dnsightBinary() throws -> String {
    let dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    for candidate in [dir, dir.deletingLastPathComponent()] {
        let p = candidate.appendingPathComponent("dnsight").path
        if FileManager.default.isExecutableFile(atPath: p) { return p }
    }
    throw CocoaError(.fileNoSuchFile)
}

func chromium() -> String? {
    for p in ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"] where FileManager.default.isExecutableFile(atPath: p) {
        return p
    }
    return nil
}

/// Runs a program, returning (status, stdout, stderr); the outputs go through files so that neither can block it.
func run(_ path: String, _ args: [String]) throws -> (Int32, String, String) {
    let dir = tempDir()
    _ = FileManager.default.createFile(atPath: dir + "/out", contents: nil)
    _ = FileManager.default.createFile(atPath: dir + "/err", contents: nil)
    let out = FileHandle(forWritingAtPath: dir + "/out")!, err = FileHandle(forWritingAtPath: dir + "/err")!
    let p = Process()
    p.executableURL = URL(fileURLWithPath: path)
    p.arguments = args
    p.standardOutput = out
    p.standardError = err
    try p.run()
    p.waitUntilExit()
    try out.close()
    try err.close()
    return (p.terminationStatus, try String(contentsOfFile: dir + "/out", encoding: .utf8), try String(contentsOfFile: dir + "/err", encoding: .utf8))
}

let chromiumRequired = ProcessInfo.processInfo.environment["DNSIGHT_REQUIRE_CHROMIUM"] == "1"

@Suite struct ReportRenderingTests {
    static let fixture = Result { try Fixture(seed: 5) }

    func data(_ lang: ReportLanguage = .en, min: Int = 5) throws -> ReportData {
        let fx = try Self.fixture.get()
        try fx.store.record(run: IngestRun(startedNanos: 0, finishedNanos: 1, tool: "test", sources: [.init(name: "world.jsonl", format: "jsonl", events: 42, malformed: 1)],
                                           feeds: [.init(name: "urlhaus.csv", format: "urlhaus", indicators: 1234)],
                                           detectors: [.init(name: "dga", parameters: [("threshold", "0.9")])], queries: 42, detections: 7))
        return try ReportBuilder.build(from: try fx.store.snapshot(), options: ReportOptions(language: lang, minimumDevices: min))
    }

    /// The number of bars or points each chart must draw, worked out from the report's tables.
    func expectedMarks(_ d: ReportData) -> [String: Int] {
        let s = d.summaryPeriod.label
        func published(_ id: String, _ match: [String: String]) -> [ReportRow] {
            d.table(id)!.rows(where: match).filter { !$0.cells[0].suppressed && $0.cells[0].share != nil }
        }
        var e: [String: Int] = [:]
        e["orgs-c2-trend"] = d.periods.reduce(0) { n, p in
            n + published("organisations-c2", ["period": p.label, "dimension": "all"]).count
                + published("organisations-c2", ["period": p.label, "dimension": "region"]).filter { StoreVocabulary.regions.contains($0.labels[2]) }.count
        }
        e["affected-trend"] = d.periods.reduce(0) { n, p in
            n + published("affected-devices", ["period": p.label, "dimension": "all"]).filter { $0.labels[3] != "any" }.count
        }
        e["orgs-c2-industry"] = published("c2-organisations-by-industry", ["period": s, "segment": "enterprise"]).count
        e["device-types"] = published("device-types", ["period": s, "category": "any"]).count
        let top5 = d.table("family-shares")!.rows(where: ["period": s, "region": "all", "category": "c2"]).map { $0.labels[3] }.filter { !$0.isEmpty }.prefix(5)
        e["family-shares"] = published("family-shares", ["period": s, "category": "c2"]).filter { top5.contains($0.labels[3]) || $0.labels[3].isEmpty }.count
        e["iab-reach"] = published("iab-reach", ["period": s]).count
        e["chains"] = published("chains", ["period": s]).count
        e["flagged-home"] = d.halves.reduce(0) { n, h in n + published("flagged-queries", ["period": h.label, "segment": "home"]).count }
        e["phishing"] = published("phishing-campaigns", ["period": s]).count + published("phishing-victims", ["period": s]).count
        return e
    }

    /// Counts `class="bar"` / `class="point"` marks in each chart of an HTML (or serialised DOM) text.
    func marks(_ html: String) -> [String: Int] {
        var out: [String: Int] = [:]
        for part in html.components(separatedBy: "data-chart=\"").dropFirst() {
            let id = String(part.prefix { $0 != "\"" })
            let body = part.components(separatedBy: "</svg>")[0]
            out[id] = body.components(separatedBy: "class=\"bar\"").count - 1 + body.components(separatedBy: "class=\"point\"").count - 1
        }
        return out
    }

    @Test func htmlIsSelfContainedAndDrawsEveryPublishedCell() throws {
        let d = try data()
        let html = ReportRenderer.html(d)
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        for banned in ["<script", "<link", "<img", "@import", "url(", "https://", "http://cdn"] { #expect(!html.contains(banned), "\(banned)") }
        #expect(html.components(separatedBy: "http://").count - 1 == html.components(separatedBy: "xmlns=\"http://www.w3.org/2000/svg\"").count - 1)
        let want = expectedMarks(d)
        #expect(marks(html) == want)
        #expect(want.values.allSatisfy { $0 > 0 }, "\(want)")
        #expect(html.contains("@media print"))
        for f in d.findings { #expect(html.contains(f.replacingOccurrences(of: "&", with: "&amp;"))) }
        // Methodology generated from what was used.
        #expect(html.contains("urlhaus.csv") && html.contains("1,234") && html.contains("threshold = 0.9"))
    }

    @Test(.enabled(if: chromium() != nil || chromiumRequired, "needs Debian's chromium (CI installs it)"))
    func htmlRendersInHeadlessChromium() throws {
        let browser = try #require(chromium(), "chromium is not installed")
        let d = try data()
        let dir = tempDir()
        let page = dir + "/report.html"
        try ReportRenderer.write(d, format: .html, to: page)
        let common = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--user-data-dir=\(dir)/profile"]
        let (status, dom, log) = try run(browser, common + ["--enable-logging=stderr", "--v=0", "--dump-dom", "file://\(page)"])
        #expect(status == 0)
        // The DOM as Chromium built it has every chart with its marks.
        let want = expectedMarks(d)
        #expect(marks(dom) == want)
        #expect(dom.contains("data-table=\"orgs-c2\""))
        // No console errors.
        let consoleLines = log.split(separator: "\n").filter { $0.contains("CONSOLE") || $0.contains("Uncaught") }
        #expect(consoleLines.isEmpty, "\(consoleLines)")
        // A screenshot for people and CI artifacts.
        let artifacts = buildFolder().appendingPathComponent("artifacts")
        try FileManager.default.createDirectory(at: artifacts, withIntermediateDirectories: true)
        for (lang, name) in [(ReportLanguage.en, "report.png"), (.ja, "report-ja.png")] {
            let p = dir + "/report-\(lang.rawValue).html"
            try ReportRenderer.write(try data(lang), format: .html, to: p)
            let shot = artifacts.appendingPathComponent(name).path
            try? FileManager.default.removeItem(atPath: shot)
            let (st, _, _) = try run(browser, common + ["--window-size=1100,4200", "--screenshot=\(shot)", "file://\(p)"])
            #expect(st == 0)
            let png = try Data(contentsOf: URL(fileURLWithPath: shot))
            #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]) && png.count > 50_000)
        }
        // Printing works too.
        let pdf = artifacts.appendingPathComponent("report.pdf").path
        let (ps, _, _) = try run(browser, common + ["--print-to-pdf=\(pdf)", "--no-pdf-header-footer", "file://\(page)"])
        #expect(ps == 0)
        #expect(try Data(contentsOf: URL(fileURLWithPath: pdf)).starts(with: Array("%PDF".utf8)))
    }

    @Test func japaneseTranslatesLabelsSentencesAndNumbers() throws {
        let en = try data(.en), ja = try data(.ja)
        #expect(ja.findings.count == en.findings.count && !ja.findings.isEmpty)
        for f in ja.findings { #expect(f.unicodeScalars.contains { $0.value >= 0x3040 && $0.value <= 0x9FFF }, "\(f)") }
        // The numbers are the same; only the words change.
        #expect(ja.tables == en.tables)
        let html = ReportRenderer.html(ja)
        #expect(html.contains("<html lang=\"ja\">"))
        for label in ["主な調査結果", "組織", "家庭用ネットワーク", "フィッシング", "調査方法", "アジア太平洋", "北米", "2026年第1四半期", "2026年下期"] {
            #expect(html.contains(label), "\(label)")
        }
        for english in ["Key findings", "Methodology", "Home networks", "Organisations with C2 traffic", "Asia-Pacific"] {
            #expect(!html.contains(english), "\(english)")
        }
        let md = ReportRenderer.markdown(ja)
        #expect(md.hasPrefix("# DNS脅威レポート"))
    }

    @Test func numbersAreFormattedPerLanguage() throws {
        let en = Localizer(.en), ja = Localizer(.ja)
        #expect(en.integer(1_234_567) == "1,234,567" && ja.integer(1_234_567) == "1,234,567" && en.integer(0) == "0")
        #expect(en.large(352_123_456) == "352 million" && ja.large(352_123_456) == "3億5,212万")
        #expect(en.large(2_400_000_000) == "2.4 billion" && ja.large(2_400_000_000) == "24億")
        #expect(en.large(12_345) == "12,345" && ja.large(12_345) == "1万2,345")
        #expect(en.percent(0.36) == "36%" && en.percent(0.052) == "5.2%" && en.percent(0.0071) == "0.71%" && en.percent(0.1) == "10%")
        #expect(en.times(2.07) == "2.1×" && ja.times(2.07) == "2.1倍" && en.times(2) == "2×")
        let q = ReportPeriod(.quarter(2026, 3)), h = ReportPeriod(.half(2026, 2)), m = ReportPeriod(.month(2026, 3))
        #expect(en.period(q) == "Q3 2026" && ja.period(q) == "2026年第3四半期")
        #expect(en.period(h) == "H2 2026" && ja.period(h) == "2026年下期")
        #expect(en.period(m) == "March 2026" && ja.period(m) == "2026年3月")
        #expect(ja.region("APAC") == "アジア太平洋" && en.region("NA") == "North America")
        #expect(ja.industry("financial-services") == "金融サービス" && en.industry("custom-thing") == "Custom thing")
    }

    @Test func csvHasOneFilePerTableWithNumeratorsAndDenominators() throws {
        let d = try data(min: 0)
        let files = ReportRenderer.csv(d)
        #expect(Set(files.keys) == Set(d.tables.map { "\($0.id).csv" } + ["findings.csv"]))
        for t in d.tables {
            let lines = files["\(t.id).csv"]!.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
            #expect(lines.count == t.rows.count + 1)
            let header = lines.first!.split(separator: ",").map(String.init)
            #expect(header == t.labelColumns + t.measureColumns.flatMap { ["\($0)_numerator", "\($0)_denominator", "\($0)_share", "\($0)_suppressed"] })
        }
        let dir = tempDir() + "/csv"
        try ReportRenderer.write(d, format: .csv, to: dir)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).count == d.tables.count + 1)
    }

    @Test func markdownHasFindingsSectionsAndMethodology() throws {
        let d = try data()
        let md = ReportRenderer.markdown(d)
        for f in d.findings { #expect(md.contains("- \(f)")) }
        for h in ["## Key findings", "## Organisations", "## Home networks", "## Phishing", "## Methodology", "### Definitions", "### Suppression"] {
            #expect(md.contains(h), "\(h)")
        }
        #expect(md.contains("| urlhaus.csv | urlhaus | 1,234 |"))
    }
}
