import CPrefetch
import DNSWire
import DNSightCore
import Detectors
import EventStore

extension AnalyzeWorker {
    /// The days a worker's tallies count, as 16-bit numbers: `day - base + 1` for days within about 89 years of
    /// the first one met (0 means none). A day outside that range is handed to the batch directly.
    struct TallyDays: Sendable {
        private var base: Int32?

        /// The 16-bit number of `day` (fixing the base on the first call), or nil outside the range.
        @inline(__always) mutating func number(_ day: Int32) -> UInt16? {
            if base == nil { base = day &- 32_768 }
            let n = Int64(day) - Int64(base!) + 1
            return n >= 1 && n <= Int64(UInt16.max) ? UInt16(truncatingIfNeeded: n) : nil
        }

        /// The day of a number ``number(_:)`` returned.
        func day(_ n: UInt16) -> Day { Day(index: base! + Int32(n) - 1) }
    }

    /// The devices a worker has met, kept for the whole run, with each device's clean queries of the day it is
    /// counting. With a store, this table is also the worker's set of devices seen (a device is new when it has no
    /// entry), so a query costs one device look-up, not two. Each device gets a number in the worker once (its
    /// attributes built once, ``add(v4:key:info:)``); its entry counts its clean queries (``count(_:day:in:)``),
    /// which go into the batch when the device's day changes and before the batch is stored (``flush(into:)``).
    ///
    /// Devices without a device id and with an IPv4 client address are keyed by the address in an open-addressing
    /// table of 8-byte entries, so that the table (4 MB for 250,000 devices) stays in the cache beside the other
    /// per-query tables; the others get their number from a dictionary keyed by their ``DeviceKey``. Whatever a
    /// clean query does not need (the device's number, its slot in the open batch) is beside the table.
    struct StoreDevices: Sendable {
        /// One device's tally, 8 bytes.
        private struct Entry {
            /// The complement of the IPv4 address (0: an empty entry; so 255.255.255.255, whose complement is 0, is
            /// keyed like an IPv6 client). The complement keeps 0.0.0.0 a key like any other.
            var key: UInt32 = 0
            /// The day `queries` counts (``TallyDays``; 0: none).
            var day: UInt16 = 0
            /// Clean queries on `day` not yet in the batch.
            var queries: UInt16 = 0
        }
        /// Where a device's entry is, valid until the next ``add(v4:key:info:)``: ≥ 0, an index into the address
        /// table; < 0, the bitwise complement of an index into `others`.
        typealias Ref = Int
        private var table = [Entry](repeating: Entry(), count: 1024)
        /// Each address entry's device number (index into `infos`).
        private var numbers = [Int32](repeating: -1, count: 1024)
        private var mask = 1023
        private var addresses = 0
        /// The entries of devices not keyed by an IPv4 address, and their numbers, by the index `byKey` gives.
        private var others: [Entry] = []
        private var otherNumbers: [Int32] = []
        private var byKey: [DeviceKey: Int32] = [:]
        private var infos: [DeviceInfo] = []
        private var days = TallyDays()
        /// Each device's slot in the open batch, by number (-1: not in it).
        private var batchSlots: [Int32] = []
        /// The devices with a slot in the open batch: an address, or else an index into `others`.
        private var inBatch: [(address: UInt32, other: Int32)] = []

        /// Devices met.
        var count: Int { infos.count }

        @inline(__always) private static func start(_ k: UInt32, _ mask: Int) -> Int {
            Int(truncatingIfNeeded: (UInt64(k) &* 0x9E37_79B9_7F4A_7C15) >> 32) & mask
        }

        /// Starts loading the entry of the device keyed by `v4` (a hint only).
        @inline(__always) func prefetch(v4: UInt32) {
            table.withUnsafeBufferPointer { dnsight_prefetch($0.baseAddress! + Self.start(~v4, mask)) }
        }

        /// The entry of the device keyed by `v4` (when it is keyed by its address) or else `key`; nil when the
        /// worker has not met the device yet (then ``add(v4:key:info:)`` it).
        @inline(__always) func find(v4: UInt32?, key: DeviceKey) -> Ref? {
            guard let v4, v4 != .max else { return byKey[key].map { ~Int($0) } }
            let i = find(~v4)
            return table[i].key != 0 ? i : nil
        }

