import Foundation
import Testing
@testable import Detectors
import PublicSuffix

@Suite struct DGAModelTests {
    static let scorer: DGAScorer = try! DGAScorer.bundled()

    /// Scores written by the Python reference scorer (Tools/dga/dgafeatures.py) when the model was trained. Both
    /// sides compute in float64 from the same stored weights and the bag is an exact integer sum, so they agree to
    /// rounding (≈1e-15); 1e-9 leaves room for libm differences in exp/log.
    @Test func matchesThePythonReferenceScorer() throws {
        let url = try #require(Bundle.module.url(forResource: "expected_scores", withExtension: "tsv", subdirectory: "DGAExpected"))
        let text = try String(contentsOf: url, encoding: .utf8)
        var checked = 0
        var worst = 0.0
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) where !line.hasPrefix("#") && !line.isEmpty {
            let parts = line.split(separator: "\t", omittingEmptySubsequences: false)
            try #require(parts.count == 2)
            let expected = try #require(Double(parts[1]))
            let got = Self.scorer.score(String(parts[0]))
            worst = max(worst, abs(got - expected))
            if abs(got - expected) > 1e-9 { Issue.record("\(parts[0]): swift \(got) python \(expected)") }
            checked += 1
        }
        print("DGA parity: \(checked) names, max |swift - python| = \(worst)")
        #expect(checked > 2_000)
        #expect(worst <= 1e-9)
    }

    @Test func scoresLookRight() {
        let s = Self.scorer
        for benign in ["google.com", "www.wikipedia.org", "mail.bbc.co.uk", "amazon.de"] {
            #expect(s.score(benign) < s.model.thresholdFPR1e3, "\(benign)")
        }
        for dga in ["xjwqkzpdhvbtr.com", "qx7vk2m9zt4wp1.net", "mjrgcqhuhlivmbtwpntopnhxprbm.biz"] {
            #expect(s.score(dga) > 0.9, "\(dga)")
        }
        // only the registrable label counts: sub-domains and case do not change the score
        #expect(s.score("a.b.c.xjwqkzpdhvbtr.com") == s.score("XJWQKZPDHVBTR.com."))
        // the word-coverage, IDN and hex features fold case too
        #expect(s.score("www.insearchoftheworld.com") == s.score("WWW.InSearchOfTheWorld.COM"))
        #expect(s.score("xn--bcher-kva.de") == s.score("XN--BCHER-KVA.DE"))
        #expect(s.score("29bca6cb72a665c8.com") == s.score("29BCA6CB72A665C8.com"))
        #expect(s.score("com") == 0)
        #expect(s.score("") == 0)
        var bad = "a..com"
        #expect(bad.withUTF8 { s.score(utf8: $0) } == nil)
    }

    @Test func thresholdsAreOrdered() {
        let m = Self.scorer.model
        #expect(m.thresholdFPR1e3 > 0 && m.thresholdFPR1e3 < m.thresholdFPR1e4 && m.thresholdFPR1e4 < 1)
        #expect(m.ngramRange.lowerBound >= 1)
        #expect(m.embeddingDim > 0 && m.hiddenUnits > 0)
    }

    @Test func rejectsBrokenModelFiles() throws {
        #expect(throws: DetectorsError.self) { try DGAModel(bytes: Array("NOTAMODEL".utf8)) }
        let good = try Self.bundledBytes()
        #expect(throws: DetectorsError.self) { try DGAModel(bytes: Array(good.dropLast(3))) }
        #expect(throws: DetectorsError.self) { try DGAModel(bytes: good + [0]) }
        do {
            _ = try DGAModel(bytes: Array(good.prefix(20)), source: "t.bin")
            Issue.record("expected an error")
        } catch {
            #expect(error.kind == .badModel)
            #expect(error.file == "t.bin")
        }
        #expect(try DGAModel(bytes: good).hashBits == Self.scorer.model.hashBits)
    }

    static func bundledBytes() throws -> [UInt8] {
        let url = SharedData.repoRoot.appendingPathComponent("Sources/Detectors/Resources/DGAModel/dga_model.bin")
        return [UInt8](try Data(contentsOf: url))
    }
}
