#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import DNSWire
import DNSightCore

/// Owns the bytes of a database: a read-only memory map of the file, or a private copy of given bytes.
final class MMDBStorage: @unchecked Sendable {
    let base: UnsafeRawPointer
    let count: Int
    private let mapped: Bool

    init(path: String) throws(AttributionError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw AttributionError(.io, file: path, "cannot open: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw AttributionError(.io, file: path, "cannot stat: \(String(cString: strerror(errno)))") }
        guard (st.st_mode & S_IFMT) == S_IFREG else { throw AttributionError(.io, file: path, "not a regular file") }
        let size = Int(st.st_size)
        guard size > 0 else { throw AttributionError(.format, file: path, "empty file: not a MaxMind DB") }
        let p = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0)
        guard let p, p != MAP_FAILED else { throw AttributionError(.io, file: path, "cannot map: \(String(cString: strerror(errno)))") }
        base = UnsafeRawPointer(p)
        count = size
        mapped = true
    }

    init(bytes: [UInt8]) {
        let p = UnsafeMutableRawPointer.allocate(byteCount: max(bytes.count, 1), alignment: 16)
        bytes.withUnsafeBytes { p.copyMemory(from: $0.baseAddress!, byteCount: bytes.count) }
        base = UnsafeRawPointer(p)
        count = bytes.count
        mapped = false
    }

    var buffer: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }

    deinit {
        if mapped { munmap(UnsafeMutableRawPointer(mutating: base), count) } else { base.deallocate() }
    }
}

/// A reader for MaxMind DB (`.mmdb`) files — GeoLite2/GeoIP2 Country, City and ASN, DB-IP, IPinfo and any other
/// database in the format: binary search tree (24-, 28- or 32-bit records), data section (every type, pointers),
/// metadata. The file is memory-mapped and read in place; immutable, so one reader serves every thread.
///
/// Every offset, size, pointer and node number read from the file is checked before use: a hostile or truncated
/// file gives an `AttributionError` of kind `.corruptDatabase` with the byte offset, never a crash or a hang.
/// (A file truncated by another process *while* mapped can still fault, as with any memory map; replace database
/// files by renaming a new file over the old one, as MaxMind's updater does.)
public final class MMDBReader: Sendable {
    private let storage: MMDBStorage
    /// The database's metadata.
    public let metadata: MMDBMetadata
    /// The file name (for errors).
    public let file: String
    private let nodeCount: Int
    private let nodeBytes: Int
    private let recordSize: Int
    private let treeSize: Int
    private let data: MMDBDecoder
    /// The node where IPv4 lookups start in an IPv6 tree (after 96 zero bits), and how many of those bits it took.
    private let ipv4Start: Int

    /// Maps a database file.
    public convenience init(path: String) throws(AttributionError) {
        try self.init(storage: try MMDBStorage(path: path), file: path)
    }

    /// Reads a database from bytes (copied).
    public convenience init(bytes: [UInt8], name: String = "<memory>") throws(AttributionError) {
        try self.init(storage: MMDBStorage(bytes: bytes), file: name)
    }

    private static let marker: [UInt8] = [0xAB, 0xCD, 0xEF] + Array("MaxMind.com".utf8)

    private init(storage: MMDBStorage, file: String) throws(AttributionError) {
        self.storage = storage
        self.file = file
        let buf = storage.buffer
        // The metadata starts after the last marker in the file's final 128 KiB.
        let m = MMDBReader.marker
        var markerAt = -1
        var i = buf.count - m.count
        let lowest = max(0, buf.count - 128 * 1024)
        while i >= lowest {
            if buf[i] == m[0] {
                var ok = true
                for j in 1..<m.count where buf[i + j] != m[j] { ok = false; break }
                if ok { markerAt = i; break }
            }
            i -= 1
        }
        guard markerAt >= 0 else {
            throw AttributionError(.format, file: file, "no MaxMind DB metadata marker in the last 128 KiB: not an MMDB file")
        }
        let metaStart = markerAt + m.count
        let metaDecoder = MMDBDecoder(base: buf, sectionStart: metaStart, sectionLength: buf.count - metaStart, file: file)
        let (metaValue, _) = try metaDecoder.decode(at: 0)
        let meta = try MMDBReader.metadata(metaValue, file: file, offset: metaStart)
        metadata = meta
        nodeCount = Int(meta.nodeCount)
        recordSize = meta.recordSize
        nodeBytes = recordSize / 4
        let (tree, overflow) = nodeCount.multipliedReportingOverflow(by: nodeBytes)
        guard !overflow, tree + 16 <= markerAt else {
            throw AttributionError(.corruptDatabase, file: file, byteOffset: metaStart,
                                   "search tree of \(meta.nodeCount) nodes × \(nodeBytes) bytes does not fit before the metadata at \(markerAt)")
        }
        treeSize = tree
        data = MMDBDecoder(base: buf, sectionStart: tree + 16, sectionLength: markerAt - tree - 16, file: file)
        var node = 0
        if meta.ipVersion == 6 {
            var depth = 0
            while depth < 96 && node < nodeCount {
                node = MMDBReader.record(buf, node: node, right: false, nodeBytes: nodeBytes, recordSize: recordSize)
                depth += 1
            }
        }
        ipv4Start = node
    }

