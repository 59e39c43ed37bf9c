import Foundation
import Testing

/// The built `dnsight intel` commands, run as a user would, with their exit codes.
@Suite(.serialized) struct CommandTests {
    @Test func importMaltrailThenLookup() throws {
        let dir = Support.tempFolder("cli")
        let snap = dir + "/intel.snapshot"
        try Support.write("# corporate allowlist\ngood.petcp.com\n", to: dir + "/allow.txt")
        let imp = try Support.dnsight(["intel", "import", Support.intel + "/maltrail", "--allow", dir + "/allow.txt", "--snapshot", snap])
        #expect(imp.status == 0, "\(imp.stderr)")
        #expect(imp.stdout.contains("emotet.txt: maltrail (source maltrail)"))
        #expect(imp.stdout.contains("allow.txt: list (source allow) allowlist: 1 kept"))

        // Names taken from the trail files: family and category from the catalogue, subdomains covered.
        let r = try Support.dnsight(["intel", "lookup", "--snapshot", snap, "--json", "dvr.petcp.com", "x.y.decoder.re", "rrrr.bedclop.com", "good.petcp.com", "example.org"])
        #expect(r.status == 0)
        let results = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [[String: Any]]
        func decided(_ k: Int) -> [String: Any] { results[k]["decidedBy"] as? [String: Any] ?? [:] }
        #expect(results.map { $0["verdict"] as! String } == ["listed", "listed", "listed", "allowed", "no-match"])
        #expect(decided(0)["family"] as? String == "Emotet" && decided(0)["category"] as? String == "c2")
        #expect((decided(0)["tags"] as? [String])?.contains("iab") == true)
        #expect(decided(0)["reference"] as? String == "https://twitter.com/_lockhum/status/1221245124707078144")
        #expect((decided(0)["file"] as? String)?.hasSuffix("maltrail/malware/emotet.txt") == true && decided(0)["line"] as? Int == 14)
        #expect(decided(1)["family"] as? String == "REvil" && decided(1)["entry"] as? String == "decoder.re")
        #expect(decided(2)["family"] as? String == "Pykspa" && decided(2)["category"] as? String == "malware")
        #expect(decided(3)["source"] as? String == "allow")

        let text = try Support.dnsight(["intel", "lookup", "--snapshot", snap, "dvr.petcp.com"])
        #expect(text.stdout.contains("family     Emotet"))
        let none = try Support.dnsight(["intel", "lookup", "--snapshot", snap, "example.org", "good.petcp.com"])
        #expect(none.status == 1, "nothing listed")

        let stats = try Support.dnsight(["intel", "stats", "--snapshot", snap, "--json"])
        #expect(stats.status == 0)
        let st = try JSONSerialization.jsonObject(with: Data(stats.stdout.utf8)) as! [String: Any]
        #expect(((st["byFamily"] as? [String: Int])?["QakBot"] ?? 0) > 5000)
        #expect(((st["report"] as? [String: Any])?["files"] as? [Any])?.count == 56)
        let statsText = try Support.dnsight(["intel", "stats", "--snapshot", snap])
        #expect(statsText.stdout.contains("path without a host"))
    }

    @Test func diffAndDirectIntelAndExitCodes() throws {
        let dir = Support.tempFolder("diff")
        try Support.write("a.example\nb.example\n", to: dir + "/one.txt")
        try Support.write("b.example\nc.example\n", to: dir + "/two.txt")
        #expect(try Support.dnsight(["intel", "import", dir + "/one.txt", "--category", "phishing", "--source", "feed", "--snapshot", dir + "/1.snap"]).status == 0)
        #expect(try Support.dnsight(["intel", "import", dir + "/two.txt", "--category", "phishing", "--source", "feed", "--snapshot", dir + "/2.snap"]).status == 0)
        let d = try Support.dnsight(["intel", "diff", dir + "/1.snap", dir + "/2.snap"])
        #expect(d.status == 1)
        #expect(d.stdout.contains("1 added, 1 removed, 0 changed"))
        #expect(d.stdout.contains("+ c.example") && d.stdout.contains("- a.example"))
        #expect(try Support.dnsight(["intel", "diff", dir + "/1.snap", dir + "/1.snap"]).status == 0)

        // --merge keeps what the snapshot had.
        #expect(try Support.dnsight(["intel", "import", "--merge", dir + "/two.txt", "--snapshot", dir + "/1.snap"]).status == 0)
        #expect(try Support.dnsight(["intel", "lookup", "--snapshot", dir + "/1.snap", "a.example", "c.example"]).stdout.components(separatedBy: ": listed").count == 3)

        // Feeds given directly with --intel, no snapshot.
        let direct = try Support.dnsight(["intel", "lookup", "--intel", dir + "/one.txt", "www.a.example"])
        #expect(direct.status == 0 && direct.stdout.contains("www.a.example: listed"))

        // The XDG default location.
        let home = Support.tempFolder("home")
        let env = ["HOME": home, "XDG_DATA_HOME": "", "DNSIGHT_INTEL_SNAPSHOT": ""]
        #expect(try Support.dnsight(["intel", "import", dir + "/one.txt"], env: env).status == 0)
        #expect(FileManager.default.fileExists(atPath: home + "/.local/share/dnsight/intel.snapshot"))
        #expect(try Support.dnsight(["intel", "lookup", "a.example"], env: env).status == 0)

        // Errors: missing snapshot, missing path, a file that is not a feed.
        let missing = try Support.dnsight(["intel", "lookup", "--snapshot", dir + "/none.snap", "a.example"])
        #expect(missing.status == 2 && missing.stderr.contains("no intel snapshot"))
        #expect(try Support.dnsight(["intel", "import", dir + "/nope", "--snapshot", dir + "/x.snap"]).status == 2)
        try Support.write("{\"weather\": 1}", to: dir + "/odd.json")
        let partial = try Support.dnsight(["intel", "import", dir + "/odd.json", dir + "/one.txt", "--snapshot", dir + "/p.snap"])
        #expect(partial.status == 1 && partial.stderr.contains("odd.json"))
        #expect(try Support.dnsight(["intel", "import", dir + "/one.txt", "--format", "yaml"]).status == 64)
    }

