import Classifier
import DNSWire
import DNSightCore
import DomainMatcher
import Foundation
import Testing
import ThreatIntel

@Suite struct ClassifierTests {
    static let shared: URL = {
        var u = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { u.deleteLastPathComponent() }
        return u.appendingPathComponent("shared/data/intel")
    }()

    /// Real Maltrail trails (three families, to keep the debug-build test quick) plus an operator allowlist.
    static let classifier: Classifier = {
        var importer = IntelImporter()
        for family in ["qakbot", "lockbit", "emotet"] {
            _ = try! importer.importPath(shared.appendingPathComponent("maltrail/malware/\(family).txt").path)
        }
        _ = importer.importBytes(Array("decoder.re\n".utf8), file: "allow.txt", options: ImportOptions(allowlist: true))
        return Classifier(snapshot: try! MatcherSnapshot(image: try! importer.buildImage(created: 0)))
    }()

    func event(_ name: String, answers: [DNSAnswer] = []) -> DNSEvent {
        DNSEvent(timeNanos: 0, clientAddress: IPAddress("192.0.2.1"), queryName: try! DNSName(parsing: name), queryType: .a,
                 answers: answers, position: SourcePosition(file: "t", byteOffset: 0))
    }

    func verdict(_ e: DNSEvent) -> Verdict? {
        if case .detected(let v) = Self.classifier.classify(e) { return v }
        return nil
    }

    @Test func queryNamesAndSubdomainsOfListedDomains() throws {
        let v = try #require(verdict(event("abc-hobbies.com")))
        #expect(v.family == "QakBot")
        // The family catalogue files QakBot under command-and-control.
        #expect(v.category == .commandAndControl)
        #expect(v.tier == .known)
        #expect(v.subject == .queryName)
        #expect(v.traits.contains(.initialAccessBroker))
        #expect(v.source == "maltrail")
        let sub = try #require(verdict(event("WWW.Abc-Hobbies.COM.")))
        #expect(sub.family == "QakBot")
        #expect(sub.matched.hasPrefix("abc-hobbies.com"))
        let lockbit = try #require(verdict(event("lockbit-decryptor.com")))
        #expect(lockbit.family == "LockBit" && lockbit.traits.contains(.ransomware))
    }

    @Test func cnameTargetsAndAnswerAddresses() throws {
        let cname = DNSAnswer(name: try DNSName(parsing: "innocent.example"), type: .cname, target: try DNSName(parsing: "x.lockbit-decryptor.com"))
        let v = try #require(verdict(event("innocent.example", answers: [cname])))
        #expect(v.family == "LockBit")
        #expect(v.subject == .cnameTarget(try DNSName(parsing: "x.lockbit-decryptor.com")))
        let a = DNSAnswer(name: try DNSName(parsing: "cdn.example"), type: .a, address: IPAddress("66.210.228.178"))
        let ip = try #require(verdict(event("cdn.example", answers: [a])))
        #expect(ip.family == "Emotet")
        #expect(ip.subject == .answerAddress(IPAddress("66.210.228.178")!))
    }

    @Test func allowlistWinsAndCleanNamesStayClean() {
        #expect(Self.classifier.classify(event("decoder.re")) == .allowed)
        #expect(Self.classifier.classify(event("www.decoder.re")) == .allowed)
        #expect(Self.classifier.classify(event("www.example.com")) == .clean)
        #expect(Self.classifier.classify(event("com")) == .clean)
    }
}
