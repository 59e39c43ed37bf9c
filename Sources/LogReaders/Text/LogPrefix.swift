/// The timestamp and program prefix that daemons and syslog put in front of a log message.
///
/// Recognised leading timestamps: BIND's `28-Nov-2026 10:00:00.123`, classic syslog `Nov 28 10:00:00` (no year),
/// ISO 8601 / RFC 5424 `2026-11-28T10:00:00.123+00:00` (or with a space), and Unbound's `[1732788000]`. A syslog
/// host name and a `program[pid]:` tag may follow; ``LogPrefix/parse(_:)`` returns where the message starts.
struct LogPrefix {
    /// The offset east of UTC of zone-less timestamps.
    var offsetSeconds: Int
    /// The year for syslog timestamps; advanced when the month goes backwards (December → January).
    var year: Int
    private var lastMonth = 0

    init(offsetSeconds: Int, year: Int) {
        self.offsetSeconds = offsetSeconds
        self.year = year
    }

    /// A leading timestamp, if any: the time and the index just after it (and one following space).
    mutating func time(_ b: UnsafeRawBufferPointer) -> (Int64, Int)? {
        guard let c = b.first else { return nil }
        var result: (Int64, Int)? = nil
        if c == UInt8(ascii: "[") {
            if let close = FieldParse.index(of: UInt8(ascii: "]"), in: b), close < 24, let t = FieldParse.scaledDecimal(b.slice(1..<close), scale: 9) {
                result = (t, close + 1)
            }
        } else if c &- 0x30 < 10 {
            if b.count >= 5 && b[4] == UInt8(ascii: "-") {
                // ISO 8601: the timestamp runs to the first space after the time of day.
                let searchFrom = b.count > 11 ? 11 : b.count
                let end = FieldParse.index(of: UInt8(ascii: " "), in: b, from: searchFrom) ?? b.count
                if let t = TimeParse.iso8601(b.slice(0..<end), defaultOffsetSeconds: offsetSeconds) { result = (t, end) }
                else if end < b.count, b[10] == UInt8(ascii: " ") || b[10] == UInt8(ascii: "T") {
                    // "2026-11-28 10:00:00.123 host …" with the zone after the time.
                    if let t = TimeParse.iso8601(b.slice(0..<min(end, b.count)), defaultOffsetSeconds: offsetSeconds) { result = (t, end) }
                }
            } else if let (t, n) = TimeParse.bind(b, offsetSeconds: offsetSeconds) {
                result = (t, n)
            }
        } else if let s = TimeParse.syslog(b, year: year, offsetSeconds: offsetSeconds) {
            if lastMonth != 0 && s.month < lastMonth && lastMonth - s.month >= 6 {
                year += 1
                lastMonth = s.month
                return time(b)
            }
            lastMonth = s.month
            result = (s.nanos, s.length)
        }
        guard let (t, end) = result else { return nil }
        var i = end
        if i < b.count && b[i] == UInt8(ascii: " ") { i += 1 }
        return (t, i)
    }
}
