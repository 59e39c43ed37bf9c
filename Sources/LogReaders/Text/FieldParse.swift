import DNSWire
import DNSightCore

/// Parsers for the values found in text log formats, working on raw bytes so that the hot path of a reader creates
/// no `String` per field. Every function returns nil on malformed input; none traps.
public enum FieldParse {
    @inline(__always) static func isDigit(_ c: UInt8) -> Bool { c &- 0x30 < 10 }

    /// An unsigned decimal integer no larger than `max`.
    @inlinable
    public static func unsigned(_ b: UnsafeRawBufferPointer, max: UInt64 = .max) -> UInt64? {
        guard !b.isEmpty, b.count <= 20 else { return nil }
        var v: UInt64 = 0
        for c in b {
            guard c &- 0x30 < 10 else { return nil }
            let (m, o1) = v.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(UInt64(c &- 0x30))
            if o1 || o2 { return nil }
            v = a
        }
        return v <= max ? v : nil
    }

    /// A port number (0–65535).
    @inlinable
    public static func port(_ b: UnsafeRawBufferPointer) -> UInt16? {
        unsigned(b, max: 65535).map { UInt16($0) }
    }

    /// A signed decimal integer.
    public static func integer(_ b: UnsafeRawBufferPointer) -> Int64? {
        guard let first = b.first else { return nil }
        if first == UInt8(ascii: "-") {
            guard let v = unsigned(UnsafeRawBufferPointer(rebasing: b.dropFirst()), max: UInt64(Int64.max)) else { return nil }
            return -Int64(v)
        }
        return unsigned(b, max: UInt64(Int64.max)).map { Int64($0) }
    }

    static let powersOf10: [Int64] = (0...18).map { p in (0..<p).reduce(Int64(1)) { acc, _ in acc * 10 } }

    /// A decimal number (`12`, `-1.5`, `1732788000.123456`, `1.2e-05`) scaled to an integer: `scale` 9 turns seconds
    /// into nanoseconds, 6 into microseconds. Digits beyond the scale are truncated; nil on overflow or bad syntax.
    public static func scaledDecimal(_ b: UnsafeRawBufferPointer, scale: Int) -> Int64? {
        let n = b.count
        // Fast path for what logs mostly hold (Zeek's times, round-trip times and TTLs): unsigned digits with at
        // most one dot and no exponent, 18 digits at most, so that every digit fits the mantissa and none is
        // dropped. It computes what the general loop below does for these inputs; anything else falls through.
        if n <= 19, scale >= 0, scale <= 18 {
            var mantissa: UInt64 = 0, dot = -1, i = 0
            while i < n {
                let d = b[i] &- 0x30
                if d < 10 {
                    mantissa = mantissa &* 10 &+ UInt64(d)
                } else if d == UInt8(ascii: ".") &- 0x30 && dot < 0 {
                    dot = i
                } else {
                    break
                }
                i += 1
            }
            let digitCount = dot < 0 ? n : n - 1
            if i == n, digitCount > 0, digitCount <= 18 {
                let shift = scale - (dot < 0 ? 0 : n - 1 - dot)
                if shift < 0 { return Int64(mantissa) / powersOf10[-shift] }
                let (m, o) = Int64(mantissa).multipliedReportingOverflow(by: powersOf10[shift])
                return o ? nil : m
            }
        }
        return generalScaledDecimal(b, scale: scale)
    }

    /// ``scaledDecimal(_:scale:)`` for any input: signs, exponents, more digits than a 64-bit mantissa holds.
    static func generalScaledDecimal(_ b: UnsafeRawBufferPointer, scale: Int) -> Int64? {
        let n = b.count
        guard n > 0, n <= 64 else { return nil }
        var i = 0
        var negative = false
        if b[0] == UInt8(ascii: "-") { negative = true; i = 1 } else if b[0] == UInt8(ascii: "+") { i = 1 }
        var mantissa: UInt64 = 0
        var digits = 0, significant = 0, droppedIntegerDigits = 0, fractionDigits = 0
        var sawDot = false
        while i < n {
            let c = b[i]
            if c &- 0x30 < 10 {
                digits += 1
                if significant < 18 {
                    if mantissa != 0 || c != 0x30 { significant += 1 }
                    mantissa = mantissa * 10 + UInt64(c - 0x30)
                    if sawDot { fractionDigits += 1 }
                } else if !sawDot {
                    droppedIntegerDigits += 1
                }
            } else if c == UInt8(ascii: ".") && !sawDot {
                sawDot = true
            } else {
                break
            }
            i += 1
        }
        guard digits > 0 else { return nil }
        var exponent = 0
        if i < n {
            guard b[i] | 0x20 == UInt8(ascii: "e"), i + 1 < n else { return nil }
            i += 1
            var expNegative = false
            if b[i] == UInt8(ascii: "-") { expNegative = true; i += 1 } else if b[i] == UInt8(ascii: "+") { i += 1 }
            guard i < n, n - i <= 4 else { return nil }
            while i < n {
                guard b[i] &- 0x30 < 10 else { return nil }
                exponent = exponent * 10 + Int(b[i] - 0x30)
                i += 1
            }
            if expNegative { exponent = -exponent }
        }
        // value = mantissa × 10^(exponent + droppedIntegerDigits − fractionDigits); result = value × 10^scale.
        let shift = exponent + droppedIntegerDigits - fractionDigits + scale
        var v = Int64(mantissa)
        if shift > 0 {
            guard shift <= 18 else { return mantissa == 0 ? 0 : nil }
            let (m, o) = v.multipliedReportingOverflow(by: powersOf10[shift])
            if o { return nil }
            v = m
        } else if shift < 0 {
            v = -shift > 18 ? 0 : v / powersOf10[-shift]
        }
        return negative ? -v : v
    }