    @Test func updateFetchesWithConditionalRequests() throws {
        let dir = Support.tempFolder("update")
        let www = dir + "/www"
        try FileManager.default.createDirectory(atPath: www, withIntermediateDirectories: true)
        try Support.write("0.0.0.0 first.example\n0.0.0.0 shared.example\n", to: www + "/hosts.txt")
        try Support.write("shared.example\n", to: dir + "/allow.txt")
        let log = dir + "/requests.log"
        let server = Process()
        server.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        server.arguments = ["python3", Support.fixtures + "/conditional_http_server.py", www, log]
        let out = Pipe()
        server.standardOutput = out
        try server.run()
        // SIGKILL: the test runner's threads block SIGTERM, and the child inherits that mask.
        defer { kill(server.processIdentifier, SIGKILL); server.waitUntilExit() }
        var portText = ""
        while !portText.hasSuffix("\n") {
            let d = out.fileHandleForReading.availableData
            if d.isEmpty { break }
            portText += String(decoding: d, as: UTF8.self)
        }
        let port = try #require(Int(portText.trimmingCharacters(in: .whitespacesAndNewlines)))
        let config = """
        [feed remote]
        url = http://127.0.0.1:\(port)/hosts.txt
        category = malware
        family = Emotet

        [feed gone]
        url = http://127.0.0.1:\(port)/missing.txt

        [allow mine]
        path = \(dir)/allow.txt
        """
        try Support.write(config, to: dir + "/feeds.conf")
        let args = ["intel", "update", "--config", dir + "/feeds.conf", "--cache", dir + "/cache", "--snapshot", dir + "/s.snap"]

        let first = try Support.dnsight(args)
        #expect(first.status == 1, "the missing feed fails: \(first.stdout) \(first.stderr)")
        #expect(first.stdout.contains("remote: fetched"))
        #expect(first.stderr.contains("gone: http://127.0.0.1:\(port)/missing.txt: HTTP 404"))
        let l1 = try Support.dnsight(["intel", "lookup", "--snapshot", dir + "/s.snap", "--json", "first.example", "shared.example"])
        #expect(l1.stdout.contains("\"family\" : \"Emotet\""))
        #expect(l1.stdout.contains("\"verdict\" : \"allowed\""))

        let second = try Support.dnsight(args)
        #expect(second.stdout.contains("remote: not modified"))
        #expect(try Support.dnsight(["intel", "lookup", "--snapshot", dir + "/s.snap", "first.example"]).status == 0, "the cached copy is imported")

        // A changed feed is fetched again.
        try Support.write("0.0.0.0 second.example\n", to: www + "/hosts.txt")
        let third = try Support.dnsight(args)
        #expect(third.stdout.contains("remote: fetched"))
        #expect(try Support.dnsight(["intel", "lookup", "--snapshot", dir + "/s.snap", "second.example"]).status == 0)
        #expect(try Support.dnsight(["intel", "lookup", "--snapshot", dir + "/s.snap", "first.example"]).status == 1)

        let requests = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n").filter { $0.hasPrefix("/hosts.txt") }
        #expect(requests.count == 3)
        #expect(requests[0].contains(" 200 inm=- ims=-"))
        #expect(requests[1].contains(" 304 inm=\""), "the second request sends the ETag back")
        #expect(!requests[1].contains("ims=-"), "and the Last-Modified date")
        #expect(requests[2].contains(" 200 inm=\""))
    }

    @Test func helpListsTheIntelCommands() throws {
        let h = try Support.dnsight(["intel", "--help"])
        for c in ["import", "stats", "lookup", "diff", "update"] { #expect(h.stdout.contains(c)) }
        let l = try Support.dnsight(["intel", "lookup", "--help"])
        #expect(l.stdout.contains("Exit codes: 0 at least one name or address is listed"))
    }
}
