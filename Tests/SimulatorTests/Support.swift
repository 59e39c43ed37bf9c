import Foundation
@testable import Simulator
import TestSupport

/// Shared fixtures: a tiny world whose ground truth can be worked out by hand, and temporary folders.
enum Fixtures {
    /// Nine devices in three organisations over the first quarter of 2022:
    /// - Acme Manufacturing (APAC, manufacturing): 2 PCs and a NAS — the NAS gets QSnatch;
    /// - Beta Bank (APAC, financial services): 2 PCs — one gets Emotet and is handed to LockBit two days later;
    /// - Home Net (NA, ISP): 2 households with a phone and a PC each — one PC gets Pykspa, one phone clicks one
    ///   phishing link of one campaign on a financial brand.
    /// Every malicious name is in the intel files (unknownShare 0).
    static let tinyYAML = """
    name: tiny
    seed: 7
    period: {start: "2022-01-01", end: "2022-03-31"}
    warmStart: false
    regions:
      - {name: APAC, countries: [JP], utcOffsetHours: 9}
      - {name: NA, countries: [US], utcOffsetHours: -5}
    isps:
      - {name: Home Net, region: NA, country: US, households: 2, household: {phone: 1, pc: 1}}
    enterprises:
      - name: Acme Manufacturing
        region: APAC
        industry: manufacturing
        siteList: [{name: hq, devices: {pc: 2, nas: 1}}]
      - name: Beta Bank
        region: APAC
        industry: financial-services
        siteList: [{name: hq, devices: {pc: 2}}]
    traffic:
      queriesPerDay: {phone: 3, pc: 3, nas: 2}
      domains: 300
    intel: {unknownShare: 0}
    infections:
      - name: qsnatch
        behaviour: qsnatch
        family: QSnatch
        segment: enterprise
        deviceTypes: [nas]
        organisationsPerQuarter: {default: 1.0}
        devicesPerOrganisation: [1, 1]
        days: [30, 30]
        runsPerDay: 1
        namesPerRun: [3, 3]
        contactsPerDay: 1
      - name: emotet
        behaviour: beacon
        family: Emotet
        segment: enterprise
        deviceTypes: [pc]
        organisationsPerQuarter: {default: 1.0}
        industryWeights: {financial-services: 1, default: 0}
        devicesPerOrganisation: [1, 1]
        days: [20, 20]
        domains: 2
        intervalMinutes: [120, 120]
        handoff: {share: {default: 1.0}, families: {LockBit: 1}, delayDays: [2, 2], days: [3, 3], intervalMinutes: [240, 240], domains: 1}
      - name: pykspa
        behaviour: pykspa
        family: Pykspa
        segment: home
        deviceTypes: [pc]
        devicesPerQuarter: {default: 0.5}
        days: [10, 10]
        runsPerDay: 1
        namesPerRun: [10, 10]
        resolvingShare: 0
    phishing:
      campaignsPerQuarter: 1
      industries: {financial-services: 1}
      domainsPerCampaign: [1, 1]
      days: [5, 5]
      victims: {default: [1, 1]}
      deviceTypes: [phone]
    """

    static func tiny() throws -> Scenario { try Scenario(yaml: tinyYAML, file: "tiny.yaml") }

    /// The tiny world with a DNS tunnel too, so that every category appears (for the format round trips).
    static func tinyWithTunnel() throws -> Scenario {
        var s = try tiny()
        s.infections!.append(InfectionSpec(name: "tunnel", behaviour: "tunnel", family: nil, segment: "enterprise", deviceTypes: ["pc"],
                                           devicesPerQuarter: ["default": 0.5], organisationsPerQuarter: nil, devicesPerOrganisation: nil,
                                           industryWeights: nil, days: [1, 1], unknownShare: nil, domains: 1, intervalMinutes: nil, jitter: nil,
                                           runsPerDay: nil, namesPerRun: nil, resolvingShare: nil, contactsPerDay: nil, sessionsPerDay: [1, 1],
                                           queriesPerSession: [20, 20], handoff: nil))
        return s
    }

    /// A fresh, empty temporary folder.
    static func folder(_ name: String) -> String {
        let path = TestScratch.root.appendingPathComponent("sim/\(name)").path
        try? FileManager.default.removeItem(atPath: path)
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Every regular file under a folder, relative paths, sorted.
    static func files(under root: String) -> [String] {
        guard let e = FileManager.default.enumerator(atPath: root) else { return [] }
        var out: [String] = []
        while let rel = e.nextObject() as? String {
            var d: ObjCBool = false
            if FileManager.default.fileExists(atPath: root + "/" + rel, isDirectory: &d), !d.boolValue { out.append(rel) }
        }
        return out.sorted()
    }
}

extension GroundTruth {
    func period(_ label: String) -> PeriodTruth? { periods.first { $0.label == label } }
}

extension PeriodTruth {
    func group(_ region: String, _ segment: String) -> GroupTruth? { groups.first { $0.region == region && $0.segment == segment } }
}
