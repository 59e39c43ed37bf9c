import DNSWire
import Testing
@testable import DNSightApp

/// The domain the store tracks for newly observed domains: the registrable domain (mission.md), lower-cased.
@Suite struct ObservedDomainTests {
    @Test(arguments: [
        ("www.example.com", "example.com"),
        ("a.b.c.Example.COM.", "example.com"),
        ("news.bbc.co.uk", "bbc.co.uk"),
        ("example.com", "example.com"),
        ("x1.y2.s3.amazonaws.com", "y2.s3.amazonaws.com"),   // private-section rule
        ("co.uk", "co.uk"),                                   // a public suffix itself: the whole name
        ("LOCALHOST", "localhost"),
    ])
    func registrableDomain(query: String, expected: String) throws {
        #expect(AnalyzeWorker.observedDomain(try DNSName(parsing: query)) == expected)
    }
}
