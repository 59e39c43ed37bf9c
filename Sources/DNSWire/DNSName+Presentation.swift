extension DNSName {
    /// Characters that are escaped with a backslash in presentation form (RFC 1035 §5.1, as dig and dnspython do).
    static func needsBackslash(_ c: UInt8) -> Bool {
        switch c {
        case UInt8(ascii: "\""), UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "."), UInt8(ascii: ";"),
             UInt8(ascii: "\\"), UInt8(ascii: "@"), UInt8(ascii: "$"):
            return true
        default: return false
        }
    }

    /// Appends one label in escaped presentation form.
    static func appendEscapedLabel<C: Collection<UInt8>>(_ label: C, to out: inout [UInt8]) {
        for c in label {
            if c <= 0x20 || c >= 0x7F {
                out.append(UInt8(ascii: "\\"))
                out.append(0x30 + c / 100)
                out.append(0x30 + (c / 10) % 10)
                out.append(0x30 + c % 10)
            } else if needsBackslash(c) {
                out.append(UInt8(ascii: "\\"))
                out.append(c)
            } else {
                out.append(c)
            }
        }
    }

    /// The escaped, absolute presentation form, e.g. `www.example.com.`, `a\.b.example.`, `\000.example.`.
    public var presentation: String {
        if isRoot { return "." }
        var out = [UInt8]()
        out.reserveCapacity(wire.count + 4)
        var i = 0
        while wire[i] != 0 {
            let n = Int(wire[i])
            DNSName.appendEscapedLabel(wire[(i + 1)..<(i + 1 + n)], to: &out)
            out.append(UInt8(ascii: "."))
            i += n + 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Parses a name in presentation form.
    ///
    /// Accepts `\.`, `\X` and `\DDD` escapes. A name without a trailing dot is relative and gets `origin` appended
    /// (the root when none is given). `@` alone is the origin. Errors give the character offset.
    public init(parsing text: String, origin: DNSName? = nil) throws(DNSWireError) {
        let utf8 = Array(text.utf8)
        if utf8.isEmpty { throw DNSWireError(.badText("empty name"), at: 0) }
        if utf8 == [UInt8(ascii: "@")] { self = origin ?? .root; return }
        if utf8 == [UInt8(ascii: ".")] { self = .root; return }
        var wire = [UInt8]()
        var label = [UInt8]()
        var i = 0
        var absolute = false
        func closeLabel(at pos: Int) throws(DNSWireError) {
            if label.isEmpty { throw DNSWireError(.badText("empty label"), at: pos) }
            if label.count > 63 { throw DNSWireError(.badText("label longer than 63 bytes"), at: pos) }
            wire.append(UInt8(label.count))
            wire.append(contentsOf: label)
            label.removeAll(keepingCapacity: true)
        }
        while i < utf8.count {
            let c = utf8[i]
            if c == UInt8(ascii: "\\") {
                guard i + 1 < utf8.count else { throw DNSWireError(.badText("backslash at end of name"), at: i) }
                let d = utf8[i + 1]
                if d &- 0x30 < 10 {
                    guard i + 3 < utf8.count, utf8[i + 2] &- 0x30 < 10, utf8[i + 3] &- 0x30 < 10 else {
                        throw DNSWireError(.badText("\\DDD escape needs three digits"), at: i)
                    }
                    let v = Int(d - 0x30) * 100 + Int(utf8[i + 2] - 0x30) * 10 + Int(utf8[i + 3] - 0x30)
                    guard v <= 255 else { throw DNSWireError(.badText("\\DDD escape above 255"), at: i) }
                    label.append(UInt8(v))
                    i += 4
                } else {
                    label.append(d)
                    i += 2
                }
                continue
            }
            if c == UInt8(ascii: ".") {
                try closeLabel(at: i)
                if i == utf8.count - 1 { absolute = true }
                i += 1
                continue
            }
            label.append(c)
            i += 1
        }
        if !absolute { try closeLabel(at: i) }
        if !absolute, let origin, !origin.isRoot {
            wire.append(contentsOf: origin.wire)
        } else {
            wire.append(0)
        }
        guard wire.count <= 255 else { throw DNSWireError(.badText("name longer than 255 bytes"), at: 0) }
        self.init(uncheckedWire: wire)
    }
}
