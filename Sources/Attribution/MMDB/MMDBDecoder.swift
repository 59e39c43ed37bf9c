/// Decodes data-section fields from raw bytes, checking every size, offset and pointer against the section's end.
///
/// Offsets are section-relative; `pointerBase` is what pointers are relative to (the data section for records, the
/// metadata start for metadata). A pointer must not point to a pointer; nesting deeper than `maxDepth` and records
/// that expand to more than `maxValues` values (pointer cycles and bombs) are errors, so a hostile file costs
/// bounded time and memory.
struct MMDBDecoder: @unchecked Sendable {  // reads only; the bytes are owned by an immutable MMDBStorage
    /// The whole file.
    let base: UnsafeRawBufferPointer
    /// File offset where this section starts (what section offsets are relative to).
    let sectionStart: Int
    /// Section length in bytes.
    let sectionLength: Int
    /// File name, for errors.
    let file: String

    static let maxDepth = 512
    static let maxValues = 1 << 20

    /// The MMDB type numbers.
    enum FieldType: Int {
        case extended = 0, pointer, string, double, bytes, uint16, uint32, map, int32, uint64, uint128, array,
             container, endMarker, bool, float
    }

    struct Control {
        var type: FieldType
        /// The payload size (bytes, or entries for maps and arrays, or the value for booleans); for pointers the
        /// resolved section offset.
        var size: Int
        /// Section offset of the payload (for pointers: of the byte after the pointer).
        var payload: Int
    }

    func corrupt(_ offset: Int, _ message: String) -> AttributionError {
        AttributionError(.corruptDatabase, file: file, byteOffset: sectionStart + offset, message)
    }

    @inline(__always)
    func byte(_ offset: Int) throws(AttributionError) -> Int {
        guard offset >= 0 && offset < sectionLength else { throw corrupt(offset, "field runs past the end of the data section") }
        return Int(base[sectionStart + offset])
    }

    /// Reads a field's control byte(s) at `offset`.
    func control(at offset: Int) throws(AttributionError) -> Control {
        let ctrl = try byte(offset)
        var p = offset + 1
        var typeNumber = ctrl >> 5
        if typeNumber == 1 {
            // Pointer: 001SSVVV then SS+1 bytes.
            let ss = (ctrl >> 3) & 3, vvv = ctrl & 7
            var v = 0
            switch ss {
            case 0: v = vvv << 8 | (try byte(p)); p += 1
            case 1: v = (vvv << 16 | (try byte(p)) << 8 | (try byte(p + 1))) + 2048; p += 2
            case 2: v = (vvv << 24 | (try byte(p)) << 16 | (try byte(p + 1)) << 8 | (try byte(p + 2))) + 526_336; p += 3
            default: v = (try byte(p)) << 24 | (try byte(p + 1)) << 16 | (try byte(p + 2)) << 8 | (try byte(p + 3)); p += 4
            }
            guard v < sectionLength else { throw corrupt(offset, "pointer to \(v) is outside the data section (\(sectionLength) bytes)") }
            return Control(type: .pointer, size: v, payload: p)
        }
        if typeNumber == 0 {
            typeNumber = 7 + (try byte(p))
            p += 1
            guard typeNumber >= 8 && typeNumber <= 15 else { throw corrupt(offset, "extended type \(typeNumber) is not a known type") }
        }
        var size = ctrl & 0x1F
        switch size {
        case 29: size = 29 + (try byte(p)); p += 1
        case 30: size = 285 + ((try byte(p)) << 8 | (try byte(p + 1))); p += 2
        case 31: size = 65_821 + ((try byte(p)) << 16 | (try byte(p + 1)) << 8 | (try byte(p + 2))); p += 3
        default: break
        }
        let type = FieldType(rawValue: typeNumber)!
        switch type {
        case .map, .array:
            // Each entry takes at least one byte (two for a map pair): a count larger than the bytes left is a lie.
            guard size <= (sectionLength - p) / (type == .map ? 2 : 1) else {
                throw corrupt(offset, "\(type == .map ? "map" : "array") of \(size) entries cannot fit in the \(sectionLength - p) bytes left")
            }
        case .bool:
            guard size <= 1 else { throw corrupt(offset, "boolean of size \(size)") }
        case .endMarker, .container:
            break
        default:
            guard size <= sectionLength - p else { throw corrupt(offset, "field of \(size) bytes runs past the end of the data section") }
        }
        return Control(type: type, size: size, payload: p)
    }

