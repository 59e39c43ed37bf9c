import DNSightCore
import DomainMatcher
import Foundation
import IntelFeeds

/// What importing one file gave.
public struct ImportedFile: Sendable, Codable, Hashable {
    /// The path as given.
    public var path: String
    /// The format parsed (`nil` when the file could not be parsed at all).
    public var format: String?
    /// The feed name recorded.
    public var source: String?
    /// Entries kept.
    public var kept: Int
    /// Entries left out, by reason (`malformed` among them).
    public var skipped: [String: Int]
    /// The first problems, as `file:line: message: excerpt`.
    public var problems: [String]
    /// How many problems there were in all.
    public var problemCount: Int
    /// Why the file could not be read at all.
    public var error: String?
    /// Whether the file was imported as an allowlist.
    public var allowlist: Bool
}

/// The report of an import, stored inside the snapshot (so that `dnsight intel stats` can show what was skipped).
public struct ImportReport: Sendable, Codable, Hashable {
    /// Every file read, in order.
    public var files: [ImportedFile]
    /// When the snapshot was built (Unix seconds).
    public var created: Int64
    /// The dnsight version that built it.
    public var version: String

    /// Creates a report.
    public init(files: [ImportedFile] = [], created: Int64 = 0, version: String = DNSightVersion.current) {
        self.files = files
        self.created = created
        self.version = version
    }

    /// Reads the report a snapshot carries, if any.
    public init?(snapshot: MatcherSnapshot) {
        let meta = snapshot.meta
        guard !meta.isEmpty, let r = try? JSONDecoder().decode(ImportReport.self, from: Data(meta)) else { return nil }
        self = r
    }
}

/// Reads feed files and folders (any mix of formats), completes the indicators, and compiles a snapshot.
public struct IntelImporter: Sendable {
    /// How the parsed entries are completed.
    public var enricher: Enricher
    /// How many problems per file are kept in the report.
    public var problemsKept = 20
    /// Everything imported so far, enriched, one batch per file (kept apart so that large feeds are never copied).
    private var batches: [[Indicator]] = []

    /// Everything imported so far, enriched (allocates one array; for inspection).
    public var indicators: [Indicator] { batches.flatMap { $0 } }

    /// How many indicators have been imported so far.
    public var indicatorCount: Int { batches.reduce(0) { $0 + $1.count } }
    /// The report so far.
    public private(set) var report = ImportReport()

    /// An importer using the given catalogues.
    public init(enricher: Enricher = Enricher()) {
        self.enricher = enricher
    }

    /// File names in folders that are documentation, not feeds.
    static func isDocumentation(_ name: String) -> Bool {
        let l = name.lowercased()
        return l.hasPrefix(".") || l.hasSuffix(".md") || l.hasPrefix("readme") || l.hasPrefix("license") || l.hasPrefix("licence")
            || l.hasPrefix("manifest") || l.hasPrefix("copying") || l.hasSuffix(".snapshot") || l.hasSuffix(".sha256") || l == "sha256sums"
    }

    /// The feed files under `path`: the file itself, or every file in the folder and its subfolders (sorted,
    /// documentation and hidden files left out).
    public static func files(at path: String) throws(ThreatIntelError) -> [String] {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            throw ThreatIntelError(.unreadable("no such file or folder"), file: path)
        }
        guard isDir.boolValue else { return [path] }
        guard let e = FileManager.default.enumerator(atPath: path) else { throw ThreatIntelError(.unreadable("cannot list the folder"), file: path) }
        var out: [String] = []
        while let rel = e.nextObject() as? String {
            let full = (path as NSString).appendingPathComponent(rel)
            var d: ObjCBool = false
            guard FileManager.default.fileExists(atPath: full, isDirectory: &d), !d.boolValue else { continue }
            if rel.split(separator: "/").contains(where: { isDocumentation(String($0)) }) { continue }
            out.append(full)
        }
        return out.sorted()
    }

    /// Imports a file or folder. A file that cannot be parsed at all is recorded in the report with its error and
    /// the rest goes on; a path that does not exist throws.
    @discardableResult
    public mutating func importPath(_ path: String, options: ImportOptions = ImportOptions()) throws(ThreatIntelError) -> [ImportedFile] {
        var out: [ImportedFile] = []
        for f in try Self.files(at: path) {
            guard let data = FileManager.default.contents(atPath: f) else {
                let r = ImportedFile(path: f, format: nil, source: nil, kept: 0, skipped: [:], problems: [], problemCount: 0,
                                     error: "cannot read the file", allowlist: options.allowlist)
                report.files.append(r)
                out.append(r)
                continue
            }
            out.append(importBytes([UInt8](data), file: f, options: options))
        }
        return out
    }

    /// Imports bytes that came from `file` (a path or URL, used in locations and for Maltrail's family and folder).
    @discardableResult
    public mutating func importBytes(_ bytes: [UInt8], file: String, options: ImportOptions = ImportOptions()) -> ImportedFile {
        let context = FeedContext(file: file, source: options.source, scope: options.scope)
        let result: ImportedFile
        do {
            var parsed = try FeedParser.parse(bytes, format: options.format, context: context)
            enricher.enrich(&parsed.indicators, defaults: parsed.defaults, options: options)
            batches.append(parsed.indicators)
            result = ImportedFile(path: file, format: parsed.format.rawValue, source: parsed.source, kept: parsed.kept,
                                  skipped: parsed.skipped, problems: parsed.diagnostics.prefix(problemsKept).map(\.description),
                                  problemCount: parsed.diagnostics.count, error: nil, allowlist: options.allowlist)
        } catch {
            result = ImportedFile(path: file, format: options.format?.rawValue, source: nil, kept: 0, skipped: [:], problems: [],
                                  problemCount: 0, error: error.description, allowlist: options.allowlist)
        }
        report.files.append(result)
        return result
    }

    /// Adds indicators that are already complete (for example those of an existing snapshot being merged).
    public mutating func add(_ more: [Indicator]) {
        batches.append(more)
    }

    /// Compiles everything imported into snapshot bytes, with the report attached.
    public func buildImage(created: Int64 = Int64(Date().timeIntervalSince1970)) throws(DomainMatcherError) -> [UInt8] {
        var builder = SnapshotBuilder()
        for b in batches { try builder.add(contentsOf: b) }
        var r = report
        r.created = created
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let meta = (try? encoder.encode(r)).map { [UInt8]($0) } ?? []
        return try builder.build(meta: meta, created: created)
    }

    /// Compiles and writes the snapshot to `path` atomically, creating its folder; returns the snapshot, mapped.
    @discardableResult
    public func write(to path: String) throws -> MatcherSnapshot {
        try IntelPaths.ensureParent(of: path)
        try MatcherSnapshot.write(image: buildImage(), to: path)
        return try MatcherSnapshot(contentsOf: path)
    }
}
