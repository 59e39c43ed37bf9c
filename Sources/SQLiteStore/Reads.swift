import EventStore
import Foundation
import GRDB

/// The read side, over a pool (each call its own snapshot) or a ``DatabaseSnapshot`` (one state for every call).
struct Reads: Sendable {
    let db: any DatabaseReader
    let path: String

    private func read<T>(_ operation: String, _ body: (Database) throws -> T) throws(SQLiteStoreError) -> T {
        do {
            return try db.unsafeReentrantRead { try body($0) }
        } catch {
            throw SQLiteStoreError.from(error, path: path, operation: operation)
        }
    }

    func summary() throws(SQLiteStoreError) -> StoreSummary {
        try read("summary") { db in
            let first = try Int64.fetchOne(db, sql: "SELECT min(day) FROM traffic_daily")
            let last = try Int64.fetchOne(db, sql: "SELECT max(day) FROM traffic_daily")
            return StoreSummary(
                firstDay: first.map { Day(index: Int32($0)) }, lastDay: last.map { Day(index: Int32($0)) },
                devices: try Int64.fetchOne(db, sql: "SELECT count(*) FROM device") ?? 0,
                queries: try Int64.fetchOne(db, sql: "SELECT coalesce(sum(queries), 0) FROM activity_monthly") ?? 0,
                detections: try Int64.fetchOne(db, sql: "SELECT count(*) FROM detection") ?? 0,
                domains: try Int64.fetchOne(db, sql: "SELECT count(*) FROM domain") ?? 0)
        }
    }

    func devices() throws(SQLiteStoreError) -> [StoredDevice] {
        try read("read devices") { db in
            var out: [StoredDevice] = []
            let st = try RawStatement(db, """
                SELECT id, organisation, device_key, segment, region, country, industry, device_type, site FROM device ORDER BY id
                """)
            try st.forEachRow { r in
                out.append(StoredDevice(id: r.int(0), info: DeviceInfo(
                    organisation: r.text(1), deviceKey: r.text(2), segment: r.text(3), region: r.text(4),
                    country: r.text(5), industry: r.text(6), deviceType: r.text(7), site: r.text(8))))
            }
            return out
        }
    }

    /// The first day of the month holding `day`.
    private static func monthStart(_ day: Day) -> Day {
        let c = day.civil
        return Day(year: c.year, month: c.month, day: 1)!
    }

    func activity(in range: DayRange) throws(SQLiteStoreError) -> DeviceActivity {
        try read("read activity") { db in
            var act = DeviceActivity(range: range)
            let st = try RawStatement(db, "SELECT month, device_id, days FROM activity_monthly WHERE month >= ? AND month <= ?")
            st.bind(1, Int64(Reads.monthStart(range.first).index))
            st.bind(2, Int64(range.last.index))
            try st.forEachRow { r in
                act.mark(device: r.int(1), start: Day(index: Int32(r.int(0))), bits: UInt64(bitPattern: r.int(2)))
            }
            return act
        }
    }

    func queriesPerDevice(in range: DayRange) throws(SQLiteStoreError) -> [Int64: Int64] {
        try read("read queries per device") { db in
            var out: [Int64: Int64] = [:]
            // Whole months inside the range come from the monthly roll-up; partial months from the daily one.
            var partial: [DayRange] = []
            var fullMonths: [Day] = []
            var m = Reads.monthStart(range.first)
            while m <= range.last {
                let c = m.civil
                let end = m.advanced(by: Day.daysIn(year: c.year, month: c.month) - 1)
                let month = DayRange(m, end)
                if range.first <= m && end <= range.last { fullMonths.append(m) } else if let p = month.clamped(to: range) { partial.append(p) }
                m = end.advanced(by: 1)
            }
            if let f = fullMonths.first, let l = fullMonths.last {
                let st = try RawStatement(db, "SELECT device_id, sum(queries) FROM activity_monthly WHERE month >= ? AND month <= ? GROUP BY device_id")
                st.bind(1, Int64(f.index)); st.bind(2, Int64(l.index))
                try st.forEachRow { r in out[r.int(0), default: 0] += r.int(1) }
            }
            for p in partial {
                let st = try RawStatement(db, "SELECT device_id, sum(queries) FROM traffic_daily WHERE day >= ? AND day <= ? GROUP BY device_id")
                st.bind(1, Int64(p.first.index)); st.bind(2, Int64(p.last.index))
                try st.forEachRow { r in out[r.int(0), default: 0] += r.int(1) }
            }
            return out
        }
    }

