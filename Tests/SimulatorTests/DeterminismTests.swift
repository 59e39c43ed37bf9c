import Foundation
import Testing
@testable import Simulator

@Suite struct DeterminismTests {
    /// The same scenario, seed and formats give byte-identical files: traffic in every format, inventory, intel,
    /// ground truth and summary.
    @Test func sameSeedSameBytes() throws {
        let scenario = try Fixtures.tinyWithTunnel()
        let a = Fixtures.folder("determinism-a"), b = Fixtures.folder("determinism-b")
        _ = try Simulator.run(scenario: scenario, outDir: a, formats: OutputFormat.allCases, seed: 99)
        _ = try Simulator.run(scenario: scenario, outDir: b, formats: OutputFormat.allCases, seed: 99)
        let files = Fixtures.files(under: a)
        #expect(files == Fixtures.files(under: b))
        #expect(files.contains("ground-truth.json"))
        #expect(files.contains("inventory.csv"))
        #expect(files.filter { $0.hasPrefix("traffic/") }.count == OutputFormat.allCases.count * 3 + 1)
        for f in files {
            let x = try #require(FileManager.default.contents(atPath: a + "/" + f))
            let y = try #require(FileManager.default.contents(atPath: b + "/" + f))
            #expect(x == y, "\(f) differs")
        }
    }

    /// Another seed gives another world; the formats written do not change the traffic or the truth.
    @Test func seedMattersFormatsDoNot() throws {
        let scenario = try Fixtures.tiny()
        let a = Fixtures.folder("seed-a"), b = Fixtures.folder("seed-b"), c = Fixtures.folder("seed-c")
        _ = try Simulator.run(scenario: scenario, outDir: a, formats: [.zeek], seed: 1)
        _ = try Simulator.run(scenario: scenario, outDir: b, formats: [.zeek], seed: 2)
        _ = try Simulator.run(scenario: scenario, outDir: c, formats: [.zeek, .dnstap, .bind], seed: 1)
        let zeek = "traffic/zeek/dns.2022-01.log"
        #expect(FileManager.default.contents(atPath: a + "/" + zeek) != FileManager.default.contents(atPath: b + "/" + zeek))
        #expect(FileManager.default.contents(atPath: a + "/" + zeek) == FileManager.default.contents(atPath: c + "/" + zeek))
        #expect(FileManager.default.contents(atPath: a + "/ground-truth.json") == FileManager.default.contents(atPath: c + "/ground-truth.json"))
    }
}
