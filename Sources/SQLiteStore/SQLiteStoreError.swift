import GRDB

/// An error from the SQLite store, with the database file and the operation that failed.
public struct SQLiteStoreError: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    public enum Kind: Sendable, Hashable {
        /// The file could not be opened or created.
        case open(String)
        /// The file was written by a newer dnsight (a schema migration this build does not know).
        case newerSchema(String)
        /// A read-only store has no schema yet (not a dnsight store, or never written).
        case notAStore
        /// SQLite reported an error.
        case sqlite(code: Int32, message: String)
        /// A stored value could not be decoded.
        case corrupt(String)
    }

    /// What went wrong.
    public var kind: Kind
    /// The database file.
    public var path: String
    /// What the store was doing (`write batch`, `read threat roll-up`…).
    public var operation: String

    /// Creates an error.
    public init(_ kind: Kind, path: String, operation: String) {
        self.kind = kind
        self.path = path
        self.operation = operation
    }

    public var description: String {
        let what: String
        switch kind {
        case .open(let s): what = "cannot open: \(s)"
        case .newerSchema(let s): what = "written by a newer dnsight (schema \(s)); upgrade dnsight to read it"
        case .notAStore: what = "not a dnsight store"
        case .sqlite(let code, let message): what = "SQLite error \(code): \(message)"
        case .corrupt(let s): what = "corrupt value: \(s)"
        }
        return "\(path): \(operation): \(what)"
    }
}

extension SQLiteStoreError {
    /// Wraps any failure of an operation on the store at `path`.
    static func from(_ error: any Error, path: String, operation: String) -> SQLiteStoreError {
        switch error {
        case let e as SQLiteStoreError: return e
        case let e as DatabaseError:
            return SQLiteStoreError(.sqlite(code: e.resultCode.rawValue, message: e.message ?? "\(e)"), path: path, operation: operation)
        case let e as RawSQLiteFailure:
            return SQLiteStoreError(.sqlite(code: e.code, message: e.message), path: path, operation: operation)
        default:
            return SQLiteStoreError(.corrupt("\(error)"), path: path, operation: operation)
        }
    }
}
