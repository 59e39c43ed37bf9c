import DNSWire
import DNSightCore
@testable import Detectors
import TestSupport

/// Builds events and runs them through a chain.
enum Behaviour {
    /// The bundled scorer, loaded once.
    static let scorer: DGAScorer = try! DGAScorer.bundled()
    /// 2024-03-01 00:00:00 UTC.
    static let t0: Double = 1_709_251_200

    static func event(_ name: String, at t: Double, client: String = "10.1.2.3", type: RecordType = .a,
                      rcode: ResponseCode? = .noError, answers: [DNSAnswer] = []) -> DNSEvent {
        DNSEvent(timeNanos: Int64(t * 1e9), clientAddress: IPAddress(client), queryName: try! DNSName(parsing: name),
                 queryType: type, rcode: rcode, answers: answers, position: SourcePosition(file: "synthetic", byteOffset: 0))
    }

    /// Settings with only the named detectors on.
    static func only(_ names: String..., tweak: (inout DetectorSettings) -> Void = { _ in }) -> DetectorSettings {
        var s = DetectorSettings()
        for n in DetectorSettings.detectorNames { s.setEnabled(n, names.contains(n)) }
        tweak(&s)
        return s
    }

    /// Runs events (sorted by time) through a new chain; returns the chain and the verdicts by event index.
    @discardableResult
    static func run(_ settings: DetectorSettings, _ events: [DNSEvent], history: NewDomainHistory? = nil,
                    chain existing: DetectorChain? = nil) -> (chain: DetectorChain, verdicts: [(Int, Verdict)]) {
        var chain = existing ?? DetectorChain(settings: settings, scorer: scorer, history: history)
        var out: [(Int, Verdict)] = []
        for (i, e) in events.enumerated() {
            if let v = chain.observe(e, device: "org|" + (e.deviceKey ?? "-")) { out.append((i, v)) }
        }
        return (chain, out)
    }

    static func counters(_ c: DetectorChain, _ name: String) -> DetectorCounters {
        c.detectorCounters.first { $0.detector == name }!
    }

    /// A random lower-case string.
    static func random(_ n: Int, _ alphabet: String = "abcdefghijklmnopqrstuvwxyz0123456789", _ rng: inout SeededRandom) -> String {
        let a = Array(alphabet)
        return String((0..<n).map { _ in a[Int(rng.next() % UInt64(a.count))] })
    }

    /// Uniform in [0, 1).
    static func uniform(_ rng: inout SeededRandom) -> Double { Double(rng.next() >> 11) / Double(1 << 53) }

    /// Exponential with the given mean.
    static func exponential(mean: Double, _ rng: inout SeededRandom) -> Double { -mean * log1p(-uniform(&rng)) }
}

import Foundation
