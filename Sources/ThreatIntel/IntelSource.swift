import DomainMatcher
import Foundation

/// Where a command gets its intel: a snapshot file (the default location or `--snapshot`), or feed files and
/// folders given directly with `--intel`, compiled in memory.
public enum IntelSource {
    /// Loads intel for a command. With `intelPaths` the feeds are imported into an in-memory snapshot (and the
    /// import results returned); otherwise the snapshot file is mapped.
    public static func load(snapshotPath: String, intelPaths: [String], options: ImportOptions = ImportOptions(),
                            enricher: Enricher = Enricher()) throws -> (MatcherSnapshot, [ImportedFile]) {
        if !intelPaths.isEmpty {
            var importer = IntelImporter(enricher: enricher)
            var files: [ImportedFile] = []
            for p in intelPaths { files += try importer.importPath(p, options: options) }
            return (try MatcherSnapshot(image: importer.buildImage()), files)
        }
        guard FileManager.default.fileExists(atPath: snapshotPath) else {
            throw ThreatIntelError(.unreadable("no intel snapshot here; run `dnsight intel import FILE|DIR…` first, or pass --intel FILE|DIR"), file: snapshotPath)
        }
        return (try MatcherSnapshot(contentsOf: snapshotPath), [])
    }
}
