/// One JSON value inside a buffer, not yet converted: its kind and its bytes (views into the line; valid only while
/// the line is).
public struct JSONValue {
    /// The JSON kinds.
    public enum Kind: UInt8, Sendable { case string, number, bool, null, array, object }
    /// What it is.
    public var kind: Kind
    /// For a string, the bytes between the quotes (still escaped); otherwise the whole token, brackets included.
    public var raw: UnsafeRawBufferPointer
    /// A string that contains backslash escapes (so ``raw`` is not its text).
    public var hasEscapes: Bool

    /// `true`/`false`, or nil for other kinds.
    public var bool: Bool? { kind == .bool ? raw.count == 4 : nil }
    /// Whether this is `null`.
    public var isNull: Bool { kind == .null }

    /// A string's decoded text, or a number's text, or nil.
    public var string: String? {
        switch kind {
        case .string: return hasEscapes ? JSONScan.unescape(raw) : String(decoding: raw, as: UTF8.self)
        case .number, .bool: return String(decoding: raw, as: UTF8.self)
        default: return nil
        }
    }

    /// Calls `body` with the value's text bytes: a string's content (unescaped when needed) or a number's token.
    /// Returns nil for other kinds.
    public func withText<R>(_ body: (UnsafeRawBufferPointer) throws -> R?) rethrows -> R? {
        switch kind {
        case .string where hasEscapes:
            let s = JSONScan.unescapeBytes(raw)
            return try s.withUnsafeBytes { try body($0) }
        case .string, .number:
            return try body(raw)
        default:
            return nil
        }
    }
}

