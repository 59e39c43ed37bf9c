import Attribution
import Classifier
import DNSightCore
import Detectors
import DomainMatcher
import EventStore
import Foundation
import LogReaders
import ThreatIntel

/// The settings of one `dnsight analyze` run.
public struct AnalyzeConfiguration: Sendable {
    /// Input files or folders (folders are read recursively), `-` for standard input.
    public var inputs: [String]
    /// The format of every input, or nil to detect each from its first bytes.
    public var format: LogFormat?
    /// Reader options (column mapping, DNS ports, time zone…).
    public var readerOptions = ReaderOptions()
    /// The intel snapshot to map, unless `intelPaths` is given.
    public var snapshotPath: String
    /// Feed files or folders to compile in memory instead of the snapshot.
    public var intelPaths: [String] = []
    /// Inventory files (CSV or YAML).
    public var inventoryPaths: [String] = []
    /// MaxMind-format databases for country and ASN.
    public var mmdbPaths: [String] = []
    /// A Crypto-PAn key (64 hex digits) to anonymise client addresses before anything else sees them.
    public var anonymiseKey: String?
    /// Whether the inventory's CIDRs are written in anonymised address space.
    public var inventoryIsAnonymised = false
    /// Where to write detections as JSON lines (`-` for standard output).
    public var detectionsPath: String?
    /// The embedded store to write detections and roll-ups into, if any.
    public var storePath: String?
    /// Worker threads (default: the number of cores).
    public var threads = ProcessInfo.processInfo.activeProcessorCount
    /// Plain files larger than this, of a format read in independent chunks (Zeek TSV and JSON; without a store also
    /// dnstap and classic pcap), are split into chunks of about this size that every worker thread takes from; 0
    /// reads each file on one thread. The cuts
    /// depend only on the file and this size, so a rerun with the same size resumes chunk by chunk from the store.
    public var chunkBytes = FileChunker.defaultChunkBytes
    /// The suspected-tier detectors: which run and how (all on by default; see `Sources/Detectors/Behaviour`).
    public var detectors = DetectorSettings()
    /// Observations per store transaction (and checkpoint). Smaller batches lose less work to a crash (a rerun
    /// reads it again) and cost more transactions; larger ones let the roll-ups of repeated keys aggregate in memory.
    /// A batch's memory is bounded by its rows (``AnalyzeWorker/batchRows``), not by its observations, and every
    /// batch rewrites the day and month rows of each device it saw: on the ingest benchmark (250,000 devices) a batch
    /// costs about 0.9 s of writing whatever its size, so 64M observations (about a minute of one worker's input)
    /// make that a few per cent of the ingest instead of a tenth.
    public var storeBatchSize: Int64 = 64_000_000
    /// Retention: after the ingest, remove the store's data of the days more than this many days before today (UTC).
    public var retainDays: Int?

    /// Creates a configuration.
    public init(inputs: [String], snapshotPath: String) {
        self.inputs = inputs
        self.snapshotPath = snapshotPath
    }
}

/// What `dnsight analyze` found: per-input reading counts, malformed records by reason, detections by category and
/// family, affected devices and organisations, attribution coverage.
public struct AnalyzeSummary: Codable, Sendable {
    /// One input.
    public struct Input: Codable, Sendable {
        public var path: String
        public var format: String?
        public var records: Int
        public var events: Int
        public var malformed: Int
        public var skippedRecords: [String: Int]
        public var error: String?
        public var skipped: String?
    }
    /// One category's line.
    public struct Category: Codable, Sendable {
        public var category: String
        public var queries: Int
        public var devices: Int
        public var organisations: Int
    }
    /// One family's line.
    public struct Family: Codable, Sendable {
        public var family: String
        public var devices: Int
        public var queries: Int
    }

    /// One detector's line.
    public struct Detector: Codable, Sendable {
        /// The configuration name (`beacon`) and the verdicts' `matched` name.
        public var name: String
        public var matched: String
        public var enabled: Bool
        /// Alerts raised, devices with an alert, queries that carried its verdict (and of them, queries intel also
        /// listed: intel's verdict was kept).
        public var alerts: Int
        public var devices: Int
        public var queries: Int
        public var alsoKnown: Int
        /// State entries held at the end, evicted because a cap was hit, expired after inactivity (summed over workers).
        public var tracked: Int
        public var evictions: Int
        public var expirations: Int
    }

