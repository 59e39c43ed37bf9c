/// A JSON value that remembers the byte offset where it starts, so that feed diagnostics can name a line.
struct JSON: Sendable {
    indirect enum Value: Sendable {
        case null
        case bool(Bool)
        case number(Double)
        case string(String)
        case array([JSON])
        case object([(key: String, value: JSON)])
    }

    var value: Value
    var offset: Int

    /// The member named `key` of an object (the first one, if repeated).
    subscript(key: String) -> JSON? {
        guard case .object(let members) = value else { return nil }
        for m in members where m.key == key { return m.value }
        return nil
    }

    /// The member whose name matches any of `keys`, in that order of preference.
    func first(_ keys: String...) -> JSON? {
        for k in keys { if let v = self[k] { return v } }
        return nil
    }

    var string: String? { if case .string(let s) = value { s } else { nil } }
    var array: [JSON]? { if case .array(let a) = value { a } else { nil } }
    var members: [(key: String, value: JSON)]? { if case .object(let m) = value { m } else { nil } }
    var bool: Bool? { if case .bool(let b) = value { b } else { nil } }
    var isNull: Bool { if case .null = value { true } else { false } }

    /// A string, or a number or boolean written as text (feeds disagree on `"100"` versus `100`).
    var text: String? {
        switch value {
        case .string(let s): return s
        case .number(let d): return d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : String(d)
        case .bool(let b): return b ? "true" : "false"
        default: return nil
        }
    }

    /// A number, or a string holding one.
    var number: Double? {
        switch value {
        case .number(let d): return d
        case .string(let s): return Double(s.trimmingSpaces())
        default: return nil
        }
    }

    /// A list of strings from an array of strings or a single string separated by commas.
    var stringList: [String] {
        switch value {
        case .array(let a): return a.compactMap(\.text)
        case .string(let s): return s.split(separator: ",").map { $0.trimmingSpaces() }.filter { !$0.isEmpty }
        default: return []
        }
    }

    /// A syntax error: what was expected and where.
    struct SyntaxError: Error {
        var message: String
        var offset: Int
    }

    /// Parses a whole document (one value, surrounded only by whitespace).
    static func parse(_ bytes: [UInt8], maxDepth: Int = 256) throws(SyntaxError) -> JSON {
        var p = Parser(bytes: bytes, maxDepth: maxDepth)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { p.pos = 3 }
        let v = try p.value(depth: 0)
        p.skipSpace()
        guard p.pos == bytes.count else { throw SyntaxError(message: "unexpected text after the JSON value", offset: p.pos) }
        return v
    }

    private struct Parser {
        let bytes: [UInt8]
        let maxDepth: Int
        var pos = 0

        init(bytes: [UInt8], maxDepth: Int) {
            self.bytes = bytes
            self.maxDepth = maxDepth
        }

        mutating func skipSpace() {
            while pos < bytes.count, bytes[pos] == 0x20 || bytes[pos] == 0x0A || bytes[pos] == 0x0D || bytes[pos] == 0x09 { pos += 1 }
        }

        func fail(_ m: String) -> SyntaxError { SyntaxError(message: m, offset: pos) }

        mutating func value(depth: Int) throws(SyntaxError) -> JSON {
            guard depth < maxDepth else { throw fail("nested deeper than \(maxDepth) levels") }
            skipSpace()
            guard pos < bytes.count else { throw fail("unexpected end of input, expected a value") }
            let start = pos
            switch bytes[pos] {
            case UInt8(ascii: "{"):
                pos += 1
                var members: [(key: String, value: JSON)] = []
                skipSpace()
                if pos < bytes.count, bytes[pos] == UInt8(ascii: "}") { pos += 1; return JSON(value: .object(members), offset: start) }
                while true {
                    skipSpace()
                    guard pos < bytes.count, bytes[pos] == UInt8(ascii: "\"") else { throw fail("expected a quoted member name") }
                    let key = try string()
                    skipSpace()
                    guard pos < bytes.count, bytes[pos] == UInt8(ascii: ":") else { throw fail("expected ':' after a member name") }
                    pos += 1
                    let v = try value(depth: depth + 1)
                    members.append((key, v))
                    skipSpace()
                    guard pos < bytes.count else { throw fail("unexpected end of input inside an object") }
                    if bytes[pos] == UInt8(ascii: ",") { pos += 1; continue }
                    if bytes[pos] == UInt8(ascii: "}") { pos += 1; break }
                    throw fail("expected ',' or '}' in an object")
                }
                return JSON(value: .object(members), offset: start)
            case UInt8(ascii: "["):
                pos += 1
                var items: [JSON] = []
                skipSpace()
                if pos < bytes.count, bytes[pos] == UInt8(ascii: "]") { pos += 1; return JSON(value: .array(items), offset: start) }
                while true {
                    items.append(try value(depth: depth + 1))
                    skipSpace()
                    guard pos < bytes.count else { throw fail("unexpected end of input inside an array") }
                    if bytes[pos] == UInt8(ascii: ",") { pos += 1; continue }
                    if bytes[pos] == UInt8(ascii: "]") { pos += 1; break }
                    throw fail("expected ',' or ']' in an array")
                }
                return JSON(value: .array(items), offset: start)
            case UInt8(ascii: "\""):
                return JSON(value: .string(try string()), offset: start)
            case UInt8(ascii: "t"):
                try literal("true"); return JSON(value: .bool(true), offset: start)
            case UInt8(ascii: "f"):
                try literal("false"); return JSON(value: .bool(false), offset: start)
            case UInt8(ascii: "n"):
                try literal("null"); return JSON(value: .null, offset: start)
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                return JSON(value: .number(try number()), offset: start)
            default:
                throw fail("unexpected character '\(String(decoding: [bytes[pos]], as: UTF8.self))'")
            }
        }

