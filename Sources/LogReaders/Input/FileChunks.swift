#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One chunk of a large file, read on its own thread: a byte range that starts at a record boundary, with what its
/// reader needs to know about the bytes before it.
public struct FileChunk: Sendable, Equatable {
    /// The chunk's number in its file (0 for the first).
    public var index: Int
    /// The bytes of the file it covers.
    public var range: Range<Int>
    /// Lines before the chunk (text formats): its first line is line `lineNumberBase + 1` of the file.
    public var lineNumberBase: Int
    /// The header lines in force where the chunk starts (Zeek TSV `#fields`, `#types`…), fed to the chunk's parser
    /// before its first line.
    public var header: [[UInt8]]
    /// Whether it is the file's last chunk (binary formats: only the last one holds the end of the stream).
    public var isLast: Bool
    /// Binary formats that pair queries with responses: whether a query may be waiting from an earlier chunk (false
    /// when the chunks before hold no query message at all, so the chunk's unpaired responses are final).
    public var queriesBefore = true

    /// Creates a chunk.
    public init(index: Int, range: Range<Int>, lineNumberBase: Int = 0, header: [[UInt8]] = [], isLast: Bool = false) {
        self.index = index
        self.range = range
        self.lineNumberBase = lineNumberBase
        self.header = header
        self.isLast = isLast
    }
}

/// Cuts a large plain (not compressed) file of a line format into chunks that several threads can read at once.
///
/// The cuts are deterministic: chunk `k` starts just after the first newline at or after byte `k × chunkBytes − 1`,
/// so a rerun over the same file computes the same chunks (the store checkpoints each chunk on its own and a rerun
/// skips the chunks already stored). Line numbers and header lines are carried into each chunk by
/// ``ChunkScanner``, which walks the chunks in order, once.
public enum FileChunker {
    /// The default chunk size.
    public static let defaultChunkBytes = 32 << 20

    /// Whether a format can be read in independent chunks: line formats whose lines need nothing from the lines
    /// before them except the header. Formats that pair records (dnstap, pcap, Unbound, dnsmasq) are read whole.
    public static func canSplit(_ format: LogFormat) -> Bool {
        format == .zeekTSV || format == .zeekJSON
    }

    /// The chunk boundaries of a file of `size` bytes: `[0, b1, …, size]`, one chunk when it is no larger than
    /// `chunkBytes`.
    public static func boundaries(path: String, size: Int, chunkBytes: Int) throws -> [Int] {
        guard chunkBytes > 0, size > chunkBytes else { return [0, size] }
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw ReaderError(file: path, "cannot open: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var cuts = [0]
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        var k = 1
        while k * chunkBytes < size {
            var at = k * chunkBytes - 1
            var cut: Int? = nil
            search: while at < size {
                let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, off_t(at)) }
                if n <= 0 { break }
                let found: Int? = buffer.withUnsafeBytes { b in
                    guard let f = memchr(b.baseAddress!, 0x0A, n) else { return nil }
                    return UnsafeRawPointer(f) - UnsafeRawPointer(b.baseAddress!)
                }
                if let found {
                    cut = at + found + 1
                    break search
                }
                at += n
            }
            guard let c = cut, c < size else { break }
            if c > cuts.last! { cuts.append(c) }
            k = max(k + 1, c / chunkBytes + 1)
        }
        cuts.append(size)
        return cuts
    }
}

/// Walks a file's chunks in order to give each its line-number base and the header lines in force at its start:
/// counts newlines and collects the lines that begin with `#` (a run of adjacent ones is one header block; a later
/// block replaces the earlier, as a second log appended to the file brings its own header).
public struct ChunkScanner {
    let path: String
    /// Newlines before ``scannedTo``.
    public private(set) var lines = 0
    /// The bytes scanned so far: `0..<scannedTo`.
    public private(set) var scannedTo = 0
    /// The latest header block.
    public private(set) var header: [[UInt8]] = []
    private var headerEnd = -1

    /// Creates a scanner at the start of `path`.
    public init(path: String) { self.path = path }

