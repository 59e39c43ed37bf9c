/// Minimal JSON writing for the hot output paths (detections as JSON lines), where Foundation's encoders are slow.
public enum JSONText {
    /// A JSON string literal for `s`, with quotes.
    public static func string(_ s: String) -> String {
        var out = "\""
        out.reserveCapacity(s.utf8.count + 2)
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if u.value < 0x20 {
                    let h = String(u.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - h.count) + h
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        return out + "\""
    }

    /// `"key":value` pairs joined into an object; nil values are left out.
    public static func object(_ pairs: [(String, String?)]) -> String {
        "{" + pairs.compactMap { k, v in v.map { string(k) + ":" + $0 } }.joined(separator: ",") + "}"
    }

    /// A JSON number (finite values; others become null), shortest round-trip form.
    public static func number(_ x: Double) -> String {
        guard x.isFinite else { return "null" }
        if x == x.rounded() && abs(x) < 1e15 { return String(Int64(x)) }
        return "\(x)"
    }

    /// A JSON array of strings.
    public static func array(_ items: [String]) -> String { "[" + items.map(string).joined(separator: ",") + "]" }

    /// Nanoseconds since 1970 as ISO 8601 UTC with nanoseconds (`2026-11-28T12:02:41.066792000Z`).
    public static func isoTime(_ ns: Int64) -> String {
        let secs = ns >= 0 ? ns / 1_000_000_000 : (ns - 999_999_999) / 1_000_000_000
        let frac = ns - secs * 1_000_000_000
        let days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400
        let rem = secs - days * 86400
        let z = days + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        func pad(_ v: Int64, _ n: Int) -> String { let s = String(v); return String(repeating: "0", count: max(0, n - s.count)) + s }
        return "\(pad(y, 4))-\(pad(m, 2))-\(pad(d, 2))T\(pad(rem / 3600, 2)):\(pad((rem / 60) % 60, 2)):\(pad(rem % 60, 2)).\(pad(frac, 9))Z"
    }
}
