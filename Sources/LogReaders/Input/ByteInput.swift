import CZlib
import Foundation

/// A file, standard input or an in-memory buffer, read in chunks and transparently gunzipped.
///
/// gzip is recognised by its magic bytes, whatever the file is called; concatenated gzip members (as `cat a.gz
/// b.gz` makes) are read one after the other. Memory is bounded by the chunk size.
public final class ByteInput {
    /// The name used in diagnostics: the path, or `-`.
    public let name: String
    /// Whether the input is gzip-compressed.
    public private(set) var isGzip = false
    /// Compressed bytes consumed so far (equal to ``decompressedOffset`` for plain input); drives progress display.
    public private(set) var rawBytesRead = 0
    /// The size of the file on disk, when known.
    public let rawSize: Int?

    private let fd: Int32?
    private var memory: [UInt8]?
    private var memoryOffset = 0
    private var ownsFD = false
    private var pending: [UInt8] = []  // raw bytes read ahead for sniffing
    private var stream = z_stream()
    private var rawBuffer: [UInt8]
    private var rawStart = 0, rawEnd = 0
    private var eof = false
    private var streamEnded = false
    /// For a byte range of a file: raw bytes still to read before the range ends.
    private var remaining = Int.max

    /// A copy of `path` in storage of its own. Every event read carries the name (its source position) and retains
    /// it: when the workers reading chunks of one file shared the caller's string, each of those atomic reference
    /// counts bounced the string's cache line between the cores (about 15% of the CPU time of a two-thread Zeek
    /// ingest).
    static func ownCopy(_ path: String) -> String {
        // A new native string from the bytes (a path of 15 bytes or fewer is stored inline, with no count at all).
        String(decoding: Array(path.utf8), as: UTF8.self)
    }

    /// Opens a file, or standard input for `-`.
    public init(path: String) throws {
        name = Self.ownCopy(path)
        if path == "-" {
            fd = 0
            rawSize = nil
        } else {
            let f = open(path, O_RDONLY)
            guard f >= 0 else { throw ReaderError(file: path, "cannot open: \(String(cString: strerror(errno)))") }
            var st = stat()
            if fstat(f, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR {
                close(f)
                throw ReaderError(file: path, "is a directory")
            }
            fd = f
            ownsFD = true
            rawSize = Int(st.st_size)
        }
        rawBuffer = [UInt8](repeating: 0, count: ByteInput.bufferSize(rawSize))
        try sniff()
    }

    /// Opens the byte range `range` of a plain (not compressed) file, for reading one chunk of a large file on its
    /// own thread. Offsets (``decompressedOffset``) count from the start of the file, so positions in diagnostics
    /// stay those of the whole file.
    public init(path: String, range: Range<Int>) throws {
        name = Self.ownCopy(path)
        let f = open(path, O_RDONLY)
        guard f >= 0 else { throw ReaderError(file: path, "cannot open: \(String(cString: strerror(errno)))") }
        guard lseek(f, off_t(range.lowerBound), SEEK_SET) == off_t(range.lowerBound) else {
            close(f)
            throw ReaderError(file: path, byteOffset: range.lowerBound, "cannot seek: \(String(cString: strerror(errno)))")
        }
        fd = f
        ownsFD = true
        rawSize = range.count
        remaining = range.count
        decompressedOffset = range.lowerBound
        rawBuffer = [UInt8](repeating: 0, count: ByteInput.bufferSize(range.count))
        // A chunk is never sniffed for gzip: only plain files are split.
        let n = try rawBuffer.withUnsafeMutableBytes { (b) throws -> Int in try rawRead(b) }
        rawStart = 0
        rawEnd = n
        if n == 0 { eof = true }
    }

    /// Wraps bytes already in memory (tests, small uploads).
    public init(bytes: [UInt8], name: String) throws {
        self.name = name
        fd = nil
        memory = bytes
        rawSize = bytes.count
        rawBuffer = [UInt8](repeating: 0, count: ByteInput.bufferSize(bytes.count))
        try sniff()
    }

    /// 1 MiB for large or unknown sizes, less for small inputs (many small inputs must stay cheap).
    static func bufferSize(_ size: Int?) -> Int { min(1 << 20, max(4096, (size ?? (1 << 20)) + 1)) }

    deinit {
        if ownsFD, let fd { close(fd) }
        if isGzip { inflateEnd(&stream) }
    }

    private func rawRead(_ buf: UnsafeMutableRawBufferPointer) throws -> Int {
        if let memory {
            let n = min(buf.count, memory.count - memoryOffset)
            if n > 0 {
                memory.withUnsafeBytes { src in
                    buf.baseAddress!.copyMemory(from: src.baseAddress! + memoryOffset, byteCount: n)
                }
            }
            memoryOffset += n
            rawBytesRead += n
            return n
        }
        let want = min(buf.count, remaining)
        if want == 0 { return 0 }
        while true {
            let n = Foundation.read(fd!, buf.baseAddress, want)
            if n >= 0 {
                rawBytesRead += n
                if remaining != Int.max { remaining -= n }
                return n
            }
            if errno == EINTR { continue }
            throw ReaderError(file: name, byteOffset: rawBytesRead, "read failed: \(String(cString: strerror(errno)))")
        }
    }

    private func sniff() throws {
        let n = try rawBuffer.withUnsafeMutableBytes { (b) throws -> Int in try rawRead(b) }
        rawStart = 0
        rawEnd = n
        if n == 0 { eof = true }
        if n >= 2 && rawBuffer[0] == 0x1F && rawBuffer[1] == 0x8B {
            isGzip = true
            guard inflateInit2_(&stream, 15 + 32, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
                throw ReaderError(file: name, "cannot initialise gzip decompression")
            }
        }
    }

    /// Decompressed bytes handed out so far.
    public private(set) var decompressedOffset = 0

    private var lookahead: [UInt8] = []

    /// The first `count` bytes not yet read (fewer at the end of input), without consuming them; format detection
    /// uses this.
    public func peek(_ count: Int) throws -> [UInt8] {
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while lookahead.count < count {
            let n = try chunk.withUnsafeMutableBytes { (b) throws -> Int in try fill(into: b) }
            if n == 0 { break }
            lookahead.append(contentsOf: chunk[0..<n])
        }
        return Array(lookahead.prefix(count))
    }

    /// Reads up to `buffer.count` bytes; returns 0 only at the end of the input.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard buffer.count > 0 else { return 0 }
        if !lookahead.isEmpty {
            let n = min(buffer.count, lookahead.count)
            lookahead.withUnsafeBytes { src in buffer.baseAddress!.copyMemory(from: src.baseAddress!, byteCount: n) }
            lookahead.removeFirst(n)
            decompressedOffset += n
            return n
        }
        let n = try fill(into: buffer)
        decompressedOffset += n
        return n
    }

