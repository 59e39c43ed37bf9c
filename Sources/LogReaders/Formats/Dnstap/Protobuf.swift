/// A bounds-checked reader of protobuf wire format, enough for dnstap, over bytes in place (a frame inside the read
/// buffer): it borrows them, so use it only inside the `withUnsafeBytes` call that produced them.
struct ProtobufReader {
    let bytes: UnsafeRawBufferPointer
    var p: Int
    let end: Int

    init(_ bytes: UnsafeRawBufferPointer, start: Int = 0, end: Int? = nil) {
        self.bytes = bytes
        self.p = start
        self.end = end ?? bytes.count
    }

    struct Malformed: Error { var message: String; var offset: Int }

    var atEnd: Bool { p >= end }

    @inline(__always)
    mutating func varint() throws(Malformed) -> UInt64 {
        // Most dnstap varints (keys, types, ports, lengths under 128) are one byte.
        if p < end, bytes[p] < 0x80 {
            p += 1
            return UInt64(bytes[p - 1])
        }
        return try longVarint()
    }

    mutating func longVarint() throws(Malformed) -> UInt64 {
        var v: UInt64 = 0, shift: UInt64 = 0
        while true {
            guard p < end else { throw Malformed(message: "truncated varint", offset: p) }
            let b = bytes[p]; p += 1
            guard shift < 64 else { throw Malformed(message: "varint longer than 10 bytes", offset: p) }
            v |= UInt64(b & 0x7F) << shift
            if b & 0x80 == 0 { return v }
            shift += 7
        }
    }

    /// Reads a field's key (field number << 3 | wire type). Every dnstap field number is below 16, so keys are one
    /// byte and take ``varint()``'s fast path.
    @inline(__always)
    mutating func key() throws(Malformed) -> UInt64 {
        let at = p
        let key = try varint()
        guard key >> 3 > 0 else { throw Malformed(message: "field number 0", offset: at) }
        return key
    }

    /// Reads the value of a length-delimited field (wire type 2) whose key was just read: its byte range.
    @inline(__always)
    mutating func lengthDelimited() throws(Malformed) -> Range<Int> {
        let n = try varint()
        guard n <= UInt64(end - p) else { throw Malformed(message: "length \(n) overruns the message", offset: p) }
        let r = p..<(p + Int(n))
        p += Int(n)
        return r
    }

    /// Reads the value of a field of any other wire type (varint, fixed64, fixed32) as an integer, or throws for an
    /// unsupported wire type; `at` is the offset of its key. The walks switch on the field number in two groups,
    /// byte ranges and integers, rather than matching a (number, value) pair case by case: a field costs a jump.
    @inline(__always)
    mutating func integer(key: UInt64, at: Int) throws(Malformed) -> UInt64 {
        switch key & 7 {
        case 0: return try varint()
        case 1:
            guard p + 8 <= end else { throw Malformed(message: "truncated fixed64", offset: p) }
            let v = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: p, as: UInt64.self))
            p += 8
            return v
        case 5:
            guard p + 4 <= end else { throw Malformed(message: "truncated fixed32", offset: p) }
            let v = UInt64(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: p, as: UInt32.self)))
            p += 4
            return v
        default:
            throw Malformed(message: "unsupported wire type \(key & 7)", offset: at)
        }
    }
}

/// A protobuf writer, enough to produce dnstap (for tests and the simulator).
public struct ProtobufWriter: Sendable {
    /// The bytes written.
    public private(set) var bytes: [UInt8] = []
    /// Creates an empty writer.
    public init() {}

    mutating func varint(_ v: UInt64) {
        var v = v
        while v >= 0x80 { bytes.append(UInt8(v & 0x7F) | 0x80); v >>= 7 }
        bytes.append(UInt8(v))
    }
    /// Writes a varint field.
    public mutating func int(_ field: Int, _ v: UInt64) { varint(UInt64(field << 3)); varint(v) }
    /// Writes a fixed32 field.
    public mutating func fixed32(_ field: Int, _ v: UInt32) {
        varint(UInt64(field << 3 | 5))
        for i in 0..<4 { bytes.append(UInt8(truncatingIfNeeded: v >> (8 * UInt32(i)))) }
    }
    /// Writes a length-delimited field.
    public mutating func bytes(_ field: Int, _ b: [UInt8]) { varint(UInt64(field << 3 | 2)); varint(UInt64(b.count)); bytes.append(contentsOf: b) }
}