    /// Scans up to `offset` (a chunk's start; must be a line start).
    public mutating func advance(to offset: Int) throws {
        guard offset > scannedTo else { return }
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw ReaderError(file: path, "cannot open: \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let size = 1 << 22
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 64)
        defer { buffer.deallocate() }
        var prevWasNewline = true  // chunk starts are line starts
        var pos = scannedTo
        while pos < offset {
            let want = min(size, offset - pos)
            let n = pread(fd, buffer.baseAddress, want, off_t(pos))
            guard n > 0 else { throw ReaderError(file: path, byteOffset: pos, "read failed while cutting chunks") }
            let bytes = UnsafeBufferPointer(start: buffer.baseAddress!.assumingMemoryBound(to: UInt8.self), count: n)
            lines += Self.countNewlines(bytes)
            // Header lines: a '#' at the start of a line (rare in data, so memchr skips most of the buffer).
            var i = 0
            while i < n, let hit = memchr(buffer.baseAddress! + i, Int32(UInt8(ascii: "#")), n - i) {
                let j = UnsafeRawPointer(hit) - UnsafeRawPointer(buffer.baseAddress!)
                let atLineStart = j == 0 ? prevWasNewline : bytes[j - 1] == 0x0A
                if atLineStart { try readHeaderLine(fd: fd, at: pos + j) }
                i = j + 1
            }
            prevWasNewline = bytes[n - 1] == 0x0A
            pos += n
        }
        scannedTo = offset
    }

    private mutating func readHeaderLine(fd: Int32, at offset: Int) throws {
        var line = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 4096)
        var p = offset
        while line.count < (1 << 20) {
            let n = chunk.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, off_t(p)) }
            if n <= 0 { break }
            if let nl = chunk[0..<n].firstIndex(of: 0x0A) {
                line += chunk[0..<nl]
                p += nl + 1
                break
            }
            line += chunk[0..<n]
            p += n
        }
        if line.last == 0x0D { line.removeLast() }
        if offset != headerEnd { header = [] }
        header.append(line)
        headerEnd = p
    }

    /// The number of `\n` bytes (a loop the compiler vectorises).
    static func countNewlines(_ b: UnsafeBufferPointer<UInt8>) -> Int {
        var total = 0
        var i = 0
        let n = b.count
        while i < n {
            // Sum in blocks small enough for a UInt32 accumulator the vectoriser can widen cheaply.
            let end = min(n, i + 1 << 20)
            var c: UInt32 = 0
            while i < end {
                c &+= b[i] == 0x0A ? 1 : 0
                i += 1
            }
            total += Int(c)
        }
        return total
    }
}

extension LogFormat {
    /// A reader for one chunk of a file of this format (see ``FileChunker/canSplit(_:)``): line numbers continue
    /// from the chunk's base and the parser starts with the header in force at the chunk's start.
    public func makeChunkReader(options: ReaderOptions, chunk: FileChunk) throws -> any EventReader {
        switch self {
        case .zeekTSV:
            var parser = ZeekTSVParser()
            for line in chunk.header {
                _ = line.withUnsafeBytes { b in
                    try? parser.parse(TextLine(bytes: b, number: 0, byteOffset: 0, isTruncated: false), file: "")
                }
            }
            var reader = LineFormatReader(parser, maxLineLength: options.maxLineLength, lineNumberBase: chunk.lineNumberBase)
            reader.isContinuation = chunk.index > 0
            return reader
        case .zeekJSON:
            var reader = LineFormatReader(ZeekJSONParser(), maxLineLength: options.maxLineLength, lineNumberBase: chunk.lineNumberBase)
            reader.isContinuation = chunk.index > 0
            return reader
        case .dnstap:
            return DnstapFileReader(includeUpstream: options.includeUpstream, chunk: chunk)
        case .pcap:
            return PcapReader(dnsPorts: options.dnsPorts, chunk: chunk)
        default:
            throw ReaderError(file: "-", "the \(rawValue) format is not read in chunks")
        }
    }
}
