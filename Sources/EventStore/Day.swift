/// A UTC calendar day, counted as whole days since 1970-01-01 (day 0).
///
/// Every roll-up is keyed by a `Day`, and every period (day, month, quarter, half-year, custom) is a range of them,
/// so that period boundaries are exact UTC midnights.
public struct Day: Hashable, Comparable, Sendable, Codable, Strideable, CustomStringConvertible {
    /// Days since 1970-01-01 UTC.
    public var index: Int32

    /// Nanoseconds in one day.
    public static let nanosPerDay: Int64 = 86_400_000_000_000

    /// Wraps a day number.
    public init(index: Int32) { self.index = index }

    /// The UTC day that contains `timeNanos` (nanoseconds since 1970 UTC; times before 1970 round down).
    public init(timeNanos: Int64) {
        let d = timeNanos >= 0 ? timeNanos / Day.nanosPerDay : (timeNanos - Day.nanosPerDay + 1) / Day.nanosPerDay
        index = Int32(truncatingIfNeeded: d)
    }

    /// The day with the given proleptic-Gregorian civil date; `nil` when the month or day is out of range.
    public init?(year: Int, month: Int, day: Int) {
        guard (1...12).contains(month), day >= 1, day <= Day.daysIn(year: year, month: month) else { return nil }
        index = Int32(Day.daysFromCivil(year, month, day))
    }

    /// Parses `YYYY-MM-DD`.
    public init?(iso text: some StringProtocol) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]) else { return nil }
        self.init(year: y, month: m, day: d)
    }

    /// The first nanosecond of the day.
    public var startNanos: Int64 { Int64(index) * Day.nanosPerDay }

    /// The civil date (year, month 1…12, day 1…31).
    public var civil: (year: Int, month: Int, day: Int) { Day.civilFromDays(Int(index)) }
    /// The year.
    public var year: Int { civil.year }
    /// The month, 1…12.
    public var month: Int { civil.month }
    /// The quarter, 1…4.
    public var quarter: Int { (civil.month - 1) / 3 + 1 }
    /// The half-year, 1…2.
    public var half: Int { civil.month <= 6 ? 1 : 2 }

    /// `YYYY-MM-DD`.
    public var description: String {
        let c = civil
        return "\(Day.pad(c.year, 4))-\(Day.pad(c.month, 2))-\(Day.pad(c.day, 2))"
    }

    public static func < (a: Day, b: Day) -> Bool { a.index < b.index }
    public func distance(to other: Day) -> Int { Int(other.index) - Int(index) }
    public func advanced(by n: Int) -> Day { Day(index: index + Int32(n)) }

    /// Whether `year` is a leap year.
    public static func isLeap(_ year: Int) -> Bool { year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) }

    /// The number of days in a month.
    public static func daysIn(year: Int, month: Int) -> Int {
        switch month {
        case 2: return isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    // Howard Hinnant's civil-calendar algorithms (days_from_civil / civil_from_days), proleptic Gregorian.
    static func daysFromCivil(_ y0: Int, _ m: Int, _ d: Int) -> Int {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (m + 9) % 12
        let doy = (153 * mp + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civilFromDays(_ z0: Int) -> (year: Int, month: Int, day: Int) {
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

    static func pad(_ n: Int, _ width: Int) -> String {
        let s = String(n)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }
}

/// A non-empty, inclusive range of UTC days.
public struct DayRange: Hashable, Sendable, Codable, Sequence, CustomStringConvertible {
    /// The first day.
    public var first: Day
    /// The last day (inclusive).
    public var last: Day

    /// Creates a range; `first` must not be after `last`.
    public init(_ first: Day, _ last: Day) {
        precondition(first <= last, "DayRange: \(first) is after \(last)")
        self.first = first
        self.last = last
    }

    /// The number of days.
    public var count: Int { first.distance(to: last) + 1 }
    /// Whether `day` is inside.
    public func contains(_ day: Day) -> Bool { first <= day && day <= last }
    /// Whether a time is inside (any nanosecond of the covered days).
    public func contains(timeNanos t: Int64) -> Bool { t >= first.startNanos && t < endNanos }
    /// The first nanosecond after the range.
    public var endNanos: Int64 { last.advanced(by: 1).startNanos }
    /// The overlap with another range, if any.
    public func clamped(to other: DayRange) -> DayRange? {
        let f = Swift.max(first, other.first), l = Swift.min(last, other.last)
        return f <= l ? DayRange(f, l) : nil
    }

    public func makeIterator() -> some IteratorProtocol<Day> {
        var d = first
        let end = last
        var done = false
        return AnyIterator {
            guard !done else { return nil }
            let cur = d
            if cur == end { done = true } else { d = d.advanced(by: 1) }
            return cur
        }
    }

    public var description: String { first == last ? first.description : "\(first)..\(last)" }
}
