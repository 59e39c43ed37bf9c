#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A buffered, append-only output file. Writers take its ``OutBuffer`` for a run of appends (``take()`` /
/// ``give(_:)``), so that the hot loops work on a local value; bytes go to the file when the buffer passes its
/// threshold and at ``close()``.
public final class ByteSink {
    /// The path written.
    public let path: String
    private var fd: Int32
    var buffer: OutBuffer
    private let threshold: Int
    /// Bytes written to the file so far (not counting the buffer).
    public private(set) var flushedBytes = 0

    /// Creates (truncating) the file.
    public init(path: String, bufferSize: Int = 1 << 20) throws(SimulatorError) {
        self.path = path
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw SimulatorError(.output("cannot create the file: \(String(cString: strerror(errno)))"), file: path) }
        threshold = bufferSize
        buffer = OutBuffer(capacity: bufferSize + 65_536)
    }

    deinit {
        if fd >= 0 { _ = closeFile(fd) }
        buffer.deallocate()
    }

    /// Bytes written in all, buffer included.
    public var totalBytes: Int { flushedBytes + buffer.count }

    /// Writes the buffer out when it is over the threshold.
    @inline(__always) public func maybeFlush() throws(SimulatorError) {
        if buffer.count >= threshold { try flush() }
    }

    /// Writes the buffer out.
    public func flush() throws(SimulatorError) {
        guard buffer.count > 0 else { return }
        var off = 0
        while off < buffer.count {
            let n = write(fd, buffer.base + off, buffer.count - off)
            if n < 0 {
                if errno == EINTR { continue }
                throw SimulatorError(.output("write failed: \(String(cString: strerror(errno)))"), file: path)
            }
            off += n
        }
        flushedBytes += buffer.count
        buffer.count = 0
    }

    /// Flushes and closes the file.
    public func close() throws(SimulatorError) {
        try flush()
        if fd >= 0 { _ = closeFile(fd); fd = -1 }
    }

    /// Takes the buffer out for a run of appends; give it back with ``give(_:)`` before using the sink again.
    @inline(__always) func take() -> OutBuffer { buffer }

    /// Gives a taken buffer back (it may have moved while growing).
    @inline(__always) func give(_ b: OutBuffer) { buffer = b }

    /// Appends through a taken buffer.
    @inline(__always) func append(_ body: (inout OutBuffer) -> Void) {
        var b = buffer
        body(&b)
        buffer = b
    }
}

/// A growable byte buffer over raw memory, with allocation-free formatting of the numbers, addresses and times the
/// log formats need. It is a handle: its owner (a ``ByteSink``) frees the memory; copies must not outlive a growth.
public struct OutBuffer: @unchecked Sendable {
    /// The memory.
    public private(set) var base: UnsafeMutablePointer<UInt8>
    /// Bytes used.
    public internal(set) var count: Int
    /// Bytes allocated.
    public private(set) var capacity: Int
    /// The day whose date ``stampDate`` holds (ISO times write the date once per day).
    var stampDay = Int.min
    var stampDate = (0, 0, 0)

    /// An empty buffer with room for `capacity` bytes.
    public init(capacity: Int) {
        self.capacity = max(capacity, 64)
        base = .allocate(capacity: self.capacity)
        count = 0
    }

    /// Frees the memory.
    func deallocate() { base.deallocate() }