    public var inputs: [Input]
    public var events: Int
    public var seconds: Double
    public var malformed: [String: Int]
    public var malformedExamples: [String]
    public var detections: Int
    public var allowlisted: Int
    public var categories: [Category]
    public var families: [Family]
    public var devicesSeen: Int
    public var organisationsSeen: Int
    public var affectedDevices: Int
    public var affectedOrganisations: Int
    public var attribution: [String: Int]
    public var intelEntries: Int
    public var detectionsWritten: Int
    /// Detections that came from the detectors (intel had no verdict).
    public var suspectedDetections: Int = 0
    /// Per-detector counts, in chain order (empty when every detector is off).
    public var detectors: [Detector] = []
    /// Registrable domains queried while newly observed, and those of them with a malicious verdict (intel or
    /// detector); nil when the newly-observed detector is off.
    public var newlyObservedDomains: Int? = nil
    public var maliciousNewlyObservedDomains: Int? = nil
    /// How many days the seen-set had watched by the end, and where it was saved.
    public var seenSetHistoryDays: Double? = nil
    public var seenSetSaved: String? = nil
    /// How per-device state is kept across workers.
    public var detectorStateScope: String? = nil
    /// Queries the detector chain answered on its fast path (names of no interest to any detector), of all.
    public var detectorFastPath: Int? = nil
    /// The detectors and thresholds used, for the report's methodology.
    public var detectorMethodology: DetectorMethodology? = nil
    /// The store written, if any.
    public var store: String?
    /// With `--retain`: the first day kept, and what was removed from the store after the ingest.
    public var retainedFrom: String? = nil
    public var pruned: RetentionSummary? = nil
    /// Inputs that could not be read as a whole.
    public var failedInputs: Int { inputs.filter { $0.error != nil }.count }
}

/// Runs `dnsight analyze`: decode → normalise → attribute → classify → count and log, in parallel over inputs.
public enum AnalyzeJob {
    /// Expands folders into the regular files beneath them (sorted, marked as found in a folder), keeping files and
    /// `-` as given.
    public static func expand(_ paths: [String]) throws -> [(path: String, fromFolder: Bool)] {
        var out = [(path: String, fromFolder: Bool)]()
        for p in paths {
            var isDir: ObjCBool = false
            if p != "-" && FileManager.default.fileExists(atPath: p, isDirectory: &isDir) && isDir.boolValue {
                guard let e = FileManager.default.enumerator(atPath: p) else { throw AnalyzeError("cannot list \(p)") }
                var files = [String]()
                while let f = e.nextObject() as? String {
                    let full = (p as NSString).appendingPathComponent(f)
                    var d: ObjCBool = false
                    if FileManager.default.fileExists(atPath: full, isDirectory: &d), !d.boolValue, !f.hasPrefix(".") { files.append(full) }
                }
                out += files.sorted().map { ($0, true) }
            } else {
                out.append((p, false))
            }
        }
        return out
    }

    /// Builds the attribution stage from the configuration.
    static func attributor(_ c: AnalyzeConfiguration) throws -> Attributor {
        var inventory = Inventory()
        if !c.inventoryPaths.isEmpty {
            var b = InventoryBuilder()
            for p in c.inventoryPaths { try b.add(path: p) }
            if let first = b.report.errors.first, b.build().count == 0 { throw AnalyzeError("inventory: \(first)") }
            inventory = b.build()
        }
        let dbs = try c.mmdbPaths.map { try MMDBReader(path: $0) }
        let anonymiser = try c.anonymiseKey.map { try CryptoPAn(hexKey: $0) }
        return Attributor(AttributorConfiguration(inventory: inventory, inventoryAddressSpace: c.inventoryIsAnonymised ? .anonymised : .real,
                                                  anonymiser: anonymiser, databases: dbs))
    }

