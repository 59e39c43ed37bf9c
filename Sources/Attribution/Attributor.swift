import DNSWire
import DNSightCore

/// Counters of what an `Attributor` did, by source. Add the counters of several workers with `+`.
public struct AttributionCounters: Sendable, Hashable {
    /// Events attributed.
    public var events = 0
    /// Attributed by the inventory through the event's device id.
    public var byDevice = 0
    /// Attributed by the inventory through a CIDR prefix.
    public var byCIDR = 0
    /// Attributed only by an MMDB database (country and/or ASN).
    public var byMMDB = 0
    /// Nothing knew the client.
    public var unknown = 0
    /// Inventory matches whose missing country an MMDB database filled in.
    public var countryFilledFromMMDB = 0
    /// Events with an ASN from an MMDB database.
    public var withASN = 0
    /// Client addresses anonymised.
    public var anonymised = 0
    /// Events without a client address.
    public var noClientAddress = 0
    /// MMDB look-ups that failed on a corrupt database record (the event went on without that database).
    public var mmdbErrors = 0

    /// Creates zeroed counters.
    public init() {}

    /// The counts of two workers added.
    public static func + (a: AttributionCounters, b: AttributionCounters) -> AttributionCounters {
        var r = a
        r.events += b.events; r.byDevice += b.byDevice; r.byCIDR += b.byCIDR; r.byMMDB += b.byMMDB
        r.unknown += b.unknown; r.countryFilledFromMMDB += b.countryFilledFromMMDB; r.withASN += b.withASN
        r.anonymised += b.anonymised; r.noClientAddress += b.noClientAddress; r.mmdbErrors += b.mmdbErrors
        return r
    }

    /// Counts by source, in a stable order, for summaries.
    public var bySource: [(AttributionSource, Int)] { [(.device, byDevice), (.cidr, byCIDR), (.mmdb, byMMDB), (.unknown, unknown)] }
}

/// Which addresses the inventory's CIDRs are written in, when client addresses are anonymised.
public enum InventoryAddressSpace: String, Sendable, CaseIterable {
    /// The inventory holds real prefixes (what an operator knows). The attributor looks the real address up, then
    /// replaces it with the anonymised one; the real address never leaves `attribute(_:)`.
    case real
    /// The inventory holds prefixes already anonymised with the same key (see `Inventory.anonymised(with:)`); the
    /// attributor looks up the anonymised address. Use this when the real prefixes must not be on the machine.
    case anonymised
}

/// Everything an `Attributor` needs.
public struct AttributorConfiguration: Sendable {
    /// The inventory (empty by default).
    public var inventory: Inventory
    /// Which address space the inventory's CIDRs are in (matters only with an anonymiser).
    public var inventoryAddressSpace: InventoryAddressSpace
    /// The Crypto-PAn anonymiser for client addresses, or nil to keep them.
    public var anonymiser: CryptoPAn?
    /// MMDB databases consulted, in order, for the country and the ASN when the inventory is silent (e.g. a
    /// GeoLite2-Country and a GeoLite2-ASN file). Always looked up with the real address (an anonymised address
    /// has no geography).
    public var databases: [MMDBReader]
    /// How many recent addresses the anonymiser caches.
    public var anonymiserCacheCapacity: Int

    /// Creates a configuration.
    public init(inventory: Inventory = Inventory(), inventoryAddressSpace: InventoryAddressSpace = .real,
                anonymiser: CryptoPAn? = nil, databases: [MMDBReader] = [], anonymiserCacheCapacity: Int = 16_384) {
        self.inventory = inventory
        self.inventoryAddressSpace = inventoryAddressSpace
        self.anonymiser = anonymiser
        self.databases = databases
        self.anonymiserCacheCapacity = anonymiserCacheCapacity
    }
}

/// Attributes DNS events to who sent them: the pipeline's attribute stage.
///
/// For each event, in order:
/// 1. the client address is normalised (an IPv4-mapped IPv6 address is read as IPv4);
/// 2. with `inventoryAddressSpace == .real`, the inventory is consulted with the real address (device id first,
///    then longest prefix) and the MMDB databases likewise;
/// 3. if an anonymiser is configured, the event's client address is replaced by its Crypto-PAn image — before the
///    event goes anywhere else, so nothing downstream (store, alerts, reports) sees a real address;
/// 4. with `inventoryAddressSpace == .anonymised`, the inventory is consulted with the anonymised address;
/// 5. fields the inventory left empty take the MMDB country and ASN; with no source at all the attribution is
///    `.unknown`.
///
/// A value type with mutating state (counters, the anonymiser's cache): give each worker thread its own copy and
/// add their `counters` at the end.
public struct Attributor: Sendable {
    /// The configuration.
    public let configuration: AttributorConfiguration
    private var cache: CryptoPAnCache?
    /// What this attributor has done so far.
    public private(set) var counters = AttributionCounters()

