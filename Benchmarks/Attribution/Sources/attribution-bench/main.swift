import Attribution
import DNSWire
import DNSightCore
import Foundation

// Single-threaded throughput of the Attribution module. Each figure is the best of `rounds` timed runs.

struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

let rounds = 5
nonisolated(unsafe) var sink = 0

/// CPU time of this thread, in seconds: other processes on a shared machine do not count against us.
func threadCPUTime() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

/// Runs `body` `rounds` times; returns the best rate in operations per thread-CPU-second.
/// `ATTRIBUTION_BENCH_ONLY=text` runs only the measurements whose name contains `text` (for profiling one).
let only = ProcessInfo.processInfo.environment["ATTRIBUTION_BENCH_ONLY"]

func measure(_ name: String, operations: Int, _ body: () -> Int) -> Double {
    if let only, !name.contains(only), !name.hasPrefix("inventory: parse") { return 0 }
    var best = Double.infinity
    for _ in 0..<rounds {
        let start = threadCPUTime()
        sink &+= body()
        best = min(best, threadCPUTime() - start)
    }
    let rate = Double(operations) / best
    let pretty = rate >= 1e6 ? String(format: "%.1f M/s", rate / 1e6) : String(format: "%.0f k/s", rate / 1e3)
    print(String(format: "%-64@ %12@   (%d ops in %.3f s)", name as NSString, pretty as NSString, operations, best))
    return rate
}

var rng = SplitMix(state: 42)
let args = CommandLine.arguments

// MARK: inventory with 100,000 IPv4 and 100,000 IPv6 CIDRs, written as CSV and loaded the way users load it.

let cidrCount = 100_000
var csv = "cidr,organisation,segment,region,country,industry,device_type,site\n"
let regions = ["APAC", "NA", "EMEA", "LATAM"], segments = ["enterprise", "home"]
var v4Prefixes = [(UInt32, Int)]()
for i in 0..<cidrCount {
    // Lengths as in real allocations: mostly /16–/28, some /8–/15 and host routes; nesting happens naturally.
    let r = Int.random(in: 0..<100, using: &rng)
    let len = r < 5 ? Int.random(in: 8...15, using: &rng) : (r < 95 ? Int.random(in: 16...28, using: &rng) : 32)
    let base = UInt32.random(in: 0...UInt32.max, using: &rng) & (len == 0 ? 0 : ~(UInt32.max >> UInt32(len)))
    v4Prefixes.append((base, len))
    csv += "\(IPv4Address(rawValue: base))/\(len),Org \(i % 5000),\(segments[i % 2]),\(regions[i % 4]),JP,Industry \(i % 20),,Site \(i % 100)\n"
}
for i in 0..<cidrCount {
    let len = [32, 48, 56, 64][i % 4]
    let high = (0x2000_0000_0000_0000 | (rng.next() >> 3)) & ~(UInt64.max >> UInt64(len))
    csv += "\(IPv6Address(high: high, low: 0))/\(len),Org6 \(i % 5000),home,\(regions[i % 4]),DE,ISP,,\n"
}
let csvBytes = Array(csv.utf8)
print("Attribution benchmarks (one thread, CPU time, best of \(rounds)); inventory: \(cidrCount) IPv4 + \(cidrCount) IPv6 CIDRs")

var inventory = Inventory()
_ = measure("inventory: parse + validate + build, rows/s", operations: 2 * cidrCount) {
    var b = InventoryBuilder()
    try! b.add(csv: csvBytes, file: "bench.csv")
    inventory = b.build()
    return inventory.count
}
// Look-ups go through a local constant: calling methods on a top-level `var` makes Swift copy the whole struct
// (retaining every array in it) on each call, which is not what a program holding an `Inventory` pays.
let inv = inventory
print("  kept \(inventory.report.rowsKept) rows; \(inventory.intervalCounts.v4) IPv4 and \(inventory.intervalCounts.v6) IPv6 intervals")

// Probe addresses: half inside an inventory prefix, half uniformly random.
let probeCount = 1 << 20
var probes4 = [UInt32](), probes6 = [IPAddress]()
for i in 0..<probeCount {
    if i % 2 == 0 {
        let (base, len) = v4Prefixes[Int.random(in: 0..<v4Prefixes.count, using: &rng)]
        probes4.append(base | (UInt32.random(in: 0...UInt32.max, using: &rng) & (len == 32 ? 0 : UInt32.max >> UInt32(len))))
    } else {
        probes4.append(UInt32.random(in: 0...UInt32.max, using: &rng))
    }
}
for _ in 0..<(probeCount / 4) {
    probes6.append(.v6(IPv6Address(high: 0x2000_0000_0000_0000 | (rng.next() >> 3), low: rng.next())))
}
let probeAddrs4 = probes4.map { IPAddress.v4(IPv4Address(rawValue: $0)) }