    /// Reads decompressed bytes from the source, bypassing the look-ahead.
    private func fill(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        if !isGzip {
            if rawStart < rawEnd {
                let n = min(buffer.count, rawEnd - rawStart)
                rawBuffer.withUnsafeBytes { src in buffer.baseAddress!.copyMemory(from: src.baseAddress! + rawStart, byteCount: n) }
                rawStart += n
                return n
            }
            if eof { return 0 }
            let n = try rawRead(buffer)
            if n == 0 { eof = true }
            return n
        }
        while true {
            if rawStart == rawEnd && !eof {
                let n = try rawBuffer.withUnsafeMutableBytes { (b) throws -> Int in try rawRead(b) }
                rawStart = 0
                rawEnd = n
                if n == 0 { eof = true }
            }
            if streamEnded {
                // Another gzip member may follow (concatenated files); anything else after the end is an error.
                if rawStart == rawEnd && eof { return 0 }
                if rawEnd - rawStart >= 1 && rawBuffer[rawStart] != 0x1F {
                    throw ReaderError(file: name, byteOffset: rawBytesRead - (rawEnd - rawStart), "bytes after the end of the gzip stream")
                }
                inflateReset(&stream)
                streamEnded = false
            }
            if rawStart == rawEnd && eof {
                throw ReaderError(file: name, byteOffset: rawBytesRead, "gzip stream is truncated")
            }
            let (produced, consumed, status) = rawBuffer.withUnsafeMutableBytes { raw -> (Int, Int, Int32) in
                stream.next_in = raw.baseAddress!.assumingMemoryBound(to: Bytef.self) + rawStart
                stream.avail_in = uInt(rawEnd - rawStart)
                stream.next_out = buffer.baseAddress!.assumingMemoryBound(to: Bytef.self)
                stream.avail_out = uInt(buffer.count)
                let status = inflate(&stream, Z_NO_FLUSH)
                return (buffer.count - Int(stream.avail_out), (rawEnd - rawStart) - Int(stream.avail_in), status)
            }
            rawStart += consumed
            if status == Z_STREAM_END { streamEnded = true }
            else if status != Z_OK && status != Z_BUF_ERROR {
                throw ReaderError(file: name, byteOffset: rawBytesRead - (rawEnd - rawStart), "corrupt gzip data (zlib status \(status))")
            }
            if produced > 0 { return produced }
        }
    }

    /// Reads the whole remaining input (for small inputs and tests); fails above `limit` bytes.
    public func readAll(limit: Int = 1 << 30) throws -> [UInt8] {
        var out = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = try chunk.withUnsafeMutableBytes { (b) throws -> Int in try read(into: b) }
            if n == 0 { return out }
            out.append(contentsOf: chunk[0..<n])
            if out.count > limit { throw ReaderError(file: name, "larger than the \(limit)-byte limit") }
        }
    }
}
