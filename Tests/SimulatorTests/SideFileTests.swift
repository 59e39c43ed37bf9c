import Attribution
import DNSWire
import DNSightCore
import Foundation
import IntelFeeds
import Testing
import ThreatIntel
@testable import Simulator

/// The intel files and the inventory say what the simulator's model says.
@Suite struct SideFileTests {
    static let dir = Fixtures.folder("sidefiles")
    static let state: SimState = {
        var s = try! Fixtures.tinyWithTunnel()
        s.intel = IntelSpec(unknownShare: 0.2, formats: nil)
        _ = try! Simulator.run(scenario: s, outDir: dir, formats: [], seed: 5)
        return try! SimState(scenario: s, seed: 5, dga: DetectorsDGA())
    }()

    /// `dnsight intel import` of the written folder gives every listed entry with the category, family, IAB and
    /// ransomware traits and targeted industries the ground truth used, and nothing unlisted.
    @Test func intelImportMatchesTheModel() throws {
        let state = Self.state
        var importer = IntelImporter()
        let files = try importer.importPath(Self.dir + "/intel")
        #expect(files.allSatisfy { $0.error == nil && $0.problemCount == 0 }, "\(files.filter { $0.error != nil || $0.problemCount > 0 })")
        let feeds = Set(state.threats.entries.filter(\.listed).map { e -> String in
            switch e.feed { case .maltrail: "maltrail"; case .phishtank: "phishtank"; case .threatfox: "threatfox-csv" }
        })
        #expect(Set(files.compactMap(\.format)) == feeds)
        var byName: [String: Indicator] = [:]
        for i in importer.indicators { byName[i.value.description] = i }
        let listed = state.threats.entries.filter(\.listed)
        let unlisted = state.threats.entries.filter { !$0.listed }
        #expect(!unlisted.isEmpty)
        #expect(byName.count == listed.count)
        for e in listed {
            let name = state.names.string(e.name)
            guard let i = byName[name] else { Issue.record("\(name) (\(e.family ?? "-"), \(e.feed)) is not in the intel files"); continue }
            #expect(i.category == e.category, "\(name)")
            #expect(i.family == e.family, "\(name)")
            #expect(i.scope == (e.exact ? .exact : .subdomain), "\(name)")
            #expect(i.tags.traits.contains(.initialAccessBroker) == e.traits.contains(.initialAccessBroker), "\(name)")
            #expect(i.tags.traits.contains(.ransomware) == e.traits.contains(.ransomware), "\(name)")
            #expect(i.tags.industries.map(\.rawValue).sorted() == e.industries, "\(name)")
            #expect(i.tier == .known)
        }
        for e in unlisted { #expect(byName[state.names.string(e.name)] == nil, "\(state.names.string(e.name)) \(e.family ?? "-")") }
    }

    /// Every device's address finds its row, with its organisation, segment, region, industry and type.
    @Test func inventoryAttributesEveryDevice() throws {
        let state = Self.state
        let inventory = try Inventory.load(path: Self.dir + "/inventory.csv", strict: true)
        #expect(inventory.report.rowsKept == state.world.devices.count)
        for d in state.world.devices {
            let org = state.world.organisations[Int(d.organisation)]
            let a = try #require(inventory.lookup(address: .v4(IPv4Address(rawValue: d.address))))
            #expect(a.organisation == org.name)
            #expect(a.segment?.rawValue == d.segment.name)
            #expect(a.region?.rawValue == state.world.regions[org.region].name)
            #expect(a.deviceType == d.kind.inventoryType)
            #expect((a.industry ?? "") == org.industry)
        }
    }
}
