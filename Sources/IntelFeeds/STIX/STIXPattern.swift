/// The comparisons of a STIX 2.1 pattern (`[domain-name:value = 'a' OR url:value = 'b'] AND [...]`), read
/// without evaluating it: dnsight can only match single values, so it takes each `=`/`IN`/`LIKE` comparison on a
/// path it understands.
struct STIXPattern {
    struct Comparison: Equatable {
        var path: String
        var op: String
        var negated: Bool
        var values: [String]
    }

    var comparisons: [Comparison]

    struct SyntaxError: Error { var message: String }

    private enum Token: Equatable {
        case open, close, lparen, rparen, comma
        case word(String)      // paths, operators, keywords, numbers
        case string(String)    // 'quoted', with \' and \\ escapes removed
        case op(String)        // = != < > <= >=
    }

    init(_ text: String) throws(SyntaxError) {
        let tokens = try Self.tokenize(text)
        var out: [Comparison] = []
        var depth = 0
        var i = 0
        var sawObservation = false
        while i < tokens.count {
            switch tokens[i] {
            case .open:
                guard depth == 0 else { throw SyntaxError(message: "'[' inside an observation") }
                depth = 1; sawObservation = true; i += 1
            case .close:
                guard depth == 1 else { throw SyntaxError(message: "']' without '['") }
                depth = 0; i += 1
            case .word(let w) where depth == 1 && w.contains(":"):
                // path [NOT] op value
                var j = i + 1
                var negated = false
                if j < tokens.count, tokens[j] == .word("NOT") { negated = true; j += 1 }
                guard j < tokens.count else { throw SyntaxError(message: "comparison on \(w) has no operator") }
                let op: String
                switch tokens[j] {
                case .op(let o): op = o
                case .word(let kw) where ["LIKE", "MATCHES", "IN", "ISSUBSET", "ISSUPERSET"].contains(kw.uppercased()): op = kw.uppercased()
                case .word(let kw) where kw.uppercased() == "EXISTS": op = "EXISTS"
                default: throw SyntaxError(message: "comparison on \(w) has no operator")
                }
                j += 1
                var values: [String] = []
                if op != "EXISTS" {
                    guard j < tokens.count else { throw SyntaxError(message: "comparison on \(w) has no value") }
                    switch tokens[j] {
                    case .string(let s): values = [s]; j += 1
                    case .word(let v): values = [v]; j += 1
                    case .lparen:
                        j += 1
                        while j < tokens.count, tokens[j] != .rparen {
                            switch tokens[j] {
                            case .string(let s): values.append(s)
                            case .word(let v): values.append(v)
                            case .comma: break
                            default: throw SyntaxError(message: "bad value list for \(w)")
                            }
                            j += 1
                        }
                        guard j < tokens.count else { throw SyntaxError(message: "value list for \(w) not closed") }
                        j += 1
                    default: throw SyntaxError(message: "comparison on \(w) has no value")
                    }
                }
                out.append(Comparison(path: w, op: op, negated: negated, values: values))
                i = j
            default:
                i += 1
            }
        }
        guard depth == 0 else { throw SyntaxError(message: "'[' never closed") }
        guard sawObservation else { throw SyntaxError(message: "no [observation] in the pattern") }
        comparisons = out
    }

    private static func tokenize(_ text: String) throws(SyntaxError) -> [Token] {
        let b = Array(text.utf8)
        var out: [Token] = []
        var i = 0
        while i < b.count {
            let c = b[i]
            switch c {
            case 0x20, 0x09, 0x0A, 0x0D: i += 1
            case UInt8(ascii: "["): out.append(.open); i += 1
            case UInt8(ascii: "]"): out.append(.close); i += 1
            case UInt8(ascii: "("): out.append(.lparen); i += 1
            case UInt8(ascii: ")"): out.append(.rparen); i += 1
            case UInt8(ascii: ","): out.append(.comma); i += 1
            case UInt8(ascii: "'"):
                var s: [UInt8] = []
                var j = i + 1
                var closed = false
                while j < b.count {
                    if b[j] == UInt8(ascii: "\\"), j + 1 < b.count { s.append(b[j + 1]); j += 2; continue }
                    if b[j] == UInt8(ascii: "'") { closed = true; break }
                    s.append(b[j]); j += 1
                }
                guard closed else { throw SyntaxError(message: "string not closed") }
                out.append(.string(String(decoding: s, as: UTF8.self)))
                i = j + 1
            case UInt8(ascii: "="), UInt8(ascii: "!"), UInt8(ascii: "<"), UInt8(ascii: ">"):
                var j = i + 1
                if j < b.count, b[j] == UInt8(ascii: "=") { j += 1 }
                let op = String(decoding: b[i..<j], as: UTF8.self)
                guard op != "!" else { throw SyntaxError(message: "'!' without '='") }
                out.append(.op(op))
                i = j
            default:
                var j = i
                // A quoted step inside a path (`extensions.'windows-pebinary-ext'.sections`) belongs to the word.
                while j < b.count, !" \t\r\n]()=!<>,".utf8.contains(b[j]) {
                    if b[j] == UInt8(ascii: "[") {
                        // A list index inside a path: `resolves_to_refs[*].value`.
                        while j < b.count, b[j] != UInt8(ascii: "]") { j += 1 }
                        guard j < b.count else { throw SyntaxError(message: "path index not closed") }
                    } else if b[j] == UInt8(ascii: "'") {
                        guard j > i, b[j - 1] == UInt8(ascii: ".") else { break }
                        j += 1
                        while j < b.count, b[j] != UInt8(ascii: "'") { j += 1 }
                        guard j < b.count else { throw SyntaxError(message: "quoted path step not closed") }
                    }
                    j += 1
                }
                guard j > i else { throw SyntaxError(message: "unexpected character '\(String(decoding: [c], as: UTF8.self))'") }
                out.append(.word(String(decoding: b[i..<j], as: UTF8.self)))
                i = j
            }
        }
        return out
    }
}
