import Testing
@testable import Detectors

@Suite struct KnownDGAIndexTests {
    static let day = UTCDay("2022-01-01")!

    @Test func attributesNamesForTheirDates() throws {
        let index = try KnownDGAIndex(around: Self.day, margin: 0)
        // QSnatch B and A (the 15-day, base-length-5 com name is shared: attributed to "qsnatch" either way)
        let b = QSnatch.domainsB(unixTime: Self.day.startUnixTime)
        #expect(index.families(of: b[0]) == ["qsnatch"])
        let shared = index.matches(for: "i79kgwbt36.com")
        #expect(Set(shared.map(\.variant)) == [.qsnatchA, .qsnatchB] || Set(shared.map(\.variant)) == [.qsnatchB])
        #expect(index.families(of: "I79KGWBT36.COM.") == ["qsnatch"])
        // an hourly QSnatch-A name of 23:00
        let late = QSnatch.domainsA(unixTime: Self.day.startUnixTime + 23 * 3_600)
        let m = index.matches(for: late[2_600])
        #expect(m.contains { $0.variant == .qsnatchA && $0.index == 2_600 && $0.validFrom == Self.day.startUnixTime + 23 * 3_600 })
        // Pykspa sets
        let real = Pykspa.improvedDomains(.real, unixTime: Self.day.startUnixTime, count: 1_000)
        #expect(index.matches(for: real[999]).contains { $0.variant == .pykspaImprovedReal && $0.index == 999 })
        let noise = Pykspa.improvedDomains(.noise, unixTime: Self.day.startUnixTime, count: 3)
        #expect(index.families(of: noise[2]) == ["pykspa"])
        let pre = Pykspa.precursorDomains(unixTime: Self.day.startUnixTime)
        #expect(index.matches(for: pre[4_999]).contains { $0.variant == .pykspaPrecursor && $0.index == 4_999 })
        // unrelated and malformed names
        #expect(index.matches(for: "wikipedia.org").isEmpty)
        #expect(index.matches(for: late.first { $0.contains("..") }!).isEmpty)
    }

    @Test func windowsMatter() throws {
        let noise = Pykspa.improvedDomains(.noise, unixTime: Self.day.startUnixTime, count: 1)[0]
        let later = try KnownDGAIndex(around: Self.day.adding(days: 10), margin: 1)
        #expect(later.matches(for: noise).isEmpty)
        let skewed = try KnownDGAIndex(around: Self.day.adding(days: 1), margin: 1)
        #expect(!skewed.matches(for: noise).isEmpty)
        let onlyB = try KnownDGAIndex(around: Self.day, margin: 0, variants: [.qsnatchB])
        #expect(onlyB.nameCount == QSnatch.countB)
    }

    @Test func generateCoversADay() {
        let a = KnownDGAIndex.generate(.qsnatchA, days: Self.day...Self.day)
        // 18,270 (index, name) pairs per day, less the `..com.bn` names (6 blocks' worth per bucket)
        let malformedPerDay = 3 * (1 + 1 + 1 + 3 + 12 + 24)
        #expect(a.count == 18_270 - malformedPerDay)
        #expect(Set(a.map(\.name)).count < a.count)     // a few short names recur within a day
        // 2021-12-29 (day 18990) starts a 15-day bucket; 2022-01-01 is in its middle
        let bucketStart = UTCDay("2021-12-29")!
        #expect(KnownDGAIndex.generate(.qsnatchB, days: bucketStart...bucketStart.adding(days: 14)).count == 150)
        #expect(KnownDGAIndex.generate(.qsnatchB, days: Self.day...Self.day.adding(days: 14)).count == 300)
        // 2022-01-02 (an even day number) starts a two-day precursor period
        let even = UTCDay("2022-01-02")!
        #expect(KnownDGAIndex.generate(.pykspaPrecursor, days: even...even.adding(days: 1)).count == 5_000)
        #expect(KnownDGAIndex.generate(.pykspaPrecursor, days: Self.day...Self.day.adding(days: 1)).count == 10_000)
        let n = KnownDGAIndex.generate(.pykspaImprovedNoise, days: Self.day...Self.day.adding(days: 2), pykspaImprovedCount: 10)
        #expect(n.count == 30)
    }

    @Test func rejectsBadWindows() {
        #expect(throws: DetectorsError.self) { try KnownDGAIndex(days: Self.day...Self.day.adding(days: 500)) }
        #expect(throws: DetectorsError.self) { try KnownDGAIndex(around: UTCDay(daysSinceEpoch: 0), margin: 2) }
        #expect(throws: DetectorsError.self) { try KnownDGAIndex(around: Self.day, margin: -1) }
    }
}
