/// An error from the store boundary, with what was being done and to which file.
public struct EventStoreError: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    public enum Kind: Sendable, Hashable {
        /// An input file could not be read (stat, open or its head).
        case unreadableInput(String)
        /// A value does not fit the store's vocabulary or limits.
        case invalidValue(String)
    }

    /// What went wrong.
    public var kind: Kind
    /// The file concerned, if any.
    public var path: String?

    /// Creates an error.
    public init(_ kind: Kind, path: String? = nil) {
        self.kind = kind
        self.path = path
    }

    public var description: String {
        let what: String
        switch kind {
        case .unreadableInput(let s): what = "cannot read input: \(s)"
        case .invalidValue(let s): what = "invalid value: \(s)"
        }
        return path.map { "\($0): \(what)" } ?? what
    }
}
