import Attribution
import CPrefetch
import Classifier
import EventStore
import DNSWire
import DNSightCore
import Detectors
import Foundation
import PublicSuffix

/// Where detections go as JSON lines: a file shared by every worker, written in batches under a lock.
public final class DetectionLog: @unchecked Sendable {
    private let handle: FileHandle
    private let lock = NSLock()
    /// Lines written so far.
    public private(set) var lines = 0

    /// Creates (or truncates) the file; `-` writes to standard output.
    public init(path: String) throws {
        if path == "-" {
            handle = FileHandle.standardOutput
        } else {
            guard FileManager.default.createFile(atPath: path, contents: nil) else {
                throw AnalyzeError("cannot create the detections file \(path)")
            }
            handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        }
    }

    /// Appends lines (each without its newline).
    public func write(_ batch: [String]) {
        guard !batch.isEmpty else { return }
        let data = Data((batch.joined(separator: "\n") + "\n").utf8)
        lock.withLock {
            handle.write(data)
            lines += batch.count
        }
    }
}

/// A failure of the analyze job as a whole (intel, inventory or an output that cannot be opened).
public struct AnalyzeError: Error, CustomStringConvertible, Sendable {
    /// What went wrong.
    public var description: String
    /// Creates an error.
    public init(_ description: String) { self.description = description }
}

/// A device inside its organisation, as mission.md counts them: the explicit device id where the source has one,
/// else the client address. A value, so counting devices costs no string formatting per event.
public struct DeviceKey: Hashable, Sendable {
    /// The organisation (nil: not attributed).
    public var organisation: String?
    /// The explicit device id, if any.
    public var deviceID: String?
    /// The client address, when there is no device id.
    public var client: IPAddress?

    /// The key of an event's device.
    public init(organisation: String?, event e: DNSEvent) {
        self.organisation = organisation
        deviceID = e.deviceID
        client = e.deviceID == nil ? e.clientAddress : nil
    }

    /// `stableHash` of `key`, worked out once into `memo`.
    @inline(__always)
    static func hash(_ key: DeviceKey, memo: inout UInt64?) -> UInt64 {
        if let h = memo { return h }
        let h = key.stableHash
        memo = h
        return h
    }

    /// A stable 64-bit hash of the key (the detectors' per-device state is keyed by it).
    public var stableHash: UInt64 {
        var h = StableHash.hash(organisation ?? "")
        if let id = deviceID {
            h = StableHash.pair(h, StableHash.hash(id))
        } else if let a = client {
            switch a {
            case .v4(let x): h = StableHash.pair(h, UInt64(x.rawValue))
            case .v6(let x): h = StableHash.pair(StableHash.pair(h, x.high), x.low)
            }
        } else {
            h = StableHash.pair(h, 0)
        }
        return h
    }

    /// `organisation|device` (`unattributed|…`, `…|unknown`), as detector evidence names devices.
    public var name: String {
        (organisation ?? "unattributed") + "|" + (deviceID ?? client?.description ?? "unknown")
    }
}

