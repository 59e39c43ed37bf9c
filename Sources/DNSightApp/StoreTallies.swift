import CPrefetch
import DNSWire
import DNSightCore
import Detectors
import EventStore

extension AnalyzeWorker {
    /// The devices a worker has met, kept for the whole run, with each device's clean queries of the day it is
    /// counting. With a store, this table is also the worker's set of devices seen (a device is new when it has no
    /// entry), so a query costs one device look-up, not two. Each device gets a number in the worker once (its
    /// attributes built once, ``add(v4:key:info:)``); its entry counts its clean queries (``count(_:day:in:)``),
    /// which go into the batch when the device's day changes and before the batch is stored (``flush(into:)``).
    ///
    /// Devices without a device id and with an IPv4 client address are keyed by the address in an open-addressing
    /// table of 16-byte entries (an entry never straddles two cache lines, and the load the worker starts when the
    /// event starts is one line); the others get their number from a dictionary keyed by their ``DeviceKey``.
    struct StoreDevices: Sendable {
        /// One device's tally, 16 bytes.
        private struct Entry {
            /// The IPv4 address (entries of the address table).
            var address: UInt32 = 0
            /// The device's number in the worker (index into `infos`); -1: an empty entry.
            var number: Int32 = -1
            /// The day `queries` counts; `Int32.min` until the device's first clean query in the open batch (so
            /// that a device is registered in a batch on the way to counting its first query there).
            var day: Int32 = .min
            /// Clean queries on `day` not yet in the batch.
            var queries: UInt32 = 0
        }
        /// Where a device's entry is, valid until the next ``add(v4:key:info:)``: ≥ 0, an index into the address
        /// table; < 0, the bitwise complement of an index into `others`.
        typealias Ref = Int
        private var table = [Entry](repeating: Entry(), count: 1024)
        private var mask = 1023
        private var addresses = 0
        /// The entries of devices not keyed by an IPv4 address, by the index `byKey` gives.
        private var others: [Entry] = []
        private var byKey: [DeviceKey: Int32] = [:]
        private var infos: [DeviceInfo] = []
        /// Each device's slot in the open batch, by number (-1: not in it).
        private var batchSlots: [Int32] = []
        /// The devices with a slot in the open batch (their ``Ref``s: the entries do not move while a batch is open
        /// but for growth, so addresses are kept and looked up again).
        private var inBatch: [(address: UInt32, other: Int32)] = []

        /// Devices met.
        var count: Int { infos.count }

        @inline(__always) private static func start(_ a: UInt32, _ mask: Int) -> Int {
            Int(truncatingIfNeeded: (UInt64(a) &* 0x9E37_79B9_7F4A_7C15) >> 32) & mask
        }

        /// Starts loading the entry of the device keyed by `v4` (a hint only).
        @inline(__always) func prefetch(v4: UInt32) {
            table.withUnsafeBufferPointer { dnsight_prefetch($0.baseAddress! + Self.start(v4, mask)) }
        }

        /// The entry of the device keyed by `v4` (when it is keyed by its address) or else `key`; nil when the
        /// worker has not met the device yet (then ``add(v4:key:info:)`` it).
        @inline(__always) func find(v4: UInt32?, key: DeviceKey) -> Ref? {
            guard let v4 else { return byKey[key].map { ~Int($0) } }
            let i = find(v4)
            return table[i].number >= 0 ? i : nil
        }

        /// Adds a device the worker meets for the first time (``find(v4:key:)`` returned nil), with its attributes.
        /// No closure builds them here: one that captured the event made the caller copy it on every query.
        mutating func add(v4: UInt32?, key: DeviceKey, info: DeviceInfo) -> Ref {
            let n = Int32(infos.count)
            infos.append(info)
            batchSlots.append(-1)
            guard let v4 else {
                byKey[key] = Int32(others.count)
                others.append(Entry(number: n))
                return ~(others.count - 1)
            }
            table[find(v4)] = Entry(address: v4, number: n)
            addresses += 1
            if addresses * 2 > table.count { grow() }
            return find(v4)
        }

        /// Counts a clean query of the device `r` on `day` (the batch's observation count is the caller's:
        /// ``IngestBatch/addCountedElsewhere(_:)``).
        @inline(__always)
        mutating func count(_ r: Ref, day: Int32, in batch: inout IngestBatch) {
            if r >= 0 {
                let hit: Bool = table.withUnsafeMutableBufferPointer { t in
                    guard t[r].day == day && t[r].queries < .max else { return false }
                    t[r].queries &+= 1
                    return true
                }
                if hit { return }
            }
            countSlowly(r, day: day, in: &batch)
        }