    func flaggedRollups(in range: DayRange) throws(SQLiteStoreError) -> [FlaggedRollupRow] {
        try read("read flagged roll-up") { db in
            var out: [FlaggedRollupRow] = []
            let st = try RawStatement(db, "SELECT day, device_id, queries, known_queries FROM flagged_daily WHERE day >= ? AND day <= ?")
            st.bind(1, Int64(range.first.index)); st.bind(2, Int64(range.last.index))
            try st.forEachRow { r in
                out.append(FlaggedRollupRow(day: Day(index: Int32(r.int(0))), deviceID: r.int(1), queries: r.int(2), knownQueries: r.int(3)))
            }
            return out
        }
    }

    private func spans<T>(_ op: String, _ table: String, _ cols: String, _ range: DayRange,
                          _ make: (Day, Int64, RawStatement.Row, Span) -> T) throws(SQLiteStoreError) -> [T] {
        try read(op) { db in
            var out: [T] = []
            let st = try RawStatement(db, "SELECT day, device_id, queries, first_ns, last_ns, \(cols) FROM \(table) WHERE day >= ? AND day <= ?")
            st.bind(1, Int64(range.first.index)); st.bind(2, Int64(range.last.index))
            try st.forEachRow { r in
                out.append(make(Day(index: Int32(r.int(0))), r.int(1), r, Span(queries: r.int(2), firstNanos: r.int(3), lastNanos: r.int(4))))
            }
            return out
        }
    }

    func threatRollups(in range: DayRange) throws(SQLiteStoreError) -> [ThreatRollupRow] {
        try spans("read threat roll-up", "threat_daily", "category, tier, family", range) { d, id, r, s in
            ThreatRollupRow(day: d, deviceID: id, category: r.text(5), tier: r.text(6), family: r.text(7), span: s)
        }
    }

    func tagRollups(in range: DayRange) throws(SQLiteStoreError) -> [TagRollupRow] {
        try spans("read tag roll-up", "tag_daily", "category, tier, tag", range) { d, id, r, s in
            TagRollupRow(day: d, deviceID: id, category: r.text(5), tier: r.text(6), tag: r.text(7), span: s)
        }
    }

    func phishingRollups(in range: DayRange) throws(SQLiteStoreError) -> [PhishingRollupRow] {
        try spans("read phishing roll-up", "phishing_daily", "tier, campaign, industry", range) { d, id, r, s in
            PhishingRollupRow(day: d, deviceID: id, tier: r.text(5), campaign: r.text(6), industry: r.text(7), span: s)
        }
    }

    func familyTags() throws(SQLiteStoreError) -> [String: Set<String>] {
        try read("read family tags") { db in
            var out: [String: Set<String>] = [:]
            try RawStatement(db, "SELECT family, tag FROM family_tag").forEachRow { r in out[r.text(0), default: []].insert(r.text(1)) }
            return out
        }
    }

    func newlyObservedDomains(fromNanos: Int64, toNanos: Int64) throws(SQLiteStoreError) -> NewlyObservedDomainCounts {
        try read("read newly observed domains") { db in
            let st = try RawStatement(db, """
                SELECT count(*),
                    coalesce(sum(first_resolved_ns IS NOT NULL AND first_resolved_ns < ?2), 0),
                    coalesce(sum(first_malicious_ns IS NOT NULL AND first_malicious_ns < ?2), 0),
                    coalesce(sum(first_resolved_ns IS NOT NULL AND first_resolved_ns < ?2
                                 AND first_malicious_ns IS NOT NULL AND first_malicious_ns < ?2), 0)
                FROM domain WHERE first_ns >= ?1 AND first_ns < ?2
                """)
            st.bind(1, fromNanos); st.bind(2, toNanos)
            var out = NewlyObservedDomainCounts(domains: 0, resolving: 0, malicious: 0, maliciousResolving: 0)
            try st.forEachRow { r in
                out = NewlyObservedDomainCounts(domains: r.int(0), resolving: r.int(1), malicious: r.int(2), maliciousResolving: r.int(3))
            }
            return out
        }
    }

