/// Why a simulation could not be set up or written: a scenario that does not validate (with the key path and, where
/// known, the line in the YAML file), an output that cannot be written, or a bad argument.
public struct SimulatorError: Error, Sendable, CustomStringConvertible, Equatable {
    /// What went wrong.
    public enum Kind: Sendable, Equatable {
        /// The scenario is not valid YAML, or a key has a bad value; the message names what was expected.
        case scenario(String)
        /// An output file or folder could not be written.
        case output(String)
        /// A command-line or API argument is unusable (an unknown format, say).
        case argument(String)
    }

    /// What went wrong.
    public var kind: Kind
    /// The file concerned (scenario or output), if any.
    public var file: String?
    /// The key path in the scenario (`infections[2].rate.APAC`), if any.
    public var keyPath: String?
    /// The 1-based line in the scenario file, if known.
    public var line: Int?

    /// Creates an error.
    public init(_ kind: Kind, file: String? = nil, keyPath: String? = nil, line: Int? = nil) {
        self.kind = kind
        self.file = file
        self.keyPath = keyPath
        self.line = line
    }

    public var description: String {
        var where_ = ""
        if let file { where_ += file }
        if let line { where_ += (where_.isEmpty ? "line " : ":") + "\(line)" }
        if let keyPath, !keyPath.isEmpty { where_ += (where_.isEmpty ? "" : ": ") + "'\(keyPath)'" }
        let prefix = where_.isEmpty ? "" : where_ + ": "
        switch kind {
        case .scenario(let m): return prefix + m
        case .output(let m): return prefix + m
        case .argument(let m): return prefix + m
        }
    }
}
