import Foundation

/// The identity of an ingested input: which file (device and inode, size, modification time) and what it starts
/// with (a 64-bit FNV-1a hash of its first bytes), plus a part number for inputs ingested in several parts.
///
/// Two inputs are the same when their head hashes, head lengths and parts agree (``key``), so a copy of a file
/// under another name is recognised too. A file that grew since it was ingested keeps its device and inode and
/// still starts with the hashed bytes; ``IngestLedger`` recognises that case and resumes where it stopped.
public struct StreamIdentity: Hashable, Sendable, Codable {
    /// The path as given, for people.
    public var path: String
    /// The file system device number (0 when unknown).
    public var fileDevice: UInt64
    /// The inode number (0 when unknown).
    public var inode: UInt64
    /// The size in bytes when identified.
    public var size: Int64
    /// The modification time, nanoseconds since 1970 UTC.
    public var modifiedNanos: Int64
    /// How many leading bytes ``headHash`` covers: `min(size, headLimit)`.
    public var headLength: Int64
    /// FNV-1a 64 of the first ``headLength`` bytes.
    public var headHash: UInt64
    /// The part of the input (0 for a whole file; chunk numbers when a file is ingested in parallel parts).
    public var part: Int

    /// How many leading bytes identify a file.
    public static let headLimit: Int64 = 65_536

    /// Creates an identity from known values.
    public init(path: String, fileDevice: UInt64 = 0, inode: UInt64 = 0, size: Int64, modifiedNanos: Int64 = 0,
                headLength: Int64, headHash: UInt64, part: Int = 0) {
        self.path = path
        self.fileDevice = fileDevice
        self.inode = inode
        self.size = size
        self.modifiedNanos = modifiedNanos
        self.headLength = headLength
        self.headHash = headHash
        self.part = part
    }

    /// The matching key: head hash, head length and part.
    public var key: String {
        let hex = String(headHash, radix: 16)
        return "fnv1a64:\(String(repeating: "0", count: 16 - hex.count))\(hex):\(headLength)#\(part)"
    }

    /// Identifies a file on disk: stats it and hashes its first ``headLimit`` bytes.
    public static func of(file path: String, part: Int = 0) throws(EventStoreError) -> StreamIdentity {
        let attrs: [FileAttributeKey: Any]
        do { attrs = try FileManager.default.attributesOfItem(atPath: path) } catch {
            throw EventStoreError(.unreadableInput("\(error)"), path: path)
        }
        let size = (attrs[.size] as? NSNumber)?.int64Value ?? 0
        let inode = (attrs[.systemFileNumber] as? NSNumber)?.uint64Value ?? 0
        let dev = (attrs[.systemNumber] as? NSNumber)?.uint64Value ?? 0
        let mtime = (attrs[.modificationDate] as? Date).map { Int64(($0.timeIntervalSince1970 * 1e9).rounded()) } ?? 0
        let length = min(size, headLimit)
        let hash = try headHash(of: path, length: length)
        return StreamIdentity(path: path, fileDevice: dev, inode: inode, size: size, modifiedNanos: mtime,
                              headLength: length, headHash: hash, part: part)
    }

    /// FNV-1a 64 of the first `length` bytes of a file.
    public static func headHash(of path: String, length: Int64) throws(EventStoreError) -> UInt64 {
        guard let h = FileHandle(forReadingAtPath: path) else { throw EventStoreError(.unreadableInput("cannot open"), path: path) }
        defer { try? h.close() }
        let data: Data
        do { data = try h.read(upToCount: Int(length)) ?? Data() } catch {
            throw EventStoreError(.unreadableInput("\(error)"), path: path)
        }
        guard data.count == Int(length) else {
            throw EventStoreError(.unreadableInput("file shorter than \(length) bytes"), path: path)
        }
        return fnv1a64(data)
    }

    /// FNV-1a, 64 bits.
    public static func fnv1a64(_ bytes: some Sequence<UInt8>) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in bytes {
            h ^= UInt64(b)
            h = h &* 0x0000_0100_0000_01b3
        }
        return h
    }
}

/// How far ingest of one input has gone: the byte offset and the number of records after the last record whose
/// roll-ups and detections are stored. Stored in the same transaction as those roll-ups.
public struct IngestCheckpoint: Hashable, Sendable, Codable {
    /// The input.
    public var stream: StreamIdentity
    /// The byte offset just after the last stored record (in the decompressed input).
    public var byteOffset: Int64
    /// The number of records stored so far, counting from the input's start.
    public var records: Int64
    /// Whether the whole input is stored.
    public var complete: Bool
    /// When the checkpoint was written, nanoseconds since 1970 UTC.
    public var updatedNanos: Int64

    /// Creates a checkpoint.
    public init(stream: StreamIdentity, byteOffset: Int64, records: Int64, complete: Bool, updatedNanos: Int64 = 0) {
        self.stream = stream
        self.byteOffset = byteOffset
        self.records = records
        self.complete = complete
        self.updatedNanos = updatedNanos
    }
}

/// Decides where to resume ingest of an input from the checkpoints in a store.
public enum IngestLedger {
    /// Where to start reading an input.
    public enum Resume: Hashable, Sendable {
        /// Never ingested: read it all.
        case fromStart
        /// Partly ingested (or grown since): skip this many records / bytes, then read on.
        case after(records: Int64, byteOffset: Int64)
        /// Already fully ingested, unchanged: skip it.
        case done
    }

    /// Where to resume `stream`: an exact match on its key; else a checkpoint of the same device, inode and part whose
    /// hashed head the file still starts with (the file grew, e.g. a log being appended to).
    public static func resume(_ stream: StreamIdentity, in store: some EventStoreWriter) throws -> Resume {
        if let cp = try store.checkpoint(forKey: stream.key) {
            if cp.complete && cp.stream.size == stream.size { return .done }
            return cp.records == 0 && cp.byteOffset == 0 ? .fromStart : .after(records: cp.records, byteOffset: cp.byteOffset)
        }
        guard stream.inode != 0 else { return .fromStart }
        for cp in try store.checkpoints(fileDevice: stream.fileDevice, inode: stream.inode) where cp.stream.part == stream.part {
            guard cp.stream.headLength <= stream.size, cp.stream.size <= stream.size else { continue }
            if let h = try? StreamIdentity.headHash(of: stream.path, length: cp.stream.headLength), h == cp.stream.headHash {
                return .after(records: cp.records, byteOffset: cp.byteOffset)
            }
        }
        return .fromStart
    }
}
