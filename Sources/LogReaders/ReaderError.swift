import DNSightCore

/// Why an input could not be read at all (as opposed to a malformed record, which is counted and skipped).
public struct ReaderError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file (or `-`).
    public var file: String
    /// The byte offset where the problem was found, when it applies.
    public var byteOffset: Int?
    /// What was wrong and what was expected.
    public var message: String

    /// Creates an error.
    public init(file: String, byteOffset: Int? = nil, _ message: String) {
        self.file = file
        self.byteOffset = byteOffset
        self.message = message
    }

    public var description: String {
        if let byteOffset { return "\(file): at byte \(byteOffset): \(message)" }
        return "\(file): \(message)"
    }
}
