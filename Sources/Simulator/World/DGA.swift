import Detectors
import Foundation

/// The domain generators the simulator's DGA families use. The interface follows the detectors' generators
/// (`Detectors.QSnatch`, `Detectors.Pykspa`): names for a Unix time, in generation order.
public protocol DGANameSource: Sendable {
    /// A short name for the ground truth ("stand-in", "detectors").
    var name: String { get }
    /// QSnatch variant A: the first `count` names (of 2,610) for Unix time `unixTime`.
    func qsnatchA(unixTime: Int64, count: Int) -> [String]
    /// Pykspa's improved DGA: names `0..<count` of set 1 (real, 20-day periods) or set 2 (noise, daily).
    func pykspa(set: Int, unixTime: Int64, count: Int) -> [String]
}

/// The families' own generators, from the detectors module (`Detectors.QSnatch`, `Detectors.Pykspa`), with the
/// Pykspa seeds (a few milliseconds each) cached for the process.
public struct DetectorsDGA: DGANameSource {
    /// Creates the source.
    public init() {}

    public var name: String { "detectors" }

    public func qsnatchA(unixTime: Int64, count: Int) -> [String] {
        // The first 435 names are the 15-day block; later blocks only when more are asked for.
        if count <= 435 {
            let bucket = unixTime >= 0 ? unixTime / 1_296_000 : -((-unixTime + 1_295_999) / 1_296_000)
            return Array(QSnatch.blockA(intervalPos: 0, bucket: bucket).prefix(count).map(\.domain))
        }
        return Array(QSnatch.domainsA(unixTime: unixTime).prefix(count))
    }

    public func pykspa(set: Int, unixTime: Int64, count: Int) -> [String] {
        let s: Pykspa.NameSet = set == 1 ? .real : .noise
        let period = Pykspa.period(s, unixTime: unixTime)
        let key = UInt64(set) << 32 | UInt64(period)
        let seed: UInt32
        if let cached = Self.seeds.withLock({ $0[key] }) {
            seed = cached
        } else {
            seed = Pykspa.seed(period: period)
            Self.seeds.withLock { $0[key] = seed }
        }
        return Pykspa.improvedDomains(seed: seed, count: count)
    }

    static let seeds = SeedCache()

    /// A lock-protected cache of Pykspa seeds by set and period.
    final class SeedCache: @unchecked Sendable {
        private var table: [UInt64: UInt32] = [:]
        private let lock = NSLock()
        func withLock<R>(_ body: (inout [UInt64: UInt32]) -> R) -> R {
            lock.lock()
            defer { lock.unlock() }
            return body(&table)
        }
    }
}

/// A stand-in for the real generators until the detectors module lands: the same shapes (QSnatch-A's 15-day first
/// block of 5- and 6-character labels over its TLD table; Pykspa's 6–12-letter labels under com/net/org/info with
/// 20-day and daily periods), with labels from a keyed hash instead of the families' own algorithms.
public struct StandInDGA: DGANameSource {
    /// Creates the stand-in.
    public init() {}

    public var name: String { "stand-in" }

    static let qsnatchTLDs = ["cf", "tk", "com", "ml", "de", "rocks", "mx", "biz", "net", "cn", "ga", "gq", "org", "top", "nl", "men", "ws",
                              "se", "info", "xyz", "today", "ru", "ec", "co", "ee", "rs", "com.sv", "com.cy", "co.zw", "kg", "com.ge", "tl",
                              "name", "tw", "lv", "bs", "li", "ng", "ae", "bt", "tv", "pe", "uz", "me", "gy", "am", "kr", "by", "fr"]

    static func label(_ key: UInt64, _ n: Int, alphabet: [UInt8]) -> String {
        var r = SimRandom(state: key)
        var out = [UInt8]()
        for _ in 0..<n { out.append(alphabet[r.below(alphabet.count)]) }
        return String(decoding: out, as: UTF8.self)
    }

    static let base36 = Array("abcdefghijklmnopqrstuvwxyz0123456789".utf8)
    static let letters = Array("abcdefghijklmnopqrstuvwxyz".utf8)

    public func qsnatchA(unixTime: Int64, count: Int) -> [String] {
        // Generation order of variant A's first block: base lengths 5, 3, 4 over the TLD table, 15-day bucket.
        let bucket = unixTime >= 0 ? unixTime / 1_296_000 : -((-unixTime + 1_295_999) / 1_296_000)
        var out: [String] = []
        outer: for base in [5, 3, 4] {
            for tld in Self.qsnatchTLDs {
                if out.count >= count { break outer }
                let n = (tld == "com" || tld == "net" || tld == "org") ? base + 1 : base
                let key = SimRandom.mix(UInt64(bitPattern: bucket) ^ SimRandom.hash("qsnatch-a/" + tld))
                out.append(Self.label(key, n, alphabet: Self.base36) + "." + tld)
            }
        }
        return out
    }

    public func pykspa(set: Int, unixTime: Int64, count: Int) -> [String] {
        let period = set == 1 ? unixTime / 1_728_000 : unixTime / 86_400
        var s = SimRandom.mix(UInt64(period) ^ (set == 1 ? 0x5059_4B31 : 0x5059_4B32))
        var out: [String] = []
        for k in 0..<count {
            s = SimRandom.mix(s &+ UInt64(k))
            let length = Int(s % 7) + 6
            let tld = ["com", "net", "org", "info"][Int(s >> 8 & 3)]
            out.append(Self.label(s, length, alphabet: Self.letters) + "." + tld)
        }
        return out
    }
}
