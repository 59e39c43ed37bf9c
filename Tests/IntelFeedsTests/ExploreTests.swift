import Testing
@testable import IntelFeeds
import Foundation

@Test func explore() throws {
    let base = "/work/shared/data/intel/"
    var files = try FileManager.default.contentsOfDirectory(atPath: base + "samples").filter { !$0.hasSuffix(".md") }.map { base + "samples/" + $0 }
    for f in ["malware", "malicious"] {
        files += try FileManager.default.contentsOfDirectory(atPath: base + "maltrail/" + f).map { base + "maltrail/\(f)/" + $0 }
    }
    var total = 0
    for f in files.sorted() {
        let bytes = [UInt8](FileManager.default.contents(atPath: f)!)
        let detected = FeedFormat.detect(bytes, fileName: f)
        do {
            let r = try FeedParser.parse(bytes, context: FeedContext(file: f))
            total += r.kept
            print("\(f.split(separator: "/").suffix(2).joined(separator: "/")) \(r.format) kept=\(r.kept) skipped=\(r.skipped) diags=\(r.diagnostics.count) defaults=\(r.defaults.category as Any)/\(r.defaults.family ?? "-")")
            for d in r.diagnostics.prefix(4) { print("   ", d) }
            for i in r.indicators.prefix(2) { print("    +", i) }
        } catch {
            print("\(f) detected=\(detected) ERROR \(error)")
        }
    }
    print("TOTAL", total)
}
