import DNSightCore

/// Reads one input and produces normalised ``DNSEvent``s.
///
/// A reader throws only when the input as a whole cannot be read (unreadable, not this format at all, a broken
/// container); a malformed record inside a readable input is counted in the diagnostics and skipped.
public protocol EventReader {
    /// Reads every event of `input`, handing each to `emit` in input order.
    mutating func read(_ input: ByteInput, diagnostics: inout ReaderDiagnostics, emit: (DNSEvent) throws -> Void) throws
}

/// What a line parser made of one line.
public enum LineOutcome {
    /// The line is a DNS transaction.
    case event(DNSEvent)
    /// The line is not an event and that is fine (a comment, a header, a non-query log line); the reason is counted
    /// as skipped when given.
    case skip(reason: String?)
    /// The line was read into the parser's state (a query waiting for its reply, say); no event yet.
    case held
    /// The line completed zero or more earlier transactions (a reply that finished a held query, evicted
    /// queries…); the events are in input order of their first line.
    case events([DNSEvent])
}

/// A line that a parser could not read, and why (what was expected).
public struct LineError: Error, Equatable, Sendable {
    /// The reason, short and stable (it is a counter key), e.g. "bad timestamp", "expected 23 fields, got 5".
    public var reason: String
    /// Creates an error.
    public init(_ reason: String) { self.reason = reason }
}

/// Parses the lines of one line-oriented log format.
public protocol LineEventParser {
    /// The format's name in diagnostics (e.g. "Zeek dns.log").
    static var formatName: String { get }
    /// Parses one line. `file` is the input's name, for the event's position.
    mutating func parse(_ line: TextLine, file: String) throws(LineError) -> LineOutcome
    /// Called at the end of the input: the events still held (queries whose reply never came), and any counters to
    /// add to the diagnostics.
    mutating func finish(diagnostics: inout ReaderDiagnostics) -> [DNSEvent]
}

extension LineEventParser {
    /// Stateless parsers hold nothing.
    public mutating func finish(diagnostics: inout ReaderDiagnostics) -> [DNSEvent] { [] }
}

/// Drives a ``LineEventParser`` over an input: splits lines, counts and skips malformed ones, and decides when an
/// input is not this format at all.
public struct LineFormatReader<Parser: LineEventParser>: EventReader {
    /// The parser (its state, e.g. a Zeek header, persists across lines).
    public var parser: Parser
    /// The longest line accepted whole.
    public var maxLineLength: Int
    /// If this many lines in a row at the start of the input are malformed and none was an event, the input is
    /// rejected as not this format.
    public var sniffLines: Int
    /// Lines before the input (a chunk of a larger file): line numbers continue from here.
    public var lineNumberBase: Int
    /// The input is a later chunk of a file whose start was read elsewhere: malformed lines at its start are counted
    /// like any others, never taken as a sign that the file is not this format.
    public var isContinuation = false

    /// Creates a reader around a parser.
    public init(_ parser: Parser, maxLineLength: Int = 1 << 20, sniffLines: Int = 20, lineNumberBase: Int = 0) {
        self.parser = parser
        self.maxLineLength = maxLineLength
        self.sniffLines = sniffLines
        self.lineNumberBase = lineNumberBase
    }

    public mutating func read(_ input: ByteInput, diagnostics: inout ReaderDiagnostics, emit: (DNSEvent) throws -> Void) throws {
        var goodLines = 0, leadingBad = 0
        var firstErrors = [String]()
        let file = input.name
        let maxLen = maxLineLength
        try LineSplitter(maxLineLength: maxLen, lineNumberBase: lineNumberBase).forEachLine(in: input) { line in
            diagnostics.recordsRead += 1
            let position = SourcePosition(file: file, line: line.number, byteOffset: line.byteOffset)
            func bad(_ reason: String) throws {
                diagnostics.malformed(reason, at: position, excerpt: Self.excerpt(line.bytes))
                if goodLines == 0 && !isContinuation {
                    leadingBad += 1
                    if firstErrors.count < 3 { firstErrors.append("line \(line.number): \(reason)") }
                    if leadingBad >= sniffLines {
                        throw ReaderError(file: file, byteOffset: line.byteOffset, "does not look like a \(Parser.formatName) file: the first \(leadingBad) records are all malformed (\(firstErrors.joined(separator: "; ")))")
                    }
                }
            }
            if line.isTruncated { try bad("line longer than \(maxLen) bytes"); return }
            if let base = line.bytes.baseAddress, memchr(base, 0, line.bytes.count) != nil { try bad("binary data (NUL byte) in a text line"); return }
            do {
                switch try parser.parse(line, file: file) {
                case .event(let e):
                    goodLines += 1
                    diagnostics.eventsEmitted += 1
                    try emit(e)
                case .skip(let reason):
                    if let reason { diagnostics.skipped(reason) }
                case .held:
                    goodLines += 1
                case .events(let list):
                    goodLines += 1
                    diagnostics.eventsEmitted += list.count
                    for e in list { try emit(e) }
                }
            } catch let e as LineError {
                try bad(e.reason)
            }
        }
        if goodLines == 0 && leadingBad > 0 && !isContinuation {
            // Every record was malformed (a short file that never reached `sniffLines`): not this format either.
            throw ReaderError(file: file, byteOffset: 0, "does not look like a \(Parser.formatName) file: none of its \(leadingBad) records could be read (\(firstErrors.joined(separator: "; ")))")
        }
        let rest = parser.finish(diagnostics: &diagnostics)
        diagnostics.eventsEmitted += rest.count
        for e in rest { try emit(e) }
    }

    /// A printable excerpt of a line for diagnostics.
    static func excerpt(_ bytes: UnsafeRawBufferPointer) -> String {
        String(String(decoding: bytes.prefix(120), as: UTF8.self).map { $0.isASCII && ($0.asciiValue! < 0x20 || $0.asciiValue! == 0x7F) ? "?" : $0 })
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
