import Analytics
import ArgumentParser
import EventStore
import Foundation
import Reports
import SQLiteStore

extension ReportFormat: ExpressibleByArgument {}
extension ReportLanguage: ExpressibleByArgument {}
extension Period.Kind: ExpressibleByArgument {}

/// `dnsight report`: render the threat report from a store.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Render the threat report (HTML, Markdown, JSON or CSV) from a dnsight store.",
        discussion: """
        Every metric is computed from the store's roll-ups for the chosen range (whole UTC days; default: all the \
        store holds) and period (quarter by default). Cells resting on fewer than --min-devices devices are \
        suppressed. The store may be written by a running `dnsight analyze` meanwhile: the report reads one \
        committed state.

        Exit codes: 0 report written; 1 the store holds no traffic in the range; 2 bad usage, or the store cannot \
        be opened or read; 3 the output cannot be written.
        """
    )

    @Option(help: "The store to read.")
    var store: String = SQLiteStore.defaultPath

    @Option(help: "Output format: html, md, json or csv (csv writes a folder of files, one per table).")
    var format: ReportFormat = .html

    @Option(help: "Output file (a folder for csv).")
    var out: String

    @Option(help: "First day, YYYY-MM-DD (UTC). Default: the store's first day.")
    var from: String?

    @Option(help: "Last day, YYYY-MM-DD (UTC), inclusive. Default: the store's last day.")
    var to: String?

    @Option(help: "Trend period: quarter, half, month, year or day.")
    var period: Period.Kind = .quarter

    @Option(help: "Language of labels and sentences: en or ja.")
    var lang: ReportLanguage = .en

    @Option(name: .customLong("min-devices"), help: "Suppress cells resting on fewer devices (0 publishes everything).")
    var minDevices: Int = 5

    @Option(help: "How many top threats per region and segment.")
    var top: Int = 5

    @Option(name: .customLong("chain-days"), help: "Multi-stage chains: most days from an IAB query to a later ransomware query.")
    var chainDays: Int = 30

    @Option(name: .customLong("campaign-gap-days"), help: "Phishing campaigns: a longer pause starts a new campaign.")
    var campaignGapDays: Int = 30

    @Option(name: .customLong("nod-days"), help: "Newly observed domains: first seen within this many days.")
    var nodDays: Int = 60

    @Flag(name: .customLong("known-only"), help: "Count threat-intelligence (known) detections only.")
    var knownOnly = false

    func validate() throws {
        if let from, Day(iso: from) == nil { throw ValidationError("--from is not a YYYY-MM-DD date: \(from)") }
        if let to, Day(iso: to) == nil { throw ValidationError("--to is not a YYYY-MM-DD date: \(to)") }
        if period == .custom { throw ValidationError("--period must be quarter, half, month, year or day") }
        if minDevices < 0 || top < 1 || chainDays < 1 || campaignGapDays < 0 || nodDays < 1 {
            throw ValidationError("--min-devices ≥ 0, --top ≥ 1, --chain-days ≥ 1, --campaign-gap-days ≥ 0, --nod-days ≥ 1")
        }
    }

    func run() throws {
        func fail(_ message: String, _ code: Int32) -> ExitCode {
            FileHandle.standardError.write(Data("dnsight report: \(message)\n".utf8))
            return ExitCode(code)
        }
        let db: SQLiteStore, reader: SQLiteSnapshotReader, summary: StoreSummary
        do {
            db = try SQLiteStore.openReadOnly(path: store)
            reader = try db.snapshot()
            summary = try reader.summary()
        } catch {
            throw fail("\(error)", 2)
        }
        guard let first = summary.firstDay, let last = summary.lastDay else { throw fail("\(store) holds no traffic", 1) }
        let f = from.flatMap { Day(iso: $0) } ?? first, l = to.flatMap { Day(iso: $0) } ?? last
        guard f <= l else { throw fail("--from \(f) is after --to \(l)", 2) }
        let range = DayRange(f, l)
        guard range.clamped(to: DayRange(first, last)) != nil else {
            throw fail("the store holds traffic from \(first) to \(last), none in \(range)", 1)
        }
        let options = ReportOptions(range: range, periodKind: period, language: lang, minimumDevices: minDevices,
                                    analytics: AnalyticsOptions(tiers: knownOnly ? .known : .all, chainDays: chainDays,
                                                                campaignGapDays: campaignGapDays, nodWindowDays: nodDays, topN: top))
        let data: ReportData
        do { data = try ReportBuilder.build(from: reader, options: options) } catch {
            if case .noData = error.kind { throw fail("\(error)", 1) }
            throw fail("\(error)", 2)
        }
        do { try ReportRenderer.write(data, format: format, to: out) } catch { throw fail("\(error)", 3) }
        for s in data.findings { print("• \(s)") }
        print("\(format.rawValue) report: \(out)")
    }
}
