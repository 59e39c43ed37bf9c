/// A problem with data that DNSightCore reads itself (the family and brand catalogues), with where it was found.
public struct DNSightCoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What was wrong.
    public enum Kind: Sendable, Equatable {
        /// A catalogue file lacks a required column.
        case missingColumn(String)
        /// A catalogue row could not be used.
        case badRow(String)
        /// A CSV record could not be read.
        case badCSV(String)
    }

    /// What was wrong.
    public var kind: Kind
    /// The file, as given.
    public var file: String
    /// The 1-based line, when known.
    public var line: Int?
    /// The byte offset in the file, when known.
    public var offset: Int?

    /// Creates an error.
    public init(_ kind: Kind, file: String, line: Int? = nil, offset: Int? = nil) {
        self.kind = kind
        self.file = file
        self.line = line
        self.offset = offset
    }

    public var description: String {
        var place = file
        if let line { place += ":\(line)" }
        if let offset { place += " (byte \(offset))" }
        switch kind {
        case .missingColumn(let c): return "\(place): the header has no '\(c)' column"
        case .badRow(let why): return "\(place): \(why)"
        case .badCSV(let why): return "\(place): \(why)"
        }
    }
}
