import EventStore
import Foundation
import GRDB
import Synchronization

/// The embedded event store: one SQLite file in WAL mode (GRDB), holding detections with their evidence, the
/// roll-ups every metric is computed from, domain sightings, ingest checkpoints and run records.
///
/// - Each ``write(_:)`` is one transaction: devices, roll-ups, detections, domains and the batch's checkpoints are
///   stored together or not at all, so a process killed mid-ingest leaves the store at the last committed batch and
///   a re-run resumes from the checkpoint without counting anything twice.
/// - Other processes can read while one writes (WAL): a reader sees the last committed batch.
/// - ``snapshot()`` gives a reader that sees one committed state across many calls (for a whole report).
public final class SQLiteStore: EventStoreWriter, EventStoreReader {
    /// The database file.
    public let path: String
    /// Whether the store was opened read-only.
    public let readOnly: Bool
    let pool: DatabasePool
    private let deviceCache = Mutex<[DeviceIdentity: StoredDevice]>([:])
    /// The committed state of domains this process wrote (at most ``domainCacheLimit``), so that batches skip the
    /// domains they tell nothing new about. The store assumes one writing process at a time (as checkpoints do).
    private let domainCache = Mutex<[String: DomainState]>([:])
    /// The most domains remembered.
    static let domainCacheLimit = 1_000_000

    /// The default store location: `$XDG_DATA_HOME/dnsight/store.sqlite`, else `~/.local/share/dnsight/store.sqlite`.
    public static var defaultPath: String {
        let env = ProcessInfo.processInfo.environment
        let base: String
        if let x = env["XDG_DATA_HOME"], x.hasPrefix("/") {
            base = x
        } else {
            base = (env["HOME"] ?? NSHomeDirectory()) + "/.local/share"
        }
        return base + "/dnsight/store.sqlite"
    }

    private init(path: String, readOnly: Bool, pool: DatabasePool) {
        self.path = path
        self.readOnly = readOnly
        self.pool = pool
    }

