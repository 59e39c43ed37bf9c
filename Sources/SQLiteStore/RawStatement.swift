import GRDB
import GRDBSQLite

/// A SQLite failure seen while stepping a statement directly.
struct RawSQLiteFailure: Error {
    var code: Int32
    var message: String
}

/// Direct binding and stepping of a GRDB-prepared statement, for the bulk paths (roll-up upserts, roll-up scans)
/// where building `StatementArguments` and `Row`s per row costs more than the SQLite work itself.
struct RawStatement {
    let statement: Statement
    let db: Database
    var s: SQLiteStatement { statement.sqliteStatement }

    init(_ db: Database, _ sql: String) throws {
        self.db = db
        statement = try db.cachedStatement(sql: sql)
        sqlite3_reset(statement.sqliteStatement)
        sqlite3_clear_bindings(statement.sqliteStatement)
    }

    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    func bind(_ i: Int32, _ v: Int64) { sqlite3_bind_int64(s, i, v) }
    func bind(_ i: Int32, _ v: Int64?) {
        if let v { sqlite3_bind_int64(s, i, v) } else { sqlite3_bind_null(s, i) }
    }
    func bind(_ i: Int32, _ v: Double?) {
        if let v { sqlite3_bind_double(s, i, v) } else { sqlite3_bind_null(s, i) }
    }
    func bind(_ i: Int32, _ v: String) { sqlite3_bind_text(s, i, v, -1, RawStatement.transient) }

    private func failure(_ rc: Int32) -> RawSQLiteFailure {
        let msg = db.sqliteConnection.flatMap { sqlite3_errmsg($0) }.map { String(cString: $0) } ?? "unknown"
        return RawSQLiteFailure(code: rc, message: msg)
    }

    /// Runs a statement that returns no rows, then resets it for the next bindings.
    func run() throws {
        let rc = sqlite3_step(s)
        sqlite3_reset(s)
        guard rc == SQLITE_DONE || rc == SQLITE_ROW else { throw failure(rc) }
    }

    /// Runs a statement and returns the first column of its first row as an integer.
    func runReturningInt() throws -> Int64 {
        let rc = sqlite3_step(s)
        guard rc == SQLITE_ROW else {
            sqlite3_reset(s)
            throw failure(rc == SQLITE_DONE ? SQLITE_ERROR : rc)
        }
        let v = sqlite3_column_int64(s, 0)
        while sqlite3_step(s) == SQLITE_ROW {}
        sqlite3_reset(s)
        return v
    }

    /// Runs a statement and reads its first row.
    func runReturningRow<T>(_ read: (Row) -> T) throws -> T {
        let rc = sqlite3_step(s)
        guard rc == SQLITE_ROW else {
            sqlite3_reset(s)
            throw failure(rc == SQLITE_DONE ? SQLITE_ERROR : rc)
        }
        let v = read(Row(s))
        while sqlite3_step(s) == SQLITE_ROW {}
        sqlite3_reset(s)
        return v
    }

    /// Steps through every row.
    func forEachRow(_ body: (Row) throws -> Void) throws {
        defer { sqlite3_reset(s) }
        while true {
            let rc = sqlite3_step(s)
            if rc == SQLITE_DONE { return }
            guard rc == SQLITE_ROW else { throw failure(rc) }
            try body(Row(s))
        }
    }

    /// One result row, read by column index.
    struct Row {
        let s: SQLiteStatement
        init(_ s: SQLiteStatement) { self.s = s }
        func int(_ i: Int32) -> Int64 { sqlite3_column_int64(s, i) }
        func optInt(_ i: Int32) -> Int64? { sqlite3_column_type(s, i) == SQLITE_NULL ? nil : sqlite3_column_int64(s, i) }
        func optDouble(_ i: Int32) -> Double? { sqlite3_column_type(s, i) == SQLITE_NULL ? nil : sqlite3_column_double(s, i) }
        func text(_ i: Int32) -> String { sqlite3_column_text(s, i).map { String(cString: $0) } ?? "" }
    }
}