    /// Runs the job. `progress` is called about twice a second from another thread with (bytes read, total bytes,
    /// events) while inputs are read.
    public static func run(_ c: AnalyzeConfiguration, progress: (@Sendable (Int, Int, Int) -> Void)? = nil) throws -> AnalyzeSummary {
        let started = Date()
        let (snapshot, feeds) = try IntelSource.load(snapshotPath: c.snapshotPath, intelPaths: c.intelPaths)
        let classifier = Classifier(snapshot: snapshot)
        let attributor = try attributor(c)
        let chainPrototype = try detectorChain(c.detectors)
        let log = try c.detectionsPath.map { try DetectionLog(path: $0) }
        let store: StoreSink?
        do { store = try c.storePath.map { try StoreSink(path: $0) } } catch { throw AnalyzeError("store \(c.storePath!): \(error)") }
        let feedRecords = (feeds.isEmpty ? ImportReport(snapshot: snapshot)?.files ?? [] : feeds)
            .map { IngestRun.Feed(name: $0.path, format: $0.format ?? "?", indicators: Int64($0.kept)) }
        let tool = "dnsight \(DNSightVersion.current) analyze"
        if let store {
            // The run's record exists before its first batch: a run killed part-way still accounts for what it stored.
            try store.begin(run: IngestRun(startedNanos: Int64(started.timeIntervalSince1970 * 1e9), finishedNanos: 0, tool: tool, sources: [],
                                           feeds: feedRecords, detectors: storeDetectors(c, prototype: chainPrototype), queries: 0, detections: 0))
        }
        let files = try expand(c.inputs)
        // With detectors on, a run over inputs of which the store holds some but not all streams (an ingest that was
        // interrupted, or one given more files than before) reads the stored ones again through the detectors only.
        let resuming = EventCounter()
        let ingest = ParallelIngest<AnalyzeWorker>(inputs: files.map { .init(path: $0.path, format: c.format, fromFolder: $0.fromFolder) })
        ingest.chunkBytes = c.chunkBytes
        ingest.shardLargeInputs = store == nil
        ingest.splitBinaryInputs = store == nil
        let counter = EventCounter()
        var ticker: Thread?
        let stop = EventCounter()
        if let progress {
            let t = Thread {
                while stop.value == 0 {
                    progress(ingest.bytesRead, ingest.totalBytes, counter.value)
                    Thread.sleep(forTimeInterval: 0.5)
                }
            }
            t.start()
            ticker = t
        }
        var (workers, results) = ingest.run(threads: c.threads, options: c.readerOptions,
                                            makeWorker: {
                                                var w = AnalyzeWorker(attributor: attributor, classifier: classifier, log: log, store: store, chain: chainPrototype)
                                                w.batchSize = max(1, c.storeBatchSize)
                                                w.replayStoredInputs = resuming.value != 0
                                                return w
                                            },
                                            process: { w, e in
                                                try w.process(e)
                                                if w.events & 0x3FFF == 0 { counter.add(0x4000) }
                                            },
                                            begin: { w, input, part in try w.begin(path: input.path, part: part) },
                                            end: { w, _, result, bytes in try w.end(complete: result.error == nil, bytes: bytes) },
                                            split: { input in
                                                // A file an earlier run stored (or began storing) whole is resumed whole.
                                                guard let store, let s = try? StreamIdentity.of(file: input.path) else { return true }
                                                return (try? store.resume(s)) == .fromStart
                                            },
                                            planned: { streams in
                                                guard chainPrototype != nil, let store else { return }
                                                var stored = false, unstored = false
                                                for (input, part) in streams where input.path != "-" {
                                                    guard let s = try? StreamIdentity.of(file: input.path, part: part),
                                                          let r = try? store.resume(s) else { continue }
                                                    switch r {
                                                    case .done: stored = true
                                                    case .fromStart: unstored = true
                                                    case .after: stored = true; unstored = true
                                                    }
                                                }
                                                if stored && unstored { resuming.add(1) }
                                            })
        stop.add(1)
        _ = ticker
        // Inputs end into an open batch (AnalyzeWorker.end): each worker's last one is stored here, and every batch
        // handed to the store's writer thread has committed before the run's record is completed.
        if let store {
            do {
                // One transaction for every worker's last batch: with devices spread over the workers, each of
                // their day and month rows is written once instead of once per worker.
                var last = IngestBatch()
                for i in workers.indices {
                    let b = workers[i].takeLastBatch()
                    if last.isEmpty && last.checkpoints.isEmpty { last = b } else { last.merge(b) }
                }
                if !last.isEmpty || !last.checkpoints.isEmpty { try store.write(last, last: true) }
                try store.drain()
            } catch { throw AnalyzeError("store \(store.store.path): \(error)") }
        }
        let detectorReport = try detectorSummary(c, prototype: chainPrototype, chains: workers.compactMap(\.chain), threads: workers.count,
                                                 chunked: ingest.chunkedInputs > 0, sharded: ingest.shardedInputs > 0)
        var total = AnalyzeWorker(attributor: attributor, classifier: classifier, log: log, store: nil)
        for var w in workers {
            w.flush()
            total.merge(w)
        }
        var malformed = [String: Int]()
        var examples = [String]()
        var inputs = [AnalyzeSummary.Input]()
        for r in results {
            for (k, v) in r.diagnostics.malformed { malformed[k, default: 0] += v }
            examples += r.diagnostics.examples.prefix(5).map(\.description)
            inputs.append(.init(path: r.path, format: r.format?.rawValue, records: r.diagnostics.recordsRead, events: r.diagnostics.eventsEmitted,
                                malformed: r.diagnostics.malformedCount, skippedRecords: r.diagnostics.skipped, error: r.error, skipped: r.skipped))
        }
        let categories = total.queriesByCategory.keys.sorted().map { k in
            AnalyzeSummary.Category(category: k, queries: total.queriesByCategory[k]!, devices: total.affectedDevices[k]?.count ?? 0,
                                    organisations: total.affectedOrganisations[k]?.count ?? 0)
        }
        let families = total.familyDevices.map { f, d in AnalyzeSummary.Family(family: f, devices: d.count, queries: total.queriesByFamily[f] ?? 0) }
            .sorted { ($0.devices, $0.queries, $1.family) > ($1.devices, $1.queries, $0.family) }
        let affected = total.affectedDevices.values.reduce(into: Set<DeviceKey>()) { $0.formUnion($1) }
        let affectedOrgs = total.affectedOrganisations.values.reduce(into: Set<String>()) { $0.formUnion($1) }
        let a = total.attributionTotals
        if let store {
            let now = Int64(Date().timeIntervalSince1970 * 1e9)
            let run = IngestRun(startedNanos: Int64(started.timeIntervalSince1970 * 1e9), finishedNanos: now, tool: tool,
                                sources: inputs.filter { $0.skipped == nil }.map { .init(name: $0.path, format: $0.format ?? "?", events: Int64($0.events), malformed: Int64($0.malformed)) },
                                feeds: feedRecords,
                                detectors: storeDetectors(c, prototype: chainPrototype), queries: Int64(total.events),
                                detections: Int64(total.detections))
            try store.record(run)
        }
        var summary = AnalyzeSummary(
            inputs: inputs, events: total.events, seconds: Date().timeIntervalSince(started), malformed: malformed,
            malformedExamples: Array(examples.prefix(20)), detections: total.detections, allowlisted: total.allowed,
            categories: categories, families: families, devicesSeen: total.devicesSeenCount, organisationsSeen: total.organisationsSeen.count,
            affectedDevices: affected.count, affectedOrganisations: affectedOrgs.count,
            attribution: ["device": a.byDevice, "cidr": a.byCIDR, "mmdb": a.byMMDB, "unknown": a.unknown, "anonymised": a.anonymised],
            intelEntries: snapshot.entryCount + snapshot.addressCount, detectionsWritten: log?.lines ?? 0, store: c.storePath)
        summary.suspectedDetections = total.suspected
        detectorReport(&summary)
        if let store, let days = c.retainDays {
            let cut = Day(timeNanos: Int64(Date().timeIntervalSince1970 * 1e9)).advanced(by: -days)
            do { summary.pruned = try store.store.removeData(before: cut) } catch { throw AnalyzeError("retention: \(error)") }
            summary.retainedFrom = cut.description
        }
        return summary
    }