/// One thread's share of `dnsight analyze`: attribute and classify each event (intel first, then the detector
/// chain, which sees every event so that its per-device state stays right), count what the summary needs, and
/// queue detections for the log. Workers are merged at the end.
///
/// Each worker owns its detector chain: per-device state (NXDOMAIN windows, beacon and tunnel pairs) and the
/// newly-observed seen-set are per worker, and a worker reads whole input files. A device whose queries are split
/// over files that different workers read is therefore watched in parts; each part must show the behaviour on its
/// own. The seen-sets are merged (earliest first sighting wins) before they are saved.
public struct AnalyzeWorker: Sendable {
    var attributor: Attributor
    let classifier: Classifier
    let log: DetectionLog?
    let store: StoreSink?
    var pending: [String] = []
    /// The suspected-tier detectors, when any is enabled.
    public internal(set) var chain: DetectorChain?
    /// Detections from the detectors (suspected tier, no intel verdict).
    public private(set) var suspected = 0
    // Store state for the input being read: its identity, events to skip (already stored by an earlier run that
    // stopped part-way), events seen so far and the byte offset of the last one.
    var batch = IngestBatch()
    var stream: StreamIdentity?
    var skip: Int64 = 0
    var records: Int64 = 0
    var lastOffset: Int64 = 0
    /// With a store, the devices this worker has met, for the whole run (also its set of devices seen): a device's
    /// attributes are a function of its key (the inventory is fixed for the run), so each is attributed and built
    /// once, not once per batch.
    var storeDevices = StoreDevices()
    /// Registrable domains of recent query names.
    var observedDomains = ObservedDomainCache()
    /// The fingerprint of the current event's query name in `observedDomains` (set when the event starts).
    var nameFingerprint = ObservedDomainCache.Fingerprint(key: 1, check: 0)
    /// Observations per store transaction (`--store-batch-size`).
    public var batchSize: Int64 = 100_000
    /// Rows (``IngestBatch/rowCount``) at which a batch is stored whatever its observations: bounds its memory when
    /// keys hardly repeat.
    public var batchRows = 1_000_000

    /// Events processed.
    public private(set) var events = 0
    /// Events whose query name an allowlist covered.
    public private(set) var allowed = 0
    /// Detections (events with a verdict).
    public private(set) var detections = 0
    /// Detections by category code, and by family (queries).
    public private(set) var queriesByCategory: [String: Int] = [:]
    public private(set) var queriesByFamily: [String: Int] = [:]
    /// Devices and organisations seen (keys `organisation|device`), and those affected per category / family.
    /// Devices seen that have no device id and an IPv4 client address, by address: without a device id the
    /// organisation is a function of the address (the inventory's longest-prefix match), so the address alone
    /// tells devices apart, and a plain integer set avoids hashing the organisation on every event.
    var devicesSeenV4 = AddressSet()
    /// The other devices seen (device ids, IPv6 clients, no client address). Both sets stay empty in a worker with a
    /// store: its store table (``StoreDevices``) holds the devices seen.
    var devicesSeenOther = Set<DeviceKey>()
    /// The number of devices seen (with a store, the store's device table holds them instead of the two sets).
    public var devicesSeenCount: Int { devicesSeenV4.count + devicesSeenOther.count + storeDevices.count }
    public private(set) var organisationsSeen = Set<String>()
    public private(set) var affectedDevices: [String: Set<DeviceKey>] = [:]
    public private(set) var affectedOrganisations: [String: Set<String>] = [:]
    public private(set) var familyDevices: [String: Set<DeviceKey>] = [:]
    private var lastOrganisation: String?
    /// Events per attribution source.
    public var attribution: AttributionCounters { attributor.counters }

    /// Creates a worker.
    public init(attributor: Attributor, classifier: Classifier, log: DetectionLog?, store: StoreSink? = nil, chain: DetectorChain? = nil) {
        self.attributor = attributor
        self.replayAttributor = attributor
        self.classifier = classifier
        self.log = log
        self.store = store
        self.chain = chain
    }
    /// The attributor replays use, so that replayed events do not count in the run's attribution figures.
    var replayAttributor: Attributor

    /// Starts an input: with a store, looks up how much of it earlier runs stored. Returns false when it is all
    /// stored already (re-running analyze over the same file does not count it twice).
    /// `part` is 0 for a whole input, the chunk index + 1 for a chunk of a large file read in parts (each chunk is
    /// its own checkpointed stream).
    public mutating func begin(path: String, part: Int = 0) throws -> Bool {
        records = 0
        skip = 0
        lastOffset = 0
        stream = nil
        replayOnly = false
        guard let store, path != "-" else { return true }
        var s = try StreamIdentity.of(file: path)
        s.part = part
        stream = s
        switch try store.resume(s) {
        case .done:
            // Continuing a partly stored set of inputs with detectors on: the stored input is read again through the
            // detectors only, so that their per-device state is what an uninterrupted run had at this point.
            guard replayStoredInputs && chain != nil else { return false }
            replayOnly = true
            return true
        case .fromStart: return true
        case .after(let n, _):
            skip = n
            return true
        }
    }

