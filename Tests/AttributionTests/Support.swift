import Foundation
import Testing
@testable import Attribution
import TestSupport

/// Helpers shared by the Attribution tests: temporary folders, running the Python reference tools, fixtures, a
/// seeded random generator.
enum Support {
    /// The repository root, found from this file's path.
    static var repoRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    static var toolsDirectory: URL { repoRoot.appendingPathComponent("Tools/attribution") }

    /// A fixture file's text.
    static func fixture(_ name: String) throws -> String {
        let url = try #require(Bundle.module.url(forResource: "Fixtures/\(name)", withExtension: nil))
        return try String(contentsOf: url, encoding: .utf8)
    }

    /// A new empty temporary directory, removed by the caller's `defer`.
    static func temporaryDirectory() throws -> URL {
        TestScratch.folder("attr")
    }

    struct ToolFailure: Error, CustomStringConvertible {
        var description: String
    }

    /// Runs `python3 Tools/attribution/<script> args…` with `input` on standard input; returns standard output.
    /// Fails (never skips) when Python or a package from Tools/requirements-test.txt is missing.
    static func python(_ script: String, _ args: [String], input: String = "") throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", toolsDirectory.appendingPathComponent(script).path] + args
        let inPipe = Pipe(), outPipe = Pipe(), errPipe = Pipe()
        p.standardInput = inPipe
        p.standardOutput = outPipe
        p.standardError = errPipe
        try p.run()
        // Write stdin and drain stdout/stderr concurrently so that large outputs cannot deadlock.
        let writer = Thread { inPipe.fileHandleForWriting.write(Data(input.utf8)); try? inPipe.fileHandleForWriting.close() }
        writer.start()
        let box = ErrBox()
        let errReader = Thread { box.data = errPipe.fileHandleForReading.readDataToEndOfFile() }
        errReader.start()
        let out = outPipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        while errReader.isExecuting { usleep(1000) }
        guard p.terminationStatus == 0 else {
            throw ToolFailure(description: "python3 \(script) \(args.joined(separator: " ")) exited \(p.terminationStatus): "
                + String(decoding: box.data, as: UTF8.self) + " (pip install -r Tools/requirements-test.txt)")
        }
        return String(decoding: out, as: UTF8.self)
    }

    final class ErrBox: @unchecked Sendable { var data = Data() }
}

/// Bytes from hex text.
func hexBytes(_ s: some StringProtocol) -> [UInt8] {
    let u = Array(s.utf8)
    return stride(from: 0, to: u.count - 1, by: 2).map { UInt8(String(decoding: u[$0..<($0 + 2)], as: UTF8.self), radix: 16)! }
}

func hexString(_ b: some Sequence<UInt8>) -> String {
    b.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
}
