#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A buffered, append-only output file with allocation-free formatting of the numbers, addresses and times the
/// log formats need. Bytes go to the file when the buffer passes its threshold and at ``close()``.
public final class ByteSink {
    /// The path written.
    public let path: String
    private var fd: Int32
    /// The pending bytes.
    var buffer: [UInt8]
    private let threshold: Int
    /// Bytes written to the file so far (not counting the buffer).
    public private(set) var flushedBytes = 0

    /// Creates (truncating) the file.
    public init(path: String, bufferSize: Int = 1 << 20) throws(SimulatorError) {
        self.path = path
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw SimulatorError(.output("cannot create the file: \(String(cString: strerror(errno)))"), file: path) }
        threshold = bufferSize
        buffer = []
        buffer.reserveCapacity(bufferSize + 65_536)
    }

    deinit { if fd >= 0 { _ = Glibc_close(fd) } }

    /// Bytes written in all, buffer included.
    public var totalBytes: Int { flushedBytes + buffer.count }

    /// Writes the buffer out when it is over the threshold.
    @inline(__always) public func maybeFlush() throws(SimulatorError) {
        if buffer.count >= threshold { try flush() }
    }

    /// Writes the buffer out.
    public func flush() throws(SimulatorError) {
        guard !buffer.isEmpty else { return }
        var failure: Int32 = 0
        buffer.withUnsafeBytes { raw in
            var off = 0
            while off < raw.count {
                let n = write(fd, raw.baseAddress! + off, raw.count - off)
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    return
                }
                off += n
            }
        }
        if failure != 0 { throw SimulatorError(.output("write failed: \(String(cString: strerror(failure)))"), file: path) }
        flushedBytes += buffer.count
        buffer.removeAll(keepingCapacity: true)
    }

    /// Flushes and closes the file.
    public func close() throws(SimulatorError) {
        try flush()
        if fd >= 0 { _ = Glibc_close(fd); fd = -1 }
    }

    // MARK: Appending

    @inline(__always) public func byte(_ b: UInt8) { buffer.append(b) }
    @inline(__always) public func bytes(_ b: [UInt8]) { buffer.append(contentsOf: b) }
    @inline(__always) public func bytes(_ b: UnsafeRawBufferPointer) { buffer.append(contentsOf: b) }
    @inline(__always) public func ascii(_ s: StaticString) {
        s.withUTF8Buffer { buffer.append(contentsOf: $0) }
    }
    public func string(_ s: String) { buffer.append(contentsOf: s.utf8) }

    /// An unsigned decimal.
    @inline(__always) public func decimal(_ v: UInt64) {
        if v < 10 { buffer.append(0x30 &+ UInt8(v)); return }
        var tmp: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                  UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var n = 0
        var x = v
        withUnsafeMutableBytes(of: &tmp) { t in
            while x > 0 { t[19 - n] = 0x30 &+ UInt8(x % 10); x /= 10; n += 1 }
            buffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: t[(20 - n)...]))
        }
    }

    @inline(__always) public func decimal(_ v: Int) {
        if v < 0 { buffer.append(UInt8(ascii: "-")); decimal(UInt64(-v)) } else { decimal(UInt64(v)) }
    }

    /// A decimal zero-padded to `width` digits.
    @inline(__always) public func padded(_ v: Int, _ width: Int) {
        var div = 1
        for _ in 1..<width { div *= 10 }
        var x = v
        while div > 0 { buffer.append(0x30 &+ UInt8(x / div)); x %= div; div /= 10 }
    }

    /// `whole.fraction` with exactly `digits` fraction digits, from an integer count of 10^-digits units.
    @inline(__always) public func fixed(_ units: Int64, digits: Int) {
        var scale: Int64 = 1
        for _ in 0..<digits { scale *= 10 }
        let u = units < 0 ? -units : units
        if units < 0 { buffer.append(UInt8(ascii: "-")) }
        decimal(UInt64(u / scale))
        buffer.append(UInt8(ascii: "."))
        padded(Int(u % scale), digits)
    }

    /// Dotted-quad IPv4.
    @inline(__always) public func ipv4(_ a: UInt32) {
        decimal(UInt64(a >> 24)); buffer.append(0x2E)
        decimal(UInt64((a >> 16) & 0xFF)); buffer.append(0x2E)
        decimal(UInt64((a >> 8) & 0xFF)); buffer.append(0x2E)
        decimal(UInt64(a & 0xFF))
    }

    /// RFC 5952 IPv6 text of an address given as two 64-bit halves.
    public func ipv6(hi: UInt64, lo: UInt64) {
        var groups = [UInt16](repeating: 0, count: 8)
        for i in 0..<4 { groups[i] = UInt16(truncatingIfNeeded: hi >> (48 - 16 * UInt64(i))) }
        for i in 0..<4 { groups[4 + i] = UInt16(truncatingIfNeeded: lo >> (48 - 16 * UInt64(i))) }
        // The longest run (≥ 2) of zero groups becomes "::".
        var bestStart = -1, bestLen = 0, i = 0
        while i < 8 {
            if groups[i] == 0 {
                var j = i
                while j < 8 && groups[j] == 0 { j += 1 }
                if j - i > bestLen && j - i >= 2 { bestStart = i; bestLen = j - i }
                i = j
            } else { i += 1 }
        }
        i = 0
        var first = true
        while i < 8 {
            if i == bestStart {
                buffer.append(0x3A); buffer.append(0x3A)
                i += bestLen
                first = true
                continue
            }
            if !first { buffer.append(0x3A) }
            hex(groups[i])
            first = false
            i += 1
        }
    }

    @inline(__always) func hex(_ v: UInt16) {
        let digits: StaticString = "0123456789abcdef"
        var started = false
        for shift in stride(from: 12, through: 0, by: -4) {
            let d = Int((v >> UInt16(shift)) & 0xF)
            if d != 0 || started || shift == 0 {
                started = true
                buffer.append(digits.utf8Start[d])
            }
        }
    }

    /// Two lower-case hex digits per byte.
    @inline(__always) public func hexByte(_ b: UInt8) {
        let digits: StaticString = "0123456789abcdef"
        buffer.append(digits.utf8Start[Int(b >> 4)])
        buffer.append(digits.utf8Start[Int(b & 0xF)])
    }

    /// Big-endian integers, for binary formats.
    @inline(__always) public func be16(_ v: UInt16) { buffer.append(UInt8(v >> 8)); buffer.append(UInt8(truncatingIfNeeded: v)) }
    @inline(__always) public func be32(_ v: UInt32) { be16(UInt16(v >> 16)); be16(UInt16(truncatingIfNeeded: v)) }
    @inline(__always) public func le16(_ v: UInt16) { buffer.append(UInt8(truncatingIfNeeded: v)); buffer.append(UInt8(v >> 8)) }
    @inline(__always) public func le32(_ v: UInt32) { le16(UInt16(truncatingIfNeeded: v)); le16(UInt16(v >> 16)) }

    /// A protobuf varint.
    @inline(__always) public func varint(_ v: UInt64) {
        var x = v
        while x >= 0x80 { buffer.append(UInt8(truncatingIfNeeded: x) | 0x80); x >>= 7 }
        buffer.append(UInt8(x))
    }

    /// The current length of the buffer (for patching lengths written before their content).
    @inline(__always) public var mark: Int { buffer.count }

    /// Overwrites 4 bytes at a mark with a big-endian value.
    @inline(__always) public func patchBE32(at m: Int, _ v: UInt32) {
        buffer[m] = UInt8(v >> 24); buffer[m + 1] = UInt8(truncatingIfNeeded: v >> 16)
        buffer[m + 2] = UInt8(truncatingIfNeeded: v >> 8); buffer[m + 3] = UInt8(truncatingIfNeeded: v)
    }

    /// Overwrites 2 bytes at a mark with a big-endian value.
    @inline(__always) public func patchBE16(at m: Int, _ v: UInt16) {
        buffer[m] = UInt8(v >> 8); buffer[m + 1] = UInt8(truncatingIfNeeded: v)
    }
}

@inline(__always) func Glibc_close(_ fd: Int32) -> Int32 { close(fd) }

/// Varint length in bytes.
@inline(__always) func varintSize(_ v: UInt64) -> Int {
    var n = 1
    var x = v
    while x >= 0x80 { x >>= 7; n += 1 }
    return n
}