    /// Ends an input: its checkpoint (complete when the input was read to its end) joins the open batch, which goes
    /// on gathering the next inputs until it is full or ``takeLastBatch()``: the same devices and days recur across
    /// inputs and chunks, so a batch over many of them stores far fewer rows. Every checkpoint commits with the
    /// data it covers.
    public mutating func end(complete: Bool, bytes: Int) throws {
        guard store != nil else { return }
        if replayOnly {
            replayOnly = false
            return
        }
        if let stream {
            batch.setCheckpoint(IngestCheckpoint(stream: stream, byteOffset: complete ? Int64(bytes) : lastOffset, records: records,
                                                 complete: complete, updatedNanos: Int64(Date().timeIntervalSince1970 * 1e9)))
        }
        stream = nil
        if batch.observationCount >= batchSize || batch.rowCount + observedDomains.sighted >= batchRows { try commitBatch() }
    }

    /// The open batch with the counts and sightings the worker keeps beside it, leaving an empty one: call once the
    /// worker has read all its inputs. The job stores the workers' last batches together
    /// (``IngestBatch/merge(_:)``), so that the devices they share have their day and month rows written once.
    public mutating func takeLastBatch() -> IngestBatch {
        storeDevices.flush(into: &batch)
        observedDomains.flush(into: &batch)
        defer { batch = IngestBatch() }
        return batch
    }

    /// Whether inputs the store holds completely are read again through the detectors (set by the job when some
    /// of the run's streams are stored and some are not: it continues an interrupted ingest).
    public var replayStoredInputs = false
    /// The input being read is stored already and only replayed through the detectors.
    var replayOnly = false
    /// Events replayed through the detectors (stored by an earlier run, not counted again).
    public private(set) var replayed = 0

    /// Feeds an event that an earlier run stored to the detectors only: the same attribution, intel outcome and
    /// device as when it was first processed; nothing counted or stored.
    mutating func replay(_ event: DNSEvent) {
        guard chain != nil else { return }
        replayed += 1
        var e = event
        let quick = replayAttributor.attributeQuickly(e)
        let organisation = quick == nil ? replayAttributor.attribute(&e).organisation : quick?.organisation
        let device = DeviceKey(organisation: organisation, event: e)
        let listed: Bool, allowed: Bool
        switch classifier.classify(e) {
        case .clean: (listed, allowed) = (false, false)
        case .allowed: (listed, allowed) = (false, true)
        case .detected: (listed, allowed) = (true, false)
        }
        _ = chain!.observe(e, deviceHash: { device.stableHash }, device: { device.name }, intelListed: listed, intelAllowed: allowed)
    }

    mutating func flushBatch(complete: Bool, byteOffset: Int64) throws {
        guard store != nil else { return }
        if let stream {
            batch.setCheckpoint(IngestCheckpoint(stream: stream, byteOffset: byteOffset, records: records, complete: complete,
                                                 updatedNanos: Int64(Date().timeIntervalSince1970 * 1e9)))
        }
        try commitBatch()
    }

    mutating func commitBatch() throws {
        guard let store else { return }
        // The counts and sightings the worker keeps beside its look-ups join the batch first.
        let b = takeLastBatch()
        if !b.isEmpty || !b.checkpoints.isEmpty { try store.write(b) }
    }