    private static func metadata(_ v: MMDBValue, file: String, offset: Int) throws(AttributionError) -> MMDBMetadata {
        func bad(_ m: String) -> AttributionError { AttributionError(.corruptDatabase, file: file, byteOffset: offset, "metadata: \(m)") }
        guard case .map(let m) = v else { throw bad("not a map") }
        func uint(_ k: String, required: Bool = true) throws(AttributionError) -> UInt64? {
            guard let x = m[k] else { if required { throw bad("missing '\(k)'") } else { return nil } }
            guard let u = x.uint64Value else { throw bad("'\(k)' is not an unsigned integer") }
            return u
        }
        guard let nodes = try uint("node_count"), nodes <= UInt64(UInt32.max) else { throw bad("'node_count' out of range") }
        let rs = Int(try uint("record_size")!)
        guard [24, 28, 32].contains(rs) else { throw bad("record_size \(rs) is not 24, 28 or 32") }
        let ipv = Int(try uint("ip_version")!)
        guard ipv == 4 || ipv == 6 else { throw bad("ip_version \(ipv) is not 4 or 6") }
        let major = Int(try uint("binary_format_major_version")!)
        guard major == 2 else { throw bad("binary format major version \(major) (this reader reads version 2)") }
        let minor = Int(clamping: try uint("binary_format_minor_version", required: false) ?? 0)
        var descriptions = [String: String]()
        if case .map(let d)? = m["description"] { for (k, v) in d { if let s = v.stringValue { descriptions[k] = s } } }
        var languages = [String]()
        if case .array(let a)? = m["languages"] { languages = a.compactMap(\.stringValue) }
        return MMDBMetadata(nodeCount: UInt32(nodes), recordSize: rs, ipVersion: ipv,
                            databaseType: m["database_type"]?.stringValue ?? "", languages: languages,
                            binaryFormatMajorVersion: major, binaryFormatMinorVersion: minor,
                            buildEpoch: try uint("build_epoch", required: false) ?? 0, description: descriptions)
    }

    /// One record of a node; the caller guarantees `node < nodeCount` (so the bytes are inside the tree).
    @inline(__always)
    private static func record(_ buf: UnsafeRawBufferPointer, node: Int, right: Bool, nodeBytes: Int, recordSize: Int) -> Int {
        let o = node * nodeBytes
        switch recordSize {
        case 24:
            let p = right ? o + 3 : o
            return Int(buf[p]) << 16 | Int(buf[p + 1]) << 8 | Int(buf[p + 2])
        case 28:
            if right {
                return (Int(buf[o + 3]) & 0x0F) << 24 | Int(buf[o + 4]) << 16 | Int(buf[o + 5]) << 8 | Int(buf[o + 6])
            }
            return (Int(buf[o + 3]) & 0xF0) << 20 | Int(buf[o]) << 16 | Int(buf[o + 1]) << 8 | Int(buf[o + 2])
        default:
            let p = right ? o + 4 : o
            return Int(buf[p]) << 24 | Int(buf[p + 1]) << 16 | Int(buf[p + 2]) << 8 | Int(buf[p + 3])
        }
    }

    /// Where an address leads in the tree.
    public struct TreeResult: Hashable, Sendable {
        /// The data-section offset of the record, or nil when the database has no data for the address.
        public var dataOffset: Int?
        /// The prefix length of the network the answer covers, in the address's own bits (0–32 for IPv4).
        public var prefixLength: Int
    }