/// A small, allocation-free JSON scanner for one-object-per-line formats (Zeek JSON, EVE, Route 53, Cloudflare…).
///
/// It walks an object's members or an array's elements and hands out ``JSONValue`` views; nested containers are
/// skipped without recursion (so hostile nesting cannot exhaust the stack) and scanned only when a format asks.
/// Malformed JSON throws ``LineError`` with a short reason.
public enum JSONScan {
    @inline(__always) static func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D }

    struct Cursor {
        let b: UnsafeRawBufferPointer
        var i = 0
        init(_ b: UnsafeRawBufferPointer) { self.b = b }

        @inline(__always) mutating func skipSpace() { while i < b.count && JSONScan.isSpace(b[i]) { i += 1 } }

        mutating func expect(_ c: UInt8, _ what: String) throws(LineError) {
            skipSpace()
            guard i < b.count, b[i] == c else { throw LineError(i < b.count ? "bad JSON: expected \(what)" : "truncated JSON") }
            i += 1
        }

        /// Reads a string starting at the opening quote. A plain loop: JSON keys and values are short, and a call
        /// to memchr per string (one for the quote, one for backslashes) costs more than it saves.
        mutating func string() throws(LineError) -> JSONValue {
            i += 1
            let start = i
            var escapes = false
            let n = b.count
            while i < n {
                let c = b[i]
                if c == UInt8(ascii: "\"") {
                    i += 1
                    return JSONValue(kind: .string, raw: b.slice(start..<(i - 1)), hasEscapes: escapes)
                }
                if c == UInt8(ascii: "\\") {
                    escapes = true
                    i += 2
                } else {
                    i += 1
                }
            }
            throw LineError("truncated JSON")
        }

        mutating func value() throws(LineError) -> JSONValue {
            skipSpace()
            guard i < b.count else { throw LineError("truncated JSON") }
            let c = b[i]
            switch c {
            case UInt8(ascii: "\""):
                return try string()
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                let start = i
                try skipContainer()
                return JSONValue(kind: c == UInt8(ascii: "{") ? .object : .array, raw: b.slice(start..<i), hasEscapes: false)
            case UInt8(ascii: "t"):
                guard FieldParse.hasPrefix(b.slice(from: i), "true") else { throw LineError("bad JSON literal") }
                i += 4
                return JSONValue(kind: .bool, raw: b.slice((i - 4)..<i), hasEscapes: false)
            case UInt8(ascii: "f"):
                guard FieldParse.hasPrefix(b.slice(from: i), "false") else { throw LineError("bad JSON literal") }
                i += 5
                return JSONValue(kind: .bool, raw: b.slice((i - 5)..<i), hasEscapes: false)
            case UInt8(ascii: "n"):
                guard FieldParse.hasPrefix(b.slice(from: i), "null") else { throw LineError("bad JSON literal") }
                i += 4
                return JSONValue(kind: .null, raw: b.slice((i - 4)..<i), hasEscapes: false)
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                let start = i
                i += 1
                while i < b.count {
                    let d = b[i]
                    if d &- 0x30 < 10 || d == UInt8(ascii: ".") || d == UInt8(ascii: "e") || d == UInt8(ascii: "E") || d == UInt8(ascii: "+") || d == UInt8(ascii: "-") { i += 1 } else { break }
                }
                return JSONValue(kind: .number, raw: b.slice(start..<i), hasEscapes: false)
            default:
                throw LineError("bad JSON: unexpected character")
            }
        }

        /// Skips a whole object or array (at `i`), iteratively, checking brackets match and strings end.
        mutating func skipContainer() throws(LineError) {
            var stack: UInt64 = 0   // bit per level: 1 = object, 0 = array (64 levels kept exactly)
            var depth = 0
            while i < b.count {
                let c = b[i]
                switch c {
                case UInt8(ascii: "\""):
                    _ = try string()
                    continue
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    guard depth < 64 else { throw LineError("JSON nested too deeply") }
                    stack = stack << 1 | (c == UInt8(ascii: "{") ? 1 : 0)
                    depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    guard depth > 0, (stack & 1 == 1) == (c == UInt8(ascii: "}")) else { throw LineError("bad JSON: mismatched bracket") }
                    stack >>= 1
                    depth -= 1
                    if depth == 0 { i += 1; return }
                default: break
                }
                i += 1
            }
            throw LineError("truncated JSON")
        }
    }

    /// Calls `body` with each member (key, value) of the JSON object in `text`; the object may be surrounded by
    /// whitespace. Throws on malformed JSON or when `text` is not an object.
    public static func object(_ text: UnsafeRawBufferPointer, _ body: (JSONValue, JSONValue) throws(LineError) -> Void) throws(LineError) {
        var c = Cursor(text)
        c.skipSpace()
        guard c.i < text.count else { throw LineError("empty line") }
        guard text[c.i] == UInt8(ascii: "{") else { throw LineError("not a JSON object") }
        c.i += 1
        c.skipSpace()
        if c.i < text.count && text[c.i] == UInt8(ascii: "}") {
            c.i += 1
        } else {
            while true {
                c.skipSpace()
                guard c.i < text.count else { throw LineError("truncated JSON") }
                guard text[c.i] == UInt8(ascii: "\"") else { throw LineError("bad JSON: expected a key") }
                let key = try c.string()
                try c.expect(UInt8(ascii: ":"), "':'")
                let v = try c.value()
                try body(key, v)
                c.skipSpace()
                guard c.i < text.count else { throw LineError("truncated JSON") }
                if text[c.i] == UInt8(ascii: ",") { c.i += 1; continue }
                if text[c.i] == UInt8(ascii: "}") { c.i += 1; break }
                throw LineError("bad JSON: expected ',' or '}'")
            }
        }
        c.skipSpace()
        guard c.i == text.count else { throw LineError("bad JSON: text after the object") }
    }

    /// Calls `body` with each element of the JSON array in `text`.
    public static func array(_ text: UnsafeRawBufferPointer, _ body: (JSONValue) throws(LineError) -> Void) throws(LineError) {
        var c = Cursor(text)
        c.skipSpace()
        guard c.i < text.count, text[c.i] == UInt8(ascii: "[") else { throw LineError("not a JSON array") }
        c.i += 1
        c.skipSpace()
        if c.i < text.count && text[c.i] == UInt8(ascii: "]") { return }
        while true {
            let v = try c.value()
            try body(v)
            c.skipSpace()
            guard c.i < text.count else { throw LineError("truncated JSON") }
            if text[c.i] == UInt8(ascii: ",") { c.i += 1; continue }
            if text[c.i] == UInt8(ascii: "]") { return }
            throw LineError("bad JSON: expected ',' or ']'")
        }
    }

    /// Decodes a string's escapes to bytes (invalid escapes are kept as they are).
    public static func unescapeBytes(_ raw: UnsafeRawBufferPointer) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(raw.count)
        var i = 0
        func hex4(_ at: Int) -> UInt32? {
            guard at + 4 <= raw.count else { return nil }
            var v: UInt32 = 0
            for k in at..<(at + 4) {
                let c = raw[k]
                let d: UInt8
                switch c {
                case 0x30...0x39: d = c - 0x30
                case 0x41...0x46: d = c - 0x41 + 10
                case 0x61...0x66: d = c - 0x61 + 10
                default: return nil
                }
                v = v << 4 | UInt32(d)
            }
            return v
        }
        while i < raw.count {
            let c = raw[i]
            guard c == UInt8(ascii: "\\"), i + 1 < raw.count else { out.append(c); i += 1; continue }
            let e = raw[i + 1]
            switch e {
            case UInt8(ascii: "n"): out.append(0x0A); i += 2
            case UInt8(ascii: "t"): out.append(0x09); i += 2
            case UInt8(ascii: "r"): out.append(0x0D); i += 2
            case UInt8(ascii: "b"): out.append(0x08); i += 2
            case UInt8(ascii: "f"): out.append(0x0C); i += 2
            case UInt8(ascii: "u"):
                guard var u = hex4(i + 2) else { out.append(c); i += 1; continue }
                i += 6
                if u >= 0xD800 && u < 0xDC00, i + 6 <= raw.count, raw[i] == UInt8(ascii: "\\"), raw[i + 1] == UInt8(ascii: "u"),
                   let lo = hex4(i + 2), lo >= 0xDC00 && lo < 0xE000 {
                    u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00)
                    i += 6
                }
                let scalar = Unicode.Scalar(u) ?? "\u{FFFD}"
                out.append(contentsOf: Array(String(Character(scalar)).utf8))
            default: out.append(e); i += 2
            }
        }
        return out
    }

    /// Decodes a string's escapes.
    public static func unescape(_ raw: UnsafeRawBufferPointer) -> String {
        String(decoding: unescapeBytes(raw), as: UTF8.self)
    }
}

