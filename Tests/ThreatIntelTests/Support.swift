import Foundation
import TestSupport

/// Paths, temporary folders and a runner for the built `dnsight` binary.
enum Support {
    static var repo: URL {
        var u = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { u.deleteLastPathComponent() }
        return u
    }

    static var intel: String { repo.deletingLastPathComponent().appendingPathComponent("shared/data/intel").path }
    static var fixtures: String { repo.appendingPathComponent("Tests/ThreatIntelTests/Fixtures").path }

    /// The `dnsight` executable SwiftPM built next to the test bundle.
    static var binary: String {
        var candidates: [URL] = []
        for a in CommandLine.arguments where a.contains(".xctest") || a.hasSuffix("PackageTests") {
            var u = URL(fileURLWithPath: a)
            while u.path != "/" && !u.lastPathComponent.hasSuffix(".xctest") { u.deleteLastPathComponent() }
            candidates.append(u.deletingLastPathComponent())
        }
        candidates.append(URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent())
        if let e = Bundle.main.executableURL { candidates.append(e.deletingLastPathComponent()) }
        for c in candidates {
            let p = c.appendingPathComponent("dnsight").path
            if FileManager.default.isExecutableFile(atPath: p) { return p }
        }
        return candidates.first!.appendingPathComponent("dnsight").path
    }

    /// A new empty folder for one test.
    static func tempFolder(_ name: String) -> String {
        TestScratch.path("intel-\(name)")
    }

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs `dnsight` with arguments and extra environment; waits for it.
    @discardableResult
    static func dnsight(_ args: [String], env: [String: String] = [:]) throws -> Result {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = args
        var e = ProcessInfo.processInfo.environment
        for (k, v) in env { e[k] = v }
        p.environment = e
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        let r = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Result(status: p.terminationStatus, stdout: String(decoding: o, as: UTF8.self), stderr: String(decoding: r, as: UTF8.self))
    }

    static func write(_ text: String, to path: String) throws {
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }
}