    /// Opens (creating if needed, with its parent directory) a store for writing and reading, and brings its schema
    /// up to date.
    public static func open(path: String) throws(SQLiteStoreError) -> SQLiteStore {
        let dir = (path as NSString).deletingLastPathComponent
        if !dir.isEmpty {
            do { try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true) } catch {
                throw SQLiteStoreError(.open("cannot create \(dir): \(error)"), path: path, operation: "open")
            }
        }
        let pool = try openPool(path: path, readOnly: false)
        let store = SQLiteStore(path: path, readOnly: false, pool: pool)
        try store.wrap("migrate") {
            let migrator = Schema.migrator
            if try pool.read({ try migrator.hasBeenSuperseded($0) }) {
                throw SQLiteStoreError(.newerSchema(try pool.read { try migrator.appliedMigrations($0).last ?? "?" }),
                                       path: path, operation: "migrate")
            }
            try migrator.migrate(pool)
        }
        return store
    }

    /// Opens an existing store for reading only (for reports, while another process may be writing).
    public static func openReadOnly(path: String) throws(SQLiteStoreError) -> SQLiteStore {
        guard FileManager.default.fileExists(atPath: path) else {
            throw SQLiteStoreError(.open("no such file"), path: path, operation: "open read-only")
        }
        let pool = try openPool(path: path, readOnly: true)
        let store = SQLiteStore(path: path, readOnly: true, pool: pool)
        try store.wrap("check schema") {
            let migrator = Schema.migrator
            let applied = try pool.read { db -> [String]? in
                guard try db.tableExists("grdb_migrations") else { return nil }
                return try migrator.appliedMigrations(db)
            }
            guard let applied, !applied.isEmpty else { throw SQLiteStoreError(.notAStore, path: path, operation: "check schema") }
            if try pool.read({ try migrator.hasBeenSuperseded($0) }) {
                throw SQLiteStoreError(.newerSchema(applied.last ?? "?"), path: path, operation: "check schema")
            }
        }
        return store
    }

    private static func openPool(path: String, readOnly: Bool) throws(SQLiteStoreError) -> DatabasePool {
        var config = Configuration()
        config.readonly = readOnly
        config.busyMode = .timeout(60)
        config.prepareDatabase { db in
            // WAL + synchronous=NORMAL: a committed transaction survives the process being killed; a power loss may
            // lose the last transactions but never leaves a half-written one.
            if !db.configuration.readonly { try db.execute(sql: "PRAGMA synchronous = NORMAL") }
            try db.execute(sql: "PRAGMA cache_size = -65536; PRAGMA temp_store = MEMORY")
        }
        do {
            return try DatabasePool(path: path, configuration: config)
        } catch {
            throw SQLiteStoreError(.open("\(error)"), path: path, operation: readOnly ? "open read-only" : "open")
        }
    }

    /// Runs `body`, turning any failure into a ``SQLiteStoreError`` naming `operation`.
    func wrap<T>(_ operation: String, _ body: () throws -> T) throws(SQLiteStoreError) -> T {
        do {
            return try body()
        } catch {
            throw SQLiteStoreError.from(error, path: path, operation: operation)
        }
    }

    // MARK: Writing

    /// Stores a batch in one transaction. See ``IngestBatch``.
    public func write(_ batch: IngestBatch) throws(SQLiteStoreError) { try write(batch, run: nil) }

    /// Stores a batch in one transaction; with `run` (an id from ``beginRun(_:)``), the same transaction adds the
    /// batch's queries and detections to that run's record, so the record of a run killed part-way counts exactly
    /// what it stored. `remember: false` for a writer's last batch: the caches of stored devices and domains, which
    /// spare later batches their look-ups, do not learn from it (on the ingest benchmark's 100M queries that took
    /// 0.36 s after the last commit, with nothing left to run beside it); only the few cached devices whose
    /// attributes it changed are dropped from the cache, so later writes stay correct either way (a domain's cached
    /// state may then be older than the row, which only costs a later batch a write the row did not need).
    public func write(_ batch: IngestBatch, run: Int64?, remember: Bool = true) throws(SQLiteStoreError) {
        // The writer reads copies of the caches; they go out of scope before the caches learn from the batch, so
        // that adding to a cache does not copy it whole.
        let (learned, learnedDomains, updatedCached) = try { () throws(SQLiteStoreError) -> ([StoredDevice], [(name: String, state: DomainState)], [DeviceIdentity]) in
            let cached = deviceCache.withLock { $0 }
            let domains = domainCache.withLock { $0 }
            return try wrap("write batch") {
                try pool.write { db in
                    var w = BatchWriter(db: db, cache: cached, domainCache: domains, runID: run, remember: remember)
                    let devices = try w.write(batch)
                    return (devices, w.learnedDomains, w.updatedCachedDevices)
                }
            }
        }()
        // Only now that the transaction has committed do the caches learn from it.
        guard remember else {
            if !updatedCached.isEmpty { deviceCache.withLock { cache in for d in updatedCached { cache[d] = nil } } }
            return
        }
        if !learned.isEmpty {
            deviceCache.withLock { cache in
                cache.reserveCapacity(cache.count + learned.count)
                for d in learned { cache[d.info.identity] = d }
            }
        }
        if !learnedDomains.isEmpty {
            domainCache.withLock { cache in
                cache.reserveCapacity(min(Self.domainCacheLimit, cache.count + learnedDomains.count))
                for (name, state) in learnedDomains {
                    if cache.count < Self.domainCacheLimit { cache[name] = state } else if cache[name] != nil { cache[name] = state }
                }
            }
        }
    }

    /// Stores `batch`; a convenience name for ``write(_:)``.
    public func write(batch: IngestBatch) throws(SQLiteStoreError) { try write(batch) }

    /// Stores a checkpoint on its own (e.g. to mark an empty input complete).
    public func checkpoint(_ cp: IngestCheckpoint) throws(SQLiteStoreError) {
        var b = IngestBatch()
        b.setCheckpoint(cp)
        try write(b)
    }

    public func checkpoint(forKey key: String) throws(SQLiteStoreError) -> IngestCheckpoint? {
        try wrap("read checkpoint") {
            try pool.read { db in
                try Reads.checkpoints(db, where: "stream_key = ?", [key]).first
            }
        }
    }

    public func checkpoints(fileDevice: UInt64, inode: UInt64) throws(SQLiteStoreError) -> [IngestCheckpoint] {
        try wrap("read checkpoints") {
            try pool.read { db in
                try Reads.checkpoints(db, where: "file_device = ? AND inode = ?",
                                      [Int64(bitPattern: fileDevice), Int64(bitPattern: inode)])
            }
        }
    }

    public func record(run: IngestRun) throws(SQLiteStoreError) {
        try wrap("record run") {
            let body = String(decoding: try JSONEncoder().encode(run), as: UTF8.self)
            try pool.write { db in
                try db.execute(sql: "INSERT INTO ingest_run (started_ns, finished_ns, body) VALUES (?, ?, ?)",
                               arguments: [run.startedNanos, run.finishedNanos, body])
            }
        }
    }

    /// Records the start of an ingest run and returns its id. The record says `finishedNanos == 0` until
    /// ``finishRun(_:_:)``; its queries and detections grow with every batch written with the id, so a record left
    /// at 0 is a run that was interrupted, holding what it stored before it stopped.
    public func beginRun(_ run: IngestRun) throws(SQLiteStoreError) -> Int64 {
        try wrap("begin run") {
            var r = run
            r.finishedNanos = 0
            r.queries = 0
            r.detections = 0
            let body = String(decoding: try JSONEncoder().encode(r), as: UTF8.self)
            return try pool.write { db in
                try db.execute(sql: "INSERT INTO ingest_run (started_ns, finished_ns, body) VALUES (?, 0, ?)",
                               arguments: [r.startedNanos, body])
                return db.lastInsertedRowID
            }
        }
    }

    /// Completes a run begun with ``beginRun(_:)``: its record becomes `run`, except for the queries and detections,
    /// which stay as the run's batches counted them.
    public func finishRun(_ id: Int64, _ run: IngestRun) throws(SQLiteStoreError) {
        try wrap("finish run") {
            try pool.write { db in
                guard let old = try String.fetchOne(db, sql: "SELECT body FROM ingest_run WHERE id = ?", arguments: [id]) else {
                    throw SQLiteStoreError(.corrupt("no ingest run \(id)"), path: path, operation: "finish run")
                }
                let stored = try JSONDecoder().decode(IngestRun.self, from: Data(old.utf8))
                var r = run
                r.queries = stored.queries
                r.detections = stored.detections
                let body = String(decoding: try JSONEncoder().encode(r), as: UTF8.self)
                try db.execute(sql: "UPDATE ingest_run SET finished_ns = ?, body = ? WHERE id = ?", arguments: [r.finishedNanos, body, id])
            }
        }
    }

    public func removeData(before day: Day) throws(SQLiteStoreError) -> RetentionSummary {
        try removeData(before: day, dryRun: false)
    }

    /// Removes roll-ups, detections and domains of the days before `day` (retention by age) in one transaction;
    /// with `dryRun`, counts what would go and rolls the transaction back. Checkpoints stay: inputs already ingested
    /// are still skipped by a later run, so pruned data does not come back.
    public func removeData(before day: Day, dryRun: Bool) throws(SQLiteStoreError) -> RetentionSummary {
        let r = try wrap("retention") {
            try pool.writeWithoutTransaction { db in
                var out = RetentionSummary(rollupRows: 0, detections: 0, domains: 0)
                try db.inTransaction {
                    out = try Retention.remove(db, before: day)
                    return dryRun ? .rollback : .commit
                }
                return out
            }
        }
        if !dryRun { domainCache.withLock { $0.removeAll() } }
        return r
    }

    /// Rebuilds the database file so that it shrinks after a prune (SQLite `VACUUM`), and folds the WAL into it.
    public func vacuum() throws(SQLiteStoreError) {
        try wrap("vacuum") {
            try pool.writeWithoutTransaction { db in
                try db.execute(sql: "VACUUM")
                _ = try db.checkpoint(.truncate)
            }
        }
    }

    /// Rows per table (the store's own tables, by name) and the newest schema migration applied.
    public func tableRowCounts() throws(SQLiteStoreError) -> (tables: [(name: String, rows: Int64)], schema: String) {
        try wrap("count rows") {
            try pool.read { db in
                let names = try String.fetchAll(db, sql: """
                    SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name != 'grdb_migrations' ORDER BY name
                    """)
                let counts = try names.map { n in (name: n, rows: try Int64.fetchOne(db, sql: "SELECT count(*) FROM \"\(n)\"") ?? 0) }
                return (counts, try Schema.migrator.appliedMigrations(db).last ?? "none")
            }
        }
    }

    // MARK: Reading

    /// A reader that sees one committed state of the store for as long as it lives (a long read transaction on its
    /// own connection), so that every metric of a report is computed over the same data while ingest goes on.
    public func snapshot() throws(SQLiteStoreError) -> SQLiteSnapshotReader {
        let snap: DatabaseSnapshot = try wrap("snapshot") { try pool.makeSnapshot() }
        return SQLiteSnapshotReader(reads: Reads(db: snap, path: path))
    }

    var reads: Reads { Reads(db: pool, path: path) }
    public func summary() throws -> StoreSummary { try reads.summary() }
    public func devices() throws -> [StoredDevice] { try reads.devices() }
    public func activity(in range: DayRange) throws -> DeviceActivity { try reads.activity(in: range) }
    public func queriesPerDevice(in range: DayRange) throws -> [Int64: Int64] { try reads.queriesPerDevice(in: range) }
    public func flaggedRollups(in range: DayRange) throws -> [FlaggedRollupRow] { try reads.flaggedRollups(in: range) }
    public func threatRollups(in range: DayRange) throws -> [ThreatRollupRow] { try reads.threatRollups(in: range) }
    public func tagRollups(in range: DayRange) throws -> [TagRollupRow] { try reads.tagRollups(in: range) }
    public func phishingRollups(in range: DayRange) throws -> [PhishingRollupRow] { try reads.phishingRollups(in: range) }
    public func familyTags() throws -> [String: Set<String>] { try reads.familyTags() }
    public func newlyObservedDomains(fromNanos: Int64, toNanos: Int64) throws -> NewlyObservedDomainCounts {
        try reads.newlyObservedDomains(fromNanos: fromNanos, toNanos: toNanos)
    }
    public func detections(in range: DayRange, deviceID: Int64?, limit: Int) throws -> [DetectionRecord] {
        try reads.detections(in: range, deviceID: deviceID, limit: limit)
    }
    public func ingestRuns() throws -> [IngestRun] { try reads.ingestRuns() }
    public func allCheckpoints() throws -> [IngestCheckpoint] { try reads.allCheckpoints() }

    /// The size of the database file and its WAL, in bytes.
    public func fileSizes() -> (database: Int64, wal: Int64) {
        func size(_ p: String) -> Int64 {
            ((try? FileManager.default.attributesOfItem(atPath: p))?[.size] as? NSNumber)?.int64Value ?? 0
        }
        return (size(path), size(path + "-wal"))
    }

    /// Folds the WAL into the database file (a TRUNCATE checkpoint), e.g. before measuring its size.
    public func compactWAL() throws(SQLiteStoreError) {
        try wrap("wal checkpoint") {
            try pool.writeWithoutTransaction { db in _ = try db.checkpoint(.truncate) }
        }
    }
}

