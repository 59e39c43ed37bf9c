import Analytics
import EventStore

/// One published figure: its numerator, denominator and share, or nothing when suppressed.
public struct ReportCell: Hashable, Sendable, Codable {
    /// The counted part; `nil` when suppressed.
    public var numerator: Int64?
    /// What it is a share of; `nil` when suppressed.
    public var denominator: Int64?
    /// numerator ÷ denominator; `nil` when suppressed or the denominator is 0.
    public var share: Double?
    /// Whether the cell rests on fewer devices than the minimum and is withheld.
    public var suppressed: Bool

    /// Publishes a measure under a minimum device count.
    public init(_ m: Measure, minimumDevices: Int) {
        if m.isPublishable(minimumDevices: minimumDevices) {
            numerator = m.numerator
            denominator = m.denominator
            share = m.share
            suppressed = false
        } else {
            numerator = nil
            denominator = nil
            share = nil
            suppressed = true
        }
    }
}

/// One row of a report table: its labels (one per label column) and its cells (one per measure column).
public struct ReportRow: Hashable, Sendable, Codable {
    /// Label values, in ``ReportTable/labelColumns`` order (language-neutral codes: region, family, period label…).
    public var labels: [String]
    /// Cells, in ``ReportTable/measureColumns`` order.
    public var cells: [ReportCell]
    /// Creates a row.
    public init(labels: [String], cells: [ReportCell]) {
        self.labels = labels
        self.cells = cells
    }

    /// The label of a column.
    public func label(_ column: String, in table: ReportTable) -> String? {
        table.labelColumns.firstIndex(of: column).map { labels[$0] }
    }
}

/// A table of the report: the unit of CSV output and the source of every chart.
public struct ReportTable: Hashable, Sendable, Codable {
    /// Stable id (`organisations-c2`, `family-shares`…); also the CSV file name.
    public var id: String
    /// Label column ids (`period`, `region`, `family`…).
    public var labelColumns: [String]
    /// Measure column ids (`share`, `devices`, `queries`…).
    public var measureColumns: [String]
    /// The rows.
    public var rows: [ReportRow]

    /// Creates a table.
    public init(id: String, labelColumns: [String], measureColumns: [String], rows: [ReportRow] = []) {
        self.id = id
        self.labelColumns = labelColumns
        self.measureColumns = measureColumns
        self.rows = rows
    }

    /// Rows whose labels match every given (column, value).
    public func rows(where match: [String: String]) -> [ReportRow] {
        rows.filter { r in match.allSatisfy { r.label($0.key, in: self) == $0.value } }
    }
}

/// A period of the report.
public struct ReportPeriod: Hashable, Sendable, Codable {
    /// Language-neutral label (`2026-Q1`).
    public var label: String
    /// Kind (`quarter`, `half`…).
    public var kind: String
    /// First day.
    public var from: String
    /// Last day.
    public var to: String
    /// Whether the report's range cut it short.
    public var partial: Bool
    /// Year and number, for localised names.
    public var year: Int
    /// Quarter, half or month number.
    public var number: Int

    init(_ p: Period) {
        label = p.label
        kind = p.kind.rawValue
        from = p.range.first.description
        to = p.range.last.description
        partial = p.partial
        year = p.year
        number = p.number
    }

    var period: Period {
        Period(kind: Period.Kind(rawValue: kind) ?? .custom, range: DayRange(Day(iso: from)!, Day(iso: to)!), year: year, number: number, partial: partial)
    }
}

/// The facts of how the data was produced, for the methodology section: stored ingest runs (sources, event
/// counts, intelligence feeds and their sizes, detectors and thresholds) plus what the store holds.
public struct ReportContext: Hashable, Sendable, Codable {
    /// The ingest runs that filled the store.
    public var runs: [IngestRun]
    /// What the store holds.
    public var store: StoreSummary
    /// Queries in the report's range.
    public var queriesInRange: Int64
    /// Flagged queries in the range.
    public var flaggedInRange: Int64
    /// Devices seen in the range.
    public var devicesInRange: Int64
    /// Organisations seen in the range.
    public var organisationsInRange: Int64

    /// Creates a context.
    public init(runs: [IngestRun], store: StoreSummary, queriesInRange: Int64, flaggedInRange: Int64, devicesInRange: Int64,
                organisationsInRange: Int64) {
        self.runs = runs
        self.store = store
        self.queriesInRange = queriesInRange
        self.flaggedInRange = flaggedInRange
        self.devicesInRange = devicesInRange
        self.organisationsInRange = organisationsInRange
    }
}

/// The whole report as data: settings, periods, tables, generated findings and methodology facts. Every renderer
/// (HTML, Markdown, JSON, CSV) works from this value alone.
public struct ReportData: Hashable, Sendable, Codable {
    /// The report's first day.
    public var from: String
    /// Its last day.
    public var to: String
    /// The period kind of the trend tables.
    public var periodKind: String
    /// The language of the generated text.
    public var language: String
    /// Cells resting on fewer devices are suppressed.
    public var minimumDevices: Int
    /// The definitions' settings.
    public var options: AnalyticsOptions
    /// The trend periods.
    public var periods: [ReportPeriod]
    /// The whole range as one period (the label of the summary rows).
    public var summaryPeriod: ReportPeriod
    /// The half-years overlapping the range (for the home-network figures).
    public var halves: [ReportPeriod]
    /// The tables.
    public var tables: [ReportTable]
    /// Key findings, as sentences in ``language``.
    public var findings: [String]
    /// How the data was produced.
    public var context: ReportContext

    /// A table by id.
    public func table(_ id: String) -> ReportTable? { tables.first { $0.id == id } }
}