    /// The field at `offset`, with one pointer followed; returns the control of the target and the offset just
    /// after the field at `offset` (after the pointer, if it was one).
    func resolved(at offset: Int) throws(AttributionError) -> (Control, next: Int?) {
        let c = try control(at: offset)
        guard c.type == .pointer else { return (c, nil) }
        let target = try control(at: c.size)
        guard target.type != .pointer else { throw corrupt(c.size, "a pointer points to another pointer") }
        return (target, c.payload)
    }

    /// Decodes the value at `offset`; returns it and the offset after it.
    func decode(at offset: Int) throws(AttributionError) -> (MMDBValue, Int) {
        var budget = MMDBDecoder.maxValues
        return try decode(at: offset, depth: 0, budget: &budget)
    }

    private func decode(at offset: Int, depth: Int, budget: inout Int) throws(AttributionError) -> (MMDBValue, Int) {
        guard depth < MMDBDecoder.maxDepth else { throw corrupt(offset, "data nested more than \(MMDBDecoder.maxDepth) deep") }
        budget -= 1
        guard budget >= 0 else { throw corrupt(offset, "record expands to more than \(MMDBDecoder.maxValues) values") }
        let (c, afterPointer) = try resolved(at: offset)
        let (value, end) = try decodePayload(c, depth: depth, budget: &budget)
        return (value, afterPointer ?? end)
    }

    private func uint(_ c: Control, max: Int, _ name: String) throws(AttributionError) -> (high: UInt64, low: UInt64) {
        guard c.size <= max else { throw corrupt(c.payload, "\(name) of \(c.size) bytes (at most \(max))") }
        var h: UInt64 = 0, l: UInt64 = 0
        for i in 0..<c.size {
            h = h << 8 | l >> 56
            l = l << 8 | UInt64(base[sectionStart + c.payload + i])
        }
        return (h, l)
    }

    private func decodePayload(_ c: Control, depth: Int, budget: inout Int) throws(AttributionError) -> (MMDBValue, Int) {
        let p = c.payload
        switch c.type {
        case .string:
            let s = String(decoding: UnsafeRawBufferPointer(rebasing: base[(sectionStart + p)..<(sectionStart + p + c.size)]), as: UTF8.self)
            return (.string(s), p + c.size)
        case .bytes:
            return (.bytes(Array(base[(sectionStart + p)..<(sectionStart + p + c.size)])), p + c.size)
        case .double:
            guard c.size == 8 else { throw corrupt(p, "double of \(c.size) bytes (must be 8)") }
            return (.double(Double(bitPattern: try uint(c, max: 8, "double").low)), p + 8)
        case .float:
            guard c.size == 4 else { throw corrupt(p, "float of \(c.size) bytes (must be 4)") }
            return (.float(Float(bitPattern: UInt32(try uint(c, max: 4, "float").low))), p + 4)
        case .uint16: return (.uint16(UInt16(try uint(c, max: 2, "uint16").low)), p + c.size)
        case .uint32: return (.uint32(UInt32(try uint(c, max: 4, "uint32").low)), p + c.size)
        case .int32: return (.int32(Int32(bitPattern: UInt32(try uint(c, max: 4, "int32").low))), p + c.size)
        case .uint64: return (.uint64(try uint(c, max: 8, "uint64").low), p + c.size)
        case .uint128:
            let v = try uint(c, max: 16, "uint128")
            return (.uint128(high: v.high, low: v.low), p + c.size)
        case .bool: return (.bool(c.size == 1), p)
        case .array:
            var out = [MMDBValue]()
            out.reserveCapacity(min(c.size, 1024))
            var q = p
            for _ in 0..<c.size {
                let (v, next) = try decode(at: q, depth: depth + 1, budget: &budget)
                out.append(v); q = next
            }
            return (.array(out), q)
        case .map:
            var out = [String: MMDBValue]()
            out.reserveCapacity(min(c.size, 1024))
            var q = p
            for _ in 0..<c.size {
                let (k, afterKey) = try decode(at: q, depth: depth + 1, budget: &budget)
                guard case .string(let key) = k else { throw corrupt(q, "map key is not a string") }
                let (v, next) = try decode(at: afterKey, depth: depth + 1, budget: &budget)
                out[key] = v; q = next
            }
            return (.map(out), q)
        case .container, .endMarker:
            throw corrupt(p, "a \(c.type == .container ? "data cache container" : "end marker") where a value was expected")
        case .pointer, .extended:
            throw corrupt(p, "unexpected pointer")
        }
    }

