import CPrefetch

/// A set of IPv4 addresses (as 32-bit values) for counting devices: open addressing with linear probing and a
/// multiplicative hash, so an insert costs a multiply and usually one cache line, where `Set<DeviceKey>` hashed an
/// organisation string and an address with SipHash on every event.
struct AddressSet: Sendable {
    private var slots: [UInt32]
    private var mask: Int
    private var hasZero = false
    /// Addresses held.
    private(set) var count = 0

    init() {
        slots = [UInt32](repeating: 0, count: 1024)
        mask = 1023
    }

    @inline(__always) private static func slot(_ a: UInt32, _ mask: Int) -> Int {
        Int(truncatingIfNeeded: (UInt64(a) &* 0x9E37_79B9_7F4A_7C15) >> 32) & mask
    }

    /// Starts loading the slot where `a` is or would go (a likely cache miss in a set of many addresses), so that
    /// an `insert(a)` a little later finds it in cache. A hint only.
    @inline(__always) func prefetch(_ a: UInt32) {
        slots.withUnsafeBufferPointer { dnsight_prefetch($0.baseAddress! + Self.slot(a, mask)) }
    }

    /// Inserts `a`; returns whether it was new.
    @inline(__always) mutating func insert(_ a: UInt32) -> Bool {
        if a == 0 {
            if hasZero { return false }
            hasZero = true
            count += 1
            return true
        }
        var i = Self.slot(a, mask)
        let inserted: Bool = slots.withUnsafeMutableBufferPointer { s in
            while true {
                let v = s[i]
                if v == a { return false }
                if v == 0 {
                    s[i] = a
                    return true
                }
                i = (i + 1) & mask
            }
        }
        if inserted {
            count += 1
            if count * 2 > slots.count { grow() }
        }
        return inserted
    }

    private mutating func grow() {
        let old = slots
        slots = [UInt32](repeating: 0, count: old.count * 2)
        mask = slots.count - 1
        slots.withUnsafeMutableBufferPointer { s in
            for a in old where a != 0 {
                var i = Self.slot(a, mask)
                while s[i] != 0 { i = (i + 1) & mask }
                s[i] = a
            }
        }
    }

    /// Every address held.
    var elements: [UInt32] { (hasZero ? [0] : []) + slots.filter { $0 != 0 } }

    /// Adds another set's addresses.
    mutating func formUnion(_ o: AddressSet) {
        for a in o.elements { _ = insert(a) }
    }
}