/// Maps field names to small integers in O(1) without allocating per lookup (open addressing over an FNV-1a hash).
public struct KeyTable: Sendable {
    private var slots: [Int32]          // index into `keys`, -1 empty
    private var keys: [[UInt8]]
    private var hashes: [UInt64]
    private var mask: Int

    /// Creates a table; `keys[i]` maps to `i`. Duplicate keys map to their first index.
    public init(_ names: [String]) {
        keys = names.map { Array($0.utf8) }
        var size = 8
        while size < names.count * 4 { size <<= 1 }
        mask = size - 1
        slots = [Int32](repeating: -1, count: size)
        hashes = []
        for (i, k) in keys.enumerated() {
            let h = k.withUnsafeBytes { KeyTable.hash($0) }
            hashes.append(h)
            var s = Int(truncatingIfNeeded: h) & mask
            var duplicate = false
            while slots[s] >= 0 {
                if keys[Int(slots[s])] == k { duplicate = true; break }
                s = (s + 1) & mask
            }
            if !duplicate { slots[s] = Int32(i) }
        }
    }

    @inline(__always) static func hash(_ b: UnsafeRawBufferPointer) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for c in b { h = (h ^ UInt64(c)) &* 0x100_0000_01b3 }
        return h
    }

    @inline(__always) static func same(_ a: [UInt8], _ b: UnsafeRawBufferPointer) -> Bool {
        for i in 0..<b.count where a[i] != b[i] { return false }
        return true
    }

    /// The index of `key`, or nil.
    @inline(__always)
    public func index(of key: UnsafeRawBufferPointer) -> Int? {
        let h = KeyTable.hash(key)
        var s = Int(truncatingIfNeeded: h) & mask
        while true {
            let k = Int(slots[s])
            if k < 0 { return nil }
            if hashes[k] == h && keys[k].count == key.count && Self.same(keys[k], key) { return k }
            s = (s + 1) & mask
        }
    }

    /// The index of `key`, or nil.
    public func index(of key: String) -> Int? {
        var k = key
        return k.withUTF8 { index(of: UnsafeRawBufferPointer($0)) }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
