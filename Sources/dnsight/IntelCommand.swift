import ArgumentParser
import DNSightCore
import DomainMatcher
import Foundation
import IntelFeeds
import ThreatIntel

/// `--snapshot PATH` and `--intel FILE|DIR`: where a command gets its threat intelligence. Shared by every command
/// that matches names.
struct IntelOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "The intel snapshot file.",
        discussion: "Default: $DNSIGHT_INTEL_SNAPSHOT, else $XDG_DATA_HOME/dnsight/intel.snapshot (~/.local/share/dnsight/intel.snapshot).",
        valueName: "path"))
    var snapshot: String?

    @Option(name: .long, help: ArgumentHelp("Use these feed files or folders directly instead of the snapshot (repeatable).", valueName: "file|dir"))
    var intel: [String] = []

    /// The snapshot path in effect.
    var snapshotPath: String { snapshot ?? IntelPaths.defaultSnapshot() }

    /// Loads the intel (reporting problems with `--intel` files on standard error).
    func load() throws -> MatcherSnapshot {
        do {
            let (s, files) = try IntelSource.load(snapshotPath: snapshotPath, intelPaths: intel)
            for f in files where f.error != nil { stderr("\(f.path): \(f.error!)") }
            return s
        } catch {
            stderr("dnsight: \(error)")
            throw ExitCode(2)
        }
    }
}

func stderr(_ s: String) { FileHandle.standardError.write(Data((s + "\n").utf8)) }

/// `--format`, `--category`, `--family`, `--tag`, `--source`, `--scope`: how feed files are read and completed.
struct FeedImportOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The feed format, instead of detecting it: \(FeedFormat.allCases.map(\.rawValue).joined(separator: ", ")).", valueName: "format"))
    var format: String?

    @Option(name: .long, help: ArgumentHelp("Category for entries whose source gives none: malware, phishing, c2, exfiltration.", valueName: "category"))
    var category: String?

    @Option(name: .long, help: ArgumentHelp("Family for entries whose source gives none.", valueName: "name"))
    var family: String?

    @Option(name: .long, help: ArgumentHelp("Tag added to every entry: iab, ransomware, banking, stealer, botnet…, industry:NAME, brand:NAME, device:TYPE, or a free label (repeatable).", valueName: "tag"))
    var tag: [String] = []

    @Option(name: .long, help: ArgumentHelp("Feed name recorded as the source (default: per format, or the file name).", valueName: "name"))
    var source: String?

    @Option(name: .long, help: ArgumentHelp("Scope of list and hosts entries: exact, subdomain or wildcard.", valueName: "scope"))
    var scope: String?

    func options(allowlist: Bool = false) throws -> ImportOptions {
        var o = ImportOptions(allowlist: allowlist)
        if let format {
            guard let f = FeedFormat(name: format) else { throw ValidationError("unknown --format '\(format)'; one of \(FeedFormat.allCases.map(\.rawValue).joined(separator: ", "))") }
            o.format = f
        }
        if let category {
            guard let c = ThreatCategory(parsing: category) else { throw ValidationError("unknown --category '\(category)'; one of malware, phishing, c2, exfiltration") }
            o.category = c
        }
        o.family = family
        o.tags = ThreatTags(parsing: tag)
        o.source = source
        if let scope {
            guard let s = MatchScope(rawValue: scope) else { throw ValidationError("--scope is exact, subdomain or wildcard") }
            o.scope = s
        }
        return o
    }
}

