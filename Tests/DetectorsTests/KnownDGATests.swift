import Testing
@testable import Detectors

/// Every row of `shared/data/dga/vectors/*.tsv` must be reproduced exactly.
@Suite struct KnownDGAVectorTests {
    static func time(_ date: Substring, _ hhmm: Substring = "00:00") throws -> Int64 {
        let day = try #require(UTCDay(String(date)))
        let hour = try #require(Int64(hhmm.prefix(2)))
        return day.startUnixTime + hour * 3_600
    }

    @Test func qsnatchB() throws {
        let rows = try SharedData.tsv("vectors/qsnatch_b.tsv")
        #expect(rows.count == 1_800)
        var cache: [Substring: [String]] = [:]
        var mismatches = 0
        for r in rows {
            let names = try cache[r[0]] ?? QSnatch.domainsB(unixTime: Self.time(r[0]))
            cache[r[0]] = names
            #expect(names.count == QSnatch.countB)
            if names[Int(r[1])!] != String(r[2]) { mismatches += 1 }
        }
        #expect(mismatches == 0)
    }

    @Test func qsnatchA() throws {
        let rows = try SharedData.tsv("vectors/qsnatch_a.tsv")
        #expect(rows.count == 219_240)
        var current: (key: String, names: [String]) = ("", [])
        var mismatches = 0
        var midnightRows: [Substring: Int] = [:]
        for r in rows {
            let key = "\(r[0]) \(r[1])"
            if key != current.key {
                current = (key, QSnatch.domainsA(unixTime: try Self.time(r[0], r[1])))
                #expect(current.names.count == QSnatch.countA)
            }
            if r[1] == "00:00" { midnightRows[r[0], default: 0] += 1 }
            if current.names[Int(r[2])!] != String(r[3]) {
                mismatches += 1
                if mismatches < 5 { Issue.record("\(key) #\(r[2]): \(current.names[Int(r[2])!]) != \(r[3])") }
            }
        }
        #expect(mismatches == 0)
        #expect(midnightRows.count == 12)
        #expect(midnightRows.values.allSatisfy { $0 == QSnatch.countA })
    }

    @Test func pykspaSeeds() throws {
        let rows = try SharedData.tsv("vectors/pykspa_improved_seeds.tsv")
        #expect(rows.count == 24)
        for r in rows {
            let set = try #require(Pykspa.NameSet(rawValue: Int(r[1])!))
            let n = Pykspa.period(set, unixTime: try Self.time(r[0]))
            #expect(String(n) == r[3])
            #expect(Int64(r[2])! * 86_400 == set.periodSeconds)
            #expect(Pykspa.periodHash(n) == String(r[4]))
            #expect(String(Pykspa.seed(period: n)) == r[5])
        }
        #expect(Pykspa.seed(period: 949) == 721_871_054)
        #expect(Pykspa.seed(period: 18_993) == 802_629_159)
    }

    @Test func pykspaImproved() throws {
        let rows = try SharedData.tsv("vectors/pykspa_improved.tsv")
        #expect(rows.count == 24_000)
        var cache: [String: [String]] = [:]
        var mismatches = 0
        for r in rows {
            let key = "\(r[0]) \(r[1])"
            let set = try #require(Pykspa.NameSet(rawValue: Int(r[1])!))
            let names = try cache[key] ?? Pykspa.improvedDomains(set, unixTime: Self.time(r[0]), count: 1_000)
            cache[key] = names
            if names[Int(r[2])!] != String(r[3]) { mismatches += 1 }
        }
        #expect(mismatches == 0)
        // The stream does not depend on how many names are asked for.
        let seed = Pykspa.seed(period: 949)
        #expect(Pykspa.improvedDomains(seed: seed, count: 10) == Array(Pykspa.improvedDomains(seed: seed, count: 1_000).prefix(10)))
    }

    @Test func pykspaPrecursor() throws {
        let rows = try SharedData.tsv("vectors/pykspa_precursor.tsv")
        #expect(rows.count == 60_000)
        var cache: [Substring: [String]] = [:]
        var mismatches = 0
        for r in rows {
            let names = try cache[r[0]] ?? Pykspa.precursorDomains(unixTime: Self.time(r[0]))
            cache[r[0]] = names
            #expect(names.count == Pykspa.precursorCount)
            if names[Int(r[1])!] != String(r[2]) { mismatches += 1 }
        }
        #expect(mismatches == 0)
    }
}
