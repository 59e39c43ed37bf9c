/// The one error type of the Attribution module: what went wrong, where (file, line, column or byte offset), and
/// how serious it is. Inventory validation reports its warnings and skipped rows as values of this type too.
public struct AttributionError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What kind of problem this is, so that callers can count problems by reason.
    public enum Kind: String, Hashable, Sendable, CaseIterable {
        /// A file could not be opened, read or mapped.
        case io
        /// The file is not of the expected format at all (no header, not a list, not an MMDB file…).
        case format
        /// A CSV/YAML syntax problem (unterminated quote, bad YAML).
        case syntax
        /// A CIDR or address that does not parse.
        case badCIDR
        /// A CIDR with bits set past its prefix length (kept, masked).
        case hostBitsSet
        /// A `segment` that is not `enterprise` or `home`.
        case unknownSegment
        /// A `region` that is not APAC, NA, EMEA or LATAM.
        case unknownRegion
        /// A `country` that is not an ISO 3166-1 alpha-2 code.
        case badCountry
        /// A row with neither `cidr` nor `device_id`.
        case missingKey
        /// A row whose CIDR or device id repeats an earlier row's.
        case duplicate
        /// A column that dnsight does not know (ignored).
        case unknownColumn
        /// A row with more fields than the header.
        case extraFields
        /// An MMDB search tree, data section or metadata that violates the format or points outside the file.
        case corruptDatabase
        /// A key that is not 32 bytes, or another unusable parameter.
        case invalidArgument
    }

    /// Whether the problem stopped something (a row skipped, a file rejected) or was only worth saying.
    public enum Severity: String, Hashable, Sendable { case error, warning }

    /// The kind of problem.
    public var kind: Kind
    /// Error or warning.
    public var severity: Severity
    /// The file the problem is in (empty when the input was not a file).
    public var file: String
    /// The 1-based line, for text inputs; nil when it does not apply.
    public var line: Int?
    /// The 1-based column, where known.
    public var column: Int?
    /// The byte offset in the file, for binary inputs.
    public var byteOffset: Int?
    /// What was wrong and what was expected.
    public var message: String

    /// Creates an error.
    public init(_ kind: Kind, severity: Severity = .error, file: String = "", line: Int? = nil, column: Int? = nil,
                byteOffset: Int? = nil, _ message: String) {
        self.kind = kind
        self.severity = severity
        self.file = file
        self.line = line
        self.column = column
        self.byteOffset = byteOffset
        self.message = message
    }

    public var description: String {
        var place = file.isEmpty ? "<input>" : file
        if let line { place += ":\(line)" }
        if let column { place += ":\(column)" }
        if let byteOffset { place += " (byte \(byteOffset))" }
        return "\(place): \(severity.rawValue): \(message)"
    }
}
