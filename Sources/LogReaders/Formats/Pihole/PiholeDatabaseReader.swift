internal import CSQLite
import DNSWire
import DNSightCore
import Foundation

/// Pi-hole FTL's long-term query database (`/etc/pihole/pihole-FTL.db`), read with the system SQLite.
///
/// Pi-hole 6 keeps queries in `query_storage` with ids into `domain_by_id`, `client_by_id` (address and host name),
/// `forward_by_id` and `addinfo_by_id` (the `queries` view joins them); Pi-hole 5 has a plain `queries` table. Both
/// are read row by row (bounded memory), in id order. Each row is one transaction: `timestamp` (integer or real
/// seconds), `type` (FTL's query-type code, or 100 + the DNS type), `status` (→ ``DNSEvent/sourceAction`` as FTL's
/// own status name: `GRAVITY`, `FORWARDED`, `CACHE`, `REGEX`, `DENYLIST`, …), `domain`, `client` (and the client's
/// host name → ``DNSEvent/deviceID``), `reply_type` (→ rcode), `reply_time` (seconds) and, for CNAME-inspection
/// blocks, the blocked CNAME target in `additional_info`. A row's position is its id, as the line number.
///
/// A compressed or standard-input database is first copied to a temporary file, since SQLite needs a file.
public struct PiholeDatabaseReader: EventReader {
    /// Creates a reader.
    public init() {}

    /// FTL's query-type codes (`docs.pi-hole.net/database/query-database`), 100 + n for any other type n.
    public static func recordType(ftlType t: Int64) -> RecordType? {
        switch t {
        case 1: return .a
        case 2: return .aaaa
        case 3: return .any
        case 4: return .srv
        case 5: return .soa
        case 6: return .ptr
        case 7: return .txt
        case 8: return .naptr
        case 9: return .mx
        case 10: return .ds
        case 11: return .rrsig
        case 12: return .dnskey
        case 13: return .ns
        case 14: return RecordType(0)   // "OTHER": the type was not recorded
        case 15: return .svcb
        case 16: return .https
        case 100...65_635: return RecordType(UInt16(t - 100))
        default: return nil
        }
    }

    /// FTL's status names, by status code.
    public static let statusNames = [
        "UNKNOWN", "GRAVITY", "FORWARDED", "CACHE", "REGEX", "DENYLIST", "EXTERNAL_BLOCKED_IP", "EXTERNAL_BLOCKED_NULL",
        "EXTERNAL_BLOCKED_NXRA", "GRAVITY_CNAME", "REGEX_CNAME", "DENYLIST_CNAME", "RETRIED", "RETRIED_DNSSEC", "IN_PROGRESS",
        "DBBUSY", "SPECIAL_DOMAIN", "CACHE_STALE", "EXTERNAL_BLOCKED_EDE15",
    ]

    /// The rcode a reply type implies; nil for "unknown" (0) and "none" (12).
    public static func rcode(replyType r: Int64) -> ResponseCode? {
        switch r {
        case 2: return .nxDomain
        case 7: return .servFail
        case 8: return .refused
        case 9: return .notImp
        case 1, 3, 4, 5, 6, 10, 11, 13: return .noError
        default: return nil
        }
    }

    final class Database {
        var db: OpaquePointer?
        let name: String
        init(path: String, name: String) throws {
            self.name = name
            let rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, nil)
            guard rc == SQLITE_OK else {
                let msg = db.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
                sqlite3_close(db)
                db = nil
                throw ReaderError(file: name, "cannot open as an SQLite database: \(msg)")
            }
            sqlite3_busy_timeout(db, 2000)
        }
        deinit { sqlite3_close(db) }

        func prepare(_ sql: String) throws -> OpaquePointer {
            var stmt: OpaquePointer?
            guard sqlite3_prepare_v2(db, sql, -1, &stmt, nil) == SQLITE_OK, let stmt else {
                throw ReaderError(file: name, "not a Pi-hole FTL database: \(String(cString: sqlite3_errmsg(db)))")
            }
            return stmt
        }

