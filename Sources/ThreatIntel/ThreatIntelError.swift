/// A problem in the intel pipeline outside any one parser: a path that cannot be read, a bad feed config line,
/// an HTTP fetch that failed.
public struct ThreatIntelError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What was wrong.
    public enum Kind: Sendable, Equatable {
        /// A file or folder could not be read.
        case unreadable(String)
        /// The feed config has a bad line.
        case badConfig(String)
        /// A feed could not be fetched.
        case fetch(String)
        /// A value given on the command line or in config is invalid.
        case invalid(String)
    }

    /// What was wrong.
    public var kind: Kind
    /// The file or URL involved.
    public var file: String
    /// The 1-based line, when known.
    public var line: Int?

    /// Creates an error.
    public init(_ kind: Kind, file: String, line: Int? = nil) {
        self.kind = kind
        self.file = file
        self.line = line
    }

    public var description: String {
        let place = line.map { "\(file):\($0)" } ?? file
        switch kind {
        case .unreadable(let why): return "\(place): cannot read: \(why)"
        case .badConfig(let why): return "\(place): \(why)"
        case .fetch(let why): return "\(place): fetch failed: \(why)"
        case .invalid(let why): return "\(place): \(why)"
        }
    }
}