/// `dnsight intel …`: threat-intelligence feeds and the compiled snapshot.
struct IntelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "intel",
        abstract: "Import threat-intelligence feeds into a snapshot, and inspect it.",
        subcommands: [Import.self, Stats.self, Lookup.self, Diff.self, Update.self]
    )

    static func catalogueEnricher(families: String?, brands: String?) throws -> Enricher {
        var e = Enricher()
        if let families {
            guard let d = FileManager.default.contents(atPath: families) else { stderr("dnsight: cannot read \(families)"); throw ExitCode(2) }
            do { e.families = try e.families.merging(csv: [UInt8](d), file: families) } catch { stderr("dnsight: \(error)"); throw ExitCode(2) }
        }
        if let brands {
            guard let d = FileManager.default.contents(atPath: brands) else { stderr("dnsight: cannot read \(brands)"); throw ExitCode(2) }
            do { e.brands = try e.brands.merging(csv: [UInt8](d), file: brands) } catch { stderr("dnsight: \(error)"); throw ExitCode(2) }
        }
        return e
    }

    static func printFile(_ f: ImportedFile, problems: Int) {
        if let e = f.error {
            stderr("\(f.path): \(e)")
            return
        }
        let skipped = f.skipped.values.reduce(0, +)
        let reasons = f.skipped.sorted { $0.value > $1.value }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
        print("\(f.path): \(f.format ?? "?") (source \(f.source ?? "?"))\(f.allowlist ? " allowlist" : ""): \(f.kept) kept, \(skipped) skipped\(reasons.isEmpty ? "" : " (\(reasons))")")
        for p in f.problems.prefix(problems) { print("  \(p)") }
        if f.problemCount > min(problems, f.problems.count) { print("  … \(f.problemCount - min(problems, f.problems.count)) more problem(s)") }
    }

    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Read feed files and folders (any mix of formats) into the intel snapshot.",
            discussion: """
            Folders are read recursively; README, LICENSE, MANIFEST and *.md files are left out. Each file's format is \
            detected unless --format names it. Entries a file cannot express are skipped and counted; malformed entries \
            are reported with their line. The snapshot is written atomically (a running dnsight can map the new one).

            Exit codes: 0 every file imported; 1 the snapshot was written but some file could not be read at all; \
            2 bad usage, a missing path, or nothing could be written.
            """
        )

        @OptionGroup var intel: IntelOptions
        @OptionGroup var feed: FeedImportOptions

        @Option(name: .long, help: ArgumentHelp("Allowlist file or folder: its names are never reported (repeatable).", valueName: "file|dir"))
        var allow: [String] = []

        @Option(name: .long, help: ArgumentHelp("Family catalogue CSV (family,category,tags,aliases) overriding and extending the built-in one.", valueName: "file"))
        var families: String?

        @Option(name: .long, help: ArgumentHelp("Brand catalogue CSV (brand,industry,aliases) overriding and extending the built-in one.", valueName: "file"))
        var brands: String?

        @Flag(name: .long, help: "Keep what the existing snapshot holds and add to it.")
        var merge = false

        @Option(name: .long, help: ArgumentHelp("Problems shown per file.", valueName: "n"))
        var problems = 5

        @Argument(help: ArgumentHelp("Feed files or folders.", valueName: "file|dir"))
        var paths: [String] = []

        func validate() throws {
            if paths.isEmpty && allow.isEmpty { throw ValidationError("give at least one feed file or folder") }
            if !intel.intel.isEmpty { throw ValidationError("--intel is for commands that read intel; import takes paths as arguments") }
        }

        func run() throws {
            let start = Date()
            var importer = IntelImporter(enricher: try IntelCommand.catalogueEnricher(families: families, brands: brands))
            let path = intel.snapshotPath
            if merge, FileManager.default.fileExists(atPath: path) {
                do {
                    let old = try MatcherSnapshot(contentsOf: path)
                    importer.add(old.allIndicators())
                    print("merging \(old.entryCount) names and \(old.addressCount) addresses from \(path)")
                } catch {
                    stderr("dnsight: \(error)")
                    throw ExitCode(2)
                }
            }
            var failed = 0
            let sets: [(paths: [String], options: ImportOptions)] = [(paths, try feed.options()), (allow, try feed.options(allowlist: true))]
            for set in sets {
                for p in set.paths {
                    do {
                        for f in try importer.importPath(p, options: set.options) {
                            IntelCommand.printFile(f, problems: problems)
                            if f.error != nil { failed += 1 }
                        }
                    } catch {
                        stderr("dnsight: \(error)")
                        throw ExitCode(2)
                    }
                }
            }
            let snapshot: MatcherSnapshot
            do { snapshot = try importer.write(to: path) } catch {
                stderr("dnsight: cannot write the snapshot: \(error)")
                throw ExitCode(2)
            }
            let secs = Date().timeIntervalSince(start)
            print("snapshot \(path): \(snapshot.entryCount) names, \(snapshot.addressCount) addresses, \(snapshot.recordCount) records, \(snapshot.byteCount) bytes (\(String(format: "%.2f", secs)) s)")
            if failed > 0 { throw ExitCode(1) }
        }
    }

    struct Stats: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Count what the snapshot holds: by source, category, family, kind, scope and action; and what its import skipped.")

        @OptionGroup var intel: IntelOptions
        @Flag(name: .long, help: "Print JSON.") var json = false
        @Option(name: .long, help: ArgumentHelp("Rows shown per table.", valueName: "n")) var top = 25

        func run() throws {
            let s = try intel.load()
            let st = SnapshotStats(s)
            if json {
                let e = JSONEncoder()
                e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                print(String(decoding: try e.encode(st), as: UTF8.self))
                return
            }
            print("snapshot \(s.path.isEmpty ? "(in memory)" : s.path)\(st.created > 0 ? ", built \(LookupExplanation.isoDate(st.created))" : "")")
            print("\(st.names) names, \(st.addresses) addresses, \(st.records) records, \(st.bytes) bytes")
            func table(_ title: String, _ d: [String: Int]) {
                print("\nby \(title):")
                for (k, v) in d.sorted(by: { ($0.value, $1.key) > ($1.value, $0.key) }).prefix(top) { print(String(format: "  %8d  %@", v, k)) }
                if d.count > top { print("  … \(d.count - top) more") }
            }
            table("category", st.byCategory)
            table("family", st.byFamily)
            table("source", st.bySource)
            table("kind", st.byKind)
            table("scope", st.byScope)
            table("action", st.byAction)
            if let r = st.report {
                var skipped: [String: Int] = [:]
                for f in r.files { for (k, v) in f.skipped { skipped[k, default: 0] += v } }
                table("reason skipped at import", skipped)
                let failed = r.files.filter { $0.error != nil }
                print("\n\(r.files.count) file(s) imported, \(failed.count) could not be read")
                for f in failed { print("  \(f.path): \(f.error!)") }
            }
        }
    }

    struct Lookup: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Say what matches names (or addresses) and why: category, family, tags, the matched entry, its source and reference.",
            discussion: "Exit codes: 0 at least one name or address is listed; 1 none is (no match, or allowlisted); 2 bad usage or no snapshot."
        )

        @OptionGroup var intel: IntelOptions
        @Flag(name: .long, help: "Print JSON (one object per name, in an array).") var json = false
        @Flag(name: .long, help: "Show every matching entry, not only the one that decided.") var all = false
        @Argument(help: ArgumentHelp("Names or IP addresses.", valueName: "name")) var names: [String]

        func run() throws {
            let s = try intel.load()
            let results = names.map { LookupExplanation(query: $0, snapshot: s) }
            if json {
                let e = JSONEncoder()
                e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                print(String(decoding: try e.encode(results), as: UTF8.self))
            } else {
                for r in results {
                    print("\(r.query): \(r.verdict)")
                    let shown = all ? r.matches : (r.decidedBy.map { [$0] } ?? [])
                    for m in shown { print(Self.describe(m)) }
                }
            }
            if !results.contains(where: { $0.verdict == "listed" }) { throw ExitCode(1) }
        }

        static func describe(_ m: LookupExplanation.Entry) -> String {
            var lines = ["  entry      \(m.entry) (\(m.kind), \(m.scope))", "  action     \(m.action)"]
            lines.append("  category   \(m.category ?? "unspecified")\(m.tier == "suspected" ? " (suspected)" : "")")
            if let f = m.family { lines.append("  family     \(f)") }
            if !m.tags.isEmpty { lines.append("  tags       \(m.tags.joined(separator: ", "))") }
            lines.append("  source     \(m.source)" + (m.file.map { " (\($0)\(m.line.map { ":\($0)" } ?? ""))" } ?? ""))
            if let r = m.reference { lines.append("  reference  \(r)") }
            if let c = m.confidence { lines.append("  confidence \(c)") }
            if m.firstSeen != nil || m.lastSeen != nil { lines.append("  seen       \(m.firstSeen ?? "?") … \(m.lastSeen ?? "?")") }
            return lines.joined(separator: "\n")
        }
    }

    struct Diff: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show what changed between two snapshots: entries added, removed, or with another category or family.",
            discussion: "Exit codes: 0 no difference; 1 the snapshots differ; 2 a snapshot could not be read."
        )

        @Flag(name: .long, help: "Print JSON.") var json = false
        @Option(name: .long, help: ArgumentHelp("Entries listed per section.", valueName: "n")) var limit = 50
        @Argument(help: ArgumentHelp("The older snapshot.", valueName: "old")) var old: String
        @Argument(help: ArgumentHelp("The newer snapshot.", valueName: "new")) var new: String

        func run() throws {
            let a: MatcherSnapshot, b: MatcherSnapshot
            do {
                a = try MatcherSnapshot(contentsOf: old)
                b = try MatcherSnapshot(contentsOf: new)
            } catch {
                stderr("dnsight: \(error)")
                throw ExitCode(2)
            }
            let d = SnapshotDiff(old: a, new: b)
            if json {
                let e = JSONEncoder()
                e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                print(String(decoding: try e.encode(d), as: UTF8.self))
            } else {
                print("\(d.added.count) added, \(d.removed.count) removed, \(d.changed.count) changed")
                func line(_ l: SnapshotDiff.Line) -> String {
                    "\(l.entry) [\(l.kind) \(l.scope) \(l.action)] \(l.category ?? "unspecified") \(l.family ?? "-") (\(l.source))"
                }
                for l in d.added.prefix(limit) { print("+ \(line(l))") }
                for l in d.removed.prefix(limit) { print("- \(line(l))") }
                for c in d.changed.prefix(limit) { print("~ \(line(c.before)) -> \(c.after.category ?? "unspecified") \(c.after.family ?? "-")") }
            }
            if !(d.added.isEmpty && d.removed.isEmpty && d.changed.isEmpty) { throw ExitCode(1) }
        }
    }

    struct Update: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Fetch the feeds listed in the feed config (conditional GET with ETag/If-Modified-Since) and rebuild the snapshot.",
            discussion: """
            The config (default $DNSIGHT_FEEDS_CONFIG, else $XDG_CONFIG_HOME/dnsight/feeds.conf) lists [feed NAME] and \
            [allow NAME] sections with url = … or path = …, and optional format, category, family, tags, source and \
            scope. Fetched bodies are cached (default $XDG_CACHE_HOME/dnsight/feeds); a feed that is not modified or \
            fails keeps its cached copy. Schedule it with cron or a systemd timer.

            Exit codes: 0 every feed is current; 1 the snapshot was rebuilt but some feed failed; 2 bad config or \
            nothing could be written.
            """
        )

        @OptionGroup var intel: IntelOptions
        @Option(name: .long, help: ArgumentHelp("The feed config file.", valueName: "file")) var config: String?
        @Option(name: .long, help: ArgumentHelp("The folder for fetched feeds.", valueName: "dir")) var cache: String?
        @Option(name: .long, help: ArgumentHelp("Family catalogue CSV overriding the built-in one.", valueName: "file")) var families: String?

        func run() throws {
            let configPath = config ?? IntelPaths.defaultFeedConfig()
            guard let text = FileManager.default.contents(atPath: configPath).map({ String(decoding: $0, as: UTF8.self) }) else {
                stderr("dnsight: cannot read the feed config \(configPath)")
                throw ExitCode(2)
            }
            let cfg: FeedConfig
            do { cfg = try FeedConfig(text: text, file: configPath) } catch {
                stderr("dnsight: \(error)")
                throw ExitCode(2)
            }
            let updater = FeedUpdater(cacheFolder: cache ?? IntelPaths.defaultFeedCache())
            var importer = IntelImporter(enricher: try IntelCommand.catalogueEnricher(families: families, brands: nil))
            var failures = 0
            for feed in cfg.feeds {
                var options = feed.options
                if options.source == nil { options.source = feed.name }
                let outcome = updater.update(feed)
                switch outcome {
                case .fetched(let n): print("\(feed.name): fetched \(n) bytes from \(feed.url!)")
                case .notModified: print("\(feed.name): not modified")
                case .failed(let why):
                    failures += 1
                    stderr("\(feed.name): \(feed.url ?? ""): \(why)")
                case .local: break
                }
                if let url = feed.url {
                    guard let body = FileManager.default.contents(atPath: updater.bodyPath(feed)) else {
                        stderr("\(feed.name): no copy to import")
                        continue
                    }
                    IntelCommand.printFile(importer.importBytes([UInt8](body), file: url, options: options), problems: 3)
                } else if let path = feed.path {
                    do {
                        for f in try importer.importPath(path, options: options) {
                            IntelCommand.printFile(f, problems: 3)
                            if f.error != nil { failures += 1 }
                        }
                    } catch {
                        failures += 1
                        stderr("\(feed.name): \(error)")
                    }
                }
            }
            let path = intel.snapshotPath
            do {
                let s = try importer.write(to: path)
                print("snapshot \(path): \(s.entryCount) names, \(s.addressCount) addresses")
            } catch {
                stderr("dnsight: cannot write the snapshot: \(error)")
                throw ExitCode(2)
            }
            if failures > 0 { throw ExitCode(1) }
        }
    }
}
