import EventStore
import Foundation
import GRDB

/// Writes one ``IngestBatch`` inside an open transaction.
struct BatchWriter {
    let db: Database
    let cache: [DeviceIdentity: StoredDevice]
    /// What this process last committed for each domain (a subset of the table; see ``DomainState``).
    let domainCache: [String: DomainState]
    /// The ingest run whose record counts this batch (see ``SQLiteStore/beginRun(_:)``), if any.
    var runID: Int64? = nil
    /// Domains whose stored state this batch changed, to cache once the transaction commits.
    var learnedDomains: [(name: String, state: DomainState)] = []
    /// Cached devices whose attributes this batch changed (their cache entries are stale until it learns).
    var updatedCachedDevices: [DeviceIdentity] = []
    /// Whether the caches will learn from this batch (``SQLiteStore/write(_:run:remember:)``): when not, the
    /// learned devices and domains are not gathered.
    var remember = true

    /// Writes everything and returns the devices whose ids were learned or whose attributes changed (to cache once
    /// the transaction commits); none when the caches will not learn from this batch (`remember` false).
    mutating func write(_ batch: IngestBatch) throws -> [StoredDevice] {
        var learned: [StoredDevice] = []
        if remember { learned.reserveCapacity(batch.devices.count) }
        var ids = [Int64](repeating: 0, count: batch.devices.count)
        if !batch.devices.isEmpty {
            // No `RETURNING`: SQLite runs a statement with one to completion into an ephemeral table before the first
            // row comes back, which cost more than the insert itself. A new device (the common case) takes its id
            // from `last_insert_rowid()`; one already stored updates its attributes by its identity (last write wins,
            // as the former upsert did) and reads its id back.
            let insert = try RawStatement(db, """
                INSERT INTO device (organisation, device_key, segment, region, country, industry, device_type, site)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (organisation, device_key) DO NOTHING
                """)
            for (i, d) in batch.devices.enumerated() {
                let identity = d.identity
                if let c = cache[identity] {
                    ids[i] = c.id
                    if c.info == d { continue }
                    try updateDevice(d)
                    updatedCachedDevices.append(identity)
                } else {
                    insert.bind(1, d.organisation); insert.bind(2, d.deviceKey)
                    Self.bindAttributes(insert, d, from: 3)
                    try insert.run()
                    ids[i] = db.changesCount == 1 ? db.lastInsertedRowID : try updateDevice(d)
                }
                if remember { learned.append(StoredDevice(id: ids[i], info: d)) }
            }
        }
        try writeTraffic(batch, ids)
        try writeSpans("threat_daily", ["category", "tier", "family"],
                       batch.threats.map { (k, v) in (k.day, ids[Int(k.device)], [k.category, k.tier, k.family], v) })
        try writeSpans("tag_daily", ["category", "tier", "tag"],
                       batch.tags.map { (k, v) in (k.day, ids[Int(k.device)], [k.category, k.tier, k.tag], v) })
        try writeSpans("phishing_daily", ["tier", "campaign", "industry"],
                       batch.phishing.map { (k, v) in (k.day, ids[Int(k.device)], [k.tier, k.campaign, k.industry], v) })
        if !batch.familyTags.isEmpty {
            let st = try RawStatement(db, "INSERT OR IGNORE INTO family_tag (family, tag) VALUES (?, ?)")
            for ft in batch.familyTags { st.bind(1, ft.family); st.bind(2, ft.tag); try st.run() }
        }
        try writeDomains(batch.domainSightings)
        try writeDetections(batch, ids)
        try writeCheckpoints(batch.checkpoints.values)
        if let runID, !batch.isEmpty {
            try db.execute(sql: """
                UPDATE ingest_run SET body = json_set(body, '$.queries', json_extract(body, '$.queries') + ?,
                                                      '$.detections', json_extract(body, '$.detections') + ?)
                WHERE id = ?
                """, arguments: [batch.observationCount, Int64(batch.detections.count), runID])
        }
        return learned
    }

