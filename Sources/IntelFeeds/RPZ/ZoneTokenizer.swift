/// Splits master-file text (RFC 1035 §5) into logical records: tokens, with parentheses joining lines, `;` comments
/// removed, quoted strings kept whole, and whether the record began with white space (same owner as before).
struct ZoneTokenizer {
    struct Record {
        var tokens: [String]
        var blankOwner: Bool
        var line: Int
        var offset: Int
    }

    enum Event {
        case record(Record)
        case problem(String, line: Int, offset: Int)
    }

    private let bytes: [UInt8]
    private var pos = 0
    private var line = 1

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { pos = 3 }
    }

    mutating func next() -> Event? {
        let n = bytes.count
        while pos < n {
            let startPos = pos, startLine = line
            var tokens: [String] = []
            var depth = 0
            let blank = bytes[pos] == 0x20 || bytes[pos] == 0x09
            var p = pos
            var curLine = line
            var token: [UInt8] = []
            var inToken = false
            func flush() {
                if inToken { tokens.append(String(decoding: token, as: UTF8.self)); token.removeAll(keepingCapacity: true); inToken = false }
            }
            var failure: String? = nil
            scan: while p < n {
                let c = bytes[p]
                switch c {
                case UInt8(ascii: ";"):
                    flush()
                    while p < n, bytes[p] != 0x0A { p += 1 }
                case 0x0A:
                    flush()
                    p += 1
                    curLine += 1
                    if depth == 0 { break scan }
                case 0x20, 0x09, 0x0D:
                    flush()
                    p += 1
                case UInt8(ascii: "("):
                    flush(); depth += 1; p += 1
                case UInt8(ascii: ")"):
                    flush()
                    if depth == 0 { failure = "')' without '('"; p += 1; break }
                    depth -= 1; p += 1
                case UInt8(ascii: "\""):
                    flush()
                    var q = p + 1
                    var s: [UInt8] = [c]
                    while q < n, bytes[q] != UInt8(ascii: "\""), bytes[q] != 0x0A {
                        if bytes[q] == UInt8(ascii: "\\"), q + 1 < n { s.append(bytes[q]); q += 1 }
                        s.append(bytes[q]); q += 1
                    }
                    guard q < n, bytes[q] == UInt8(ascii: "\"") else { failure = "quoted string not closed on its line"; p = q; break }
                    s.append(bytes[q])
                    tokens.append(String(decoding: s, as: UTF8.self))
                    p = q + 1
                case UInt8(ascii: "\\"):
                    token.append(c); inToken = true
                    if p + 1 < n, bytes[p + 1] != 0x0A { token.append(bytes[p + 1]); p += 2 } else { p += 1 }
                default:
                    token.append(c); inToken = true; p += 1
                }
            }
            flush()
            if depth > 0 && failure == nil { failure = "'(' opened here is never closed" }
            if let failure {
                // Resume on the line after the one where this record began.
                var e = startPos
                while e < n, bytes[e] != 0x0A { e += 1 }
                pos = e < n ? e + 1 : n
                line = startLine + 1
                return .problem(failure, line: startLine, offset: startPos)
            }
            pos = p
            line = curLine
            if tokens.isEmpty { continue }
            return .record(Record(tokens: tokens, blankOwner: blank, line: startLine, offset: startPos))
        }
        return nil
    }
}
