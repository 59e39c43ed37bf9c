/// Which field or column of a generic JSON-lines or CSV log holds which part of a DNS transaction.
public struct ColumnMapping: Sendable, Equatable {
    /// Placeholder fields until the generic readers land.
    public var columns: [String: String] = [:]
}