    /// Binds a device's six attributes (segment … site) from parameter `first` on.
    private static func bindAttributes(_ st: RawStatement, _ d: DeviceInfo, from first: Int32) {
        st.bind(first, d.segment); st.bind(first + 1, d.region); st.bind(first + 2, d.country)
        st.bind(first + 3, d.industry); st.bind(first + 4, d.deviceType); st.bind(first + 5, d.site)
    }

    /// Sets the attributes of a stored device and returns its id.
    @discardableResult
    private func updateDevice(_ d: DeviceInfo) throws -> Int64 {
        let update = try RawStatement(db, """
            UPDATE device SET segment = ?, region = ?, country = ?, industry = ?, device_type = ?, site = ?
            WHERE organisation = ? AND device_key = ?
            RETURNING id
            """)
        Self.bindAttributes(update, d, from: 1)
        update.bind(7, d.organisation); update.bind(8, d.deviceKey)
        return try update.runReturningInt()
    }

    private func writeTraffic(_ batch: IngestBatch, _ ids: [Int64]) throws {
        let traffic = batch.traffic
        guard !traffic.isEmpty else { return }
        struct Row { var day: Day; var id: Int64; var counts: TrafficCounts }
        var rows = traffic.map { k, v -> Row in
            let (day, slot) = IngestBatch.unpackKey(k)
            return Row(day: day, id: ids[Int(slot)], counts: v)
        }
        rows.sort { ($0.day, $0.id) < ($1.day, $1.id) }
        let daily = try RawStatement(db, """
            INSERT INTO traffic_daily (day, device_id, queries) VALUES (?, ?, ?)
            ON CONFLICT (day, device_id) DO UPDATE SET queries = queries + excluded.queries
            """)
        let flagged = try RawStatement(db, """
            INSERT INTO flagged_daily (day, device_id, queries, known_queries) VALUES (?, ?, ?, ?)
            ON CONFLICT (day, device_id) DO UPDATE SET queries = queries + excluded.queries,
                known_queries = known_queries + excluded.known_queries
            """)
        // Month × device: OR of day bits, sum of queries.
        struct MonthKey: Hashable { var month: Int32; var id: Int64 }
        var months: [MonthKey: (bits: Int64, queries: Int64)] = [:]
        var monthOf: [Int32: (start: Int32, bit: Int)] = [:]
        for r in rows {
            daily.bind(1, Int64(r.day.index)); daily.bind(2, r.id); daily.bind(3, r.counts.queries)
            try daily.run()
            if r.counts.flagged > 0 {
                flagged.bind(1, Int64(r.day.index)); flagged.bind(2, r.id)
                flagged.bind(3, r.counts.flagged); flagged.bind(4, r.counts.flaggedKnown)
                try flagged.run()
            }
            let m: (start: Int32, bit: Int)
            if let c = monthOf[r.day.index] { m = c } else {
                let c = r.day.civil
                m = (Day(year: c.year, month: c.month, day: 1)!.index, c.day - 1)
                monthOf[r.day.index] = m
            }
            let key = MonthKey(month: m.start, id: r.id)
            var e = months[key] ?? (0, 0)
            e.bits |= Int64(1) << Int64(m.bit)
            e.queries += r.counts.queries
            months[key] = e
        }
        let monthly = try RawStatement(db, """
            INSERT INTO activity_monthly (month, device_id, days, queries) VALUES (?, ?, ?, ?)
            ON CONFLICT (month, device_id) DO UPDATE SET days = days | excluded.days, queries = queries + excluded.queries
            """)
        for (k, v) in months.sorted(by: { ($0.key.month, $0.key.id) < ($1.key.month, $1.key.id) }) {
            monthly.bind(1, Int64(k.month)); monthly.bind(2, k.id); monthly.bind(3, v.bits); monthly.bind(4, v.queries)
            try monthly.run()
        }
    }