        /// A clean query whose day is not the one its device's entry counts (or whose count is full, or whose device
        /// is not keyed by an address).
        private mutating func countSlowly(_ r: Ref, day: Int32, in batch: inout IngestBatch) {
            var e = r >= 0 ? table[r] : others[~r]
            if e.day != day || e.queries == .max {
                spill(e, in: &batch)
                if e.day == .min { _ = register(e, r, in: &batch) }
                e.day = day
                e.queries = 0
            }
            e.queries += 1
            if r >= 0 { table[r] = e } else { others[~r] = e }
        }

        /// The slot in `batch` of the device `r`, registered there on its first query in it.
        mutating func slot(_ r: Ref, in batch: inout IngestBatch) -> DeviceSlot {
            register(r >= 0 ? table[r] : others[~r], r, in: &batch)
        }

        private mutating func register(_ e: Entry, _ r: Ref, in batch: inout IngestBatch) -> DeviceSlot {
            let n = Int(e.number)
            if batchSlots[n] < 0 {
                batchSlots[n] = batch.newDevice(infos[n]).index
                inBatch.append(r >= 0 ? (e.address, -1) : (0, Int32(~r)))
            }
            return DeviceSlot(index: batchSlots[n])
        }

        /// Hands an entry's uncounted queries to the batch (the device has a slot there when it has some).
        private func spill(_ e: Entry, in batch: inout IngestBatch) {
            guard e.queries > 0 else { return }
            batch.addTraffic(device: DeviceSlot(index: batchSlots[Int(e.number)]), day: Day(index: e.day), queries: Int64(e.queries))
        }

        /// The entry of `a` in the address table, or the empty one where it would go.
        @inline(__always) private func find(_ a: UInt32) -> Int {
            table.withUnsafeBufferPointer { t in
                var i = Self.start(a, mask)
                while t[i].number >= 0 && t[i].address != a { i = (i + 1) & mask }
                return i
            }
        }

        private mutating func grow() {
            let old = table
            table = [Entry](repeating: Entry(), count: old.count * 2)
            mask = table.count - 1
            for e in old where e.number >= 0 { table[find(e.address)] = e }
        }

        /// Hands the counts the open batch does not hold yet to it and forgets the devices' slots in it: call before
        /// the batch is stored.
        mutating func flush(into batch: inout IngestBatch) {
            for (address, other) in inBatch {
                let r = other < 0 ? find(address) : ~Int(other)
                var e = r >= 0 ? table[r] : others[~r]
                spill(e, in: &batch)
                batchSlots[Int(e.number)] = -1
                e.day = .min
                e.queries = 0
                if r >= 0 { table[r] = e } else { others[~r] = e }
            }
            inBatch.removeAll(keepingCapacity: true)
        }

        /// The IPv4 addresses of the devices keyed by one.
        var v4Addresses: [UInt32] { table.compactMap { $0.number >= 0 ? $0.address : nil } }
        /// The keys of the other devices.
        var otherKeys: Dictionary<DeviceKey, Int32>.Keys { byKey.keys }
    }

    /// The registrable domains of query names already seen, with each name's sightings in the open batch: the
    /// common case (a name asked again) costs one look-up (whose load the worker starts when the event starts)
    /// instead of formatting the name, splitting it by the Public Suffix List and updating the batch's sighting.
    /// The sightings go into the batch before it is stored (``flush(into:)``). Bounded: emptied (after handing its
    /// sightings over) when it holds `limit` names.
    struct ObservedDomainCache: Sendable {
        // Open addressing keyed by a fingerprint of the name's wire bytes (96 of the 128 bits of `StableHash.hash128`;
        // a name in another letter case is another entry with the same domain): cheaper per query than a dictionary
        // keyed by `DNSName`, whose hashing and case-insensitive comparison showed in the store's profile. A repeated
        // name costs one memory read: its 32-byte slot (never straddling two cache lines) holds the fingerprint and
        // its sighting, where comparing its bytes with a stored copy cost a second, cache-missing one; two distinct
        // names of a run sharing 96 bits is far less likely than a memory error. The domain's index is beside the
        // table (`entryOf`): only a name's first query in a batch and flagged queries read it.
        private struct Slot {
            var key: UInt64
            /// The fingerprint's other 32 bits.
            var check: UInt32
            /// The day of this name's last query in the open batch (`Int32.min`: none).
            var lastDay: Int32
            /// This name's first query in the open batch (`.max`: none), and its first that resolved (`.max`: none).
            var first: Int64
            var firstResolved: Int64
        }
        private static let empty = Slot(key: 0, check: 0, lastDay: .min, first: .max, firstResolved: .max)
        private var table = [Slot](repeating: ObservedDomainCache.empty, count: 1 << 12)
        /// Index into `entries` (the registrable domain) of each slot of `table`.
        private var entryOf = [Int32](repeating: -1, count: 1 << 12)
        private var entries: [(name: String, hash: UInt64)] = []
        private var mask = (1 << 12) - 1
        /// The most names held.
        let limit: Int
        /// An empty cache holding at most `limit` names.
        init(limit: Int = 1 << 18) { self.limit = limit }
        /// Names sighted in the open batch (each a domain row at most when it is stored).
        private(set) var sighted = 0