/// A reader over one committed state of a ``SQLiteStore`` (see ``SQLiteStore/snapshot()``).
public struct SQLiteSnapshotReader: EventStoreReader {
    let reads: Reads
    public func summary() throws -> StoreSummary { try reads.summary() }
    public func devices() throws -> [StoredDevice] { try reads.devices() }
    public func activity(in range: DayRange) throws -> DeviceActivity { try reads.activity(in: range) }
    public func queriesPerDevice(in range: DayRange) throws -> [Int64: Int64] { try reads.queriesPerDevice(in: range) }
    public func flaggedRollups(in range: DayRange) throws -> [FlaggedRollupRow] { try reads.flaggedRollups(in: range) }
    public func threatRollups(in range: DayRange) throws -> [ThreatRollupRow] { try reads.threatRollups(in: range) }
    public func tagRollups(in range: DayRange) throws -> [TagRollupRow] { try reads.tagRollups(in: range) }
    public func phishingRollups(in range: DayRange) throws -> [PhishingRollupRow] { try reads.phishingRollups(in: range) }
    public func familyTags() throws -> [String: Set<String>] { try reads.familyTags() }
    public func newlyObservedDomains(fromNanos: Int64, toNanos: Int64) throws -> NewlyObservedDomainCounts {
        try reads.newlyObservedDomains(fromNanos: fromNanos, toNanos: toNanos)
    }
    public func detections(in range: DayRange, deviceID: Int64?, limit: Int) throws -> [DetectionRecord] {
        try reads.detections(in: range, deviceID: deviceID, limit: limit)
    }
    public func ingestRuns() throws -> [IngestRun] { try reads.ingestRuns() }
    public func allCheckpoints() throws -> [IngestCheckpoint] { try reads.allCheckpoints() }
}