    private func writeSpans(_ table: String, _ columns: [String], _ rows: [(Day, Int64, [String], Span)]) throws {
        guard !rows.isEmpty else { return }
        let cols = columns.joined(separator: ", ")
        let marks = columns.map { _ in "?" }.joined(separator: ", ")
        let st = try RawStatement(db, """
            INSERT INTO \(table) (day, device_id, \(cols), queries, first_ns, last_ns) VALUES (?, ?, \(marks), ?, ?, ?)
            ON CONFLICT (day, device_id, \(cols)) DO UPDATE SET queries = queries + excluded.queries,
                first_ns = min(first_ns, excluded.first_ns), last_ns = max(last_ns, excluded.last_ns)
            """)
        for (day, id, keys, span) in rows.sorted(by: { ($0.0, $0.1) < ($1.0, $1.1) }) {
            st.bind(1, Int64(day.index)); st.bind(2, id)
            var i: Int32 = 3
            for k in keys { st.bind(i, k); i += 1 }
            st.bind(i, span.queries); st.bind(i + 1, span.firstNanos); st.bind(i + 2, span.lastNanos)
            try st.run()
        }
    }

    private mutating func writeDomains(_ domains: (names: [String], sightings: [DomainSighting])) throws {
        guard !domains.names.isEmpty else { return }
        // Three statements instead of one upsert `RETURNING` the merged row (SQLite runs a `RETURNING` statement to
        // completion into an ephemeral table first, which cost more than the write): a domain this process stored
        // before is updated and its merged state computed here, from the cached state; any other is inserted, and
        // its state is the sighting itself; only a domain stored by another process, or one the cache let go, takes
        // the upsert that reads the merged row back.
        // min() of SQLite returns NULL if any argument is NULL; coalesce keeps the non-null one.
        let merge = """
            first_ns = min(first_ns, excluded.first_ns),
                last_day = max(last_day, excluded.last_day),
                first_resolved_ns = coalesce(min(first_resolved_ns, excluded.first_resolved_ns), first_resolved_ns, excluded.first_resolved_ns),
                first_malicious_ns = coalesce(min(first_malicious_ns, excluded.first_malicious_ns), first_malicious_ns, excluded.first_malicious_ns)
            """
        let values = "INSERT INTO domain (name, first_ns, last_day, first_resolved_ns, first_malicious_ns) VALUES (?, ?, ?, ?, ?)"
        let insert = try RawStatement(db, values + " ON CONFLICT (name) DO NOTHING")
        let update = try RawStatement(db, values + " ON CONFLICT (name) DO UPDATE SET " + merge)
        // A domain whose committed state this sighting does not change needs no write: those are left out before
        // the rest is sorted (by name, for the index's sake), since after a run's first batches most are.
        var writes: [(index: Int, cached: DomainState?)] = []
        for i in domains.names.indices {
            let c = domainCache[domains.names[i]]
            if let c, !c.changed(by: domains.sightings[i], lastDay: Int64(Day(timeNanos: domains.sightings[i].lastNanos).index)) { continue }
            writes.append((i, c))
        }
        writes = Self.inByteOrder(writes, by: { domains.names[$0.index] })
        for (i, cached) in writes {
            let name = domains.names[i], s = domains.sightings[i]
            let lastDay = Int64(Day(timeNanos: s.lastNanos).index)
            let sighted = DomainState(first: s.firstNanos, lastDay: lastDay, firstResolved: s.firstResolvedNanos, firstMalicious: s.firstMaliciousNanos)
            if let c = cached {
                Self.bind(update, name, sighted)
                try update.run()
                if remember { learnedDomains.append((name, c.merged(with: sighted))) }
                continue
            }
            Self.bind(insert, name, sighted)
            try insert.run()
            if db.changesCount == 1 {
                if remember { learnedDomains.append((name, sighted)) }
                continue
            }
            guard remember else {
                Self.bind(update, name, sighted)
                try update.run()
                continue
            }
            let upsert = try RawStatement(db, values + " ON CONFLICT (name) DO UPDATE SET " + merge
                                          + " RETURNING first_ns, last_day, first_resolved_ns, first_malicious_ns")
            Self.bind(upsert, name, sighted)
            learnedDomains.append((name, try upsert.runReturningRow { r in
                DomainState(first: r.int(0), lastDay: r.int(1), firstResolved: r.optInt(2), firstMalicious: r.optInt(3))
            }))
        }
    }

