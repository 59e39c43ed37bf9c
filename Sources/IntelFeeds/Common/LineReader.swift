/// Splits bytes into lines (LF or CRLF), giving each line's 1-based number and byte offset.
struct LineReader: Sequence, IteratorProtocol {
    /// One line without its line break.
    struct Line {
        var bytes: ArraySlice<UInt8>
        var number: Int
        var offset: Int

        /// The line without leading/trailing spaces and tabs.
        var trimmed: ArraySlice<UInt8> {
            var s = bytes.startIndex, e = bytes.endIndex
            while s < e, HostText.isSpace(bytes[s]) { s += 1 }
            while e > s, HostText.isSpace(bytes[e - 1]) { e -= 1 }
            return bytes[s..<e]
        }

        var text: String { String(decoding: bytes, as: UTF8.self) }
    }

    private let bytes: [UInt8]
    private var pos: Int
    private var number = 0

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
        pos = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
    }

    mutating func next() -> Line? {
        guard pos < bytes.count else { return nil }
        let start = pos
        var e = pos
        while e < bytes.count, bytes[e] != 0x0A { e += 1 }
        pos = e + 1
        number += 1
        var end = e
        if end > start, bytes[end - 1] == 0x0D { end -= 1 }
        return Line(bytes: bytes[start..<end], number: number, offset: start)
    }
}

/// Maps byte offsets to 1-based line numbers (for JSON values).
struct LineIndex {
    private var starts: [Int] = [0]

    init(_ bytes: [UInt8]) {
        for (i, b) in bytes.enumerated() where b == 0x0A { starts.append(i + 1) }
    }

    func line(at offset: Int) -> Int {
        var lo = 0, hi = starts.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if starts[mid] <= offset { lo = mid } else { hi = mid - 1 }
        }
        return lo + 1
    }
}

extension ArraySlice where Element == UInt8 {
    /// Whether the slice starts with the ASCII text, ignoring case.
    func hasPrefixIgnoringCase(_ p: String) -> Bool {
        let pb = Array(p.utf8)
        guard count >= pb.count else { return false }
        var i = startIndex
        for c in pb {
            let x = self[i]
            if (x &- 0x41 < 26 ? x | 0x20 : x) != (c &- 0x41 < 26 ? c | 0x20 : c) { return false }
            i += 1
        }
        return true
    }

    var string: String { String(decoding: self, as: UTF8.self) }
}