    /// Dotted-quad IPv4 text: four parts of one to three digits, each at most 255 and without a leading zero.
    /// Read part by part rather than byte by byte, so that each byte takes one test (three per address are parsed
    /// for every Zeek line).
    @inlinable
    public static func ipv4(_ b: UnsafeRawBufferPointer) -> IPv4Address? {
        let n = b.count
        guard n >= 7, n <= 15 else { return nil }
        var v: UInt32 = 0, i = 0
        for part in 0..<4 {
            if part > 0 {
                guard i < n, b[i] == UInt8(ascii: ".") else { return nil }
                i += 1
            }
            guard i < n, case let d = b[i] &- 0x30, d < 10 else { return nil }
            var x = UInt32(d)
            i += 1
            if i < n, case let d2 = b[i] &- 0x30, d2 < 10 {
                guard x != 0 else { return nil }
                x = x * 10 + UInt32(d2)
                i += 1
                if i < n, case let d3 = b[i] &- 0x30, d3 < 10 {
                    x = x * 10 + UInt32(d3)
                    guard x <= 255 else { return nil }
                    i += 1
                }
            }
            v = v << 8 | x
        }
        return i == n ? IPv4Address(rawValue: v) : nil
    }

    /// An IPv4 or IPv6 address (IPv6 with an optional zone or brackets).
    public static func ipAddress(_ b: UnsafeRawBufferPointer) -> IPAddress? {
        if let v4 = ipv4(b) { return .v4(v4) }
        guard b.count >= 2, b.count <= 64, b.contains(UInt8(ascii: ":")) else { return nil }
        if let v6 = ipv6(b) { return .v6(v6) }
        // Zones, brackets and embedded IPv4 tails take the general (allocating) parser.
        return IPAddress(String(decoding: b, as: UTF8.self))
    }

    /// A plain IPv6 address in text (hex groups, at most one `::`), parsed from the bytes without allocating; nil
    /// for anything else, including the forms ``ipAddress(_:)`` leaves to the general parser (zone, brackets,
    /// an embedded IPv4 tail). Answers in text logs are mostly AAAA records, so this is on the hot path.
    @inlinable
    public static func ipv6(_ b: UnsafeRawBufferPointer) -> IPv6Address? { IPv6Address(plainText: b) }

    /// A query or answer name as logs print it, with or without the final dot, lower-cased. nil if it is not a valid
    /// name (an empty label, a label over 63 bytes, over 255 bytes in all).
    @inlinable
    public static func name(_ b: UnsafeRawBufferPointer) -> DNSName? {
        try? DNSName(presentationBytes: b, lowercasing: true)
    }

    /// A record type by mnemonic (`AAAA`), `TYPEnnn`, or number.
    public static func recordType(_ b: UnsafeRawBufferPointer) -> RecordType? {
        if let v = unsigned(b, max: 65535) { return RecordType(UInt16(v)) }
        guard !b.isEmpty, b.count <= 16 else { return nil }
        // The common types without a String.
        switch b.count {
        case 1 where b[0] | 0x20 == UInt8(ascii: "a"): return .a
        case 4 where b[0] | 0x20 == UInt8(ascii: "a") && b[1] | 0x20 == UInt8(ascii: "a") && b[2] | 0x20 == UInt8(ascii: "a") && b[3] | 0x20 == UInt8(ascii: "a"): return .aaaa
        default: return RecordType(mnemonic: String(decoding: b, as: UTF8.self))
        }
    }

    /// A record class by mnemonic (`IN`), Zeek's `C_INTERNET`, or number.
    public static func recordClass(_ b: UnsafeRawBufferPointer) -> RecordClass? {
        if let v = unsigned(b, max: 65535) { return RecordClass(UInt16(v)) }
        if b.count == 2 && b[0] | 0x20 == UInt8(ascii: "i") && b[1] | 0x20 == UInt8(ascii: "n") { return .internet }
        let s = String(decoding: b, as: UTF8.self)
        switch s.uppercased() {
        case "C_INTERNET": return .internet
        case "C_CHAOS": return .chaos
        case "C_HESIOD": return .hesiod
        case "C_NONE": return RecordClass.none
        case "C_ANY": return .any
        default: return RecordClass(mnemonic: s)
        }
    }

