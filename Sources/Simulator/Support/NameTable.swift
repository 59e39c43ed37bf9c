/// Every DNS name the simulation uses, interned once: lower-case presentation bytes (no trailing dot) in one buffer,
/// an id per name, and an open-addressing hash index. Ids are given in first-use order, so they are deterministic.
struct NameTable: Sendable {
    private(set) var bytes: [UInt8] = []
    private(set) var offsets: [UInt32] = []
    private(set) var lengths: [UInt8] = []
    private var slots: [Int32]
    private var mask: Int

    init(capacity: Int = 1 << 16) {
        var n = 1
        while n < capacity * 2 { n <<= 1 }
        slots = [Int32](repeating: -1, count: n)
        mask = n - 1
        bytes.reserveCapacity(capacity * 20)
        offsets.reserveCapacity(capacity)
        lengths.reserveCapacity(capacity)
    }

    /// How many names.
    var count: Int { offsets.count }

    @inline(__always) static func hash(_ p: UnsafeRawBufferPointer) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for b in p { h = (h ^ UInt64(b)) &* 0x100_0000_01B3 }
        return SimRandom.mix(h)
    }

    @inline(__always) private func equals(_ id: Int32, _ p: UnsafeRawBufferPointer) -> Bool {
        let i = Int(id)
        guard Int(lengths[i]) == p.count else { return false }
        let o = Int(offsets[i])
        return bytes.withUnsafeBufferPointer { b in
            memcmpEqual(b.baseAddress! + o, p.baseAddress!, p.count)
        }
    }

    /// The id of a name, if interned.
    func find(_ p: UnsafeRawBufferPointer) -> Int32? {
        guard p.count > 0 else { return nil }
        var i = Int(truncatingIfNeeded: Self.hash(p)) & mask
        while true {
            let s = slots[i]
            if s < 0 { return nil }
            if equals(s, p) { return s }
            i = (i + 1) & mask
        }
    }

    /// The id of a name, interning it if new (names longer than 253 bytes are cut, which the simulator never makes).
    mutating func intern(_ p: UnsafeRawBufferPointer) -> Int32 {
        let h = Self.hash(p)
        var i = Int(truncatingIfNeeded: h) & mask
        while true {
            let s = slots[i]
            if s < 0 { break }
            if equals(s, p) { return s }
            i = (i + 1) & mask
        }
        let id = Int32(offsets.count)
        offsets.append(UInt32(bytes.count))
        let n = min(p.count, 253)
        lengths.append(UInt8(n))
        bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: p[0..<n]))
        slots[i] = id
        if offsets.count * 2 > slots.count { grow() }
        return id
    }

    /// The id of a name given as a string, if interned.
    func find(_ s: String) -> Int32? {
        var s = s
        return s.withUTF8 { find(UnsafeRawBufferPointer($0)) }
    }

    /// Interns a string.
    mutating func intern(_ s: String) -> Int32 {
        var s = s
        return s.withUTF8 { intern(UnsafeRawBufferPointer($0)) }
    }

    /// Interns bytes.
    mutating func intern(_ b: [UInt8]) -> Int32 { b.withUnsafeBytes { intern($0) } }

    private mutating func grow() {
        let n = slots.count * 2
        var fresh = [Int32](repeating: -1, count: n)
        let m = n - 1
        bytes.withUnsafeBytes { all in
            for id in 0..<offsets.count {
                let p = UnsafeRawBufferPointer(rebasing: all[Int(offsets[id])..<(Int(offsets[id]) + Int(lengths[id]))])
                var i = Int(truncatingIfNeeded: Self.hash(p)) & m
                while fresh[i] >= 0 { i = (i + 1) & m }
                fresh[i] = Int32(id)
            }
        }
        slots = fresh
        mask = m
    }

    /// Calls `body` with a name's bytes.
    @inline(__always) func withName<R>(_ id: Int32, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        let o = Int(offsets[Int(id)]), n = Int(lengths[Int(id)])
        return try bytes.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[o..<(o + n)])) }
    }

    /// A name as a string.
    func string(_ id: Int32) -> String { withName(id) { String(decoding: $0, as: UTF8.self) } }

    /// The length of a name in bytes.
    @inline(__always) func length(_ id: Int32) -> Int { Int(lengths[Int(id)]) }

    /// The byte offset of a name in ``bytes``.
    @inline(__always) func offset(_ id: Int32) -> Int { Int(offsets[Int(id)]) }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@inline(__always) func memcmpEqual(_ a: UnsafePointer<UInt8>, _ b: UnsafeRawPointer, _ n: Int) -> Bool {
    memcmp(a, b, n) == 0
}