let loops = 10
_ = measure("inventory LPM, IPv4, entry index (entryIndex(v4:)), lookups/s", operations: probeCount * loops) {
    var hits = 0
    for _ in 0..<loops { for a in probes4 where inv.entryIndex(v4: a) >= 0 { hits += 1 } }
    return hits
}
_ = measure("inventory LPM, IPv4, entry index (entryIndex(IPAddress)), lookups/s", operations: probeCount * loops) {
    var hits = 0
    for _ in 0..<loops { for a in probeAddrs4 where inv.entryIndex(a) >= 0 { hits += 1 } }
    return hits
}
_ = measure("inventory LPM, IPv6, entry index, lookups/s", operations: probes6.count * loops) {
    var hits = 0
    for _ in 0..<loops { for a in probes6 where inv.entryIndex(a) >= 0 { hits += 1 } }
    return hits
}
_ = measure("inventory LPM, IPv4, entry index, dependent chain (latency), lookups/s", operations: probeCount) {
    var hits = 0, carry: UInt32 = 0
    for a in probes4 {
        let i = inv.entryIndex(v4: a ^ carry)
        carry = UInt32(bitPattern: i) & 0x8000_0000 >> 31   // 0 or 1: makes each look-up wait for the one before
        hits &+= Int(i)
    }
    return hits
}
// A DNS-log-like stream: 2,000,000 queries from 20,000 clients inside inventory prefixes, popularity skewed.
let streamClients = (0..<20_000).map { _ -> IPAddress in
    let (base, len) = v4Prefixes[Int.random(in: 0..<v4Prefixes.count, using: &rng)]
    return .v4(IPv4Address(rawValue: base | (UInt32.random(in: 0...UInt32.max, using: &rng) & (len == 32 ? 0 : UInt32.max >> UInt32(len)))))
}
let lpmStream = (0..<2_000_000).map { _ -> IPAddress in
    let u = Double.random(in: 0..<1, using: &rng)
    return streamClients[Int(u * u * Double(streamClients.count))]
}
_ = measure("inventory lookup(address:) -> Attribution, IPv4, log-like stream, lookups/s", operations: lpmStream.count) {
    var hits = 0
    for a in lpmStream where inv.lookup(address: a) != nil { hits += 1 }
    return hits
}
let hotStream = (0..<2_000_000).map { i in streamClients[i % 256] }
_ = measure("inventory lookup(address:) -> Attribution, IPv4, 256 clients (cache-hot), lookups/s", operations: hotStream.count) {
    var hits = 0
    for a in hotStream where inv.lookup(address: a) != nil { hits += 1 }
    return hits
}
_ = measure("inventory lookup(address:) -> Attribution, IPv4, random addresses, lookups/s", operations: probeCount) {
    var hits = 0
    for a in probeAddrs4 where inv.lookup(address: a) != nil { hits += 1 }
    return hits
}

// MARK: AES and Crypto-PAn

