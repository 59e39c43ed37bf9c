import Foundation
import Testing
@testable import Simulator

@Suite struct ScenarioTests {
    static let docs: URL = {
        var u = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { u.deleteLastPathComponent() }
        return u.appendingPathComponent("Docs")
    }()

    @Test func defaultScenarioLoads() throws {
        let s = try Scenario.builtInDefault()
        #expect(s.regions.map(\.name) == ["APAC", "NA", "EMEA", "LATAM"])
        #expect(s.period == PeriodSpec(start: "2022-01-01", end: "2022-12-31"))
        #expect(try Scenario(contentsOf: "default") == s)
    }

    /// The schema people read (Docs/scenario.schema.json) is the one the loader enforces.
    @Test func docsSchemaIsTheEnforcedOne() throws {
        let docs = try String(contentsOf: Self.docs.appendingPathComponent("scenario.schema.json"), encoding: .utf8)
        #expect(docs == Scenario.jsonSchema)
        #expect((try JSONSerialization.jsonObject(with: Data(docs.utf8))) is [String: Any])
    }

    /// Every key the documentation's example uses is valid (the example in Docs/scenario.md is a whole scenario).
    @Test func docsExampleIsValid() throws {
        let md = try String(contentsOf: Self.docs.appendingPathComponent("scenario.md"), encoding: .utf8)
        let start = try #require(md.range(of: "```yaml\n"))
        let end = try #require(md.range(of: "```", range: start.upperBound..<md.endIndex))
        let s = try Scenario(yaml: String(md[start.upperBound..<end.lowerBound]), file: "scenario.md")
        #expect(!s.name.isEmpty)
    }

    static let minimal = """
    name: m
    period: {start: "2022-01-01", end: "2022-01-31"}
    regions: [{name: APAC, countries: [JP]}]
    enterprises: [{region: APAC, count: 2}]
    """

    func error(_ yaml: String) -> SimulatorError? {
        do { _ = try Scenario(yaml: yaml, file: "s.yaml"); return nil } catch { return error }
    }

    @Test func minimalScenarioIsValid() throws {
        let s = try Scenario(yaml: Self.minimal)
        #expect(s.enterprises.first?.count == 2)
    }

    @Test func unknownKeyIsNamedWithALineAndASuggestion() throws {
        let e = try #require(error(Self.minimal + "\nisp: []\n"))
        #expect(e.keyPath == "isp")
        #expect(e.line == 5)
        #expect(e.description.contains("did you mean 'isps'"))
        let nested = try #require(error(Self.minimal.replacingOccurrences(of: "count: 2", with: "cuont: 2")))
        #expect(nested.keyPath == "enterprises[0].cuont")
        #expect(nested.description.contains("did you mean 'count'"))
    }

    @Test func wrongTypesAndRangesAreNamed() throws {
        let t = try #require(error(Self.minimal.replacingOccurrences(of: "count: 2", with: "count: many")))
        #expect(t.keyPath == "enterprises[0].count")
        #expect(t.description.contains("expected an integer"))
        let r = try #require(error(Self.minimal.replacingOccurrences(of: "name: APAC", with: "name: MARS")))
        #expect(r.keyPath == "regions[0].name")
        #expect(r.description.contains("APAC, NA, EMEA, LATAM"))
        let d = try #require(error(Self.minimal.replacingOccurrences(of: "2022-01-31", with: "2022-02-30")))
        #expect(d.keyPath == "period.end")
        let back = try #require(error(Self.minimal.replacingOccurrences(of: "2022-01-31", with: "2021-12-31")))
        #expect(back.description.contains("ends before it starts"))
        let missing = try #require(error(Self.minimal.replacingOccurrences(of: "regions:", with: "areas:")))
        #expect(missing.description.contains("'regions' is missing"))
    }

    @Test func crossKeyRulesAreNamed() throws {
        let region = try #require(error(Self.minimal.replacingOccurrences(of: "{region: APAC, count: 2}", with: "{region: NA, count: 2}")))
        #expect(region.keyPath == "enterprises[0].region")
        #expect(region.description.contains("not among the scenario's regions"))
        let infection = Self.minimal + """

        infections:
          - {name: x, behaviour: beacon, family: Emotett, deviceTypes: [pc], devicesPerQuarter: {default: 0.1}, days: [5, 1], intervalMinutes: [10, 20]}
        """
        let fam = try #require(error(infection))
        #expect(fam.keyPath == "infections[0].family")
        #expect(fam.description.contains("did you mean 'Emotet'"))
        let backwards = try #require(error(infection.replacingOccurrences(of: "Emotett", with: "Emotet")))
        #expect(backwards.keyPath == "infections[0].days")
        #expect(backwards.description.contains("backwards"))
        let phishing = Self.minimal + """

        phishing: {campaignsPerQuarter: 1, industries: {agriculture: 1}, victims: {default: [1, 2]}}
        """
        let ind = try #require(error(phishing))
        #expect(ind.keyPath == "phishing.industries.agriculture")
    }

    @Test func notYAML() throws {
        let e = try #require(error("name: [unclosed\n"))
        #expect(e.description.contains("not valid YAML"))
        #expect(e.line != nil)
    }
}
