import DNSightCore
import Foundation
import Testing
@testable import LogReaders

/// A manual throughput probe, not a timing assertion: with `DNSIGHT_READ_BENCH=FILE[:FILE…]` set (and a release
/// build: `swift test -c release -Xswiftc -enable-testing --filter ReadThroughput`), reads each file with the
/// detected reader and prints lines per second. Skipped otherwise.
@Suite struct ReadThroughputTests {
    @Test(.enabled(if: ProcessInfo.processInfo.environment["DNSIGHT_READ_BENCH"] != nil))
    func printLinesPerSecond() throws {
        for path in ProcessInfo.processInfo.environment["DNSIGHT_READ_BENCH"]!.split(separator: ":").map(String.init) {
            for _ in 0..<3 {
                let input = try ByteInput(path: path)
                let format = try LogFormat.detect(input)
                var reader = try format.makeReader(options: ReaderOptions())
                var d = ReaderDiagnostics()
                var checksum = 0
                let start = DispatchTime.now().uptimeNanoseconds
                try reader.read(input, diagnostics: &d) { checksum &+= Int($0.queryType.rawValue) }
                let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
                print("read-bench \(format) \(path): \(d.recordsRead) lines, \(d.eventsEmitted) events, \(d.malformedCount) malformed in \(String(format: "%.3f", seconds)) s = \(Int(Double(d.recordsRead) / seconds)) lines/s (checksum \(checksum))")
            }
        }
    }
}
