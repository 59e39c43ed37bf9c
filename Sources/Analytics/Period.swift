import EventStore

/// A reporting period: whole UTC days, named as a day, month, quarter, half-year, year or a custom range.
public struct Period: Hashable, Sendable, Codable, CustomStringConvertible {
    /// The kind of period.
    public enum Kind: String, Hashable, Sendable, Codable, CaseIterable {
        case day, month, quarter, half, year, custom
    }

    /// The kind.
    public var kind: Kind
    /// The days covered.
    public var range: DayRange
    /// The calendar year of the period's start.
    public var year: Int
    /// The month (1…12), quarter (1…4) or half (1…2) number; 0 for day, year and custom.
    public var number: Int
    /// Whether the period was cut short by the report's date range (a partial quarter, say).
    public var partial: Bool

    /// Creates a period over `range`.
    public init(kind: Kind, range: DayRange, year: Int, number: Int, partial: Bool = false) {
        self.kind = kind
        self.range = range
        self.year = year
        self.number = number
        self.partial = partial
    }

    /// One day.
    public static func day(_ d: Day) -> Period { Period(kind: .day, range: DayRange(d, d), year: d.year, number: 0) }

    /// A calendar month (1…12).
    public static func month(_ year: Int, _ month: Int) -> Period {
        let f = Day(year: year, month: month, day: 1)!
        return Period(kind: .month, range: DayRange(f, f.advanced(by: Day.daysIn(year: year, month: month) - 1)), year: year, number: month)
    }

    /// A calendar quarter (1…4): January–March, April–June, July–September, October–December.
    public static func quarter(_ year: Int, _ q: Int) -> Period {
        let f = Day(year: year, month: (q - 1) * 3 + 1, day: 1)!
        let lastMonth = q * 3
        let l = Day(year: year, month: lastMonth, day: Day.daysIn(year: year, month: lastMonth))!
        return Period(kind: .quarter, range: DayRange(f, l), year: year, number: q)
    }

    /// A half-year (1 = January–June, 2 = July–December).
    public static func half(_ year: Int, _ h: Int) -> Period {
        let f = Day(year: year, month: h == 1 ? 1 : 7, day: 1)!
        let l = Day(year: year, month: h == 1 ? 6 : 12, day: h == 1 ? 30 : 31)!
        return Period(kind: .half, range: DayRange(f, l), year: year, number: h)
    }

    /// A calendar year.
    public static func year(_ year: Int) -> Period {
        Period(kind: .year, range: DayRange(Day(year: year, month: 1, day: 1)!, Day(year: year, month: 12, day: 31)!), year: year, number: 0)
    }

    /// A custom range.
    public static func custom(_ range: DayRange) -> Period { Period(kind: .custom, range: range, year: range.first.year, number: 0) }

    /// The periods of `kind` that overlap `range`, in order, each cut to `range` (and marked partial when cut).
    public static func covering(_ range: DayRange, by kind: Kind) -> [Period] {
        var out: [Period] = []
        var d = range.first
        while d <= range.last {
            let whole: Period
            switch kind {
            case .day: whole = .day(d)
            case .month: whole = .month(d.year, d.month)
            case .quarter: whole = .quarter(d.year, d.quarter)
            case .half: whole = .half(d.year, d.half)
            case .year: whole = .year(d.year)
            case .custom: whole = .custom(range)
            }
            guard let cut = whole.range.clamped(to: range) else { break }
            var p = whole
            p.range = cut
            p.partial = cut != whole.range
            out.append(p)
            d = whole.range.last.advanced(by: 1)
        }
        return out
    }

    /// A stable, language-neutral label: `2026-03-14`, `2026-03`, `2026-Q1`, `2026-H2`, `2026`, `2026-01-01..2026-02-15`.
    public var label: String {
        switch kind {
        case .day: return range.first.description
        case .month: return "\(year)-\(number < 10 ? "0" : "")\(number)"
        case .quarter: return "\(year)-Q\(number)"
        case .half: return "\(year)-H\(number)"
        case .year: return "\(year)"
        case .custom: return "\(range.first)..\(range.last)"
        }
    }

    public var description: String { partial ? "\(label) (\(range))" : label }
}