        mutating func literal(_ word: String) throws(SyntaxError) {
            for c in word.utf8 {
                guard pos < bytes.count, bytes[pos] == c else { throw fail("expected '\(word)'") }
                pos += 1
            }
        }

        mutating func number() throws(SyntaxError) -> Double {
            let start = pos
            if bytes[pos] == UInt8(ascii: "-") { pos += 1 }
            var digits = 0
            while pos < bytes.count, bytes[pos] &- 0x30 < 10 { pos += 1; digits += 1 }
            guard digits > 0 else { throw fail("expected digits") }
            if pos < bytes.count, bytes[pos] == UInt8(ascii: ".") {
                pos += 1
                var frac = 0
                while pos < bytes.count, bytes[pos] &- 0x30 < 10 { pos += 1; frac += 1 }
                guard frac > 0 else { throw fail("expected digits after '.'") }
            }
            if pos < bytes.count, bytes[pos] | 0x20 == UInt8(ascii: "e") {
                pos += 1
                if pos < bytes.count, bytes[pos] == UInt8(ascii: "+") || bytes[pos] == UInt8(ascii: "-") { pos += 1 }
                var exp = 0
                while pos < bytes.count, bytes[pos] &- 0x30 < 10 { pos += 1; exp += 1 }
                guard exp > 0 else { throw fail("expected exponent digits") }
            }
            guard let d = Double(String(decoding: bytes[start..<pos], as: UTF8.self)) else { throw SyntaxError(message: "bad number", offset: start) }
            return d
        }

        mutating func hex4() throws(SyntaxError) -> UInt32 {
            guard pos + 4 <= bytes.count else { throw fail("short \\u escape") }
            var v: UInt32 = 0
            for _ in 0..<4 {
                let c = bytes[pos]
                let d: UInt32
                switch c {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): d = UInt32(c - 0x30)
                case UInt8(ascii: "a")...UInt8(ascii: "f"): d = UInt32(c - 0x61 + 10)
                case UInt8(ascii: "A")...UInt8(ascii: "F"): d = UInt32(c - 0x41 + 10)
                default: throw fail("bad hex digit in \\u escape")
                }
                v = v << 4 | d
                pos += 1
            }
            return v
        }

        mutating func string() throws(SyntaxError) -> String {
            let open = pos
            pos += 1
            // Fast path: no escapes.
            var e = pos
            while e < bytes.count, bytes[e] != UInt8(ascii: "\""), bytes[e] != UInt8(ascii: "\\"), bytes[e] >= 0x20 { e += 1 }
            if e < bytes.count, bytes[e] == UInt8(ascii: "\"") {
                let s = String(decoding: bytes[pos..<e], as: UTF8.self)
                pos = e + 1
                return s
            }
            var out: [UInt8] = Array(bytes[pos..<min(e, bytes.count)])
            pos = e
            while true {
                guard pos < bytes.count else { throw SyntaxError(message: "string never closed", offset: open) }
                let c = bytes[pos]
                if c == UInt8(ascii: "\"") { pos += 1; break }
                if c < 0x20 { throw fail("control character inside a string") }
                if c != UInt8(ascii: "\\") { out.append(c); pos += 1; continue }
                pos += 1
                guard pos < bytes.count else { throw fail("backslash at end of input") }
                let esc = bytes[pos]
                pos += 1
                switch esc {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(esc)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try hex4()
                    if scalar >= 0xD800 && scalar < 0xDC00, pos + 6 <= bytes.count, bytes[pos] == UInt8(ascii: "\\"), bytes[pos + 1] == UInt8(ascii: "u") {
                        pos += 2
                        let low = try hex4()
                        if low >= 0xDC00 && low < 0xE000 {
                            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        } else {
                            scalar = 0xFFFD
                        }
                    }
                    let u = Unicode.Scalar(scalar) ?? "\u{FFFD}"
                    out += Array(String(Character(u)).utf8)
                default:
                    throw fail("unknown escape '\\\(String(decoding: [esc], as: UTF8.self))'")
                }
            }
            return String(decoding: out, as: UTF8.self)
        }
    }
}

/// Parses a JSON feed or throws the module's error with the line of the syntax error.
func parseJSONFeed(_ bytes: [UInt8], format: FeedFormat, context: FeedContext) throws(IntelFeedsError) -> (JSON, LineIndex) {
    let lines = LineIndex(bytes)
    do {
        return (try JSON.parse(bytes), lines)
    } catch {
        throw IntelFeedsError(.badJSON(error.message), file: context.file, line: lines.line(at: error.offset), offset: error.offset)
    }
}
