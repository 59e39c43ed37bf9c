import CPrefetch
import DNSWire
import DNSightCore
import Detectors
import EventStore

extension AnalyzeWorker {
    /// The devices a worker has put in the store's batches, kept for the whole run, with each device's clean
    /// queries of the day it is counting: each device gets a number in the worker once (its attributes built once),
    /// and one table entry holds that number, its slot in the open batch and its count, so that a clean query costs
    /// one look-up (whose load the worker starts when the event starts) instead of three scattered ones (the map,
    /// the slot array, the batch's counts). The counts go into the batch when a device's day changes and before the
    /// batch is stored (``flush(into:)``).
    ///
    /// Devices without a device id and with an IPv4 client address are keyed by the address (the organisation is a
    /// function of it, so no organisation name is hashed per event); the others get their number from a dictionary
    /// keyed by their ``DeviceKey`` and are keyed in the table by it.
    struct StoreDevices: Sendable {
        /// One device, 32 bytes (array storage is only 16-byte aligned, so an entry may straddle two cache lines:
        /// ``prefetch(v4:)`` loads both).
        private struct Entry {
            /// IPv4 address + 1, or ``StoreDevices/otherBase`` + the device's number; 0: empty.
            var key: UInt64 = 0
            /// The device's number in the worker (index into `infos`).
            var number: Int32 = -1
            /// The device's slot in the open batch (-1: not in it).
            var batchSlot: Int32 = -1
            /// The day `queries` counts.
            var day: Int32 = .min
            /// Clean queries on `day` not yet in the batch.
            var queries: Int64 = 0
        }
        /// Keys of devices that are not keyed by an IPv4 address start here (above every address + 1).
        private static let otherBase: UInt64 = 1 << 33
        private var table = [Entry](repeating: Entry(), count: 1024)
        private var mask = 1023
        private var byKey: [DeviceKey: Int32] = [:]
        private var infos: [DeviceInfo] = []
        /// The keys of the devices with a slot in the open batch.
        private var inBatch: [UInt64] = []

        @inline(__always) private static func start(_ k: UInt64, _ mask: Int) -> Int {
            Int(truncatingIfNeeded: (k &* 0x9E37_79B9_7F4A_7C15) >> 32) & mask
        }

        /// Starts loading the entry of the device keyed by `v4` (a hint only).
        @inline(__always) func prefetch(v4: UInt32) {
            // An entry is 32 bytes, but the array's elements are only 16-byte aligned: half of them straddle two lines.
            table.withUnsafeBufferPointer { dnsight_prefetch_span($0.baseAddress! + Self.start(UInt64(v4) + 1, mask), UInt(MemoryLayout<Entry>.stride)) }
        }

        /// The slot in `batch` of the device keyed by `v4` (when it is keyed by its address) or else `key`,
        /// registered in `batch` on its first query there; nil when the worker has not met the device yet (then
        /// ``add(v4:key:info:cleanDay:in:)`` it). With `cleanDay`, also counts one clean query of the device on that
        /// day (the batch's observation count is the caller's: ``IngestBatch/addCountedElsewhere(_:)``).
        ///
        /// No closure builds a new device's attributes here: one that captured the event made the caller copy the
        /// event (and retain its parts) on every query.
        @inline(__always)
        mutating func slot(v4: UInt32?, key: DeviceKey, cleanDay: Int32?, in batch: inout IngestBatch) -> DeviceSlot? {
            let k: UInt64
            if let v4 {
                k = UInt64(v4) + 1
            } else if let n = byKey[key] {
                k = Self.otherBase + UInt64(n)
            } else {
                return nil
            }
            let i = find(k)
            guard table[i].key != 0 else { return nil }
            return tally(i, cleanDay: cleanDay, in: &batch)
        }

        /// Adds a device the worker meets for the first time (``slot(v4:key:cleanDay:in:)`` returned nil), with its
        /// attributes, and returns what that would have.
        mutating func add(v4: UInt32?, key: DeviceKey, info: DeviceInfo, cleanDay: Int32?, in batch: inout IngestBatch) -> DeviceSlot {
            let n = Int32(infos.count)
            infos.append(info)
            let k: UInt64
            if let v4 {
                k = UInt64(v4) + 1
            } else {
                byKey[key] = n
                k = Self.otherBase + UInt64(n)
            }
            var i = find(k)
            table[i] = Entry(key: k, number: n)
            if infos.count * 2 > table.count {
                grow()
                i = find(k)
            }
            return tally(i, cleanDay: cleanDay, in: &batch)
        }

        /// Registers the device of entry `i` in `batch` if it is not yet, and counts its clean query.
        @inline(__always)
        private mutating func tally(_ i: Int, cleanDay: Int32?, in batch: inout IngestBatch) -> DeviceSlot {
            table.withUnsafeMutableBufferPointer { t in
                if t[i].batchSlot < 0 {
                    t[i].batchSlot = batch.newDevice(infos[Int(t[i].number)]).index
                    inBatch.append(t[i].key)
                }
                if let day = cleanDay {
                    if t[i].day != day {
                        if t[i].queries > 0 {
                            batch.addTraffic(device: DeviceSlot(index: t[i].batchSlot), day: Day(index: t[i].day), queries: t[i].queries)
                        }
                        t[i].day = day
                        t[i].queries = 0
                    }
                    t[i].queries += 1
                }
                return DeviceSlot(index: t[i].batchSlot)
            }
        }