    /// Walks the search tree. IPv4 addresses in an IPv6 database are looked up at `::a.b.c.d` (the format's
    /// convention); an IPv6 address in an IPv4 database has no answer.
    public func find(_ address: IPAddress) throws(AttributionError) -> TreeResult {
        let buf = storage.buffer
        var node: Int, bits: Int, high: UInt64, low: UInt64
        switch address {
        case .v4(let a):
            node = metadata.ipVersion == 6 ? ipv4Start : 0
            bits = 32
            high = UInt64(a.rawValue) << 32; low = 0
        case .v6(let a):
            guard metadata.ipVersion == 6 else { return TreeResult(dataOffset: nil, prefixLength: 0) }
            node = 0
            bits = 128
            high = a.high; low = a.low
        }
        var depth = 0
        while depth < bits && node < nodeCount {
            let bit = depth < 64 ? (high >> UInt64(63 - depth)) & 1 : (low >> UInt64(127 - depth)) & 1
            node = MMDBReader.record(buf, node: node, right: bit == 1, nodeBytes: nodeBytes, recordSize: recordSize)
            depth += 1
        }
        if node == nodeCount { return TreeResult(dataOffset: nil, prefixLength: depth) }
        guard node > nodeCount else {
            throw AttributionError(.corruptDatabase, file: file, "search tree is deeper than \(bits) bits at \(address)")
        }
        let offset = node - nodeCount - 16
        guard offset >= 0 && offset < data.sectionLength else {
            throw AttributionError(.corruptDatabase, file: file,
                                   "record for \(address) points to \(offset), outside the data section (\(data.sectionLength) bytes)")
        }
        return TreeResult(dataOffset: offset, prefixLength: depth)
    }

    /// The full record for an address, or nil when the database has none.
    public func lookup(_ address: IPAddress) throws(AttributionError) -> MMDBValue? {
        guard let offset = try find(address).dataOffset else { return nil }
        return try data.decode(at: offset).0
    }

    /// Decodes the value at a data-section offset (from `find`).
    public func value(atDataOffset offset: Int) throws(AttributionError) -> MMDBValue {
        guard offset >= 0 && offset < data.sectionLength else {
            throw AttributionError(.corruptDatabase, file: file, "offset \(offset) is outside the data section")
        }
        return try data.decode(at: offset).0
    }

    /// Country and autonomous system of an address, as far as this database knows them.
    public struct Geo: Hashable, Sendable {
        /// ISO 3166-1 alpha-2 country code.
        public var country: String?
        /// Autonomous system number.
        public var asn: UInt32?
        /// Autonomous system organisation.
        public var asOrganisation: String?
        /// Prefix length of the network the answer covers.
        public var prefixLength: Int
    }

    private static let countryPaths: [[StaticString]] = [["country", "iso_code"], ["registered_country", "iso_code"], ["country_code"], ["country"]]
    private static let asnPaths: [[StaticString]] = [["autonomous_system_number"], ["asn"]]
    private static let asOrgPaths: [[StaticString]] = [["autonomous_system_organization"], ["as_name"], ["organization"]]

    /// The country code and AS number/organisation for an address, from the usual field names: GeoIP2/GeoLite2
    /// (`country.iso_code`, else `registered_country.iso_code`; `autonomous_system_number`,
    /// `autonomous_system_organization`) and the IPinfo/DB-IP style (`country_code` or a string `country`; `asn` as
    /// a number or `AS123`, `as_name`). Reads just those fields. Nil when the database has no record.
    public func geo(_ address: IPAddress) throws(AttributionError) -> Geo? {
        let t = try find(address)
        guard let offset = t.dataOffset else { return nil }
        var g = Geo(prefixLength: t.prefixLength)
        for path in MMDBReader.countryPaths {
            if let o = try data.find(path: path, at: offset), let s = try data.string(at: o), s.utf8.count == 2 {
                g.country = s.uppercased(); break
            }
        }
        for path in MMDBReader.asnPaths {
            guard let o = try data.find(path: path, at: offset) else { continue }
            if let n = try data.unsigned(at: o), n <= UInt64(UInt32.max) { g.asn = UInt32(n); break }
            if var s = try data.string(at: o) {
                if s.hasPrefix("AS") || s.hasPrefix("as") { s.removeFirst(2) }
                if let n = UInt32(s) { g.asn = n; break }
            }
        }
        for path in MMDBReader.asOrgPaths {
            if let o = try data.find(path: path, at: offset), let s = try data.string(at: o) { g.asOrganisation = s; break }
        }
        return g
    }
}
