import DNSWire
import DNSightCore

/// What an entry of a feed reduces to for DNS matching.
enum HostText: Equatable {
    /// A name; `wildcard` when written `*.name`; `fromURL` when it was the host of a URL or `host/path` entry.
    case name(DNSName, wildcard: Bool, fromURL: Bool)
    /// An IP address or block (a URL with an IP host, `ip:port`, a CIDR).
    case address(IPNetwork, fromURL: Bool)
    /// Left out on purpose, with the reason (a URL path without a host, a single-label name…).
    case skip(String)
    /// Not a name, address or URL, with what is wrong.
    case invalid(String)

    /// Reduces one feed entry — a name, `*.name`, `ip`, `ip:port`, CIDR, `host/path`, URL, defanged or not — to what
    /// a DNS name or an answer address can match.
    static func parse(_ text: some StringProtocol, allowWildcard: Bool = true) -> HostText {
        var bytes = Array(text.utf8)
        trim(&bytes)
        return parse(bytes: bytes[...], allowWildcard: allowWildcard)
    }

    static func trim(_ b: inout [UInt8]) {
        var s = 0, e = b.count
        while s < e, isSpace(b[s]) { s += 1 }
        while e > s, isSpace(b[e - 1]) { e -= 1 }
        if s > 0 || e < b.count { b = Array(b[s..<e]) }
    }