        /// The column names of a table or view (empty when it does not exist).
        func columns(_ table: String) throws -> Set<String> {
            let stmt = try prepare("PRAGMA table_info(\(table))")
            defer { sqlite3_finalize(stmt) }
            var out = Set<String>()
            while true {
                let rc = sqlite3_step(stmt)
                if rc == SQLITE_DONE { break }
                guard rc == SQLITE_ROW else { throw ReaderError(file: name, "not a Pi-hole FTL database: \(String(cString: sqlite3_errmsg(db)))") }
                if let c = sqlite3_column_text(stmt, 1) { out.insert(String(cString: c)) }
            }
            return out
        }
    }

    /// The SELECT that yields (id, timestamp, type, status, domain, client ip, client name, additional info,
    /// reply type, reply time) for this database's schema.
    static func query(_ db: Database) throws -> String {
        let storage = try db.columns("query_storage")
        if !storage.isEmpty {
            func col(_ c: String) -> String { storage.contains(c) ? "s.\(c)" : "NULL" }
            let hasClients = try !db.columns("client_by_id").isEmpty
            let hasAddinfo = try !db.columns("addinfo_by_id").isEmpty
            return """
            SELECT s.id, s.timestamp, s.type, s.status,
              CASE typeof(s.domain) WHEN 'integer' THEN (SELECT domain FROM domain_by_id d WHERE d.id = s.domain) ELSE s.domain END,
              \(hasClients ? "CASE typeof(s.client) WHEN 'integer' THEN (SELECT ip FROM client_by_id c WHERE c.id = s.client) ELSE s.client END" : "s.client"),
              \(hasClients ? "CASE typeof(s.client) WHEN 'integer' THEN (SELECT name FROM client_by_id c WHERE c.id = s.client) ELSE NULL END" : "NULL"),
              \(hasAddinfo && storage.contains("additional_info") ? "CASE typeof(s.additional_info) WHEN 'integer' THEN (SELECT content FROM addinfo_by_id a WHERE a.id = s.additional_info) ELSE s.additional_info END" : col("additional_info")),
              \(col("reply_type")), \(col("reply_time"))
            FROM query_storage s ORDER BY s.id
            """
        }
        let q = try db.columns("queries")
        guard ["id", "timestamp", "type", "status", "domain", "client"].allSatisfy(q.contains) else {
            throw ReaderError(file: db.name, "not a Pi-hole FTL database: no queries table")
        }
        func col(_ c: String) -> String { q.contains(c) ? c : "NULL" }
        return "SELECT id, timestamp, type, status, domain, client, NULL, \(col("additional_info")), \(col("reply_type")), \(col("reply_time")) FROM queries ORDER BY id"
    }

    public mutating func read(_ input: ByteInput, diagnostics: inout ReaderDiagnostics, emit: (DNSEvent) throws -> Void) throws {
        var path = input.name
        var temporary: String? = nil
        if input.isGzip || input.name == "-" || !FileManager.default.fileExists(atPath: input.name) {
            let t = FileManager.default.temporaryDirectory.appendingPathComponent("dnsight-pihole-\(UUID().uuidString).db").path
            guard FileManager.default.createFile(atPath: t, contents: nil), let h = FileHandle(forWritingAtPath: t) else {
                throw ReaderError(file: input.name, "cannot create a temporary copy of the database")
            }
            var chunk = [UInt8](repeating: 0, count: 1 << 20)
            while true {
                let n = try chunk.withUnsafeMutableBytes { try input.read(into: $0) }
                if n == 0 { break }
                h.write(Data(chunk[0..<n]))
            }
            try h.close()
            path = t
            temporary = t
        }
        defer { if let temporary { try? FileManager.default.removeItem(atPath: temporary) } }
        let db = try Database(path: path, name: input.name)
        let stmt = try db.prepare(try Self.query(db))
        defer { sqlite3_finalize(stmt) }
        let file = input.name
        while true {
            let rc = sqlite3_step(stmt)
            if rc == SQLITE_DONE { break }
            guard rc == SQLITE_ROW else { throw ReaderError(file: file, "SQLite error while reading queries: \(String(cString: sqlite3_errmsg(db.db)))") }
            diagnostics.recordsRead += 1
            let id = sqlite3_column_int64(stmt, 0)
            let position = SourcePosition(file: file, line: Int(id), byteOffset: 0)
            switch Self.event(stmt, position: position) {
            case .success(let e):
                diagnostics.eventsEmitted += 1
                try emit(e)
            case .failure(let why):
                diagnostics.malformed(why.reason, at: position, excerpt: "row \(id)")
            }
        }
    }

    static func text(_ stmt: OpaquePointer, _ i: Int32) -> UnsafeRawBufferPointer? {
        guard sqlite3_column_type(stmt, i) != SQLITE_NULL, let p = sqlite3_column_text(stmt, i) else { return nil }
        return UnsafeRawBufferPointer(start: p, count: Int(sqlite3_column_bytes(stmt, i)))
    }

    static func event(_ stmt: OpaquePointer, position: SourcePosition) -> Result<DNSEvent, LineError> {
        let timeType = sqlite3_column_type(stmt, 1)
        let time: Int64
        switch timeType {
        case SQLITE_INTEGER:
            let secs = sqlite3_column_int64(stmt, 1)
            guard abs(secs) < 9_000_000_000 else { return .failure(LineError("bad timestamp")) }
            time = secs * 1_000_000_000
        case SQLITE_FLOAT:
            // Whole seconds and the fraction apart: a double holds 2e9 seconds exactly, but not 2e18 nanoseconds.
            let d = sqlite3_column_double(stmt, 1)
            guard d.isFinite, abs(d) < 1e11 else { return .failure(LineError("bad timestamp")) }
            let whole = d.rounded(.down)
            time = Int64(whole) * 1_000_000_000 + Int64(((d - whole) * 1e9).rounded())
        default: return .failure(LineError("bad timestamp"))
        }
        guard sqlite3_column_type(stmt, 2) == SQLITE_INTEGER, let type = recordType(ftlType: sqlite3_column_int64(stmt, 2)) else {
            return .failure(LineError("bad query type"))
        }
        guard sqlite3_column_type(stmt, 3) == SQLITE_INTEGER else { return .failure(LineError("bad status")) }
        let status = sqlite3_column_int64(stmt, 3)
        guard let domainText = text(stmt, 4), let name = FieldParse.name(domainText) else { return .failure(LineError("bad domain")) }
        guard let clientText = text(stmt, 5), let client = FieldParse.ipAddress(clientText) else { return .failure(LineError("bad client")) }
        let device = text(stmt, 6).flatMap { $0.isEmpty ? nil : String(decoding: $0, as: UTF8.self) }
        var rcode: ResponseCode? = nil
        if sqlite3_column_type(stmt, 8) == SQLITE_INTEGER { rcode = Self.rcode(replyType: sqlite3_column_int64(stmt, 8)) }
        var rtt: Int64? = nil
        if sqlite3_column_type(stmt, 9) != SQLITE_NULL {
            let secs = sqlite3_column_double(stmt, 9)
            if secs >= 0 && secs < 1e6 { rtt = Int64((secs * 1e6).rounded()) }
        }
        var answers = [DNSAnswer]()
        if (9...11).contains(status), let info = text(stmt, 7), let target = FieldParse.name(info) {
            answers.append(DNSAnswer(name: name, type: .cname, target: target))
        }
        let action = status >= 0 && status < Int64(statusNames.count) ? statusNames[Int(status)] : "STATUS\(status)"
        return .success(DNSEvent(timeNanos: time, clientAddress: client, queryName: name, queryType: type, flags: rcode.map { 0x8000 | ($0.rawValue & 0xF) },
                                 rcode: rcode, answers: answers, responseTimeMicros: rtt, sourceAction: action, deviceID: device, position: position))
    }
}