let key = (0..<32).map { _ in UInt8.random(in: 0...255, using: &rng) }
let aes = try! AES128(key: key[0..<16])
_ = measure("AES-128 block encryptions/s", operations: 2_000_000) {
    var h: UInt64 = 1, l: UInt64 = 2
    for _ in 0..<2_000_000 { (h, l) = aes.encrypt(high: h, low: l) }
    return Int(truncatingIfNeeded: h ^ l)
}
let setupStart = threadCPUTime()
let anon = try! CryptoPAn(key: key)
print(String(format: "%-64@ %9.1f ms", "Crypto-PAn key setup (65,535 AES blocks for the /16 table)" as NSString, (threadCPUTime() - setupStart) * 1000))
let distinct4 = probes4.prefix(200_000).map { IPv4Address(rawValue: $0) }
_ = measure("Crypto-PAn IPv4, every address new (uncached), addresses/s", operations: distinct4.count) {
    var x: UInt32 = 0
    for a in distinct4 { x ^= anon.anonymize(a).rawValue }
    return Int(x)
}
let distinct6 = probes6.prefix(50_000).map { a -> IPv6Address in if case .v6(let v) = a { return v }; fatalError() }
_ = measure("Crypto-PAn IPv6, every address new (uncached), addresses/s", operations: distinct6.count) {
    var x: UInt64 = 0
    for a in distinct6 { x ^= anon.anonymize(a).low }
    return Int(truncatingIfNeeded: x)
}
// A DNS-log-like stream: 2,000,000 queries from 20,000 clients in 2,000 /24s, popularity skewed (squared uniform).
let clients = (0..<20_000).map { i in IPv4Address(rawValue: UInt32(0x0A00_0000 + (i / 10) * 256 + Int.random(in: 0...255, using: &rng))) }
let stream = (0..<2_000_000).map { _ -> IPv4Address in
    let u = Double.random(in: 0..<1, using: &rng)
    return clients[Int(u * u * Double(clients.count))]
}
var hitRate = 0.0
_ = measure("Crypto-PAn IPv4, log-like stream with CryptoPAnCache, addresses/s", operations: stream.count) {
    var cache = CryptoPAnCache(anon)
    var x: UInt32 = 0
    for a in stream { x ^= cache.anonymize(a).rawValue }
    hitRate = Double(cache.hits) / Double(cache.lookups)
    return Int(x)
}
print(String(format: "  (address-cache hit rate %.1f%%)", hitRate * 100))
let stream6 = (0..<500_000).map { _ -> IPv6Address in
    let u = Double.random(in: 0..<1, using: &rng)
    let c = Int(u * u * 5_000)
    return IPv6Address(high: 0x2001_0DB8_0000_0000 | UInt64(c / 4), low: UInt64(c) &* 0x9E37_79B9_7F4A_7C15)
}
_ = measure("Crypto-PAn IPv6, log-like stream with CryptoPAnCache, addresses/s", operations: stream6.count) {
    var cache = CryptoPAnCache(anon)
    var x: UInt64 = 0
    for a in stream6 { x ^= cache.anonymize(a).low }
    return Int(truncatingIfNeeded: x)
}

// MARK: MMDB (optional: --mmdb FILE, made by `python3 Tools/attribution/mmdb_tool.py benchdb FILE`)

if let i = args.firstIndex(of: "--mmdb"), i + 1 < args.count {
    let reader = try! MMDBReader(path: args[i + 1])
    print("MMDB \(args[i + 1]): \(reader.metadata.databaseType), \(reader.metadata.nodeCount) nodes, \(reader.metadata.recordSize)-bit records")
    // Random addresses in 20.0.0.0/8: the benchmark database covers its lower half.
    let addrs = (0..<500_000).map { _ in IPAddress.v4(IPv4Address(rawValue: 0x1400_0000 | UInt32.random(in: 0...0x00FF_FFFF, using: &rng))) }
    _ = measure("MMDB geo() (country + ASN fields only), IPv4, lookups/s", operations: addrs.count) {
        var n = 0
        for a in addrs { if let g = try! reader.geo(a), g.country != nil { n += 1 } }
        return n
    }
    _ = measure("MMDB lookup() (full record decoded), IPv4, lookups/s", operations: addrs.count / 5) {
        var n = 0
        for a in addrs.prefix(addrs.count / 5) where try! reader.lookup(a) != nil { n += 1 }
        return n
    }
}

// MARK: the attribute stage end to end

let attrConfig = AttributorConfiguration(inventory: inv, anonymiser: anon)
let events = probeAddrs4.prefix(500_000).map {
    DNSEvent(timeNanos: 0, clientAddress: $0, queryName: try! DNSName(parsing: "example.com"), queryType: .a,
             position: SourcePosition(file: "bench", byteOffset: 0))
}
_ = measure("Attributor (inventory + Crypto-PAn, all addresses distinct), events/s", operations: events.count) {
    var at = Attributor(attrConfig)
    var n = 0
    for var e in events where at.attribute(&e).source == .cidr { n += 1 }
    return n
}
let streamEvents = stream.prefix(1_000_000).map {
    DNSEvent(timeNanos: 0, clientAddress: .v4($0), queryName: try! DNSName(parsing: "example.com"), queryType: .a,
             position: SourcePosition(file: "bench", byteOffset: 0))
}
_ = measure("Attributor (inventory + Crypto-PAn, log-like stream), events/s", operations: streamEvents.count) {
    var at = Attributor(attrConfig)
    var n = 0
    for var e in streamEvents where at.attribute(&e).source == .cidr { n += 1 }
    return n
}
_ = measure("Attributor (inventory only, no anonymiser), events/s", operations: events.count) {
    var at = Attributor(AttributorConfiguration(inventory: inv))
    var n = 0
    for var e in events where at.attribute(&e).source == .cidr { n += 1 }
    return n
}
if sink == 42 { print("") }
