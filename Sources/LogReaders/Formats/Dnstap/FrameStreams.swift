/// Frame Streams (the framing dnstap uses): data frames and control frames, decoded incrementally from a byte
/// stream with every length checked against explicit limits.
public enum FrameStreams {
    /// Control frame types.
    public enum ControlType: UInt32, Sendable {
        case accept = 1, start = 2, stop = 3, ready = 4, finish = 5
    }

    /// The content type dnstap uses.
    public static let dnstapContentType = "protobuf:dnstap.Dnstap"
    /// The largest data frame accepted (fstrm's own default is far smaller; dnstap frames are a few KiB).
    public static let maxDataFrame = 1 << 20
    /// The largest control frame accepted (fstrm's limit is 512 bytes).
    public static let maxControlFrame = 512

    /// A control frame: its type and the content types it carries.
    public struct Control: Equatable, Sendable {
        /// The control type.
        public var type: ControlType
        /// CONTENT_TYPE fields, in order.
        public var contentTypes: [String]
        /// Creates a control frame.
        public init(type: ControlType, contentTypes: [String] = []) {
            self.type = type
            self.contentTypes = contentTypes
        }

        /// The frame's bytes on the wire, including the escape and length words.
        public var encoded: [UInt8] {
            var body = FrameStreams.be32(type.rawValue)
            for c in contentTypes {
                body += FrameStreams.be32(1) + FrameStreams.be32(UInt32(c.utf8.count)) + Array(c.utf8)
            }
            return FrameStreams.be32(0) + FrameStreams.be32(UInt32(body.count)) + body
        }
    }

    /// One decoded frame.
    public enum Frame: Equatable, Sendable {
        case control(Control)
        case data([UInt8])
    }

    /// Why a stream could not be decoded further.
    public struct DecodingError: Error, Equatable, Sendable {
        /// The stream offset of the frame that was bad.
        public var offset: Int
        /// What was wrong.
        public var message: String
    }

    static func be32(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8(truncatingIfNeeded: v >> 16), UInt8(truncatingIfNeeded: v >> 8), UInt8(truncatingIfNeeded: v)] }

    /// Incremental decoder: append bytes as they arrive, take frames with ``next()``.
    public struct Decoder: Sendable {
        var buffer: [UInt8] = []
        var start = 0
        /// The stream offset of ``buffer[start]``.
        public private(set) var offset = 0
        /// Creates a decoder; `offset` is the stream offset of the first byte it will be given (a chunk's start).
        public init(offset: Int = 0) { self.offset = offset }

        /// Appends received bytes.
        public mutating func append<C: Collection<UInt8>>(_ bytes: C) {
            if start > 0 && start * 2 >= buffer.count {
                buffer.removeFirst(start)
                start = 0
            }
            buffer.append(contentsOf: bytes)
        }

        /// Bytes received that do not yet form a frame.
        public var pendingByteCount: Int { buffer.count - start }

        func u32(_ i: Int) -> UInt32 {
            UInt32(buffer[i]) << 24 | UInt32(buffer[i + 1]) << 16 | UInt32(buffer[i + 2]) << 8 | UInt32(buffer[i + 3])
        }

        /// The next complete frame, nil when more bytes are needed; throws on a frame that breaks the format.
        public mutating func next() throws(DecodingError) -> Frame? {
            switch try nextInPlace() {
            case nil: return nil
            case .control(let c)?: return .control(c)
            case .data(let r)?: return .data(Array(buffer[r]))
            }
        }

        /// A frame as ``nextInPlace()`` returns it: a data frame's payload is left in the decoder's buffer.
        enum FrameInPlace {
            case control(Control)
            /// The payload's range in the buffer (see ``withBuffer(_:)``), valid until the next ``append(_:)``.
            case data(Range<Int>)
        }

        /// Runs `body` over the buffered bytes, which ``nextInPlace()``'s data ranges index.
        func withBuffer<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R { try buffer.withUnsafeBytes(body) }

        /// As ``next()``, without copying a data frame's payload out of the buffer (a copy and an allocation per
        /// frame showed in profiles of large files).
        mutating func nextInPlace() throws(DecodingError) -> FrameInPlace? {
            let avail = buffer.count - start
            guard avail >= 4 else { return nil }
            let len = Int(u32(start))
            if len > 0 {
                guard len <= FrameStreams.maxDataFrame else {
                    throw DecodingError(offset: offset, message: "data frame of \(len) bytes exceeds the \(FrameStreams.maxDataFrame)-byte limit")
                }
                guard avail >= 4 + len else { return nil }
                let data = (start + 4)..<(start + 4 + len)
                start += 4 + len
                offset += 4 + len
                return .data(data)
            }
            guard avail >= 8 else { return nil }
            let clen = Int(u32(start + 4))
            guard clen >= 4, clen <= FrameStreams.maxControlFrame else {
                throw DecodingError(offset: offset, message: "control frame length \(clen) (expected 4 to \(FrameStreams.maxControlFrame))")
            }
            guard avail >= 8 + clen else { return nil }
            let base = start + 8
            guard let type = ControlType(rawValue: u32(base)) else {
                throw DecodingError(offset: offset, message: "unknown control frame type \(u32(base))")
            }
            var types = [String]()
            var p = base + 4
            while p < base + clen {
                guard p + 8 <= base + clen else { throw DecodingError(offset: offset, message: "truncated control field") }
                let field = u32(p), flen = Int(u32(p + 4))
                guard p + 8 + flen <= base + clen else { throw DecodingError(offset: offset, message: "control field of \(flen) bytes overruns its frame") }
                if field == 1 { types.append(String(decoding: buffer[(p + 8)..<(p + 8 + flen)], as: UTF8.self)) }
                p += 8 + flen
            }
            start += 8 + clen
            offset += 8 + clen
            return .control(Control(type: type, contentTypes: types))
        }
    }

    /// A data frame's bytes on the wire.
    public static func encodeData(_ payload: [UInt8]) -> [UInt8] { be32(UInt32(payload.count)) + payload }
}
