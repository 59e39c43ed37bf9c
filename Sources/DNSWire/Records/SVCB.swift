/// SVCB and HTTPS RDATA (RFC 9460): priority, target and service parameters.
///
/// Parameter values are kept as wire bytes and checked on decode for the keys RFC 9460 defines (mandatory, alpn,
/// no-default-alpn, port, ipv4hint, ech, ipv6hint) and ohttp (RFC 9540); other keys are kept opaque. Keys must
/// appear in strictly increasing order.
public struct SVCBRecord: RDataRecord {
    /// One SvcParam: a key and its wire-format value.
    public struct Param: Hashable, Sendable {
        /// The SvcParamKey.
        public var key: UInt16
        /// The wire-format SvcParamValue.
        public var value: [UInt8]
        /// Creates a parameter.
        public init(key: UInt16, value: [UInt8]) { self.key = key; self.value = value }
    }

    /// 0 is AliasMode; anything else is ServiceMode.
    public var priority: UInt16
    /// The target name; `.` means the owner name. Never compressed.
    public var target: DNSName
    /// The parameters, in increasing key order.
    public var params: [Param]

    /// Creates an SVCB/HTTPS RDATA.
    public init(priority: UInt16, target: DNSName, params: [Param]) {
        self.priority = priority; self.target = target; self.params = params
    }

    static let keyNames: [UInt16: String] = [0: "mandatory", 1: "alpn", 2: "no-default-alpn", 3: "port", 4: "ipv4hint", 5: "ech", 6: "ipv6hint", 7: "dohpath", 8: "ohttp"]

    public init(from reader: inout WireReader) throws(DNSWireError) {
        priority = try reader.readUInt16()
        target = try reader.readName()
        var ps = [Param]()
        var last = -1
        while reader.remaining > 0 {
            let at = reader.offset
            let key = try reader.readUInt16()
            guard Int(key) > last else { throw DNSWireError(.invalidField("SVCB keys must be in strictly increasing order (key \(key) after \(last))"), at: at) }
            last = Int(key)
            let len = Int(try reader.readUInt16())
            let value = try reader.readBytes(len)
            try SVCBRecord.check(key: key, value: value, at: at)
            ps.append(Param(key: key, value: value))
        }
        params = ps
    }

    static func check(key: UInt16, value: [UInt8], at: Int) throws(DNSWireError) {
        func bad(_ why: String) -> DNSWireError { DNSWireError(.invalidField("SVCB \(keyNames[key] ?? "key\(key)"): \(why)"), at: at) }
        switch key {
        case 0:
            if value.isEmpty || value.count % 2 != 0 { throw bad("needs a non-empty list of 2-byte keys") }
            // RFC 9460 §8: the keys are in strictly increasing order, and "mandatory" is never in its own list.
            var previous = -1
            for i in stride(from: 0, to: value.count, by: 2) {
                let k = Int(value[i]) << 8 | Int(value[i + 1])
                if k == 0 { throw bad("lists itself") }
                if k <= previous { throw bad("keys must be in strictly increasing order") }
                previous = k
            }
        case 1:
            if value.isEmpty { throw bad("needs at least one protocol id") }
            var i = 0
            while i < value.count {
                let n = Int(value[i])
                if n == 0 || i + 1 + n > value.count { throw bad("bad protocol id length") }
                i += 1 + n
            }
        case 2: if !value.isEmpty { throw bad("takes no value") }
        case 3: if value.count != 2 { throw bad("needs 2 bytes") }
        case 4: if value.isEmpty || value.count % 4 != 0 { throw bad("needs a non-empty list of IPv4 addresses") }
        case 5:
            // An ECHConfigList: a 2-byte length, then 4 or more bytes of configs (RFC 9460 §7.3, RFC 9849 §4).
            if value.count < 6 || Int(value[0]) << 8 | Int(value[1]) != value.count - 2 { throw bad("is not an ECHConfigList") }
        case 6: if value.isEmpty || value.count % 16 != 0 { throw bad("needs a non-empty list of IPv6 addresses") }
        case 8: if !value.isEmpty { throw bad("takes no value") }  // ohttp, RFC 9540 §4
        default: break
        }
    }

    public func encode(to writer: inout WireWriter, compress: Bool) throws(DNSWireError) {
        writer.write(priority)
        writer.write(name: target, compress: false)
        for p in params {
            guard p.value.count <= 0xFFFF else { throw DNSWireError(.tooLarge("SVCB parameter of \(p.value.count) bytes"), at: writer.count) }
            writer.write(p.key)
            writer.write(UInt16(p.value.count))
            writer.write(bytes: p.value)
        }
    }

    /// `key=value` in presentation form for one parameter.
    static func text(_ p: Param) -> String {
        let name = keyNames[p.key] ?? "key\(p.key)"
        let v = p.value
        switch p.key {
        case 0:
            return name + "=" + stride(from: 0, to: v.count, by: 2).map { i in
                let k = UInt16(v[i]) << 8 | UInt16(v[i + 1])
                return keyNames[k] ?? "key\(k)"
            }.joined(separator: ",")
        case 1:
            var ids = [String](), i = 0
            while i < v.count {
                let n = Int(v[i])
                // Commas and backslashes inside an id are escaped (RFC 9460 appendix A.1).
                var s = [UInt8]()
                for c in v[(i + 1)..<(i + 1 + n)] {
                    if c == UInt8(ascii: ",") || c == UInt8(ascii: "\\") { s.append(UInt8(ascii: "\\")); s.append(UInt8(ascii: "\\")) }
                    s.append(c)
                }
                ids.append(String(decoding: s, as: UTF8.self))
                i += 1 + n
            }
            return name + "=" + TextEncodings.quoted(Array(ids.joined(separator: ",").utf8))
        case 2: return name
        case 3: return name + "=\(UInt16(v[0]) << 8 | UInt16(v[1]))"
        case 4: return name + "=" + stride(from: 0, to: v.count, by: 4).map { IPv4Address(bytes: v[$0..<($0 + 4)]).description }.joined(separator: ",")
        case 5: return name + "=" + TextEncodings.base64(v)
        case 6: return name + "=" + stride(from: 0, to: v.count, by: 16).map { IPv6Address(bytes: v[$0..<($0 + 16)]).description }.joined(separator: ",")
        default: return name + "=" + TextEncodings.quoted(v)
        }
    }

    public var presentation: String {
        ([String(priority), target.presentation] + params.map(SVCBRecord.text)).joined(separator: " ")
    }
}
