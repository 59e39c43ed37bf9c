/// DNS over TCP framing (RFC 1035 §4.2.2, RFC 7766): each message is preceded by its 2-byte length.
public enum TCPFraming {
    /// Prefixes a message with its length; fails for messages over 65535 bytes.
    public static func frame(_ message: [UInt8]) throws(DNSWireError) -> [UInt8] {
        guard message.count <= 0xFFFF else { throw DNSWireError(.tooLarge("message of \(message.count) bytes cannot be framed"), at: 0) }
        var out = [UInt8]()
        out.reserveCapacity(message.count + 2)
        out.append(UInt8(message.count >> 8)); out.append(UInt8(truncatingIfNeeded: message.count))
        out.append(contentsOf: message)
        return out
    }

    /// Splits a TCP byte stream into messages as bytes arrive.
    ///
    /// Feed it bytes in chunks of any size; `next()` returns each complete message once. Memory is bounded by one
    /// partial message (at most 65537 bytes) plus whatever complete messages the caller has not taken yet.
    public struct Deframer: Sendable {
        var buffer: [UInt8] = []
        var start = 0
        /// Creates an empty deframer.
        public init() {}

        /// Appends bytes received from the stream.
        public mutating func append<C: Collection<UInt8>>(_ bytes: C) {
            if start > 0 && start >= buffer.count / 2 {
                buffer.removeFirst(start)
                start = 0
            }
            buffer.append(contentsOf: bytes)
        }

        /// The next complete message, or nil until more bytes arrive.
        public mutating func next() -> [UInt8]? {
            guard buffer.count - start >= 2 else { return nil }
            let len = Int(buffer[start]) << 8 | Int(buffer[start + 1])
            guard buffer.count - start - 2 >= len else { return nil }
            let msg = Array(buffer[(start + 2)..<(start + 2 + len)])
            start += 2 + len
            return msg
        }

        /// Bytes received that do not yet form a complete message.
        public var pendingByteCount: Int { buffer.count - start }
    }
}
