import DNSightCore
import Foundation
import Testing
@testable import LogReaders

/// A manual throughput probe, not a timing assertion: with `DNSIGHT_READ_BENCH=FILE[:FILE…]` set (and a release
/// build: `swift test -c release -Xswiftc -enable-testing --filter ReadThroughput`), reads each file with the
/// detected reader and prints lines per second. Skipped otherwise.
@Suite struct ReadThroughputTests {
    /// CPU time of the calling thread: unlike wall time, not inflated when other work shares the machine.
    static func threadCPUNanos() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }

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
                let cpuStart = Self.threadCPUNanos()
                try reader.read(input, diagnostics: &d) { checksum &+= Int($0.queryType.rawValue) }
                let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
                let cpu = Double(Self.threadCPUNanos() - cpuStart) / 1e9
                print("read-bench \(format) \(path): \(d.recordsRead) lines, \(d.eventsEmitted) events, \(d.malformedCount) malformed; wall \(String(format: "%.3f", seconds)) s = \(Int(Double(d.recordsRead) / seconds)) lines/s; thread CPU \(String(format: "%.3f", cpu)) s = \(Int(Double(d.recordsRead) / cpu)) lines/s per core (checksum \(checksum))")
            }
        }
    }
}
