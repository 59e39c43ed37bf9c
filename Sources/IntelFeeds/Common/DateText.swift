/// Reads the timestamps feeds use into seconds since 1970 UTC: `2026-08-22 21:23:45 UTC`, `2021-03-06T16:45:39+00:00`,
/// `2017-01-01T00:00:00.000Z`, `2016-08-29`, and Unix seconds (`1472541011`).
enum DateText {
    static func seconds(_ text: some StringProtocol) -> Int64? {
        let b = Array(text.utf8)
        guard !b.isEmpty else { return nil }
        if b.allSatisfy({ $0 &- 0x30 < 10 }) {
            guard b.count <= 12 else { return nil }
            return Int64(String(decoding: b, as: UTF8.self))
        }
        var i = 0
        func number(_ digits: Int) -> Int? {
            guard i + digits <= b.count else { return nil }
            var v = 0
            for k in i..<(i + digits) {
                guard b[k] &- 0x30 < 10 else { return nil }
                v = v * 10 + Int(b[k] - 0x30)
            }
            i += digits
            return v
        }
        func expect(_ c: Character) -> Bool {
            guard i < b.count, b[i] == c.asciiValue! else { return false }
            i += 1
            return true
        }
        guard let y = number(4), expect("-"), let mo = number(2), expect("-"), let d = number(2),
              (1...12).contains(mo), (1...31).contains(d) else { return nil }
        var h = 0, mi = 0, s = 0
        if i < b.count, b[i] == UInt8(ascii: "T") || b[i] == UInt8(ascii: " ") || b[i] == UInt8(ascii: "t") {
            i += 1
            guard let hh = number(2), expect(":"), let mm = number(2) else { return nil }
            h = hh; mi = mm
            if i < b.count, b[i] == UInt8(ascii: ":") {
                i += 1
                guard let ss = number(2) else { return nil }
                s = ss
                if i < b.count, b[i] == UInt8(ascii: ".") || b[i] == UInt8(ascii: ",") {
                    i += 1
                    while i < b.count, b[i] &- 0x30 < 10 { i += 1 }
                }
            }
            guard h < 24, mi < 60, s <= 60 else { return nil }
        }
        while i < b.count, b[i] == UInt8(ascii: " ") { i += 1 }
        var offset = 0
        if i < b.count {
            let rest = String(decoding: b[i...], as: UTF8.self)
            if rest == "Z" || rest == "z" || rest == "UTC" || rest == "GMT" || rest == "+00" {
                offset = 0
            } else if b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") {
                let sign = b[i] == UInt8(ascii: "-") ? -1 : 1
                i += 1
                guard let oh = number(2) else { return nil }
                var om = 0
                if i < b.count {
                    _ = expect(":")
                    guard let m = number(2) else { return nil }
                    om = m
                }
                guard i == b.count else { return nil }
                offset = sign * (oh * 3600 + om * 60)
            } else {
                return nil
            }
        }
        return Int64(daysFromCivil(y, mo, d)) * 86400 + Int64(h * 3600 + mi * 60 + s - offset)
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date.
    static func daysFromCivil(_ y0: Int, _ m: Int, _ d: Int) -> Int {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (m + 9) % 12
        let doy = (153 * mp + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }
}
