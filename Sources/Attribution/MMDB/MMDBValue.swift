/// A value from a MaxMind DB data section, with every type of the format.
public enum MMDBValue: Hashable, Sendable, CustomStringConvertible {
    case string(String)
    case double(Double)
    case bytes([UInt8])
    case uint16(UInt16)
    case uint32(UInt32)
    case map([String: MMDBValue])
    case int32(Int32)
    case uint64(UInt64)
    /// An unsigned 128-bit integer as two halves.
    case uint128(high: UInt64, low: UInt64)
    case array([MMDBValue])
    case bool(Bool)
    case float(Float)

    /// The value at a key of a map, or nil.
    public subscript(key: String) -> MMDBValue? {
        if case .map(let m) = self { return m[key] }
        return nil
    }

    /// The value at a path of map keys, or nil.
    public subscript(path path: [String]) -> MMDBValue? {
        var v: MMDBValue? = self
        for k in path { v = v?[k] }
        return v
    }

    /// The text of a string value.
    public var stringValue: String? { if case .string(let s) = self { return s } else { return nil } }

    /// Any integer type that fits in a UInt64 (negative int32 excluded).
    public var uint64Value: UInt64? {
        switch self {
        case .uint16(let v): return UInt64(v)
        case .uint32(let v): return UInt64(v)
        case .uint64(let v): return v
        case .int32(let v): return v >= 0 ? UInt64(v) : nil
        case .uint128(let h, let l): return h == 0 ? l : nil
        default: return nil
        }
    }

    public var description: String {
        switch self {
        case .string(let s): return "\"\(s)\""
        case .double(let d): return "\(d)"
        case .bytes(let b): return "bytes(\(b.count))"
        case .uint16(let v): return "\(v)"
        case .uint32(let v): return "\(v)"
        case .int32(let v): return "\(v)"
        case .uint64(let v): return "\(v)"
        case .uint128(let h, let l): return h == 0 ? "\(l)" : "0x\(String(h, radix: 16))\(String(repeating: "0", count: 16 - String(l, radix: 16).count))\(String(l, radix: 16))"
        case .bool(let b): return "\(b)"
        case .float(let f): return "\(f)"
        case .array(let a): return "[" + a.map(\.description).joined(separator: ", ") + "]"
        case .map(let m): return "{" + m.sorted { $0.key < $1.key }.map { "\"\($0.key)\": \($0.value)" }.joined(separator: ", ") + "}"
        }
    }
}

/// The metadata of a MaxMind DB file.
public struct MMDBMetadata: Sendable, Hashable {
    /// Nodes in the search tree.
    public var nodeCount: UInt32
    /// Bits per record (24, 28 or 32).
    public var recordSize: Int
    /// 4 or 6.
    public var ipVersion: Int
    /// What the records hold, e.g. `GeoLite2-Country`.
    public var databaseType: String
    /// Locale codes of localised names.
    public var languages: [String]
    /// Format version (major must be 2).
    public var binaryFormatMajorVersion: Int
    public var binaryFormatMinorVersion: Int
    /// Build time, seconds since 1970.
    public var buildEpoch: UInt64
    /// Descriptions by locale.
    public var description: [String: String]
}
