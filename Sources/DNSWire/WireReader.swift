/// A bounds-checked cursor over the bytes of one DNS message.
///
/// The reader never trusts a length: every read checks the bytes that are left and throws
/// ``DNSWireError`` with the offset where the read started. It borrows the bytes: use it only inside the
/// `withUnsafeBytes` call that produced them.
public struct WireReader {
    /// The most compression pointers a single name may follow. 127 would be the most a 16 KiB message could need
    /// without loops; real names need one or two.
    public static let maxPointerHops = 64

    @usableFromInline let bytes: UnsafeRawBufferPointer
    /// The offset of the next byte to read.
    public var offset: Int

    /// Creates a reader over `bytes`, starting at `offset`.
    @inlinable
    public init(_ bytes: UnsafeRawBufferPointer, offset: Int = 0) {
        self.bytes = bytes
        self.offset = offset
    }

    /// The number of bytes not yet read.
    @inlinable public var remaining: Int { bytes.count - offset }
    /// The total number of bytes.
    @inlinable public var count: Int { bytes.count }

    @inlinable
    func need(_ n: Int) throws(DNSWireError) {
        if n > bytes.count - offset { throw DNSWireError(.truncated(needed: n - (bytes.count - offset)), at: offset) }
    }

    /// Reads one byte.
    @inlinable
    public mutating func readUInt8() throws(DNSWireError) -> UInt8 {
        try need(1)
        let v = bytes[offset]
        offset += 1
        return v
    }

    /// Reads a big-endian 16-bit integer.
    @inlinable
    public mutating func readUInt16() throws(DNSWireError) -> UInt16 {
        try need(2)
        let v = UInt16(bytes[offset]) << 8 | UInt16(bytes[offset + 1])
        offset += 2
        return v
    }

    /// Reads a big-endian 32-bit integer.
    @inlinable
    public mutating func readUInt32() throws(DNSWireError) -> UInt32 {
        try need(4)
        var v: UInt32 = 0
        for i in 0..<4 { v = v << 8 | UInt32(bytes[offset + i]) }
        offset += 4
        return v
    }

    /// Reads `n` bytes into a new array.
    @inlinable
    public mutating func readBytes(_ n: Int) throws(DNSWireError) -> [UInt8] {
        try need(n)
        let v = [UInt8](UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + n)]))
        offset += n
        return v
    }

    /// Reads a `<character-string>`: one length byte and that many bytes.
    @inlinable
    public mutating func readCharacterString() throws(DNSWireError) -> [UInt8] {
        let n = Int(try readUInt8())
        return try readBytes(n)
    }

    /// Reads a possibly compressed domain name and returns it uncompressed, case preserved.
    ///
    /// Checks every label length (≤ 63, no reserved label types), the total length (≤ 255) and every pointer
    /// (strictly backwards from the label that holds it, at most ``maxPointerHops`` hops).
    public mutating func readName() throws(DNSWireError) -> DNSName {
        let start = offset
        let length = try skipName()
        if length == 0 { return DNSName.root }
        // Second pass: the name is valid, so follow the same labels and pointers again and copy each contiguous run
        // of labels into an array allocated once at its final size.
        var wire = [UInt8]()
        wire.reserveCapacity(length + 1)
        var p = start, runStart = start
        while true {
            let len = Int(bytes[p])
            if len == 0 { break }
            if len & 0xC0 == 0xC0 {
                if p > runStart { wire.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[runStart..<p])) }
                p = (len & 0x3F) << 8 | Int(bytes[p + 1])
                runStart = p
                continue
            }
            p += len + 1
        }
        wire.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[runStart...p]))
        return DNSName(uncheckedWire: wire)
    }

    /// Checks a possibly compressed domain name exactly as ``readName()`` does and moves past it without copying it;
    /// returns its uncompressed wire length without the root label (0 for the root).
    @discardableResult
    public mutating func skipName() throws(DNSWireError) -> Int {
        var pos = offset
        // A pointer must target a byte before the start of the contiguous run of labels that holds it, so every hop
        // moves strictly backwards and no loop is possible.
        var limit = offset
        // The labels a pointer leads to must also end before that run: a target that runs into the pointer itself is
        // not a "prior occurrence" of a name (RFC 1035 §4.1.4). Before the first pointer the bound is the input's end.
        var end = bytes.count
        var hops = 0
        var endOfName = -1  // where the reader continues after the name (after the first pointer)
        var length = 0  // uncompressed wire length so far, without the root label
        scan: while true {
            guard pos < end else {
                throw end < bytes.count ? DNSWireError(.badPointer(target: limit), at: pos) : DNSWireError(.truncated(needed: 1), at: pos)
            }
            let len = bytes[pos]
            switch len & 0xC0 {
            case 0x00:
                let n = Int(len)
                if n == 0 { break scan }
                guard pos + 1 + n <= end else {
                    if end < bytes.count { throw DNSWireError(.badPointer(target: limit), at: pos) }
                    throw DNSWireError(.truncated(needed: pos + 1 + n - bytes.count), at: pos)
                }
                if length + 1 + n + 1 > 255 { throw DNSWireError(.nameTooLong, at: offset) }
                length += 1 + n
                pos += 1 + n
            case 0xC0:
                guard pos + 1 < end else {
                    throw end < bytes.count ? DNSWireError(.badPointer(target: limit), at: pos) : DNSWireError(.truncated(needed: 1), at: pos)
                }
                let target = Int(len & 0x3F) << 8 | Int(bytes[pos + 1])
                hops += 1
                if target >= limit || hops > WireReader.maxPointerHops {
                    throw DNSWireError(.badPointer(target: target), at: pos)
                }
                if endOfName < 0 { endOfName = pos + 2 }
                end = limit
                limit = target
                pos = target
            default:
                throw DNSWireError(.badLabel(length: len), at: pos)
            }
        }
        offset = endOfName >= 0 ? endOfName : pos + 1
        return length
    }
}

/// Runs `body` over an array's bytes, keeping the typed error (`withUnsafeBytes` itself only rethrows `any Error`).
@inlinable
func withWireBytes<R>(_ array: [UInt8], _ body: (UnsafeRawBufferPointer) throws(DNSWireError) -> R) throws(DNSWireError) -> R {
    let result: Result<R, DNSWireError> = array.withUnsafeBytes { buf in
        Result { () throws(DNSWireError) -> R in try body(buf) }
    }
    return try result.get()
}