    func detections(in range: DayRange, deviceID: Int64?, limit: Int) throws(SQLiteStoreError) -> [DetectionRecord] {
        try read("read detections") { db in
            var out: [DetectionRecord] = []
            let filter = deviceID == nil ? "" : "AND d.device_id = ?4"
            let st = try RawStatement(db, """
                SELECT d.time_ns, d.query_name, d.query_type, d.rcode, d.category, d.tier, d.family, d.tags, d.indicator,
                    d.detector, d.reason, d.source_feed, d.reference, d.score, d.threshold, d.source_file, d.source_line,
                    d.source_offset, v.organisation, v.device_key, v.segment, v.region, v.country, v.industry, v.device_type, v.site
                FROM detection d JOIN device v ON v.id = d.device_id
                WHERE d.time_ns >= ?1 AND d.time_ns < ?2 \(filter)
                ORDER BY d.time_ns, d.id LIMIT ?3
                """)
            st.bind(1, range.first.startNanos); st.bind(2, range.endNanos); st.bind(3, Int64(limit))
            if let deviceID { st.bind(4, deviceID) }
            try st.forEachRow { r in
                let dev = DeviceInfo(organisation: r.text(18), deviceKey: r.text(19), segment: r.text(20), region: r.text(21),
                                     country: r.text(22), industry: r.text(23), deviceType: r.text(24), site: r.text(25))
                out.append(DetectionRecord(
                    timeNanos: r.int(0), device: dev, queryName: r.text(1), queryType: r.text(2), rcode: r.text(3),
                    category: r.text(4), tier: r.text(5), family: r.text(6), tags: TagCoding.decode(r.text(7)),
                    indicator: r.text(8), detector: r.text(9), reason: r.text(10), sourceFeed: r.text(11),
                    reference: r.text(12), score: r.optDouble(13), threshold: r.optDouble(14), sourceFile: r.text(15),
                    sourceLine: r.int(16), sourceOffset: r.int(17)))
            }
            return out
        }
    }

    func ingestRuns() throws(SQLiteStoreError) -> [IngestRun] {
        try read("read ingest runs") { db in
            let bodies = try String.fetchAll(db, sql: "SELECT body FROM ingest_run ORDER BY started_ns, id")
            let dec = JSONDecoder()
            return try bodies.map { try dec.decode(IngestRun.self, from: Data($0.utf8)) }
        }
    }

    func allCheckpoints() throws(SQLiteStoreError) -> [IngestCheckpoint] {
        try read("read checkpoints") { db in try Reads.checkpoints(db, where: "1", []) }
    }

    static func checkpoints(_ db: Database, where clause: String, _ args: StatementArguments) throws -> [IngestCheckpoint] {
        try Row.fetchAll(db, sql: """
            SELECT path, file_device, inode, size, modified_ns, head_length, head_hash, part, byte_offset, records, complete, updated_ns
            FROM checkpoint WHERE \(clause) ORDER BY stream_key
            """, arguments: args).map { r in
            IngestCheckpoint(
                stream: StreamIdentity(path: r[0], fileDevice: UInt64(bitPattern: r[1] as Int64), inode: UInt64(bitPattern: r[2] as Int64),
                                       size: r[3], modifiedNanos: r[4], headLength: r[5], headHash: UInt64(bitPattern: r[6] as Int64),
                                       part: r[7]),
                byteOffset: r[8], records: r[9], complete: (r[10] as Int64) != 0, updatedNanos: r[11])
        }
    }
}