    /// `items` ordered by the UTF-8 bytes of `key` (SQLite's order for a text key, so that rows go into its index
    /// in order): by their first 8 bytes as one integer, and only on a tie by the whole bytes. Sorting by `String`
    /// comparison took 0.4 s for the 385,000 domains of a 100-million-query batch.
    static func inByteOrder<T>(_ items: [T], by key: (T) -> String) -> [T] {
        var keys: [(prefix: UInt64, index: Int32)] = []
        keys.reserveCapacity(items.count)
        var texts: [String] = []
        texts.reserveCapacity(items.count)
        for (i, item) in items.enumerated() {
            var text = key(item)
            let prefix: UInt64 = text.withUTF8 { b in
                var p: UInt64 = 0
                for j in 0..<8 { p = p << 8 | UInt64(j < b.count ? b[j] : 0) }
                return p
            }
            keys.append((prefix, Int32(i)))
            texts.append(text)
        }
        keys.sort { a, b in
            if a.prefix != b.prefix { return a.prefix < b.prefix }
            return texts[Int(a.index)].utf8.lexicographicallyPrecedes(texts[Int(b.index)].utf8)
        }
        return keys.map { items[Int($0.index)] }
    }

    private static func bind(_ st: RawStatement, _ name: String, _ d: DomainState) {
        st.bind(1, name); st.bind(2, d.first); st.bind(3, d.lastDay); st.bind(4, d.firstResolved); st.bind(5, d.firstMalicious)
    }