    /// A response code by name (`NXDOMAIN`), `RCODEnnn`, or number.
    public static func responseCode(_ b: UnsafeRawBufferPointer) -> ResponseCode? {
        if let v = unsigned(b, max: 4095) { return ResponseCode(UInt16(v)) }
        guard !b.isEmpty, b.count <= 16 else { return nil }
        if b.count == 7, b[0] | 0x20 == UInt8(ascii: "n"), b[1] | 0x20 == UInt8(ascii: "o"), b[2] | 0x20 == UInt8(ascii: "e") { return equalsIgnoringCase(b, "NOERROR") ? .noError : nil }
        if b.count == 8, b[0] | 0x20 == UInt8(ascii: "n"), b[1] | 0x20 == UInt8(ascii: "x") { return equalsIgnoringCase(b, "NXDOMAIN") ? .nxDomain : nil }
        return ResponseCode(mnemonic: String(decoding: b, as: UTF8.self))
    }

    /// Whether the bytes spell `text` (ASCII, case-insensitively).
    @inlinable
    public static func equalsIgnoringCase(_ b: UnsafeRawBufferPointer, _ text: StaticString) -> Bool {
        guard b.count == text.utf8CodeUnitCount else { return false }
        let p = text.utf8Start
        for i in 0..<b.count {
            let x = b[i], y = p[i]
            if x != y && (x | 0x20 != y | 0x20 || (x | 0x20) &- 0x61 >= 26) { return false }
        }
        return true
    }

    /// Whether the bytes are exactly `text`.
    @inlinable
    public static func equals(_ b: UnsafeRawBufferPointer, _ text: StaticString) -> Bool {
        guard b.count == text.utf8CodeUnitCount else { return false }
        return memcmp(b.baseAddress!, text.utf8Start, b.count) == 0
    }

    /// Whether the bytes start with `text`.
    @inlinable
    public static func hasPrefix(_ b: UnsafeRawBufferPointer, _ text: StaticString) -> Bool {
        guard b.count >= text.utf8CodeUnitCount else { return false }
        return text.utf8CodeUnitCount == 0 || memcmp(b.baseAddress!, text.utf8Start, text.utf8CodeUnitCount) == 0
    }

    /// The first index of `byte` in `b` at or after `from`.
    @inlinable
    public static func index(of byte: UInt8, in b: UnsafeRawBufferPointer, from: Int = 0) -> Int? {
        guard from < b.count else { return nil }
        guard let p = memchr(b.baseAddress! + from, Int32(byte), b.count - from) else { return nil }
        return UnsafeRawPointer(p) - b.baseAddress!
    }

    /// The space-separated words of `b` from `from` on, at most `limit` of them (the last one is not extended).
    public static func words(_ b: UnsafeRawBufferPointer, from: Int = 0, limit: Int = .max) -> [UnsafeRawBufferPointer] {
        var out = [UnsafeRawBufferPointer]()
        var s = from
        while s < b.count && out.count < limit {
            while s < b.count && b[s] == UInt8(ascii: " ") { s += 1 }
            if s >= b.count { break }
            let e = index(of: UInt8(ascii: " "), in: b, from: s) ?? b.count
            out.append(b.slice(s..<e))
            s = e
        }
        return out
    }

    /// The index of the first occurrence of `needle` in `b` at or after `from`.
    public static func find(_ needle: StaticString, in b: UnsafeRawBufferPointer, from: Int = 0) -> Int? {
        let m = needle.utf8CodeUnitCount
        guard m > 0 else { return from }
        var i = from
        let first = needle.utf8Start[0]
        while i + m <= b.count {
            guard let j = index(of: first, in: b, from: i), j + m <= b.count else { return nil }
            if memcmp(b.baseAddress! + j, needle.utf8Start, m) == 0 { return j }
            i = j + 1
        }
        return nil
    }
}

extension UnsafeRawBufferPointer {
    /// The bytes in `range` as a buffer of their own (no copy).
    @inlinable
    func slice(_ range: Range<Int>) -> UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: self[range]) }
    /// The bytes from `start` on.
    @inlinable
    func slice(from start: Int) -> UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: self[start...]) }
    /// The bytes with ASCII spaces and tabs removed at both ends.
    @inlinable
    var trimmed: UnsafeRawBufferPointer {
        var s = 0, e = count
        while s < e && (self[s] == 0x20 || self[s] == 0x09) { s += 1 }
        while e > s && (self[e - 1] == 0x20 || self[e - 1] == 0x09) { e -= 1 }
        return slice(s..<e)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `withUnsafeBytes` for a body that throws ``LineError`` (the standard one only rethrows untyped errors).
func withLineBytes<R>(_ a: [UInt8], _ body: (UnsafeRawBufferPointer) throws(LineError) -> R) throws(LineError) -> R {
    let result: Result<R, LineError> = a.withUnsafeBytes { b in
        do throws(LineError) { return .success(try body(b)) } catch { return .failure(error) }
    }
    return try result.get()
}