    /// Processes one event.
    public mutating func process(_ event: DNSEvent) throws {
        if replayOnly || skip > 0 {
            if skip > 0 { skip -= 1 }
            records += 1
            replay(event)
            return
        }
        // Counted before anything is batched, so a checkpoint written with this event covers it.
        records += 1
        lastOffset = Int64(event.position.byteOffset)
        events += 1
        // The device set's slot, the inventory's index word and the intel look-up's table buckets are likely cache
        // misses: start them now, so that they load together, and while the event is attributed.
        // With a store, the store's device table is the set of devices seen (one look-up instead of two).
        if event.deviceID == nil, case .v4(let a)? = event.clientAddress {
            if store != nil { storeDevices.prefetch(v4: a.rawValue) } else { devicesSeenV4.prefetch(a.rawValue) }
        }
        attributor.prefetch(event)
        classifier.snapshot.prefetch(event.queryName)
        // The store's look-up of the name's domain slot misses the cache on many-name traffic too: start it with
        // the others. The name's fingerprint is computed here once and used by the look-up itself.
        if store != nil { nameFingerprint = observedDomains.prefetch(event.queryName) }
        // Last: deciding whether the name takes the detectors' fast path reads a word that is often a miss itself.
        if chain != nil { chain!.prefetch(event) }
        // The organisation is all most events need: the full attribution is built only for the store and for
        // detections (or always, with an anonymiser or MMDB databases). Only the full attribution may change the
        // event (an anonymised client address), so only then is the event copied.
        // The full attribution is passed in place: as a value it was copied (185 bytes) twice per event.
        var fullWho: Attribution? = nil
        if let quick = attributor.attributeQuickly(event) {
            try process(event, quick: quick, fullWho: &fullWho)
        } else {
            var e = event
            fullWho = attributor.attribute(&e)
            try process(e, quick: nil, fullWho: &fullWho)
        }
    }

    /// Processes one attributed event: `quick` from `attributeQuickly`, or else `fullWho` from `attribute`.
    private mutating func process(_ e: DNSEvent, quick: QuickAttribution?, fullWho: inout Attribution?) throws {
        let organisation = quick?.organisation ?? fullWho?.organisation
        let org = organisation ?? "unattributed"
        let device = DeviceKey(organisation: organisation, event: e)
        // Hashed once at most: the chain's prefetch and its observe may both ask (neither does on its fast path).
        // Closure literals, not a local function: capturing the variable in one made every access a dynamic
        // exclusivity check.
        var deviceHash: UInt64? = nil
        if chain != nil { chain!.prefetch(deviceHash: { DeviceKey.hash(device, memo: &deviceHash) }) }
        var verdict: Verdict? = nil
        var isAllowed = false
        switch classifier.classify(e) {
        case .clean: break
        case .allowed:
            allowed += 1
            isAllowed = true
        case .detected(let v): verdict = v
        }
        let newDevice: Bool
        var v4: UInt32? = nil
        if device.deviceID == nil, case .v4(let a)? = device.client { v4 = a.rawValue }
        // Devices seen, after the classification: the device's table entry (prefetched when the event started) has
        // had the intel look-up's time to arrive. With a store, the device's entry in the store's table (made on its
        // first query, with its attributes).
        var storeDevice: StoreDevices.Ref = 0
        if store != nil {
            if let r = storeDevices.find(v4: v4, key: device) {
                storeDevice = r
                newDevice = false
            } else {
                storeDevice = storeDevices.add(v4: v4, key: device, info: storeDeviceInfo(e, quick: quick, fullWho: &fullWho))
                newDevice = true
            }
        } else if let v4 {
            newDevice = devicesSeenV4.insert(v4)
        } else {
            newDevice = devicesSeenOther.insert(device).inserted
        }
        // An organisation is counted with its first device: a device seen before brought its organisation then.
        // Consecutive events mostly come from the same organisation: skip the set insert then too.
        if newDevice && org != lastOrganisation {
            organisationsSeen.insert(org)
            lastOrganisation = org
        }
        if chain != nil {
            // A flag, not `verdict != nil`: comparing the optional verdict copied it (240 bytes) several times per event.
            let intelListed = verdict.map { _ in true } ?? false
            if case .flag(let suspectedVerdict, _) = chain!.observe(e, deviceHash: { DeviceKey.hash(device, memo: &deviceHash) }, device: { device.name },
                                                                    intelListed: intelListed, intelAllowed: isAllowed),
               !intelListed && !isAllowed {
                verdict = suspectedVerdict
                suspected += 1
            }
        }
        if store != nil {
            // A clean query is counted beside the device's and the name's look-ups (``StoreDevices``,
            // ``ObservedDomainCache``); a flagged one goes into the batch with its detections.
            // Not `verdict == nil`: it copied the verdict per query.
            if let verdict {
                let slot = storeDevices.slot(storeDevice, in: &batch)
                let domain = observedDomains.domain(of: e.queryName, nameFingerprint, in: &batch)
                batch.add(TrafficObservation(event: e, device: batch.devices[Int(slot.index)], verdicts: [verdict], domain: domain.name), slot: slot)
            } else {
                let day = Day(timeNanos: e.timeNanos).index
                storeDevices.count(storeDevice, day: day, in: &batch)
                observedDomains.sight(e.queryName, nameFingerprint, at: e.timeNanos, day: day, resolved: e.rcode == .noError && !e.answers.isEmpty, in: &batch)
                batch.addCountedElsewhere()
            }
            if batch.observationCount >= batchSize
                || (batch.observationCount & 0xFFF == 0 && batch.rowCount + observedDomains.sighted >= batchRows) {
                try flushBatch(complete: false, byteOffset: Int64(e.position.byteOffset))
            }
        }
        if let v = verdict {
            detections += 1
            let c = v.categoryCode
            queriesByCategory[c, default: 0] += 1
            affectedDevices[c, default: []].insert(device)
            affectedOrganisations[c, default: []].insert(org)
            if let f = v.family {
                queriesByFamily[f, default: 0] += 1
                familyDevices[f, default: []].insert(device)
            }
            if log != nil {
                pending.append(Self.jsonLine(e, fullWho ?? attributor.full(e, quick!), v))
                if pending.count >= 1024 { flush() }
            }
        }
    }

