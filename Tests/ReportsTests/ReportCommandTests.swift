import EventStore
import Foundation
import SQLiteStore
import StoreFixtures
import Testing

/// `dnsight report` run as a user would, with its exit codes.
@Suite struct ReportCommandTests {
    @Test func exitCodesAndOutputs() throws {
        let bin = try dnsightBinary()
        let dir = tempDir()
        // No such store: 2.
        #expect(try run(bin, ["report", "--store", dir + "/missing.sqlite", "--out", dir + "/r.html"]).0 == 2)
        // A store with no traffic: 1.
        let empty = dir + "/empty.sqlite"
        _ = try SQLiteStore.open(path: empty)
        #expect(try run(bin, ["report", "--store", empty, "--out", dir + "/r.html"]).0 == 1)
        // A store with traffic: 0, in every format and both languages.
        let path = dir + "/s.sqlite"
        let store = try SQLiteStore.open(path: path)
        var obs: [TrafficObservation] = []
        for i in 0..<8 {
            let d = Build.device("acme", "d\(i)", region: i % 2 == 0 ? "APAC" : "NA")
            obs.append(Build.clean(d, Build.time("2026-02-0\(i + 1)")))
            if i < 6 { obs.append(Build.hit(d, Build.time("2026-05-0\(i + 1)"), "c2", family: "QSnatch")) }
        }
        try store.write(Build.batch(obs))
        for (format, lang) in [("html", "en"), ("md", "ja"), ("json", "en"), ("csv", "ja")] {
            let out = dir + "/report-\(lang).\(format)"
            let (status, stdout, _) = try run(bin, ["report", "--store", path, "--format", format, "--out", out, "--lang", lang, "--min-devices", "1"])
            #expect(status == 0, "\(format) \(lang)")
            #expect(FileManager.default.fileExists(atPath: out))
            #expect(stdout.contains("\(format) report: \(out)"))
        }
        // A range outside the data: 1; an inverted range: 2; a bad date or period: usage error (64).
        #expect(try run(bin, ["report", "--store", path, "--out", dir + "/x.html", "--from", "2025-01-01", "--to", "2025-03-31"]).0 == 1)
        #expect(try run(bin, ["report", "--store", path, "--out", dir + "/x.html", "--from", "2026-05-01", "--to", "2026-02-01"]).0 == 2)
        #expect(try run(bin, ["report", "--store", path, "--out", dir + "/x.html", "--from", "2026-13-01"]).0 == 64)
        #expect(try run(bin, ["report", "--store", path, "--out", dir + "/x.html", "--period", "custom"]).0 == 64)
        // The output cannot be written: 3.
        #expect(try run(bin, ["report", "--store", path, "--out", dir + "/no/such/dir/r.html"]).0 == 3)
        // --from/--to and --period shape the JSON.
        let json = dir + "/h.json"
        #expect(try run(bin, ["report", "--store", path, "--format", "json", "--out", json, "--period", "month", "--from", "2026-02-01", "--to", "2026-05-31"]).0 == 0)
        let text = try String(contentsOfFile: json, encoding: .utf8)
        #expect(text.contains("\"periodKind\" : \"month\"") && text.contains("\"2026-05\"") && !text.contains("\"2026-06\""))
    }
}