        /// The entry of `k`, or the empty one where it would go.
        @inline(__always) private func find(_ k: UInt64) -> Int {
            table.withUnsafeBufferPointer { t in
                var i = Self.start(k, mask)
                while t[i].key != k && t[i].key != 0 { i = (i + 1) & mask }
                return i
            }
        }

        private mutating func grow() {
            let old = table
            table = [Entry](repeating: Entry(), count: old.count * 2)
            mask = table.count - 1
            for e in old where e.key != 0 { table[find(e.key)] = e }
        }

        /// Hands the counts the open batch does not hold yet to it and forgets the devices' slots in it: call before
        /// the batch is stored.
        mutating func flush(into batch: inout IngestBatch) {
            for k in inBatch {
                let i = find(k)
                if table[i].queries > 0 {
                    batch.addTraffic(device: DeviceSlot(index: table[i].batchSlot), day: Day(index: table[i].day), queries: table[i].queries)
                    table[i].queries = 0
                }
                table[i].batchSlot = -1
            }
            inBatch.removeAll(keepingCapacity: true)
        }
    }

    /// The registrable domains of query names already seen, with each name's sightings in the open batch: the
    /// common case (a name asked again) costs one look-up (whose load the worker starts when the event starts)
    /// instead of formatting the name, splitting it by the Public Suffix List and updating the batch's sighting.
    /// The sightings go into the batch before it is stored (``flush(into:)``). Bounded: emptied (after handing its
    /// sightings over) when it holds `limit` names.
    struct ObservedDomainCache: Sendable {
        // Open addressing keyed by a 128-bit fingerprint of the name's wire bytes (two independently seeded 64-bit
        // hashes; a name in another letter case is another entry with the same domain): cheaper per query than a
        // dictionary keyed by `DNSName`, whose hashing and case-insensitive comparison showed in the store's profile.
        // A repeated name costs one memory read (its slot holds the fingerprint, its domain and its sighting),
        // where comparing its bytes with a stored copy cost a second, cache-missing one; two distinct names of a run
        // sharing 128 bits is far less likely than a memory error.
        private struct Slot {
            var key: UInt64
            var check: UInt64
            /// Index into `entries` (the registrable domain).
            var entry: Int32
            /// This name's first and last query in the open batch (`first == .max`: none), and its first that
            /// resolved (`.max`: none).
            var first: Int64
            var last: Int64
            var firstResolved: Int64
        }
        private static let empty = Slot(key: 0, check: 0, entry: -1, first: .max, last: .min, firstResolved: .max)
        private var table = [Slot](repeating: ObservedDomainCache.empty, count: 1 << 12)
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
            // A slot is 48 bytes: many straddle two lines, and the sighting is at its end.
            table.withUnsafeBufferPointer {
                dnsight_prefetch_span($0.baseAddress! + (Int(truncatingIfNeeded: f.key >> 20) & mask), UInt(MemoryLayout<Slot>.stride))
            }
            return f
        }

        /// The registrable domain of `name` (whose fingerprint is `f`). Adding a name may empty a full cache, which
        /// hands its sightings to `batch` first.
        mutating func domain(of name: DNSName, _ f: Fingerprint, in batch: inout IngestBatch) -> (name: String, hash: UInt64) {
            entries[Int(table[probe(name, f, batch: &batch)].entry)]
        }

        /// Counts a clean query for `name` (fingerprint `f`) at `t` in its domain's sighting.
        mutating func sight(_ name: DNSName, _ f: Fingerprint, at t: Int64, resolved: Bool, in batch: inout IngestBatch) {
            let i = probe(name, f, batch: &batch)
            table.withUnsafeMutableBufferPointer { s in
                if s[i].first == .max { sighted += 1 }
                if t < s[i].first { s[i].first = t }
                if t > s[i].last { s[i].last = t }
                if resolved && t < s[i].firstResolved { s[i].firstResolved = t }
            }
        }

        /// Hands the open batch's sightings to it (merged per domain) and forgets them: call before it is stored.
        mutating func flush(into batch: inout IngestBatch) {
            guard sighted > 0 else { return }
            for i in table.indices where table[i].first != .max {
                let s = table[i]
                let e = entries[Int(s.entry)]
                batch.sightDomain(e.name, hash: e.hash, DomainSighting(firstNanos: s.first, lastNanos: s.last,
                                                                       firstResolvedNanos: s.firstResolved == .max ? nil : s.firstResolved))
                table[i].first = .max
                table[i].last = .min
                table[i].firstResolved = .max
            }
            sighted = 0
        }

        /// The table slot of `name`, added if new.
        private mutating func probe(_ name: DNSName, _ f: Fingerprint, batch: inout IngestBatch) -> Int {
            let h = f.key, c = f.check
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
            slot.entry = Int32(entries.count)
            table[i] = slot
            entries.append((text, IngestBatch.domainHash(text)))
            if entries.count * 2 > table.count {
                grow()
                // The slot moved: find it again (it is there now).
                i = Int(truncatingIfNeeded: h >> 20) & mask
                while table[i].entry != Int32(entries.count - 1) { i = (i + 1) & mask }
            }
            return i
        }

        private mutating func grow() {
            let old = table
            table = [Slot](repeating: Self.empty, count: old.count * 2)
            mask = table.count - 1
            for s in old where s.key != 0 {
                var i = Int(truncatingIfNeeded: s.key >> 20) & mask
                while table[i].key != 0 { i = (i + 1) & mask }
                table[i] = s
            }
        }
    }
}
