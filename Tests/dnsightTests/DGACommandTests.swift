import Foundation
import Testing
@testable import dnsight
import Detectors

@Suite struct DGACommandTests {
    /// The built `dnsight` binary, next to the test bundle in the build products folder.
    static var binary: URL {
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("dnsight")
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate.path, isDirectory: &isDir), !isDir.boolValue { return candidate }
            dir = dir.deletingLastPathComponent()
        }
        return dir.appendingPathComponent("dnsight")
    }

    static func run(_ args: [String], stdin: Data? = nil) throws -> (status: Int32, out: String, err: String) {
        let p = Process()
        p.executableURL = binary
        p.arguments = args
        let outPipe = Pipe(), errPipe = Pipe(), inPipe = Pipe()
        p.standardOutput = outPipe
        p.standardError = errPipe
        p.standardInput = inPipe
        try p.run()
        // Feed stdin from another thread so that a large input cannot dead-lock against a full stdout pipe.
        let writer = Thread {
            if let stdin { inPipe.fileHandleForWriting.write(stdin) }
            try? inPipe.fileHandleForWriting.close()
        }
        writer.start()
        let out = outPipe.fileHandleForReading.readDataToEndOfFile()
        let err = errPipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: out, as: UTF8.self), String(decoding: err, as: UTF8.self))
    }

    static func fields(_ out: String) -> [[Substring]] {
        out.split(separator: "\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false) }
    }

    @Test func scoresArgumentsAndAttributesKnownFamilies() throws {
        let qsnatchB = QSnatch.domainsB(unixTime: UTCDay("2022-01-05")!.startUnixTime)[7]
        let pykspa = Pykspa.improvedDomains(.real, unixTime: UTCDay("2022-01-05")!.startUnixTime, count: 5)[3]
        let r = try Self.run(["dga", "score", "--date", "2022-01-05", "google.com", qsnatchB, pykspa.uppercased() + ".", "com"])
        #expect(r.status == 0, "\(r.err)")
        let rows = Self.fields(r.out)
        #expect(rows.count == 4)
        #expect(rows.allSatisfy { $0.count == 3 })
        #expect(rows[0][0] == "google.com")
        #expect(rows[0][2] == "-")
        #expect(rows[1][2] == "qsnatch")
        #expect(rows[2][2] == "pykspa")
        #expect(rows[3][1] == "0.000000")
        for row in rows {
            let s = try #require(Double(row[1]))
            #expect(s >= 0 && s <= 1)
        }
        #expect(try #require(Double(rows[0][1])) < 0.5)
    }

    @Test func familiesDependOnTheDate() throws {
        let name = QSnatch.domainsB(unixTime: UTCDay("2022-01-05")!.startUnixTime)[7]
        let far = try Self.run(["dga", "score", "--date", "2024-06-01", "--margin", "0", name])
        #expect(far.status == 0)
        #expect(Self.fields(far.out).first?[2] == "-")
        let off = try Self.run(["dga", "score", "--date", "2022-01-05", "--no-families", name])
        #expect(Self.fields(off.out).first?[2] == "-")
    }

    @Test func weakQSnatchAHitsCanBeIgnored() throws {
        // a 15-day, base-length-3 QSnatch-A name (index 145…289) is produced only by variant A
        let a = QSnatch.domainsA(unixTime: UTCDay("2022-01-05")!.startUnixTime)[150]
        let strong = try Self.run(["dga", "score", "--date", "2022-01-05", a])
        #expect(Self.fields(strong.out).first?[2] == "qsnatch")
        let weak = try Self.run(["dga", "score", "--date", "2022-01-05", "--ignore-weak", a])
        #expect(Self.fields(weak.out).first?[2] == "-")
    }

    @Test func streamsStandardInput() throws {
        var input = ""
        for i in 0..<20_000 { input += i % 2 == 0 ? "host\(i).example.com\n" : "x\(i)qzvkwpj\(i).net\r\n" }
        input += "\n   \nlast-line-without-newline.org"
        let r = try Self.run(["dga", "score", "--no-families"], stdin: Data(input.utf8))
        #expect(r.status == 0, "\(r.err)")
        let rows = Self.fields(r.out)
        #expect(rows.count == 20_001)
        #expect(rows.first?[0] == "host0.example.com")
        #expect(rows[1][0] == "x1qzvkwpj1.net")
        #expect(rows.last?[0] == "last-line-without-newline.org")
    }

    @Test func malformedNamesExitOne() throws {
        let r = try Self.run(["dga", "score", "--no-families"], stdin: Data("good.com\na..com\n\(String(repeating: "a", count: 300)).com\n".utf8))
        #expect(r.status == 1)
        let rows = Self.fields(r.out)
        #expect(rows.count == 3)
        #expect(rows[1][1] == "0.000000")
        #expect(r.err.contains("2 malformed"))
    }

    @Test func badUsage() throws {
        let r = try Self.run(["dga", "score", "--date", "2022-13-01", "x.com"])
        #expect(r.status == 64)
        let help = try Self.run(["dga", "score", "--help"])
        #expect(help.status == 0)
        #expect(help.out.contains("Exit codes"))
    }

    @Test func runnerFormatsLinesLikeTheBinary() throws {
        let runner = try DGAScoreRunner(day: UTCDay("2022-01-01")!, margin: 0, families: true)
        var out = OutputBuffer(capturing: ())
        var stats = DGAScoreRunner.Stats()
        for line in ["  aandqlg.cf \r", "", "wikipedia.org"] {
            var l = line
            l.withUTF8 { runner.scoreLine($0, into: &out, stats: &stats) }
        }
        let text = String(decoding: out.bytes, as: UTF8.self)
        let rows = Self.fields(text)
        #expect(stats.lines == 2)
        #expect(rows.count == 2)
        #expect(rows[0][0] == "aandqlg.cf")
        #expect(rows[0][2] == "qsnatch")
        #expect(rows[1][2] == "-")
        let expected = runner.scorer.score("wikipedia.org")
        #expect(abs(Double(rows[1][1])! - expected) <= 5e-7)
    }

    @Test func scoreFormatting() {
        var out = OutputBuffer(capturing: ())
        for s in [0.0, 1.0, 0.5, 0.1234564, 0.9999996, 1e-9] {
            out.appendScore(s)
            out.append(0x20)
        }
        #expect(String(decoding: out.bytes, as: UTF8.self) == "0.000000 1.000000 0.500000 0.123456 1.000000 0.000000 ")
    }
}
