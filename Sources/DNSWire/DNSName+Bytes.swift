extension DNSName {
    /// Parses a name in presentation form given as raw bytes, as text log readers hold it, with one allocation.
    ///
    /// The name is taken as absolute whether or not it ends with a dot (log formats print both). `\.`, `\X` and
    /// `\DDD` escapes are decoded; with `lowercasing`, ASCII letters are lower-cased while copying. `.` alone is the
    /// root. Errors give the byte offset.
    public init(presentationBytes text: UnsafeRawBufferPointer, lowercasing: Bool = false) throws(DNSWireError) {
        let n = text.count
        if n == 0 { throw DNSWireError(.badText("empty name"), at: 0) }
        if n == 1 && text[0] == UInt8(ascii: ".") { self = .root; return }
        var wire = [UInt8](repeating: 0, count: Swift.min(n + 2, 256))
        var lengthAt = 0       // where the current label's length byte goes
        var w = 1              // next byte to write
        var i = 0
        var endedWithDot = false
        func closeLabel(_ at: Int) throws(DNSWireError) {
            let len = w - lengthAt - 1
            if len == 0 { throw DNSWireError(.badText("empty label"), at: at) }
            if len > 63 { throw DNSWireError(.badText("label longer than 63 bytes"), at: at) }
            wire[lengthAt] = UInt8(len)
            lengthAt = w
            w += 1
        }
        while i < n {
            var c = text[i]
            endedWithDot = false
            if c == UInt8(ascii: ".") {
                try closeLabel(i)
                endedWithDot = true
                i += 1
                if i == n { break }
                if w > 255 { throw DNSWireError(.badText("name longer than 255 bytes"), at: i) }
                continue
            }
            if c == UInt8(ascii: "\\") {
                guard i + 1 < n else { throw DNSWireError(.badText("backslash at end of name"), at: i) }
                let d = text[i + 1]
                if d &- 0x30 < 10 {
                    guard i + 3 < n, text[i + 2] &- 0x30 < 10, text[i + 3] &- 0x30 < 10 else {
                        throw DNSWireError(.badText("\\DDD escape needs three digits"), at: i)
                    }
                    let v = Int(d - 0x30) * 100 + Int(text[i + 2] - 0x30) * 10 + Int(text[i + 3] - 0x30)
                    guard v <= 255 else { throw DNSWireError(.badText("\\DDD escape above 255"), at: i) }
                    c = UInt8(v)
                    i += 4
                } else {
                    c = d
                    i += 2
                }
            } else {
                i += 1
            }
            if lowercasing && c &- 0x41 < 26 { c |= 0x20 }
            guard w < 255 else { throw DNSWireError(.badText("name longer than 255 bytes"), at: i) }
            if w >= wire.count { wire.append(0) }
            wire[w] = c
            w += 1
        }
        if !endedWithDot { try closeLabel(n) }
        // `lengthAt` now indexes the root label's byte.
        guard lengthAt < 255 else { throw DNSWireError(.badText("name longer than 255 bytes"), at: n) }
        if lengthAt >= wire.count { wire.append(0) }
        wire[lengthAt] = 0
        wire.removeLast(wire.count - lengthAt - 1)
        self.init(uncheckedWire: wire)
    }
}
