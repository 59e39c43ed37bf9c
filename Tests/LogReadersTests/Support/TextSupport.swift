import DNSWire
import DNSightCore
import Foundation
import TestSupport
@testable import LogReaders

/// Helpers for the text-format reader tests.
enum Text {
    /// `Tests/LogReadersTests/Fixtures/<name>`.
    static func fixture(_ name: String) -> String {
        var u = URL(fileURLWithPath: #filePath)
        u.deleteLastPathComponent()
        u.deleteLastPathComponent()
        return u.appendingPathComponent("Fixtures/\(name)").path
    }

    /// Reads `text` with a line parser.
    static func read<P: LineEventParser>(_ parser: P, _ text: String, name: String = "mem") throws -> ([DNSEvent], ReaderDiagnostics) {
        try Shared.read(LineFormatReader(parser), ByteInput(bytes: Array(text.utf8), name: name))
    }

    /// Reads raw bytes with a line parser.
    static func read<P: LineEventParser>(_ parser: P, bytes: [UInt8], name: String = "mem") throws -> ([DNSEvent], ReaderDiagnostics) {
        try Shared.read(LineFormatReader(parser), ByteInput(bytes: bytes, name: name))
    }

    /// Reads a file with whatever reader auto-detection picks.
    static func readDetected(_ path: String, options: ReaderOptions = ReaderOptions()) throws -> (LogFormat, [DNSEvent], ReaderDiagnostics) {
        let input = try ByteInput(path: path)
        let format = try LogFormat.detect(input)
        let (events, d) = try Shared.read(format.makeReader(options: options), input)
        return (format, events, d)
    }

    static func name(_ s: String) -> DNSName { try! DNSName(parsing: s) }
    static func ip(_ s: String) -> IPAddress { IPAddress(s)! }

    /// Nanoseconds for a UTC civil time.
    static func utc(_ y: Int, _ mo: Int, _ d: Int, _ h: Int, _ mi: Int, _ s: Int, nanos: Int64 = 0) -> Int64 {
        TimeParse.nanos(year: y, month: mo, day: d, hour: h, minute: mi, second: s, nanos: nanos)!
    }

    /// Writes `data` to a new temporary file and returns its path.
    static func temporaryFile(_ data: [UInt8], suffix: String = "") throws -> String {
        let dir = try Shared.temporaryDirectory()
        let path = dir.appendingPathComponent("input\(suffix)").path
        try Data(data).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// gzip-compresses a file with the system gzip, returning the new path.
    static func gzip(_ path: String) throws -> String {
        try Shared.run("gzip -k -f '\(path)'")
        return path + ".gz"
    }

    /// Bytes that look like a binary file (an ELF header and random bytes, NULs included).
    static var binaryGarbage: [UInt8] {
        var g = SeededRandom(seed: 0xDEAD_BEEF)
        return [0x7F, 0x45, 0x4C, 0x46, 2, 1, 1, 0] + (0..<4000).map { _ in UInt8.random(in: 0...255, using: &g) }
    }
}