    /// The detectors of the run as the store's methodology records them: the enabled ones, each with its settings and
    /// the DGA thresholds resolved from the model.
    static func storeDetectors(_ c: AnalyzeConfiguration, prototype: DetectorChain?) -> [IngestRun.Detector] {
        guard prototype != nil else { return [] }
        let m = c.detectors.methodology(chain: prototype)
        return m.detectors.filter(\.enabled).map { d in
            let resolved = m.resolvedThresholds.filter { $0.key.hasPrefix(d.name + ".") }.map { ($0.key + " (in force)", $0.value) }
            return IngestRun.Detector(name: d.name, parameters: [("rule", d.rule)] + d.settings.map { ($0.key, $0.value) } + resolved)
        }
    }

    /// The chain every worker starts from (a copy each): nil when every detector is off. Loads the DGA model and the
    /// newly-observed seen-set (when its file exists).
    static func detectorChain(_ s: DetectorSettings) throws -> DetectorChain? {
        do { try s.validate() } catch { throw AnalyzeError("detectors: \(error.detail)") }
        guard !s.enabledDetectors.isEmpty else { return nil }
        let scorer: DGAScorer
        do { scorer = try DGAScorer.bundled() } catch { throw AnalyzeError("the DGA model could not be loaded: \(error)") }
        var history: NewDomainHistory? = nil
        if s.newDomain.enabled, let path = s.newDomain.stateFile, FileManager.default.fileExists(atPath: path) {
            do {
                history = try NewDomainHistory.load(from: path, windowSeconds: Int64(s.newDomain.windowDays) * 86_400, maxRecent: s.newDomain.maxRecent)
            } catch { throw AnalyzeError("the newly-observed seen-set: \(error)") }
        }
        if s.newDomain.enabled && !s.newDomain.seedFiles.isEmpty {
            var h = history ?? NewDomainDetector.emptyHistory(s.newDomain)
            do { _ = try NewDomainDetector.seed(&h, files: s.newDomain.seedFiles, suffixes: scorer.suffixes) } catch {
                throw AnalyzeError("a newly-observed seed list: \(error)")
            }
            history = h
        }
        return DetectorChain(settings: s, scorer: scorer, history: history)
    }

