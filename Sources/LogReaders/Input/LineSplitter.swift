import Foundation

/// One line of a text input, without its line ending.
public struct TextLine {
    /// The line's bytes (a trailing `\r` is removed). Valid only during the callback.
    public var bytes: UnsafeRawBufferPointer
    /// The 1-based line number.
    public var number: Int
    /// The byte offset of the line's first byte in the decompressed input.
    public var byteOffset: Int
    /// The line was longer than the limit and only its start is in ``bytes``.
    public var isTruncated: Bool

    /// The line as a String (allocates; for slow paths and diagnostics).
    public var string: String { String(decoding: bytes, as: UTF8.self) }
}

/// Splits a ``ByteInput`` into lines with bounded memory.
///
/// Lines longer than `maxLineLength` are delivered truncated (flagged) and the rest of them is skipped, so one
/// enormous line can neither exhaust memory nor hide the good lines after it.
public struct LineSplitter {
    /// The longest line delivered whole.
    public let maxLineLength: Int
    /// The number of lines before the input (a chunk of a larger file starts after this many lines).
    public var lineNumberBase: Int
    /// Creates a splitter.
    public init(maxLineLength: Int = 1 << 20, lineNumberBase: Int = 0) {
        self.maxLineLength = maxLineLength
        self.lineNumberBase = lineNumberBase
    }

    /// Calls `body` for every line of `input`, in order.
    public func forEachLine(in input: ByteInput, _ body: (TextLine) throws -> Void) throws {
        let capacity = max(maxLineLength * 2, 1 << 22)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity, alignment: 16)
        defer { buffer.deallocate() }
        var start = 0, end = 0          // unconsumed bytes are buffer[start..<end]
        var baseOffset = input.decompressedOffset  // input offset of buffer[0]
        var lineNumber = lineNumberBase
        var skippingRest = false        // inside an over-long line whose start was already delivered
        var atEOF = false
        while true {
            // Deliver every complete line in the buffer.
            while start < end {
                let p = buffer.baseAddress! + start
                guard let nl = memchr(p, 0x0A, end - start) else { break }
                let len = UnsafeRawPointer(nl) - UnsafeRawPointer(p)
                if skippingRest {
                    skippingRest = false
                } else {
                    lineNumber += 1
                    let long = len > maxLineLength
                    try deliver(p, long ? maxLineLength : len, lineNumber, baseOffset + start, long, body)
                }
                start += len + 1
            }
            if atEOF {
                if start < end && !skippingRest {
                    lineNumber += 1
                    let long = end - start > maxLineLength
                    try deliver(buffer.baseAddress! + start, long ? maxLineLength : end - start, lineNumber, baseOffset + start, long, body)
                }
                return
            }
            // A partial line longer than the limit: deliver its start now and skip the rest of it.
            if end - start > maxLineLength && !skippingRest {
                lineNumber += 1
                try deliver(buffer.baseAddress! + start, maxLineLength, lineNumber, baseOffset + start, true, body)
                skippingRest = true
            }
            if skippingRest {
                baseOffset += end
                start = 0; end = 0
            } else if start > 0 {
                // Keep the partial line; move it to the front.
                let n = end - start
                if n > 0 { memmove(buffer.baseAddress!, buffer.baseAddress! + start, n) }
                baseOffset += start
                start = 0; end = n
            }
            let n = try input.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[end...]))
            if n == 0 { atEOF = true } else { end += n }
        }
    }

    private func deliver(_ p: UnsafeMutableRawPointer, _ len: Int, _ number: Int, _ offset: Int, _ truncated: Bool, _ body: (TextLine) throws -> Void) throws {
        var l = len
        if !truncated && l > 0 && p.load(fromByteOffset: l - 1, as: UInt8.self) == 0x0D { l -= 1 }
        try body(TextLine(bytes: UnsafeRawBufferPointer(start: p, count: l), number: number, byteOffset: offset, isTruncated: truncated))
    }
}