        /// Adds a device the worker meets for the first time (``find(v4:key:)`` returned nil), with its attributes.
        /// No closure builds them here: one that captured the event made the caller copy it on every query.
        mutating func add(v4: UInt32?, key: DeviceKey, info: DeviceInfo) -> Ref {
            let n = Int32(infos.count)
            infos.append(info)
            batchSlots.append(-1)
            guard let v4, v4 != .max else {
                byKey[key] = Int32(others.count)
                others.append(Entry())
                otherNumbers.append(n)
                return ~(others.count - 1)
            }
            let i = find(~v4)
            table[i] = Entry(key: ~v4)
            numbers[i] = n
            addresses += 1
            if addresses * 2 > table.count { grow() }
            return find(~v4)
        }

        /// Counts a clean query of the device `r` on `day` (the batch's observation count is the caller's:
        /// ``IngestBatch/addCountedElsewhere(_:)``).
        @inline(__always)
        mutating func count(_ r: Ref, day: Int32, in batch: inout IngestBatch) {
            if let d = days.number(day) {
                @inline(__always) func hit(_ t: UnsafeMutableBufferPointer<Entry>, _ i: Int) -> Bool {
                    guard t[i].day == d && t[i].queries < .max else { return false }
                    t[i].queries &+= 1
                    return true
                }
                if r >= 0 ? table.withUnsafeMutableBufferPointer({ hit($0, r) }) : others.withUnsafeMutableBufferPointer({ hit($0, ~r) }) { return }
            }
            countSlowly(r, day: day, in: &batch)
        }

        /// A clean query whose day is not the one its device's entry counts (or whose count is full).
        private mutating func countSlowly(_ r: Ref, day: Int32, in batch: inout IngestBatch) {
            var e = r >= 0 ? table[r] : others[~r]
            let slot = register(r, in: &batch)
            guard let d = days.number(day) else {
                batch.addTraffic(device: slot, day: Day(index: day), queries: 1)
                return
            }
            if e.day != d || e.queries == .max {
                spill(e, slot, in: &batch)
                e.day = d
                e.queries = 0
            }
            e.queries += 1
            if r >= 0 { table[r] = e } else { others[~r] = e }
        }

        /// The slot in `batch` of the device `r`, registered there on its first query in it.
        mutating func slot(_ r: Ref, in batch: inout IngestBatch) -> DeviceSlot { register(r, in: &batch) }

        private mutating func register(_ r: Ref, in batch: inout IngestBatch) -> DeviceSlot {
            let n = Int(r >= 0 ? numbers[r] : otherNumbers[~r])
            if batchSlots[n] < 0 {
                batchSlots[n] = batch.newDevice(infos[n]).index
                inBatch.append(r >= 0 ? (~table[r].key, -1) : (0, Int32(~r)))
            }
            return DeviceSlot(index: batchSlots[n])
        }

        /// Hands an entry's uncounted queries to the batch.
        private func spill(_ e: Entry, _ slot: DeviceSlot, in batch: inout IngestBatch) {
            guard e.queries > 0 else { return }
            batch.addTraffic(device: slot, day: days.day(e.day), queries: Int64(e.queries))
        }

        /// The entry keyed `k` in the address table, or the empty one where it would go.
        @inline(__always) private func find(_ k: UInt32) -> Int {
            table.withUnsafeBufferPointer { t in
                var i = Self.start(k, mask)
                while t[i].key != k && t[i].key != 0 { i = (i + 1) & mask }
                return i
            }
        }

        private mutating func grow() {
            let old = table, oldNumbers = numbers
            table = [Entry](repeating: Entry(), count: old.count * 2)
            numbers = [Int32](repeating: -1, count: table.count)
            mask = table.count - 1
            for (j, e) in old.enumerated() where e.key != 0 {
                let i = find(e.key)
                table[i] = e
                numbers[i] = oldNumbers[j]
            }
        }

