/// UTC calendar arithmetic on day numbers (days since 1970-01-01), without Foundation.
public enum SimCalendar {
    /// Nanoseconds in a day.
    public static let nanosPerDay: Int64 = 86_400_000_000_000
    /// Nanoseconds in a second.
    public static let nanosPerSecond: Int64 = 1_000_000_000

    /// The day number of a civil date.
    public static func day(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    /// The civil date of a day number.
    public static func civil(_ z0: Int) -> (year: Int, month: Int, day: Int) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }

    /// Day of the week, 0 = Monday … 6 = Sunday.
    public static func weekday(_ day: Int) -> Int { ((day % 7) + 7 + 3) % 7 }

    /// `YYYY-MM-DD`.
    public static func isoDate(_ day: Int) -> String {
        let c = civil(day)
        return "\(c.year)-\(pad(c.month))-\(pad(c.day))"
    }

    /// Parses `YYYY-MM-DD`.
    public static func parseDate(_ s: String) -> Int? {
        let parts = s.split(separator: "-")
        guard parts.count == 3, let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]),
              parts[0].count == 4, (1...12).contains(m), (1...31).contains(d) else { return nil }
        let n = day(year: y, month: m, day: d)
        let back = civil(n)
        guard back.month == m, back.day == d else { return nil }
        return n
    }

    static func pad(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }

    /// The calendar quarter (1…4) of a day.
    public static func quarter(_ day: Int) -> Int { (civil(day).month - 1) / 3 + 1 }
}

/// A span of whole UTC days, both ends included.
public struct DaySpan: Hashable, Sendable, Codable, Comparable {
    /// First day (day number).
    public var first: Int
    /// Last day (day number).
    public var last: Int
    /// Creates a span.
    public init(_ first: Int, _ last: Int) { self.first = first; self.last = last }
    /// Whether the span holds a day.
    public func contains(_ d: Int) -> Bool { d >= first && d <= last }
    /// Number of days.
    public var count: Int { last - first + 1 }
    /// Start of the first day, in nanoseconds since 1970.
    public var startNanos: Int64 { Int64(first) * SimCalendar.nanosPerDay }
    /// End of the last day (exclusive), in nanoseconds.
    public var endNanos: Int64 { Int64(last + 1) * SimCalendar.nanosPerDay }
    public static func < (a: DaySpan, b: DaySpan) -> Bool { (a.first, a.last) < (b.first, b.last) }
}
