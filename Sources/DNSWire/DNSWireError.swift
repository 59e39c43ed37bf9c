/// A message, name or record that could not be decoded or encoded, with the byte offset where the problem was found.
///
/// Every length, count and pointer read from the wire is checked where it is read; when a check fails the decoder
/// throws one of these instead of trapping, so hostile input can never crash or hang a caller.
public struct DNSWireError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What was wrong.
    public enum Kind: Equatable, Sendable {
        /// The input ended while `needed` more bytes were expected.
        case truncated(needed: Int)
        /// A label longer than 63 bytes, or a label type (0x40/0x80 prefix) that is not defined.
        case badLabel(length: UInt8)
        /// A name longer than 255 bytes in wire form.
        case nameTooLong
        /// A compression pointer that does not point strictly backwards, or too many pointer hops.
        case badPointer(target: Int)
        /// A section count that cannot fit in the bytes that are left.
        case countTooLarge(section: String, count: Int)
        /// An RDATA whose length does not match what its type's fields consumed.
        case rdataLength(type: UInt16, declared: Int, consumed: Int)
        /// A field whose value is invalid for its type (for example a bad NSEC type bitmap).
        case invalidField(String)
        /// Bytes left after the last record that the header announced.
        case trailingBytes(count: Int)
        /// An OPT record that is not a single, root-owned record in the additional section.
        case badOPT(String)
        /// A message or field that is too large to encode.
        case tooLarge(String)
        /// Presentation text that is not a valid name or value.
        case badText(String)
    }

    /// What was wrong.
    public var kind: Kind
    /// The byte offset in the message (or the character offset in presentation text) where it was found.
    public var offset: Int

    /// Creates an error of the given kind at a byte offset.
    public init(_ kind: Kind, at offset: Int) {
        self.kind = kind
        self.offset = offset
    }

    public var description: String {
        switch kind {
        case .truncated(let needed): return "truncated at byte \(offset): \(needed) more byte(s) expected"
        case .badLabel(let length): return "bad label at byte \(offset): length/type byte 0x\(String(length, radix: 16)) (labels are at most 63 bytes)"
        case .nameTooLong: return "name at byte \(offset) is longer than 255 bytes"
        case .badPointer(let target): return "bad compression pointer at byte \(offset) to \(target): pointers must point strictly backwards, with at most \(WireReader.maxPointerHops) hops"
        case .countTooLarge(let section, let count): return "\(section) count \(count) at byte \(offset) cannot fit in the bytes left"
        case .rdataLength(let type, let declared, let consumed): return "RDATA of \(RecordType(rawValue: type)) at byte \(offset) declares \(declared) byte(s) but its fields use \(consumed)"
        case .invalidField(let what): return "invalid field at byte \(offset): \(what)"
        case .trailingBytes(let count): return "\(count) trailing byte(s) at byte \(offset) after the last record"
        case .badOPT(let what): return "bad OPT record at byte \(offset): \(what)"
        case .tooLarge(let what): return "too large to encode: \(what)"
        case .badText(let what): return "bad presentation text at character \(offset): \(what)"
        }
    }
}