        /// Hands the counts the open batch does not hold yet to it and forgets the devices' slots in it: call before
        /// the batch is stored.
        mutating func flush(into batch: inout IngestBatch) {
            for (address, other) in inBatch {
                let r = other < 0 ? find(~address) : ~Int(other)
                let n = Int(r >= 0 ? numbers[r] : otherNumbers[~r])
                spill(r >= 0 ? table[r] : others[~r], DeviceSlot(index: batchSlots[n]), in: &batch)
                batchSlots[n] = -1
                if r >= 0 { table[r].day = 0; table[r].queries = 0 } else { others[~r].day = 0; others[~r].queries = 0 }
            }
            inBatch.removeAll(keepingCapacity: true)
        }

        /// The IPv4 addresses of the devices keyed by one.
        var v4Addresses: [UInt32] { table.compactMap { $0.key != 0 ? ~$0.key : nil } }
        /// The keys of the other devices.
        var otherKeys: Dictionary<DeviceKey, Int32>.Keys { byKey.keys }
    }

    /// The registrable domains of query names already seen, with each name's sightings in the open batch: the
    /// common case (a name asked again) costs one look-up (whose load the worker starts when the event starts)
    /// instead of formatting the name, splitting it by the Public Suffix List and updating the batch's sighting.
    /// The sightings go into the batch before it is stored (``flush(into:)``). Bounded: emptied (after handing its
    /// sightings over) when it holds `limit` names.
    struct ObservedDomainCache: Sendable {
        // Open addressing keyed by a fingerprint of the name's wire bytes (95 of the 128 bits of `StableHash.hash128`:
        // 64 bits with the lowest set, so that 0 marks an empty slot, and 32 more;
        // a name in another letter case is another entry with the same domain): cheaper per query than a dictionary
        // keyed by `DNSName`, whose hashing and case-insensitive comparison showed in the store's profile. Two
        // distinct names of a run sharing 95 bits is far less likely than a memory error.
        //
        // A repeated name costs one read of a 16-byte slot: the table (4 MB for 200,000 names) stays in the cache
        // beside the other per-query tables. The slot holds the fingerprint, the day of the name's last query and
        // whether a resolving query was seen; the times of its first query and first resolving query are beside the
        // table (`times`), read only when they may change: on the name's first query in the batch, its first
        // resolving one, and a query older than the latest this worker has sighted (an input in time order never
        // lowers a first time once set).
        private struct Slot {
            var key: UInt64
            /// The fingerprint's other 32 bits.
            var check: UInt32
            /// The day of this name's last query in the open batch (``TallyDays``; 0: not sighted in it).
            var lastDay: UInt16
            /// 1: a resolving query of this name is in `times`.
            var resolved: UInt16
        }
        private static let empty = Slot(key: 0, check: 0, lastDay: 0, resolved: 0)
        private var table = [Slot](repeating: ObservedDomainCache.empty, count: 1 << 12)
        /// Each slot's first query and first resolving query in the open batch.
        private var times = [(first: Int64, firstResolved: Int64)](repeating: (0, 0), count: 1 << 12)
        /// Index into `entries` (the registrable domain) of each slot of `table`.
        private var entryOf = [Int32](repeating: -1, count: 1 << 12)
        private var entries: [(name: String, hash: UInt64)] = []
        private var mask = (1 << 12) - 1
        private var days = TallyDays()
        /// The latest query time sighted (of the days the slots hold: a query on another day goes to the batch
        /// directly): no first time in `times` is later.
        private var latest = Int64.min
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
        /// `domain(of:_:in:)` or `sight(_:_:at:day:resolved:in:)` that follows.
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
        @inline(__always)
        mutating func sight(_ name: DNSName, _ f: Fingerprint, at t: Int64, day: Int32, resolved: Bool, in batch: inout IngestBatch) {
            let i = probe(name, f, batch: &batch)
            guard let d = days.number(day) else {
                // A day the slot cannot hold: straight into the batch.
                let e = entries[Int(entryOf[i])]
                batch.sightDomain(e.name, hash: e.hash, DomainSighting(firstNanos: t, lastNanos: t, firstResolvedNanos: resolved ? t : nil))
                return
            }
            let done: Bool = table.withUnsafeMutableBufferPointer { s in
                // Sighted already, in time order, and nothing new resolved: only the last day may move.
                guard s[i].lastDay != 0 && t >= latest && (!resolved || s[i].resolved != 0) else { return false }
                if d > s[i].lastDay { s[i].lastDay = d }
                return true
            }
            if t > latest { latest = t }
            if !done { sightSlowly(i, at: t, day: d, resolved: resolved) }
        }

