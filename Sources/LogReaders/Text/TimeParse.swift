/// Timestamp parsers for text log formats, on raw bytes; all return nanoseconds since 1970-01-01 UTC.
public enum TimeParse {
    /// Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
    public static func daysFromCivil(year: Int, month: Int, day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = Int64((month + 9) % 12)
        let doy = (153 * mp + 2) / 5 + Int64(day) - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func days(inMonth m: Int, year y: Int) -> Int {
        switch m {
        case 2: return (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Nanoseconds for a civil date and time, checking every field's range; nil if out of range.
    public static func nanos(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int, nanos: Int64 = 0, offsetSeconds: Int = 0) -> Int64? {
        guard year >= 1, year <= 9999, month >= 1, month <= 12, day >= 1, day <= days(inMonth: month, year: year),
              hour >= 0, hour <= 23, minute >= 0, minute <= 59, second >= 0, second <= 60 else { return nil }
        let secs = daysFromCivil(year: year, month: month, day: day) * 86_400 + Int64(hour * 3600 + minute * 60 + second) - Int64(offsetSeconds)
        // Nanoseconds since 1970 in an Int64 reach from 1677 to 2262; anything outside is not a log time.
        let (ns, overflow) = secs.multipliedReportingOverflow(by: 1_000_000_000)
        guard !overflow else { return nil }
        let (t, overflow2) = ns.addingReportingOverflow(nanos)
        return overflow2 ? nil : t
    }

    @inline(__always) static func digits(_ b: UnsafeRawBufferPointer, _ at: Int, _ count: Int) -> Int? {
        guard at >= 0, at + count <= b.count else { return nil }
        var v = 0
        for i in at..<(at + count) {
            let c = b[i] &- 0x30
            guard c < 10 else { return nil }
            v = v * 10 + Int(c)
        }
        return v
    }

    /// Reads `.fraction` at `i` (up to 9 digits kept, more ignored); returns the nanoseconds and the index after it.
    static func fraction(_ b: UnsafeRawBufferPointer, _ i: Int) -> (Int64, Int) {
        guard i < b.count, b[i] == UInt8(ascii: ".") || b[i] == UInt8(ascii: ",") else { return (0, i) }
        var j = i + 1, v: Int64 = 0, n = 0
        while j < b.count, b[j] &- 0x30 < 10 {
            if n < 9 { v = v * 10 + Int64(b[j] - 0x30); n += 1 }
            j += 1
        }
        guard j > i + 1 else { return (0, i) }
        while n < 9 { v *= 10; n += 1 }
        return (v, j)
    }

    /// ISO 8601 / RFC 3339: `2026-11-28T10:00:00Z`, `…T10:00:00.123456+0900`, `… 10:00:00.5+09:00`, or without a zone
    /// (taken as `defaultOffsetSeconds` east of UTC).
    public static func iso8601(_ b: UnsafeRawBufferPointer, defaultOffsetSeconds: Int = 0) -> Int64? {
        guard b.count >= 19, let y = digits(b, 0, 4), b[4] == UInt8(ascii: "-"), let mo = digits(b, 5, 2), b[7] == UInt8(ascii: "-"),
              let d = digits(b, 8, 2), b[10] == UInt8(ascii: "T") || b[10] == UInt8(ascii: " ") || b[10] == UInt8(ascii: "t"),
              let h = digits(b, 11, 2), b[13] == UInt8(ascii: ":"), let mi = digits(b, 14, 2), b[16] == UInt8(ascii: ":"),
              let s = digits(b, 17, 2) else { return nil }
        let (frac, i) = fraction(b, 19)
        guard let offset = zoneOffset(b, i, default: defaultOffsetSeconds) else { return nil }
        return nanos(year: y, month: mo, day: d, hour: h, minute: mi, second: s, nanos: frac, offsetSeconds: offset)
    }

    /// A zone designator at `i` that must end the text: `Z`, `±HH:MM`, `±HHMM`, `±HH`, or nothing.
    static func zoneOffset(_ b: UnsafeRawBufferPointer, _ i: Int, default d: Int) -> Int? {
        let rest = b.count - i
        if rest == 0 { return d }
        if rest == 1 && (b[i] == UInt8(ascii: "Z") || b[i] == UInt8(ascii: "z")) { return 0 }
        guard b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") else { return nil }
        let sign = b[i] == UInt8(ascii: "-") ? -1 : 1
        guard let hh = digits(b, i + 1, 2), hh <= 23 else { return nil }
        var mm = 0
        switch rest {
        case 3: break
        case 5: guard let m = digits(b, i + 3, 2) else { return nil }; mm = m
        case 6: guard b[i + 3] == UInt8(ascii: ":"), let m = digits(b, i + 4, 2) else { return nil }; mm = m
        default: return nil
        }
        guard mm <= 59 else { return nil }
        return sign * (hh * 3600 + mm * 60)
    }

    /// The month number of a three-letter English abbreviation (`Jan` … `Dec`, any case).
    public static func month(_ b: UnsafeRawBufferPointer, at i: Int) -> Int? {
        guard i + 3 <= b.count else { return nil }
        let k = UInt32(b[i] | 0x20) << 16 | UInt32(b[i + 1] | 0x20) << 8 | UInt32(b[i + 2] | 0x20)
        switch k {
        case 0x6A616E: return 1   // jan
        case 0x666562: return 2   // feb
        case 0x6D6172: return 3   // mar
        case 0x617072: return 4   // apr
        case 0x6D6179: return 5   // may
        case 0x6A756E: return 6   // jun
        case 0x6A756C: return 7   // jul
        case 0x617567: return 8   // aug
        case 0x736570: return 9   // sep
        case 0x6F6374: return 10  // oct
        case 0x6E6F76: return 11  // nov
        case 0x646563: return 12  // dec
        default: return nil
        }
    }

    /// BIND's default `print-time` form: `28-Nov-2026 10:00:00.123` (day may be one digit). Returns the time and the
    /// number of bytes it took.
    public static func bind(_ b: UnsafeRawBufferPointer, offsetSeconds: Int = 0) -> (Int64, Int)? {
        @inline(__always) func at(_ i: Int, _ c: UInt8) -> Bool { i < b.count && b[i] == c }
        var i = 0
        var day = 0
        while i < b.count, i < 2, b[i] &- 0x30 < 10 { day = day * 10 + Int(b[i] - 0x30); i += 1 }
        guard i > 0, at(i, UInt8(ascii: "-")), let mo = month(b, at: i + 1), at(i + 4, UInt8(ascii: "-")),
              let y = digits(b, i + 5, 4), at(i + 9, UInt8(ascii: " ")),
              let h = digits(b, i + 10, 2), at(i + 12, UInt8(ascii: ":")), let mi = digits(b, i + 13, 2), at(i + 15, UInt8(ascii: ":")),
              let s = digits(b, i + 16, 2) else { return nil }
        let (frac, end) = fraction(b, i + 18)
        guard let t = nanos(year: y, month: mo, day: day, hour: h, minute: mi, second: s, nanos: frac, offsetSeconds: offsetSeconds) else { return nil }
        return (t, end)
    }

    /// The classic syslog form `Nov 28 10:00:00` / `Nov  8 10:00:00` (no year: `year` is supplied by the caller).
    /// Returns the month (so the caller can detect a year change), the time and the bytes taken.
    public static func syslog(_ b: UnsafeRawBufferPointer, year: Int, offsetSeconds: Int = 0) -> (month: Int, nanos: Int64, length: Int)? {
        guard b.count >= 15, let mo = month(b, at: 0), b[3] == UInt8(ascii: " ") else { return nil }
        let day: Int
        if b[4] == UInt8(ascii: " ") {
            guard let d = digits(b, 5, 1) else { return nil }
            day = d
        } else {
            guard let d = digits(b, 4, 2) else { return nil }
            day = d
        }
        guard b[6] == UInt8(ascii: " "), let h = digits(b, 7, 2), b[9] == UInt8(ascii: ":"), let mi = digits(b, 10, 2),
              b[12] == UInt8(ascii: ":"), let s = digits(b, 13, 2) else { return nil }
        let (frac, end) = fraction(b, 15)
        guard let t = nanos(year: year, month: mo, day: day, hour: h, minute: mi, second: s, nanos: frac, offsetSeconds: offsetSeconds) else { return nil }
        return (mo, t, end)
    }

    /// An epoch number whose unit is guessed from its magnitude (seconds, milliseconds, microseconds or nanoseconds,
    /// for dates between 1973 and 2286), with an optional fraction.
    public static func epochGuessingUnit(_ b: UnsafeRawBufferPointer) -> Int64? {
        guard let whole = FieldParse.scaledDecimal(b, scale: 0) else { return nil }
        let magnitude = whole < 0 ? -whole : whole
        if magnitude < 100_000_000_000 { return FieldParse.scaledDecimal(b, scale: 9) }            // seconds
        if magnitude < 100_000_000_000_000 { return FieldParse.scaledDecimal(b, scale: 6) }        // milliseconds
        if magnitude < 100_000_000_000_000_000 { return FieldParse.scaledDecimal(b, scale: 3) }    // microseconds
        return whole                                                                             // nanoseconds
    }

    /// An epoch number in a known unit (0 seconds, 3 milliseconds, 6 microseconds, 9 nanoseconds: the number of
    /// decimal digits below a second), with an optional fraction.
    public static func epoch(_ b: UnsafeRawBufferPointer, unitDigits: Int) -> Int64? {
        FieldParse.scaledDecimal(b, scale: 9 - unitDigits)
    }
}
