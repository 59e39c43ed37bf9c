/// A snapshot that could not be built, written, read or trusted, with the file and byte offset involved.
public struct DomainMatcherError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What was wrong.
    public enum Kind: Sendable, Equatable {
        /// The file does not start with the snapshot magic.
        case notASnapshot
        /// The file was written by a newer (or older, incompatible) format version.
        case unsupportedVersion(UInt32)
        /// A section or record points outside the file.
        case corrupt(String)
        /// An operating-system call failed (open, mmap, write, rename…), with errno's text.
        case system(call: String, errno: Int32)
        /// More data than the format can hold (names over 4 GiB, more than 2^28 records…).
        case tooLarge(String)
    }

    /// What was wrong.
    public var kind: Kind
    /// The file involved, or `""` for an in-memory snapshot.
    public var file: String
    /// The byte offset in the file, when known.
    public var offset: Int?

    /// Creates an error.
    public init(_ kind: Kind, file: String, offset: Int? = nil) {
        self.kind = kind
        self.file = file
        self.offset = offset
    }

    public var description: String {
        let place = file.isEmpty ? "snapshot" : file
        let at = offset.map { " at byte \($0)" } ?? ""
        switch kind {
        case .notASnapshot: return "\(place): not a dnsight intel snapshot"
        case .unsupportedVersion(let v): return "\(place): snapshot format version \(v) is not supported by this build; re-import"
        case .corrupt(let why): return "\(place): corrupt snapshot\(at): \(why)"
        case .system(let call, let e): return "\(place): \(call) failed: \(SystemErrorText.text(e))"
        case .tooLarge(let why): return "\(place): too large: \(why)"
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

enum SystemErrorText {
    static func text(_ e: Int32) -> String {
        guard let p = strerror(e) else { return "errno \(e)" }
        return String(cString: p) + " (errno \(e))"
    }
}