    /// Creates an attributor.
    public init(_ configuration: AttributorConfiguration) {
        self.configuration = configuration
        cache = configuration.anonymiser.map { CryptoPAnCache($0, capacity: configuration.anonymiserCacheCapacity) }
    }

    /// Attributes one event, anonymising its client address in place when configured to.
    public mutating func attribute(_ event: inout DNSEvent) -> Attribution {
        counters.events += 1
        let real = event.clientAddress.map(Attributor.normalised)
        if real == nil { counters.noClientAddress += 1 }
        var found: Attribution? = nil
        if configuration.anonymiser == nil || configuration.inventoryAddressSpace == .real {
            found = configuration.inventory.lookup(deviceID: event.deviceID, address: real)
        }
        if let real, cache != nil {
            let anon = cache!.anonymize(real)
            event.clientAddress = anon
            counters.anonymised += 1
            if configuration.inventoryAddressSpace == .anonymised {
                found = configuration.inventory.lookup(deviceID: event.deviceID, address: anon)
            }
        } else if real == nil, configuration.anonymiser != nil, configuration.inventoryAddressSpace == .anonymised {
            found = configuration.inventory.lookup(deviceID: event.deviceID, address: nil)
        }

        var a = found ?? Attribution()
        if let real, !configuration.databases.isEmpty, a.country == nil || a.asn == nil {
            for db in configuration.databases {
                let geo: MMDBReader.Geo?
                do { geo = try db.geo(real) } catch { counters.mmdbErrors += 1; continue }
                guard let geo else { continue }
                if a.country == nil, let c = geo.country { a.country = c; a.countryFromMMDB = true }
                if a.asn == nil, let n = geo.asn { a.asn = n; a.asOrganisation = geo.asOrganisation ?? a.asOrganisation }
                if a.asOrganisation == nil, let o = geo.asOrganisation { a.asOrganisation = o }
                if a.country != nil && a.asn != nil { break }
            }
        }
        switch a.source {
        case .device: counters.byDevice += 1
        case .cidr: counters.byCIDR += 1
        case .mmdb, .unknown:
            if a.country != nil || a.asn != nil || a.asOrganisation != nil {
                a.source = .mmdb
                counters.byMMDB += 1
            } else {
                a.source = .unknown
                counters.unknown += 1
            }
        }
        if found != nil && a.countryFromMMDB { counters.countryFilledFromMMDB += 1 }
        if a.asn != nil { counters.withASN += 1 }
        return a
    }

    /// Attributes one event as `attribute(_:)` does, counting alike, but without building the full attribution:
    /// only the organisation, for the per-event hot path. Nil (nothing counted) when an anonymiser or MMDB
    /// databases are configured: use `attribute(_:)` then. `full(_:)` builds the rest when an event needs it.
    @inline(__always)
    public mutating func attributeQuickly(_ event: DNSEvent) -> QuickAttribution? {
        guard configuration.anonymiser == nil, configuration.databases.isEmpty else { return nil }
        counters.events += 1
        let real = event.clientAddress.map(Attributor.normalised)
        if real == nil { counters.noClientAddress += 1 }
        guard let (organisation, match, source) = configuration.inventory.organisationMatch(deviceID: event.deviceID, address: real) else {
            counters.unknown += 1
            return QuickAttribution(organisation: nil, entry: -1)
        }
        if source == .device { counters.byDevice += 1 } else { counters.byCIDR += 1 }
        return QuickAttribution(organisation: organisation, entry: match)
    }

    /// Starts loading the inventory data that attributing the event will read first (see
    /// `Inventory.prefetch(address:)`): call it a little before `attributeQuickly(_:)`. Changes nothing.
    @inline(__always)
    public func prefetch(_ event: DNSEvent) {
        guard event.deviceID == nil, let a = event.clientAddress else { return }
        configuration.inventory.prefetch(address: a)
    }

    /// The full attribution of an event `attributeQuickly` attributed (not counted again).
    public func full(_ event: DNSEvent, _ q: QuickAttribution) -> Attribution {
        guard q.entry >= 0 else { return Attribution(source: .unknown) }
        return configuration.inventory.lookup(deviceID: event.deviceID, address: event.clientAddress.map(Attributor.normalised)) ?? Attribution(source: .unknown)
    }

    /// IPv4-mapped IPv6 (`::ffff:a.b.c.d`) as IPv4; everything else unchanged.
    static func normalised(_ a: IPAddress) -> IPAddress {
        if case .v6(let v6) = a, v6.high == 0, v6.low >> 32 == 0xFFFF {
            return .v4(IPv4Address(rawValue: UInt32(truncatingIfNeeded: v6.low)))
        }
        return a
    }
}

/// What `Attributor.attributeQuickly` found: the organisation, and the inventory entry for the rest.
public struct QuickAttribution: Sendable {
    /// The organisation (nil: not attributed).
    public var organisation: String?
    /// -1 when no inventory rule covers the event, else non-negative (for a device id the rule's entry; for a
    /// prefix it identifies the organisation only: `full(_:_:)` finds the rule itself).
    public var entry: Int32
}
