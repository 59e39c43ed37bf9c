import DNSightCore
import Foundation
@testable import LogReaders
import TestSupport

/// Paths and helpers shared by the reader tests.
enum Shared {
    /// `../shared` beside the repository.
    static var directory: URL {
        var u = URL(fileURLWithPath: #filePath)
        for _ in 0..<5 { u.deleteLastPathComponent() }
        return u.appendingPathComponent("shared")
    }
    static func capture(_ name: String) -> String { directory.appendingPathComponent("data/captures/\(name)").path }

    /// Reads all events of `input` with `reader`.
    static func read<R: EventReader>(_ reader: R, _ input: ByteInput) throws -> ([DNSEvent], ReaderDiagnostics) {
        var r = reader
        var d = ReaderDiagnostics()
        var events = [DNSEvent]()
        try r.read(input, diagnostics: &d) { events.append($0) }
        return (events, d)
    }

    /// Runs a command and returns its standard output.
    @discardableResult
    static func run(_ command: String) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", command]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    static func temporaryDirectory() throws -> URL {
        TestScratch.folder("readers")
    }
}