    /// The store's attributes of a device the worker meets for the first time (the full attribution, built once).
    @inline(never)
    private mutating func storeDeviceInfo(_ e: DNSEvent, quick: QuickAttribution?, fullWho: inout Attribution?) -> DeviceInfo {
        let who = fullWho ?? attributor.full(e, quick!)
        fullWho = who
        return DeviceInfo(event: e, organisation: who.organisation, segment: who.segment?.rawValue, region: who.region?.rawValue,
                          country: who.country, industry: who.industry, deviceType: who.deviceType, site: who.site)
    }

    /// The domain whose first sighting the store tracks for newly observed domains (mission.md: a domain first
    /// queried in the window): the registrable domain (eTLD+1, bundled Public Suffix List, both sections),
    /// lower-cased; the whole name when it has none (a public suffix itself, or malformed).
    static func observedDomain(_ name: DNSName) -> String {
        var text = StoreVocabulary.text(name)
        // One pass over the bytes: the registrable part, and whether anything needs lower-casing (rarely).
        let (cut, upper): (Range<Int>?, Bool) = text.withUTF8 { buf in
            let upper = buf.contains { $0 >= 0x41 && $0 <= 0x5A }
            guard let s = PublicSuffixList.bundled.split(buf), let r = s.registrableStart else { return (nil, upper) }
            return (r..<s.end, upper)
        }
        if let cut, cut.lowerBound > 0 || cut.upperBound < text.utf8.count {
            text = text.withUTF8 { String(decoding: UnsafeBufferPointer(rebasing: $0[cut]), as: UTF8.self) }
        }
        return upper ? text.lowercased() : text
    }

    /// Writes queued detections.
    public mutating func flush() {
        log?.write(pending)
        pending.removeAll(keepingCapacity: true)
    }