        private mutating func sightSlowly(_ i: Int, at t: Int64, day d: UInt16, resolved: Bool) {
            if table[i].lastDay == 0 {
                sighted += 1
                table[i].lastDay = d
                times[i] = (t, .max)
            } else {
                if d > table[i].lastDay { table[i].lastDay = d }
                if t < times[i].first { times[i].first = t }
            }
            if resolved && (table[i].resolved == 0 || t < times[i].firstResolved) {
                table[i].resolved = 1
                times[i].firstResolved = t
            }
        }

        /// Hands the open batch's sightings to it (merged per domain) and forgets them: call before it is stored.
        /// The last query's time is known by its day only (all the store keeps): the sighting's `lastNanos` is the
        /// start of that day, or the first query when that is later.
        mutating func flush(into batch: inout IngestBatch) {
            guard sighted > 0 else { return }
            for i in table.indices where table[i].lastDay != 0 {
                let s = table[i], tm = times[i]
                let e = entries[Int(entryOf[i])]
                batch.sightDomain(e.name, hash: e.hash, DomainSighting(firstNanos: tm.first, lastNanos: max(tm.first, days.day(s.lastDay).startNanos),
                                                                       firstResolvedNanos: s.resolved != 0 ? tm.firstResolved : nil))
                table[i].lastDay = 0
                table[i].resolved = 0
            }
            sighted = 0
        }

        /// The table slot of `name`, added if new.
        @inline(__always)
        private mutating func probe(_ name: DNSName, _ f: Fingerprint, batch: inout IngestBatch) -> Int {
            let h = f.key, c = UInt32(truncatingIfNeeded: f.check >> 32)
            let found: Int? = table.withUnsafeBufferPointer { t in
                var i = Int(truncatingIfNeeded: h >> 20) & mask
                while t[i].key != 0 {
                    if t[i].key == h && t[i].check == c { return i }
                    i = (i + 1) & mask
                }
                return nil
            }
            return found ?? add(name, h, c, batch: &batch)
        }

        /// Adds a name the table does not hold.
        private mutating func add(_ name: DNSName, _ h: UInt64, _ c: UInt32, batch: inout IngestBatch) -> Int {
            let text = AnalyzeWorker.observedDomain(name)
            if entries.count >= limit {
                flush(into: &batch)
                entries.removeAll(keepingCapacity: true)
                for j in table.indices { table[j] = Self.empty }
            }
            var i = Int(truncatingIfNeeded: h >> 20) & mask
            while table[i].key != 0 { i = (i + 1) & mask }
            table[i] = Slot(key: h, check: c, lastDay: 0, resolved: 0)
            entryOf[i] = Int32(entries.count)
            entries.append((text, IngestBatch.domainHash(text)))
            // Up to 80% full: a slot is 16 bytes, four to a cache line, so the longer runs of linear probing mostly
            // stay in the line, and 200,000 names fit 4 MB instead of 8.
            if entries.count * 5 > table.count * 4 {
                grow()
                // The slot moved: find it again (it is there now).
                i = Int(truncatingIfNeeded: h >> 20) & mask
                while entryOf[i] != Int32(entries.count - 1) { i = (i + 1) & mask }
            }
            return i
        }

        private mutating func grow() {
            let old = table, oldEntries = entryOf, oldTimes = times
            table = [Slot](repeating: Self.empty, count: old.count * 2)
            entryOf = [Int32](repeating: -1, count: table.count)
            times = [(first: Int64, firstResolved: Int64)](repeating: (0, 0), count: table.count)
            mask = table.count - 1
            for (j, s) in old.enumerated() where s.key != 0 {
                var i = Int(truncatingIfNeeded: s.key >> 20) & mask
                while table[i].key != 0 { i = (i + 1) & mask }
                table[i] = s
                entryOf[i] = oldEntries[j]
                times[i] = oldTimes[j]
            }
        }
    }
}
