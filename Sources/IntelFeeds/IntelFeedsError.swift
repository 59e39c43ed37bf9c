/// A feed that could not be read at all: not the format it was said (or detected) to be, or not readable as text/JSON.
///
/// Problems with single entries are not errors: they become ``FeedDiagnostic``s and the rest of the file is kept.
public struct IntelFeedsError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What was wrong.
    public enum Kind: Sendable, Equatable {
        /// The content is not in the named format; the string says what was expected and what was found.
        case notThisFormat(FeedFormat, String)
        /// No format could be recognised; give one explicitly.
        case unrecognised(String)
        /// The JSON syntax is broken where shown.
        case badJSON(String)
        /// A CSV file lacks a column the format needs.
        case missingColumn(String)
    }

    /// What was wrong.
    public var kind: Kind
    /// The file, as given in the ``FeedContext``.
    public var file: String
    /// The 1-based line, when known.
    public var line: Int?
    /// The byte offset, when known.
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
        case .notThisFormat(let f, let why): return "\(place): not a \(f.displayName) file: \(why)"
        case .unrecognised(let why): return "\(place): cannot tell the feed format (\(why)); name it with --format"
        case .badJSON(let why): return "\(place): invalid JSON: \(why)"
        case .missingColumn(let c): return "\(place): the CSV header has no '\(c)' column"
        }
    }
}