    /// The bytes written, as a buffer.
    public var view: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }

    /// The current length (for patching lengths written before their content).
    @inline(__always) public var mark: Int { count }

    @inline(__always) mutating func ensure(_ n: Int) {
        if count + n > capacity { grow(count + n) }
    }

    @inline(never) mutating func grow(_ need: Int) {
        let cap = max(need, capacity * 2)
        let fresh = UnsafeMutablePointer<UInt8>.allocate(capacity: cap)
        fresh.update(from: base, count: count)
        base.deallocate()
        base = fresh
        capacity = cap
    }

    @inline(__always) public mutating func byte(_ b: UInt8) { ensure(1); base[count] = b; count += 1 }
    @inline(__always) public mutating func append(_ b: UnsafeRawBufferPointer) {
        let n = b.count
        ensure(n)
        if let p = b.baseAddress {
            if n <= 24 {
                // Short pieces (punctuation, keys, labels): a byte loop beats a call to memmove.
                let src = p.assumingMemoryBound(to: UInt8.self), dst = base + count
                for i in 0..<n { dst[i] = src[i] }
            } else {
                (base + count).update(from: p.assumingMemoryBound(to: UInt8.self), count: n)
            }
        }
        count += n
    }
    @inline(__always) public mutating func append(_ b: [UInt8]) { b.withUnsafeBytes { append($0) } }
    @inline(__always) public mutating func ascii(_ s: StaticString) {
        append(UnsafeRawBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount))
    }
    public mutating func string(_ s: String) { var s = s; s.withUTF8 { append(UnsafeRawBufferPointer($0)) } }

    /// "00" … "99", for writing decimals two digits at a time.
    static let digitPairs: [UInt8] = {
        var t = [UInt8]()
        for i in 0..<100 { t.append(0x30 + UInt8(i / 10)); t.append(0x30 + UInt8(i % 10)) }
        return t
    }()

    /// An unsigned decimal.
    @inline(__always) public mutating func decimal(_ v: UInt64) {
        ensure(20)
        if v < 10 { base[count] = 0x30 &+ UInt8(v); count += 1; return }
        var n = 1
        var p: UInt64 = 10
        while n < 20 && v >= p { n += 1; if n < 20 { p &*= 10 } }
        var x = v
        var i = count + n
        Self.digitPairs.withUnsafeBufferPointer { pairs in
            while x >= 100 {
                let r = Int(x % 100)
                x /= 100
                i -= 2
                base[i] = pairs[2 * r]; base[i + 1] = pairs[2 * r + 1]
            }
            if x >= 10 {
                i -= 2
                base[i] = pairs[2 * Int(x)]; base[i + 1] = pairs[2 * Int(x) + 1]
            } else {
                i -= 1
                base[i] = 0x30 &+ UInt8(x)
            }
        }
        count += n
    }

    @inline(__always) public mutating func decimal(_ v: Int) {
        if v < 0 { byte(UInt8(ascii: "-")); decimal(UInt64(-v)) } else { decimal(UInt64(v)) }
    }

    /// A decimal zero-padded to `width` digits.
    @inline(__always) public mutating func padded(_ v: Int, _ width: Int) {
        ensure(width)
        var x = v
        var i = count + width - 1
        while i >= count { base[i] = 0x30 &+ UInt8(x % 10); x /= 10; i -= 1 }
        count += width
    }

    /// `whole.fraction` with exactly `digits` fraction digits, from an integer count of 10^-digits units.
    @inline(__always) public mutating func fixed(_ units: Int64, digits: Int) {
        var scale: Int64 = 1
        for _ in 0..<digits { scale *= 10 }
        let u = units < 0 ? -units : units
        if units < 0 { byte(UInt8(ascii: "-")) }
        decimal(UInt64(u / scale))
        byte(0x2E)
        padded(Int(u % scale), digits)
    }

    /// Dotted-quad IPv4.
    @inline(__always) public mutating func ipv4(_ a: UInt32) {
        decimal(UInt64(a >> 24)); byte(0x2E)
        decimal(UInt64((a >> 16) & 0xFF)); byte(0x2E)
        decimal(UInt64((a >> 8) & 0xFF)); byte(0x2E)
        decimal(UInt64(a & 0xFF))
    }

    /// RFC 5952 IPv6 text of an address given as two 64-bit halves.
    public mutating func ipv6(hi: UInt64, lo: UInt64) {
        var groups: (UInt16, UInt16, UInt16, UInt16, UInt16, UInt16, UInt16, UInt16) = (0, 0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &groups) { g in
            let p = g.bindMemory(to: UInt16.self)
            for i in 0..<4 { p[i] = UInt16(truncatingIfNeeded: hi >> (48 - 16 * UInt64(i))) }
            for i in 0..<4 { p[4 + i] = UInt16(truncatingIfNeeded: lo >> (48 - 16 * UInt64(i))) }
        }
        let gs = [groups.0, groups.1, groups.2, groups.3, groups.4, groups.5, groups.6, groups.7]
        // The longest run (≥ 2) of zero groups becomes "::".
        var bestStart = -1, bestLen = 0, i = 0
        while i < 8 {
            if gs[i] == 0 {
                var j = i
                while j < 8 && gs[j] == 0 { j += 1 }
                if j - i > bestLen && j - i >= 2 { bestStart = i; bestLen = j - i }
                i = j
            } else { i += 1 }
        }
        i = 0
        var first = true
        while i < 8 {
            if i == bestStart {
                byte(0x3A); byte(0x3A)
                i += bestLen
                first = true
                continue
            }
            if !first { byte(0x3A) }
            hex(gs[i])
            first = false
            i += 1
        }
    }

    static let hexDigits: StaticString = "0123456789abcdef"

    @inline(__always) mutating func hex(_ v: UInt16) {
        var started = false
        for shift in stride(from: 12, through: 0, by: -4) {
            let d = Int((v >> UInt16(shift)) & 0xF)
            if d != 0 || started || shift == 0 {
                started = true
                byte(Self.hexDigits.utf8Start[d])
            }
        }
    }

    /// Two lower-case hex digits per byte.
    @inline(__always) public mutating func hexByte(_ b: UInt8) {
        byte(Self.hexDigits.utf8Start[Int(b >> 4)])
        byte(Self.hexDigits.utf8Start[Int(b & 0xF)])
    }

    /// Big- and little-endian integers, for binary formats.
    @inline(__always) public mutating func be16(_ v: UInt16) { ensure(2); base[count] = UInt8(v >> 8); base[count + 1] = UInt8(truncatingIfNeeded: v); count += 2 }
    @inline(__always) public mutating func be32(_ v: UInt32) { be16(UInt16(v >> 16)); be16(UInt16(truncatingIfNeeded: v)) }
    @inline(__always) public mutating func le16(_ v: UInt16) { ensure(2); base[count] = UInt8(truncatingIfNeeded: v); base[count + 1] = UInt8(v >> 8); count += 2 }
    @inline(__always) public mutating func le32(_ v: UInt32) { le16(UInt16(truncatingIfNeeded: v)); le16(UInt16(v >> 16)) }

    /// A protobuf varint.
    @inline(__always) public mutating func varint(_ v: UInt64) {
        var x = v
        while x >= 0x80 { byte(UInt8(truncatingIfNeeded: x) | 0x80); x >>= 7 }
        byte(UInt8(x))
    }

    /// Reads a byte already written.
    @inline(__always) subscript(_ i: Int) -> UInt8 { base[i] }

    /// Overwrites 2 bytes at a mark with a big-endian value.
    @inline(__always) public mutating func patchBE16(at m: Int, _ v: UInt16) {
        base[m] = UInt8(v >> 8); base[m + 1] = UInt8(truncatingIfNeeded: v)
    }
}

@inline(__always) func closeFile(_ fd: Int32) -> Int32 { close(fd) }

/// Varint length in bytes.
@inline(__always) func varintSize(_ v: UInt64) -> Int {
    var n = 1
    var x = v
    while x >= 0x80 { x >>= 7; n += 1 }
    return n
}
