#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Read-only bytes that a snapshot reads in place: a memory map of a file, or a heap copy of an image.
/// Unmapped or freed when the last snapshot using it goes away.
final class MappedRegion: @unchecked Sendable {
    // Safety: the bytes are never written after init, and the pointer stays valid until deinit.
    let base: UnsafeRawPointer
    let count: Int
    private let mapped: Bool

    /// Maps a whole file read-only.
    init(mapping path: String) throws(DomainMatcherError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw DomainMatcherError(.system(call: "open", errno: errno), file: path) }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw DomainMatcherError(.system(call: "fstat", errno: errno), file: path) }
        let size = Int(st.st_size)
        guard size >= SnapshotLayout.headerSize else { throw DomainMatcherError(.notASnapshot, file: path, offset: 0) }
        guard let p = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), p != MAP_FAILED else {
            throw DomainMatcherError(.system(call: "mmap", errno: errno), file: path)
        }
        base = UnsafeRawPointer(p)
        count = size
        mapped = true
    }

    /// Copies an image into 64-byte-aligned heap memory.
    init(copying image: [UInt8]) {
        let p = UnsafeMutableRawPointer.allocate(byteCount: max(image.count, 1), alignment: SnapshotLayout.alignment)
        image.withUnsafeBytes { src in
            if let b = src.baseAddress { p.copyMemory(from: b, byteCount: src.count) }
        }
        base = UnsafeRawPointer(p)
        count = image.count
        mapped = false
    }

    deinit {
        if mapped {
            munmap(UnsafeMutableRawPointer(mutating: base), count)
        } else {
            UnsafeMutableRawPointer(mutating: base).deallocate()
        }
    }
}

/// Writes bytes to `path` atomically: a temporary file in the same folder, flushed, then renamed over `path`, so a
/// reader (or a running resolver's memory map) sees the old file or the new one, never half of one.
enum AtomicFile {
    static func write(_ bytes: [UInt8], to path: String) throws(DomainMatcherError) {
        let tmp = "\(path).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        let fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw DomainMatcherError(.system(call: "open", errno: errno), file: tmp) }
        var ok = false
        defer {
            if !ok { unlink(tmp) }
        }
        var written = 0
        let failure: DomainMatcherError? = bytes.withUnsafeBytes { buf -> DomainMatcherError? in
            while written < buf.count {
                let n = Glibc_write(fd, buf.baseAddress! + written, buf.count - written)
                if n < 0 {
                    if errno == EINTR { continue }
                    return DomainMatcherError(.system(call: "write", errno: errno), file: tmp)
                }
                written += n
            }
            return nil
        }
        if let failure { close(fd); throw failure }
        guard fsync(fd) == 0 else { let e = errno; close(fd); throw DomainMatcherError(.system(call: "fsync", errno: e), file: tmp) }
        close(fd)
        guard rename(tmp, path) == 0 else { throw DomainMatcherError(.system(call: "rename", errno: errno), file: path) }
        ok = true
    }
}

@inline(__always) private func Glibc_write(_ fd: Int32, _ p: UnsafeRawPointer, _ n: Int) -> Int {
    write(fd, p, n)
}