    private func writeDetections(_ batch: IngestBatch, _ ids: [Int64]) throws {
        guard !batch.detections.isEmpty else { return }
        let st = try RawStatement(db, """
            INSERT INTO detection (time_ns, device_id, query_name, query_type, rcode, category, tier, family, tags,
                indicator, detector, reason, source_feed, reference, score, threshold, source_file, source_line, source_offset)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        for (d, observed) in zip(batch.detections, batch.detectionSlots) {
            // A detection is stored against its device: nearly always its observation's (no identity hashing then).
            let device = batch.devices[Int(observed)]
            let slot = device.organisation == d.device.organisation && device.deviceKey == d.device.deviceKey
                ? observed : batch.slot(of: d.device.identity)?.index
            guard let slot else {
                throw SQLiteStoreError(.corrupt("detection of a device not in its batch: \(d.device.organisation)/\(d.device.deviceKey)"),
                                       path: "", operation: "write detections")
            }
            let id = ids[Int(slot)]
            st.bind(1, d.timeNanos); st.bind(2, id); st.bind(3, d.queryName); st.bind(4, d.queryType); st.bind(5, d.rcode)
            st.bind(6, d.category); st.bind(7, d.tier); st.bind(8, d.family); st.bind(9, TagCoding.encode(d.tags))
            st.bind(10, d.indicator); st.bind(11, d.detector); st.bind(12, d.reason); st.bind(13, d.sourceFeed)
            st.bind(14, d.reference); st.bind(15, d.score); st.bind(16, d.threshold); st.bind(17, d.sourceFile)
            st.bind(18, d.sourceLine); st.bind(19, d.sourceOffset)
            try st.run()
        }
    }

    private func writeCheckpoints(_ cps: some Collection<IngestCheckpoint>) throws {
        guard !cps.isEmpty else { return }
        let st = try RawStatement(db, """
            INSERT INTO checkpoint (stream_key, path, file_device, inode, size, modified_ns, head_length, head_hash, part,
                byte_offset, records, complete, updated_ns)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (stream_key) DO UPDATE SET path = excluded.path, file_device = excluded.file_device,
                inode = excluded.inode, size = excluded.size, modified_ns = excluded.modified_ns,
                byte_offset = excluded.byte_offset, records = excluded.records, complete = excluded.complete,
                updated_ns = excluded.updated_ns
            """)
        let now = Int64((Date().timeIntervalSince1970 * 1e9).rounded())
        for cp in cps {
            let s = cp.stream
            st.bind(1, s.key); st.bind(2, s.path); st.bind(3, Int64(bitPattern: s.fileDevice)); st.bind(4, Int64(bitPattern: s.inode))
            st.bind(5, s.size); st.bind(6, s.modifiedNanos); st.bind(7, s.headLength); st.bind(8, Int64(bitPattern: s.headHash))
            st.bind(9, Int64(s.part)); st.bind(10, cp.byteOffset); st.bind(11, cp.records); st.bind(12, cp.complete ? 1 : 0)
            st.bind(13, cp.updatedNanos != 0 ? cp.updatedNanos : now)
            try st.run()
        }
    }
}

/// Tags are stored as one text column: the tags joined by newlines (a tag never contains one; any that did would be
/// folded to a space when written).
enum TagCoding {
    static func encode(_ tags: [String]) -> String {
        tags.map { $0.replacingOccurrences(of: "\n", with: " ") }.joined(separator: "\n")
    }
    static func decode(_ text: String) -> [String] {
        text.isEmpty ? [] : text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }
}

/// Removing old data.
enum Retention {
    static func remove(_ db: Database, before day: Day) throws -> RetentionSummary {
        let cut = Int64(day.index)
        var rollups: Int64 = 0
        for table in ["traffic_daily", "flagged_daily", "threat_daily", "tag_daily", "phishing_daily"] {
            try db.execute(sql: "DELETE FROM \(table) WHERE day < ?", arguments: [cut])
            rollups += Int64(db.changesCount)
        }
        // Monthly activity: whole months before the cut go; the month holding the cut loses the bits of its earlier
        // days and its queries are recounted from the daily roll-up.
        let c = day.civil
        let monthStart = Int64(Day(year: c.year, month: c.month, day: 1)!.index)
        try db.execute(sql: "DELETE FROM activity_monthly WHERE month < ?", arguments: [monthStart])
        rollups += Int64(db.changesCount)
        let keepMask = ~((Int64(1) << Int64(c.day - 1)) - 1)
        let nextMonth = Int64(day.advanced(by: Day.daysIn(year: c.year, month: c.month) - c.day + 1).index)
        try db.execute(sql: """
            UPDATE activity_monthly SET days = days & ?,
                queries = (SELECT coalesce(sum(t.queries), 0) FROM traffic_daily t
                           WHERE t.device_id = activity_monthly.device_id AND t.day >= ? AND t.day < ?)
            WHERE month = ?
            """, arguments: [keepMask, monthStart, nextMonth, monthStart])
        try db.execute(sql: "DELETE FROM activity_monthly WHERE month = ? AND days = 0", arguments: [monthStart])
        rollups += Int64(db.changesCount)
        try db.execute(sql: "DELETE FROM detection WHERE time_ns < ?", arguments: [day.startNanos])
        let detections = Int64(db.changesCount)
        try db.execute(sql: "DELETE FROM domain WHERE last_day < ?", arguments: [cut])
        let domains = Int64(db.changesCount)
        return RetentionSummary(rollupRows: rollups, detections: detections, domains: domains)
    }
}

/// A domain's stored state as this process last committed it.
struct DomainState: Sendable, Hashable {
    var first: Int64
    var lastDay: Int64
    var firstResolved: Int64?
    var firstMalicious: Int64?

    /// Whether storing `s` (last seen on `lastDay`) would change this state.
    func changed(by s: DomainSighting, lastDay d: Int64) -> Bool {
        func earlier(_ new: Int64?, _ old: Int64?) -> Bool {
            guard let new else { return false }
            return old.map { new < $0 } ?? true
        }
        return s.firstNanos < first || d > lastDay || earlier(s.firstResolvedNanos, firstResolved) || earlier(s.firstMaliciousNanos, firstMalicious)
    }

    /// The state after storing `o` over this one: what the domain upsert's `min`/`max` leave in the row.
    func merged(with o: DomainState) -> DomainState {
        func earliest(_ a: Int64?, _ b: Int64?) -> Int64? { a.map { x in b.map { min(x, $0) } ?? x } ?? b }
        return DomainState(first: min(first, o.first), lastDay: max(lastDay, o.lastDay),
                           firstResolved: earliest(firstResolved, o.firstResolved), firstMalicious: earliest(firstMalicious, o.firstMalicious))
    }
}
