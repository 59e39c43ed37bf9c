/// The error type of the `Detectors` module.
public struct DetectorsError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong.
    public enum Kind: Sendable, Equatable {
        /// A bundled resource (model weights) could not be found or read.
        case resourceMissing
        /// A model file is malformed: bad magic, version, size or values.
        case badModel
        /// An argument is out of range (a date before 1970, a window that is too large…).
        case badArgument
    }

    /// What went wrong.
    public var kind: Kind
    /// The file or resource concerned, if any.
    public var file: String
    /// The byte offset in `file` where the problem was found, or 0.
    public var offset: Int
    /// A short explanation.
    public var detail: String

    public init(_ kind: Kind, file: String = "", offset: Int = 0, detail: String) {
        self.kind = kind
        self.file = file
        self.offset = offset
        self.detail = detail
    }

    public var description: String {
        var s = file.isEmpty ? "" : "\(file): "
        if offset > 0 { s += "byte \(offset): " }
        return s + detail
    }
}