    /// The offset after the field at `offset`, without decoding it (pointers are not followed).
    func skip(at offset: Int, depth: Int = 0) throws(AttributionError) -> Int {
        guard depth < MMDBDecoder.maxDepth else { throw corrupt(offset, "data nested more than \(MMDBDecoder.maxDepth) deep") }
        let c = try control(at: offset)
        switch c.type {
        case .pointer, .bool, .endMarker: return c.payload
        case .container: return c.payload + c.size
        case .array:
            var q = c.payload
            for _ in 0..<c.size { q = try skip(at: q, depth: depth + 1) }
            return q
        case .map:
            var q = c.payload
            for _ in 0..<(c.size * 2) { q = try skip(at: q, depth: depth + 1) }
            return q
        default: return c.payload + c.size
        }
    }

    /// The section offset of the value at `path` (map keys) under the value at `offset`, or nil when a key is
    /// missing or a level is not a map. Compares keys as bytes and decodes nothing else: the allocation-free way
    /// to pull one field (a country code, an AS number) out of a record.
    func find(path: [StaticString], at offset: Int) throws(AttributionError) -> Int? {
        var current = offset
        for key in path {
            let (c, _) = try resolved(at: current)
            guard c.type == .map else { return nil }
            var q = c.payload
            var found: Int? = nil
            for _ in 0..<c.size {
                let (kc, afterPointer) = try resolved(at: q)
                guard kc.type == .string else { throw corrupt(q, "map key is not a string") }
                let keyEnd = afterPointer ?? (kc.payload + kc.size)
                if kc.size == key.utf8CodeUnitCount && equalBytes(kc.payload, key) { found = keyEnd; break }
                q = try skip(at: keyEnd)
            }
            guard let f = found else { return nil }
            current = f
        }
        return current
    }

    private func equalBytes(_ offset: Int, _ key: StaticString) -> Bool {
        let n = key.utf8CodeUnitCount
        let k = key.utf8Start
        for i in 0..<n where base[sectionStart + offset + i] != k[i] { return false }
        return true
    }

    /// The string at `offset` (following one pointer), or nil if the value is not a string.
    func string(at offset: Int) throws(AttributionError) -> String? {
        let (c, _) = try resolved(at: offset)
        guard c.type == .string else { return nil }
        return String(decoding: UnsafeRawBufferPointer(rebasing: base[(sectionStart + c.payload)..<(sectionStart + c.payload + c.size)]), as: UTF8.self)
    }

    /// An unsigned integer (any integer type, non-negative) at `offset`, or nil.
    func unsigned(at offset: Int) throws(AttributionError) -> UInt64? {
        let (c, _) = try resolved(at: offset)
        switch c.type {
        case .uint16: return try uint(c, max: 2, "uint16").low
        case .uint32: return try uint(c, max: 4, "uint32").low
        case .uint64: return try uint(c, max: 8, "uint64").low
        case .uint128:
            let v = try uint(c, max: 16, "uint128")
            return v.high == 0 ? v.low : nil
        case .int32:
            let v = Int32(bitPattern: UInt32(try uint(c, max: 4, "int32").low))
            return v >= 0 ? UInt64(v) : nil
        default: return nil
        }
    }
}