        /// A name's 128-bit fingerprint (`key` never 0).
        struct Fingerprint: Sendable {
            var key: UInt64
            var check: UInt64
        }

        /// The fingerprint of `name`'s wire bytes (``StableHash/hash128(_:)``: one pass).
        static func fingerprint(_ name: DNSName) -> Fingerprint {
            name.wire.withUnsafeBufferPointer { b in
                let (key, check) = StableHash.hash128(b)
                return Fingerprint(key: key | 1, check: check)
            }
        }

        /// The fingerprint of `name`, with its table slot's load started (a likely cache miss), for the
        /// `domain(of:_:in:)` or `sight(_:_:at:resolved:in:)` that follows.
        @inline(__always) func prefetch(_ name: DNSName) -> Fingerprint {
            let f = Self.fingerprint(name)
            table.withUnsafeBufferPointer { dnsight_prefetch($0.baseAddress! + (Int(truncatingIfNeeded: f.key >> 20) & mask)) }
            return f
        }

        /// The registrable domain of `name` (whose fingerprint is `f`). Adding a name may empty a full cache, which
        /// hands its sightings to `batch` first.
        mutating func domain(of name: DNSName, _ f: Fingerprint, in batch: inout IngestBatch) -> (name: String, hash: UInt64) {
            entries[Int(entryOf[probe(name, f, batch: &batch)])]
        }

        /// Counts a clean query for `name` (fingerprint `f`) at `t` (on `day`) in its domain's sighting.
        mutating func sight(_ name: DNSName, _ f: Fingerprint, at t: Int64, day: Int32, resolved: Bool, in batch: inout IngestBatch) {
            let i = probe(name, f, batch: &batch)
            table.withUnsafeMutableBufferPointer { s in
                if s[i].first == .max { sighted += 1 }
                if t < s[i].first { s[i].first = t }
                if day > s[i].lastDay { s[i].lastDay = day }
                if resolved && t < s[i].firstResolved { s[i].firstResolved = t }
            }
        }

        /// Hands the open batch's sightings to it (merged per domain) and forgets them: call before it is stored.
        /// The last query's time is known by its day only (all the store keeps): the sighting's `lastNanos` is the
        /// start of that day, or the first query when that is later.
        mutating func flush(into batch: inout IngestBatch) {
            guard sighted > 0 else { return }
            for i in table.indices where table[i].first != .max {
                let s = table[i]
                let e = entries[Int(entryOf[i])]
                batch.sightDomain(e.name, hash: e.hash, DomainSighting(firstNanos: s.first, lastNanos: max(s.first, Day(index: s.lastDay).startNanos),
                                                                       firstResolvedNanos: s.firstResolved == .max ? nil : s.firstResolved))
                table[i].first = .max
                table[i].lastDay = .min
                table[i].firstResolved = .max
            }
            sighted = 0
        }

        /// The table slot of `name`, added if new.
        private mutating func probe(_ name: DNSName, _ f: Fingerprint, batch: inout IngestBatch) -> Int {
            let h = f.key, c = UInt32(truncatingIfNeeded: f.check >> 32)
            var i = Int(truncatingIfNeeded: h >> 20) & mask
            while table[i].key != 0 {
                if table[i].key == h && table[i].check == c { return i }
                i = (i + 1) & mask
            }
            let text = AnalyzeWorker.observedDomain(name)
            if entries.count >= limit {
                flush(into: &batch)
                entries.removeAll(keepingCapacity: true)
                for j in table.indices { table[j] = Self.empty }
                i = Int(truncatingIfNeeded: h >> 20) & mask
            }
            var slot = Self.empty
            slot.key = h
            slot.check = c
            table[i] = slot
            entryOf[i] = Int32(entries.count)
            entries.append((text, IngestBatch.domainHash(text)))
            if entries.count * 2 > table.count {
                grow()
                // The slot moved: find it again (it is there now).
                i = Int(truncatingIfNeeded: h >> 20) & mask
                while entryOf[i] != Int32(entries.count - 1) { i = (i + 1) & mask }
            }
            return i
        }

        private mutating func grow() {
            let old = table, oldEntries = entryOf
            table = [Slot](repeating: Self.empty, count: old.count * 2)
            entryOf = [Int32](repeating: -1, count: table.count)
            mask = table.count - 1
            for (j, s) in old.enumerated() where s.key != 0 {
                var i = Int(truncatingIfNeeded: s.key >> 20) & mask
                while table[i].key != 0 { i = (i + 1) & mask }
                table[i] = s
                entryOf[i] = oldEntries[j]
            }
        }
    }
}
