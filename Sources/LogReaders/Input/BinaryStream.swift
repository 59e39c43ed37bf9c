/// A window over a ``ByteInput`` for record-oriented binary formats (pcap, pcapng): ensure that `n` bytes are
/// buffered, look at them, consume them. Memory is bounded by the largest record asked for.
public struct BinaryStream {
    let input: ByteInput
    var buffer: [UInt8] = []
    var start = 0
    /// The input offset of the first unconsumed byte.
    public private(set) var offset = 0
    var atEOF = false

    /// Wraps an input; offsets count from the input's current position (a chunk's start in its file).
    public init(_ input: ByteInput) {
        self.input = input
        offset = input.decompressedOffset
    }

    /// Unconsumed bytes buffered.
    public var available: Int { buffer.count - start }

    /// Makes at least `n` bytes available; false if the input ends first.
    public mutating func ensure(_ n: Int) throws -> Bool {
        while buffer.count - start < n {
            if atEOF { return false }
            if start > 0 {
                buffer.removeFirst(start)
                start = 0
            }
            let want = max(min(1 << 18, max(4096, input.rawSize ?? (1 << 18))), n - (buffer.count - start))
            let old = buffer.count
            buffer.append(contentsOf: repeatElement(0, count: want))
            let got = try buffer.withUnsafeMutableBytes { b in try input.read(into: UnsafeMutableRawBufferPointer(rebasing: b[old...])) }
            buffer.removeLast(want - got)
            if got == 0 { atEOF = true }
        }
        return true
    }

    /// The byte at `i` past the current position (must be available).
    @inline(__always) public func byte(_ i: Int) -> UInt8 { buffer[start + i] }

    /// A 16-bit integer at `i` past the current position.
    public func u16(_ i: Int, bigEndian: Bool) -> UInt16 {
        let a = UInt16(buffer[start + i]), b = UInt16(buffer[start + i + 1])
        return bigEndian ? a << 8 | b : b << 8 | a
    }

    /// A 32-bit integer at `i` past the current position.
    public func u32(_ i: Int, bigEndian: Bool) -> UInt32 {
        // Four loads rather than a mapped array: this runs four times per packet, and an array allocation each
        // time showed in profiles.
        let a = UInt32(buffer[start + i]), b = UInt32(buffer[start + i + 1])
        let c = UInt32(buffer[start + i + 2]), d = UInt32(buffer[start + i + 3])
        return bigEndian ? a << 24 | b << 16 | c << 8 | d : d << 24 | c << 16 | b << 8 | a
    }

    /// Where `n` bytes starting `i` past the current position lie in the buffer (see ``withBuffer(_:)``); the range
    /// stays valid after ``consume(_:)``, until the next ``ensure(_:)``.
    public func range(_ i: Int, _ n: Int) -> Range<Int> { (start + i)..<(start + i + n) }

    /// Runs `body` over the whole buffer, which ``range(_:_:)`` indexes.
    public func withBuffer<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R { try buffer.withUnsafeBytes(body) }

    /// Consumes `n` bytes (which must be available).
    public mutating func consume(_ n: Int) {
        start += n
        offset += n
    }
}
