import DNSWire
import DNSightCore
import Foundation

/// What the behaviour detectors need to know about one query, worked out once per event by ``DetectorChain``: the
/// device, the time, the name as lower-case text bytes with its Public Suffix List split, and their hashes.
///
/// `name` points into a buffer owned by the chain and is valid only during the call that receives these facts;
/// a detector that keeps a name copies it (``nameString``), which only happens for evidence.
public struct QueryFacts {
    /// Whether detectors may build state and fire on this name.
    public enum Scope: Sendable, Hashable {
        /// An internet name with a registrable domain: watched.
        case watched
        /// `.arpa` or a special-use/internal suffix (`.local`, `.internal`, `cluster.local`…): never a detection.
        case internalName
        /// No registrable domain (a single label such as a browser's random probe, or a public suffix itself).
        case noRegistrableDomain
        /// On the behaviour detectors' benign list, or allowlisted by intel.
        case benign
    }

    /// ``StableHash`` of the device inside its organisation (`organisation|device`).
    public var deviceHash: UInt64
    /// Event time in nanoseconds and in whole seconds since 1970.
    public var timeNanos: Int64, seconds: Int64
    /// The query name: lower-case presentation bytes, no trailing dot.
    public var name: UnsafeBufferPointer<UInt8>
    /// ``StableHash`` of `name`.
    public var nameHash: UInt64
    /// Offsets into `name`: where the public suffix starts, and where the registrable domain starts (-1 if none).
    public var suffixStart: Int, registrableStart: Int
    /// ``StableHash`` of the registrable domain (0 if none) and of the public suffix.
    public var registrableHash: UInt64, suffixHash: UInt64
    /// The query type and the response code (nil when no response was seen).
    public var queryType: RecordType
    public var rcode: ResponseCode?
    /// Whether detectors may act on this name.
    public var scope: Scope
    /// Estimated distinct devices that queried the registrable domain (this worker, recent days).
    public var prevalence: Int
    /// The name lies under a platform suffix whose host labels are random by design (no DGA scoring).
    public var randomByDesign = false
    /// The registrable label's DGA score when the chain has it (NaN: not computed; ``DGAContext/score(_:)``).
    public var dgaScore: Float = .nan

    /// Whether the response was NXDOMAIN.
    public var isNXDomain: Bool { rcode == .nxDomain }
    /// Bytes left of the registrable domain, without the joining dot (0 for `example.com`, 3 for `www.example.com`).
    public var subdomainLength: Int { registrableStart > 0 ? registrableStart - 1 : 0 }
    /// The registrable label (`example` in `www.example.co.uk`).
    public var registrableLabel: UnsafeBufferPointer<UInt8> {
        guard registrableStart >= 0, suffixStart > registrableStart else { return UnsafeBufferPointer(rebasing: name[0..<0]) }
        return UnsafeBufferPointer(rebasing: name[registrableStart..<(suffixStart - 1)])
    }
    /// The name as a string.
    public var nameString: String { String(decoding: name, as: UTF8.self) }
    /// The registrable domain as a string (empty if none).
    public var registrableString: String {
        registrableStart >= 0 ? String(decoding: UnsafeBufferPointer(rebasing: name[registrableStart...]), as: UTF8.self) : ""
    }
    /// The public suffix as a string.
    public var suffixString: String { String(decoding: UnsafeBufferPointer(rebasing: name[suffixStart...]), as: UTF8.self) }

    /// Creates facts (the chain does this; tests may too).
    public init(deviceHash: UInt64, timeNanos: Int64, name: UnsafeBufferPointer<UInt8>, nameHash: UInt64,
                suffixStart: Int, registrableStart: Int, registrableHash: UInt64, suffixHash: UInt64, queryType: RecordType,
                rcode: ResponseCode?, scope: Scope, prevalence: Int) {
        self.deviceHash = deviceHash
        self.timeNanos = timeNanos
        self.seconds = timeNanos >= 0 ? timeNanos / 1_000_000_000 : (timeNanos - 999_999_999) / 1_000_000_000
        self.name = name
        self.nameHash = nameHash
        self.suffixStart = suffixStart
        self.registrableStart = registrableStart
        self.registrableHash = registrableHash
        self.suffixHash = suffixHash
        self.queryType = queryType
        self.rcode = rcode
        self.scope = scope
        self.prevalence = prevalence
    }
}

/// Shannon entropy and length helpers over name bytes, allocation-free.
public enum NameStatistics {
    /// Shannon entropy in bits per character of `bytes`, ignoring dots.
    public static func entropy(_ bytes: UnsafeBufferPointer<UInt8>) -> Double {
        withUnsafeTemporaryAllocation(of: UInt16.self, capacity: 256) { counts -> Double in
            counts.initialize(repeating: 0)
            var n = 0
            for b in bytes where b != UInt8(ascii: ".") {
                counts[Int(b)] &+= 1
                n += 1
            }
            guard n > 1 else { return 0 }
            var h = 0.0
            let inv = 1.0 / Double(n)
            for b in bytes where b != UInt8(ascii: ".") {
                let c = counts[Int(b)]
                if c > 0 {
                    let p = Double(c) * inv
                    h -= p * log2(p)
                    counts[Int(b)] = 0
                }
            }
            return h
        }
    }

    /// The length of the longest label in `bytes`.
    public static func longestLabel(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
        var best = 0, run = 0
        for b in bytes {
            if b == UInt8(ascii: ".") { run = 0 } else { run += 1; if run > best { best = run } }
        }
        return best
    }
}