    @inline(__always) static func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0D || c == 0x0A }

    /// Undoes the usual defanging: `[.]`, `(.)`, `{.}`, `[dot]`, `(dot)`, `[:]`, `[://]`, `[@]`, `hxxp`, `fxp`.
    static func refang(_ s: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var needs = false
        for c in s where c == UInt8(ascii: "[") || c == UInt8(ascii: "(") || c == UInt8(ascii: "{") { needs = true; break }
        if !needs, s.count >= 4 {
            let p = s.startIndex
            needs = (s[p] | 0x20) == UInt8(ascii: "h") && (s[p + 1] | 0x20) == UInt8(ascii: "x") && (s[p + 2] | 0x20) == UInt8(ascii: "x")
        }
        if !needs, s.count >= 3 {
            let p = s.startIndex
            needs = (s[p] | 0x20) == UInt8(ascii: "f") && (s[p + 1] | 0x20) == UInt8(ascii: "x") && (s[p + 2] | 0x20) == UInt8(ascii: "p")
        }
        guard needs else { return s }
        let replacements: [([UInt8], [UInt8])] = [
            (Array("[://]".utf8), Array("://".utf8)), (Array("[.]".utf8), [0x2E]), (Array("(.)".utf8), [0x2E]),
            (Array("{.}".utf8), [0x2E]), (Array("[dot]".utf8), [0x2E]), (Array("(dot)".utf8), [0x2E]),
            (Array("[:]".utf8), [0x3A]), (Array("[@]".utf8), [0x40]),
        ]
        var out: [UInt8] = []
        out.reserveCapacity(s.count)
        var i = s.startIndex
        if s.count >= 4, (s[i] | 0x20) == UInt8(ascii: "h"), (s[i + 1] | 0x20) == UInt8(ascii: "x"), (s[i + 2] | 0x20) == UInt8(ascii: "x"), (s[i + 3] | 0x20) == UInt8(ascii: "p") {
            out += Array("http".utf8); i += 4
        } else if s.count >= 3, (s[i] | 0x20) == UInt8(ascii: "f"), (s[i + 1] | 0x20) == UInt8(ascii: "x"), (s[i + 2] | 0x20) == UInt8(ascii: "p") {
            out += Array("ftp".utf8); i += 3
        }
        outer: while i < s.endIndex {
            let c = s[i]
            if c == UInt8(ascii: "[") || c == UInt8(ascii: "(") || c == UInt8(ascii: "{") {
                for (from, to) in replacements where s.endIndex - i >= from.count {
                    var same = true
                    for k in 0..<from.count where (s[i + k] | (s[i + k] &- 0x41 < 26 ? 0x20 : 0)) != from[k] { same = false; break }
                    if same { out += to; i += from.count; continue outer }
                }
            }
            out.append(c)
            i += 1
        }
        return out[...]
    }

    static func parse(bytes raw: ArraySlice<UInt8>, allowWildcard: Bool) -> HostText {
        guard !raw.isEmpty else { return .invalid("empty entry") }
        let s = refang(raw)
        // A CIDR block (`192.0.2.0/24`, `2001:db8::/32`) before `/` is taken as a path separator.
        if let slash = s.firstIndex(of: UInt8(ascii: "/")), slash > s.startIndex, s[(slash + 1)...].allSatisfy({ $0 &- 0x30 < 10 }), slash + 1 < s.endIndex,
           let net = IPNetwork(parsing: String(decoding: s, as: UTF8.self)) {
            return .address(net, fromURL: false)
        }
        var fromURL = false
        var authority = s
        // Scheme.
        if let colon = findScheme(s) {
            fromURL = true
            authority = s[(colon + 3)...]
        }
        if authority.first == UInt8(ascii: "/") {
            return fromURL ? .invalid("URL without a host") : .skip("path without a host")
        }
        if let end = authority.firstIndex(where: { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#") || $0 == UInt8(ascii: "\\") }) {
            if end != authority.endIndex { fromURL = true }
            authority = authority[..<end]
        }
        if let at = authority.lastIndex(of: UInt8(ascii: "@")) { authority = authority[(at + 1)...]; fromURL = true }
        guard !authority.isEmpty else { return .invalid("no host") }
        var host = authority
        if host.first == UInt8(ascii: "[") {
            guard let close = host.firstIndex(of: UInt8(ascii: "]")) else { return .invalid("unclosed '[' in an IPv6 literal") }
            let rest = host[(close + 1)...]
            if !rest.isEmpty {
                guard rest.first == UInt8(ascii: ":"), validPort(rest.dropFirst()) else { return .invalid("bad port after an IPv6 literal") }
                fromURL = true
            }
            guard let a = IPv6Address(String(decoding: host[(host.startIndex + 1)..<close], as: UTF8.self)) else { return .invalid("bad IPv6 literal") }
            return .address(.host(a), fromURL: fromURL)
        }
        var colons = 0
        for c in host where c == UInt8(ascii: ":") { colons += 1 }
        if colons >= 2 {
            guard let a = IPv6Address(String(decoding: host, as: UTF8.self)) else { return .invalid("not a host name or address") }
            return .address(.host(a), fromURL: fromURL)
        }
        if colons == 1 {
            let c = host.firstIndex(of: UInt8(ascii: ":"))!
            guard validPort(host[(c + 1)...]) else { return .invalid("bad port") }
            host = host[..<c]
            fromURL = true
        }
        if let last = host.last, last &- 0x30 < 10, let a = ipv4(host) {
            return .address(.host(a), fromURL: fromURL)
        }
        return name(host, allowWildcard: allowWildcard, fromURL: fromURL)
    }

    /// Dotted-quad IPv4 text (no leading zeros) read straight from bytes.
    static func ipv4(_ s: ArraySlice<UInt8>) -> IPv4Address? {
        s.withUnsafeBufferPointer { buf -> IPv4Address? in
            var v: UInt32 = 0, parts = 0, cur = -1, digits = 0
            for c in buf {
                if c == UInt8(ascii: ".") {
                    guard cur >= 0, parts < 3 else { return nil }
                    v = v << 8 | UInt32(cur); parts += 1; cur = -1; digits = 0
                } else if c &- 0x30 < 10 {
                    if digits > 0 && cur == 0 { return nil }
                    cur = (cur < 0 ? 0 : cur) * 10 + Int(c - 0x30); digits += 1
                    guard cur <= 255 else { return nil }
                } else {
                    return nil
                }
            }
            guard cur >= 0, parts == 3 else { return nil }
            return IPv4Address(rawValue: v << 8 | UInt32(cur))
        }
    }

    /// The index of `:` in a leading `scheme://`, if any.
    static func findScheme(_ s: ArraySlice<UInt8>) -> Int? {
        s.withUnsafeBufferPointer { buf -> Int? in
            var i = 0
            while i < buf.count {
                let c = buf[i]
                if c == UInt8(ascii: ":") {
                    guard i > 0, buf.count - i >= 3, buf[i + 1] == UInt8(ascii: "/"), buf[i + 2] == UInt8(ascii: "/") else { return nil }
                    return s.startIndex + i
                }
                let lower = c | 0x20
                guard (lower >= UInt8(ascii: "a") && lower <= UInt8(ascii: "z")) || (i > 0 && (c &- 0x30 < 10 || c == UInt8(ascii: "+") || c == UInt8(ascii: "-"))) else { return nil }
                i += 1
            }
            return nil
        }
    }

    static func validPort(_ p: ArraySlice<UInt8>) -> Bool {
        guard !p.isEmpty, p.count <= 5, p.allSatisfy({ $0 &- 0x30 < 10 }) else { return false }
        return Int(String(decoding: p, as: UTF8.self))! <= 65535
    }

    /// Checks and lower-cases a host name; `*.` in front makes a wildcard.
    static func name(_ h: ArraySlice<UInt8>, allowWildcard: Bool, fromURL: Bool) -> HostText {
        var host = h
        var wildcard = false
        if host.count >= 2, host[host.startIndex] == UInt8(ascii: "*"), host[host.startIndex + 1] == UInt8(ascii: ".") {
            guard allowWildcard else { return .invalid("wildcard not allowed here") }
            wildcard = true
            host = host.dropFirst(2)
        }
        if host.last == UInt8(ascii: ".") { host = host.dropLast() }
        guard !host.isEmpty else { return .invalid("empty name") }
        var wire: [UInt8] = []
        wire.reserveCapacity(host.count + 2)
        var labelStart = 0
        wire.append(0)
        var labels = 0
        var lastLabelNumeric = true
        var nonASCII = false
        var problem: HostText? = nil
        host.withUnsafeBufferPointer { buf in
            for c in buf {
                if c == UInt8(ascii: ".") {
                    let len = wire.count - labelStart - 1
                    if len == 0 { problem = .invalid("empty label"); return }
                    if len > 63 { problem = .invalid("label longer than 63 bytes"); return }
                    wire[labelStart] = UInt8(len)
                    labelStart = wire.count
                    wire.append(0)
                    labels += 1
                    lastLabelNumeric = true
                    continue
                }
                let lc = c &- 0x41 < 26 ? c | 0x20 : c
                let ok = (lc >= UInt8(ascii: "a") && lc <= UInt8(ascii: "z")) || lc &- 0x30 < 10 || lc == UInt8(ascii: "-") || lc == UInt8(ascii: "_")
                if !ok {
                    if c >= 0x80 { nonASCII = true } else {
                        problem = .invalid("character '\(String(decoding: [c], as: UTF8.self))' is not allowed in a host name")
                        return
                    }
                }
                if lc &- 0x30 >= 10 { lastLabelNumeric = false }
                wire.append(lc)
            }
        }
        if let problem { return problem }
        let len = wire.count - labelStart - 1
        if len == 0 { return .invalid("empty label") }
        if len > 63 { return .invalid("label longer than 63 bytes") }
        wire[labelStart] = UInt8(len)
        labels += 1
        wire.append(0)
        if nonASCII {
            guard let encoded = IDNAWire.toASCII(wire: wire) else { return .invalid("non-ASCII name that is not valid UTF-8") }
            wire = encoded
        }
        guard wire.count <= 255 else { return .invalid("name longer than 255 bytes") }
        if lastLabelNumeric { return .invalid("all-numeric top-level label (an incomplete address?)") }
        if labels == 1 && !wildcard { return .skip("single-label name") }
        guard let n = try? DNSName(wire: wire) else { return .invalid("not a valid name") }
        return .name(n, wildcard: wildcard, fromURL: fromURL)
    }
}
