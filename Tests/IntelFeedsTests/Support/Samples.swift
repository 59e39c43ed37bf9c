import DNSWire
import DNSightCore
import Foundation
@testable import IntelFeeds

/// The shared threat-intel samples (`../shared/data/intel`) and helpers over parse results.
enum Samples {
    static var intel: URL {
        var u = URL(fileURLWithPath: #filePath)
        for _ in 0..<5 { u.deleteLastPathComponent() }
        return u.appendingPathComponent("shared/data/intel")
    }

    static func path(_ rel: String) -> String { intel.appendingPathComponent(rel).path }

    static func bytes(_ rel: String) throws -> [UInt8] {
        guard let d = FileManager.default.contents(atPath: path(rel)) else { throw CocoaError(.fileNoSuchFile) }
        return [UInt8](d)
    }

    /// Parses a shared sample, detecting its format.
    static func parse(_ rel: String, format: FeedFormat? = nil) throws -> FeedParseResult {
        try FeedParser.parse(bytes(rel), format: format, context: FeedContext(file: path(rel)))
    }

    /// Parses text written in the test.
    static func parse(_ text: String, as format: FeedFormat?, file: String = "test.txt", scope: MatchScope? = nil) throws -> FeedParseResult {
        try FeedParser.parse(Array(text.utf8), format: format, context: FeedContext(file: file, scope: scope))
    }
}

extension FeedParseResult {
    /// The first indicator whose value prints as `text`.
    func first(_ text: String) -> Indicator? { indicators.first { $0.value.description == text } }
    /// Every indicator whose value prints as `text`.
    func all(_ text: String) -> [Indicator] { indicators.filter { $0.value.description == text } }
    /// The count of domain-valued indicators.
    var domainCount: Int { indicators.filter { if case .domain = $0.value { true } else { false } }.count }
    /// The lines of the diagnostics.
    var problemLines: [Int] { diagnostics.map(\.line) }
}

func dname(_ s: String) -> DNSName { try! DNSName(parsing: s) }