    /// Merges the workers' detector counters and seen-sets, saves the seen-set, and returns a function that writes
    /// the detector part of the summary.
    static func detectorSummary(_ c: AnalyzeConfiguration, prototype: DetectorChain?, chains: [DetectorChain],
                                threads: Int, chunked: Bool = false, sharded: Bool = false) throws -> (inout AnalyzeSummary) -> Void {
        let methodology = c.detectors.methodology(chain: prototype)
        guard prototype != nil else { return { $0.detectorMethodology = methodology } }
        var counters = DetectorSettings.detectorNames.map { DetectorCounters(detector: $0) }
        var newDomains = Set<UInt64>(), malicious = Set<UInt64>()
        var history: NewDomainHistory? = nil
        var fastHits = 0
        for ch in chains {
            fastHits += ch.fastHits
            for (i, k) in ch.detectorCounters.enumerated() { counters[i].merge(k) }
            newDomains.formUnion(ch.newDomains)
            malicious.formUnion(ch.maliciousNewDomains)
            if let h = ch.newDomainHistory {
                if history == nil { history = h } else { history!.merge(h) }
            }
        }
        var saved: String? = nil
        if let h = history, let path = c.detectors.newDomain.stateFile {
            do { try h.save(to: path) } catch { throw AnalyzeError("the newly-observed seen-set: \(error)") }
            saved = path
        }
        let lines = counters.map { k -> AnalyzeSummary.Detector in
            let m = methodology.detectors.first { $0.name == k.detector }
            return .init(name: k.detector, matched: m?.matched ?? k.detector, enabled: m?.enabled ?? false, alerts: k.alerts,
                         devices: k.devices.count, queries: k.flaggedQueries, alsoKnown: k.alsoKnown, tracked: k.tracked,
                         evictions: k.evictions, expirations: k.expirations)
        }
        let nod = c.detectors.newDomain.enabled
        let historyDays = history.flatMap { h in h.historyStart.map { Double(h.clock - $0) / 86_400 } }
        let scope = threads > 1
            ? (chunked || sharded
               ? "per worker (\(threads) workers; "
                   + (sharded ? "large pcapng, compressed or standard-input streams (and pcap with DNS over TCP or IP fragments) are read by one thread that gives each device's queries, in order, to one worker; " : "")
                   + (chunked ? "large Zeek, dnstap and pcap files are read in chunks by all workers, so a device whose queries fall in chunks read by different workers is watched in parts; " : "")
                   + "a device split across files read by different workers is watched in parts; files and chunks are dealt to workers in a fixed order, so the same inputs and thread count give the same verdicts)"
               : "per worker (\(threads) workers, each reading whole files; a device split across files read by different workers is watched in parts; files are dealt to workers in a fixed order, so the same inputs and thread count give the same verdicts)")
            : "one worker: every device's queries are watched together"
        return { s in
            s.detectors = lines
            s.newlyObservedDomains = nod ? newDomains.count : nil
            s.maliciousNewlyObservedDomains = nod ? malicious.count : nil
            s.seenSetHistoryDays = historyDays
            s.seenSetSaved = saved
            s.detectorStateScope = scope
            s.detectorFastPath = fastHits
            s.detectorMethodology = methodology
        }
    }
}

/// A counter shared between threads (progress display).
final class EventCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var v = 0
    func add(_ n: Int) { lock.withLock { v += n } }
    var value: Int { lock.withLock { v } }
}