    /// Adds another worker's counts to this one, which has no store (the job's total: a worker with a store counts
    /// its devices seen in its store table, which a merge does not add to).
    public mutating func merge(_ o: AnalyzeWorker) {
        precondition(store == nil, "workers merge into a total without a store")
        events += o.events; allowed += o.allowed; detections += o.detections; suspected += o.suspected
        for (k, v) in o.queriesByCategory { queriesByCategory[k, default: 0] += v }
        for (k, v) in o.queriesByFamily { queriesByFamily[k, default: 0] += v }
        devicesSeenV4.formUnion(o.devicesSeenV4)
        devicesSeenOther.formUnion(o.devicesSeenOther)
        for a in o.storeDevices.v4Addresses { _ = devicesSeenV4.insert(a) }
        devicesSeenOther.formUnion(o.storeDevices.otherKeys)
        organisationsSeen.formUnion(o.organisationsSeen)
        for (k, v) in o.affectedDevices { affectedDevices[k, default: []].formUnion(v) }
        for (k, v) in o.affectedOrganisations { affectedOrganisations[k, default: []].formUnion(v) }
        for (k, v) in o.familyDevices { familyDevices[k, default: []].formUnion(v) }
        attributorCountersExtra = attributorCountersExtra + o.attributor.counters + o.attributorCountersExtra
    }
    var attributorCountersExtra = AttributionCounters()
    /// Attribution counters over this worker and every worker merged into it.
    public var attributionTotals: AttributionCounters { attributor.counters + attributorCountersExtra }

    /// One detection as a JSON line with its full evidence.
    static func jsonLine(_ e: DNSEvent, _ who: Attribution, _ v: Verdict) -> String {
        let traits = ThreatTraits.names.filter { v.traits.contains($0.trait) }.map(\.name)
        func s(_ x: String?) -> String? { x.map(JSONText.string) }
        return JSONText.object([
            ("time", JSONText.string(JSONText.isoTime(e.timeNanos))),
            ("client", s(e.clientAddress?.description)),
            ("client_port", e.clientPort.map { String($0) }),
            ("device", s(e.deviceKey)),
            ("organisation", s(who.organisation)),
            ("segment", s(who.segment?.rawValue)),
            ("region", s(who.region?.rawValue)),
            ("country", s(who.country)),
            ("industry", s(who.industry)),
            ("device_type", s(who.deviceType)),
            ("query", JSONText.string(e.queryName.isRoot ? "." : String(e.queryName.presentation.dropLast()))),
            ("type", JSONText.string(e.queryType.description)),
            ("rcode", s(e.rcode?.description)),
            ("category", JSONText.string(v.categoryCode)),
            ("tier", JSONText.string(v.tier.rawValue)),
            ("family", s(v.family)),
            ("traits", JSONText.array(traits)),
            ("industries", JSONText.array(v.tags.industries.map(\.rawValue))),
            ("brands", JSONText.array(v.tags.brands)),
            ("matched_on", JSONText.string(v.subject.description)),
            ("indicator", JSONText.string(v.matched)),
            ("source", JSONText.string(v.source)),
            ("reference", s(v.reference)),
            ("score", v.score.map(JSONText.number)),
            ("threshold", v.threshold.map(JSONText.number)),
            ("source_action", s(e.sourceAction)),
            ("evidence", JSONText.object([
                ("file", JSONText.string(e.position.file)),
                ("line", e.position.line > 0 ? String(e.position.line) : nil),
                ("offset", String(e.position.byteOffset)),
            ])),
            ("detector", v.evidence.map(detectorEvidence)),
        ])
    }

    /// What a detector saw, as a JSON object: the rule, the window, its key, measures and names.
    static func detectorEvidence(_ d: DetectorEvidence) -> String {
        JSONText.object([
            ("rule", JSONText.string(d.rule)),
            ("window_start", JSONText.string(JSONText.isoTime(d.windowStartNanos))),
            ("window_end", JSONText.string(JSONText.isoTime(d.windowEndNanos))),
            ("key", d.key.map(JSONText.string)),
            ("measures", "{" + d.measures.map { JSONText.string($0.name) + ":" + JSONText.number($0.value) }.joined(separator: ",") + "}"),
            ("names", "[" + d.names.map { JSONText.object([("name", JSONText.string($0.name)), ("count", String($0.count))]) }
                .joined(separator: ",") + "]"),
        ])
    }
}
