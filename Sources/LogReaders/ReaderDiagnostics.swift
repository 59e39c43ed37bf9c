import DNSightCore

/// What a reader did with its input: records read, events emitted, and every record it skipped, by reason.
///
/// Nothing disappears without a counter: malformed records are counted per reason, with the first few examples
/// (file, line or byte offset, an excerpt) kept for the summary.
public struct ReaderDiagnostics: Sendable, Equatable {
    /// One malformed record kept as an example.
    public struct Example: Sendable, Equatable, CustomStringConvertible {
        /// Where it was.
        public var position: SourcePosition
        /// Why it was rejected.
        public var reason: String
        /// The start of the record, printable.
        public var excerpt: String
        public var description: String { "\(position): \(reason)\(excerpt.isEmpty ? "" : ": \(excerpt)")" }
    }

    /// How many examples are kept per reason.
    public static let examplesPerReason = 3

    /// Records (lines, frames, packets) looked at.
    public var recordsRead = 0
    /// Events produced.
    public var eventsEmitted = 0
    /// Records deliberately not turned into events (not DNS, upstream traffic, comments…), by reason.
    public var skipped: [String: Int] = [:]
    /// Records that could not be read, by reason.
    public var malformed: [String: Int] = [:]
    /// The first few malformed records of each reason.
    public var examples: [Example] = []

    /// Creates empty diagnostics.
    public init() {}

    /// Counts a malformed record and keeps it as an example if it is among the first of its reason.
    public mutating func malformed(_ reason: String, at position: SourcePosition, excerpt: String = "") {
        let n = malformed[reason, default: 0]
        malformed[reason] = n + 1
        if n < ReaderDiagnostics.examplesPerReason {
            examples.append(Example(position: position, reason: reason, excerpt: String(excerpt.prefix(120))))
        }
    }

    /// Counts a record skipped on purpose.
    public mutating func skipped(_ reason: String, count: Int = 1) { skipped[reason, default: 0] += count }

    /// The total of malformed records.
    public var malformedCount: Int { malformed.values.reduce(0, +) }

    /// Adds another reader's diagnostics to these (examples are kept up to the per-reason limit).
    public mutating func merge(_ other: ReaderDiagnostics) {
        recordsRead += other.recordsRead
        eventsEmitted += other.eventsEmitted
        for (k, v) in other.skipped { skipped[k, default: 0] += v }
        var seen = [String: Int]()
        for e in examples { seen[e.reason, default: 0] += 1 }
        for e in other.examples where seen[e.reason, default: 0] < ReaderDiagnostics.examplesPerReason {
            examples.append(e)
            seen[e.reason, default: 0] += 1
        }
        for (k, v) in other.malformed { malformed[k, default: 0] += v }
    }
}
