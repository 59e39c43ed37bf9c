/// The binary-to-text encodings used in presentation form: hex, base64 (RFC 4648 §4) and base32hex (§7).
public enum TextEncodings {
    static let hexDigits = Array("0123456789ABCDEF".utf8)

    /// Upper-case hex, as BIND prints digests and certificate data.
    public static func hex(_ bytes: some Collection<UInt8>) -> String {
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        for b in bytes { out.append(hexDigits[Int(b >> 4)]); out.append(hexDigits[Int(b & 0xF)]) }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes hex (either case); nil on an odd length or a non-hex character.
    public static func fromHex(_ text: some StringProtocol) -> [UInt8]? {
        let u = Array(text.utf8)
        guard u.count % 2 == 0 else { return nil }
        func v(_ c: UInt8) -> UInt8? {
            switch c {
            case 0x30...0x39: return c - 0x30
            case 0x41...0x46: return c - 0x41 + 10
            case 0x61...0x66: return c - 0x61 + 10
            default: return nil
            }
        }
        var out = [UInt8]()
        out.reserveCapacity(u.count / 2)
        var i = 0
        while i < u.count {
            guard let hi = v(u[i]), let lo = v(u[i + 1]) else { return nil }
            out.append(hi << 4 | lo)
            i += 2
        }
        return out
    }

    static let b64 = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// Standard base64 with padding.
    public static func base64(_ bytes: [UInt8]) -> String {
        var out = [UInt8]()
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var i = 0
        while i + 3 <= bytes.count {
            let n = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2])
            out.append(b64[Int(n >> 18)]); out.append(b64[Int((n >> 12) & 63)])
            out.append(b64[Int((n >> 6) & 63)]); out.append(b64[Int(n & 63)])
            i += 3
        }
        let rest = bytes.count - i
        if rest == 1 {
            let n = UInt32(bytes[i]) << 16
            out.append(b64[Int(n >> 18)]); out.append(b64[Int((n >> 12) & 63)]); out.append(UInt8(ascii: "=")); out.append(UInt8(ascii: "="))
        } else if rest == 2 {
            let n = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8
            out.append(b64[Int(n >> 18)]); out.append(b64[Int((n >> 12) & 63)]); out.append(b64[Int((n >> 6) & 63)]); out.append(UInt8(ascii: "="))
        }
        return String(decoding: out, as: UTF8.self)
    }

    static let b32hex = Array("0123456789ABCDEFGHIJKLMNOPQRSTUV".utf8)

    /// Base32hex without padding, upper-case, as NSEC3 prints hashed owner names.
    public static func base32hex(_ bytes: [UInt8]) -> String {
        var out = [UInt8]()
        var buffer: UInt64 = 0, bits = 0
        for b in bytes {
            buffer = buffer << 8 | UInt64(b); bits += 8
            while bits >= 5 { bits -= 5; out.append(b32hex[Int((buffer >> UInt64(bits)) & 31)]) }
        }
        if bits > 0 { out.append(b32hex[Int((buffer << UInt64(5 - bits)) & 31)]) }
        return String(decoding: out, as: UTF8.self)
    }

    /// A `<character-string>` in presentation form: quoted, with `"` and `\` escaped and other non-printables as `\DDD`.
    public static func quoted(_ bytes: some Collection<UInt8>) -> String {
        var out: [UInt8] = [UInt8(ascii: "\"")]
        for c in bytes {
            if c < 0x20 || c >= 0x7F {
                out.append(UInt8(ascii: "\\"))
                out.append(0x30 + c / 100); out.append(0x30 + (c / 10) % 10); out.append(0x30 + c % 10)
            } else if c == UInt8(ascii: "\"") || c == UInt8(ascii: "\\") {
                out.append(UInt8(ascii: "\\")); out.append(c)
            } else {
                out.append(c)
            }
        }
        out.append(UInt8(ascii: "\""))
        return String(decoding: out, as: UTF8.self)
    }

    /// RFC 3597 generic RDATA: `\# len hex`.
    public static func generic(_ bytes: [UInt8]) -> String {
        bytes.isEmpty ? "\\# 0" : "\\# \(bytes.count) \(hex(bytes))"
    }

    /// Seconds since 1970 (UTC) as `YYYYMMDDHHmmSS`, the RRSIG time format (RFC 4034 §3.2).
    public static func timestamp(_ seconds: UInt32) -> String {
        let s = Int64(seconds)
        let days = s / 86400, rem = s % 86400
        // Civil-from-days (Howard Hinnant's algorithm), valid for the whole UInt32 range.
        let z = days + 719468
        let era = z / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        func two(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(y)\(two(m))\(two(d))\(two(rem / 3600))\(two((rem / 60) % 60))\(two(rem % 60))"
    }
}
