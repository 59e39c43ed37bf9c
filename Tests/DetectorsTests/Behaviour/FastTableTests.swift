import Testing
@testable import Detectors

/// The chain's fast table keeps up to four names per set, replaces the one that expires first, and is a value.
@Suite struct FastTableTests {
    /// Keys that fall in set 0 of a table of `2^bits` sets (the set is the key's top bits), odd and non-zero as the
    /// chain's are.
    static func keysOfSetZero(_ n: Int, bits: Int) -> [UInt64] {
        (1...n).map { UInt64($0) << 1 | 1 }.map { $0 & ~(~UInt64(0) << UInt64(64 - bits)) }
    }

    /// Keys that fall in the last set (top bits all ones).
    static func keysOfLastSet(_ n: Int, bits: Int) -> [UInt64] {
        keysOfSetZero(n, bits: bits).map { $0 | ~(~UInt64(0) >> UInt64(bits)) }
    }

    @Test func anEntryIsSixteenBytesSoASetIsOneCacheLine() {
        #expect(MemoryLayout<FastTable.Entry>.stride == 16)
    }

    @Test func setsAreChosenByTheTopBits() {
        var t = FastTable(setBits: 4)
        let low = Self.keysOfSetZero(4, bits: 4), high = Self.keysOfLastSet(4, bits: 4)
        for k in low { t.insert(.init(key: k, validUntil: 1)) }
        for k in high { t.insert(.init(key: k, validUntil: 2)) }
        // Eight names, four per set: none displaced another.
        for k in low { #expect(t.find(k)?.validUntil == 1) }
        for k in high { #expect(t.find(k)?.validUntil == 2) }
    }

    @Test func fourNamesOfOneSetAreAllKept() {
        var t = FastTable(setBits: 4)
        let keys = Self.keysOfSetZero(4, bits: 4)
        for (i, k) in keys.enumerated() { t.insert(.init(key: k, validUntil: UInt32(100 + i))) }
        for (i, k) in keys.enumerated() { #expect(t.find(k)?.validUntil == UInt32(100 + i)) }
        #expect(t.find(0xFFFF_0000_0000_0003) == nil)
    }

    @Test func aFifthNameReplacesTheEntryThatExpiresFirst() {
        var t = FastTable(setBits: 4)
        let keys = Self.keysOfSetZero(5, bits: 4)
        for (k, until) in zip(keys.prefix(4), [400, 100, 300, 200] as [UInt32]) { t.insert(.init(key: k, validUntil: until)) }
        t.insert(.init(key: keys[4], validUntil: 500))
        #expect(t.find(keys[1]) == nil)
        for k in [keys[0], keys[2], keys[3], keys[4]] { #expect(t.find(k) != nil) }
    }

    @Test func aNameStoredAgainIsUpdatedInPlace() {
        var t = FastTable(setBits: 4)
        let keys = Self.keysOfSetZero(4, bits: 4)
        for k in keys { t.insert(.init(key: k, validUntil: 10)) }
        t.insert(.init(key: keys[2], validUntil: 99, newDomain: true))
        #expect(t.find(keys[2])?.validUntil == 99)
        #expect(t.find(keys[2])?.newDomain == true)
        var count = 0
        t.forEachKey { _ in count += 1 }
        #expect(count == 4)
    }

    @Test func aCopyDoesNotShareLaterInserts() {
        var a = FastTable(setBits: 4)
        a.insert(.init(key: 0x11, validUntil: 1))
        var b = a
        b.insert(.init(key: 0x21, validUntil: 2))
        #expect(a.find(0x21) == nil)
        #expect(b.find(0x21) != nil)
        #expect(a.find(0x11) != nil && b.find(0x11) != nil)
    }
}
