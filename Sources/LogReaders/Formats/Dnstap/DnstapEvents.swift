import DNSWire
import DNSightCore

/// Turns dnstap records into transactions: decodes the embedded wire messages with DNSWire, keeps client-side
/// messages (upstream resolver/forwarder traffic is counted and skipped unless asked for), and pairs queries with
/// responses.
public struct DnstapEventBuilder {
    /// Also report resolver/forwarder/stub/tool messages (this server's own upstream traffic).
    public var includeUpstream: Bool
    /// The pairing table.
    public var pairer: TransactionPairer

    /// Creates a builder.
    public init(includeUpstream: Bool = false, pairer: TransactionPairer = TransactionPairer()) {
        self.includeUpstream = includeUpstream
        self.pairer = pairer
    }

    /// Seconds and nanoseconds as nanoseconds since 1970, clamped: a 64-bit seconds field from a broken sender
    /// must not overflow (fuzzer finding).
    static func nanos(_ sec: UInt64?, _ nsec: UInt32?) -> Int64 {
        let s = sec ?? 0
        guard s < UInt64(Int64.max / 1_000_000_000) else { return .max }
        return Int64(s) * 1_000_000_000 + Int64(min(nsec ?? 0, 999_999_999))
    }

    /// Handles one data frame.
    public mutating func handle(frame: [UInt8], position: SourcePosition, diagnostics: inout ReaderDiagnostics, emit: (DNSEvent) throws -> Void) rethrows {
        try frame.withUnsafeBytes { try handle(frameBytes: $0, position: position, diagnostics: &diagnostics, emit: emit) }
    }

    /// Handles one data frame where it lies (in the file reader's buffer), without copying it out first.
    public mutating func handle(frameBytes frame: UnsafeRawBufferPointer, position: SourcePosition, diagnostics: inout ReaderDiagnostics,
                                emit: (DNSEvent) throws -> Void) rethrows {
        diagnostics.recordsRead += 1
        let rec: DnstapView
        do { rec = try DnstapView(decoding: frame) } catch {
            diagnostics.malformed("dnstap: \(error.message)", at: position)
            return
        }
        if !includeUpstream && !rec.messageType.isClientSide {
            diagnostics.skipped("dnstap upstream message (\(rec.messageType.name))")
            return
        }
        let isResponse = rec.messageType.isResponse
        guard let wire = isResponse ? (rec.responseMessage ?? rec.queryMessage) : rec.queryMessage else {
            diagnostics.malformed("dnstap \(rec.messageType.name) without its DNS message", at: position)
            return
        }
        // Times: the query's own time for queries; the response time for responses (falling back to query time).
        let sec = isResponse ? (rec.responseTimeSec ?? rec.queryTimeSec) : (rec.queryTimeSec ?? rec.responseTimeSec)
        let nsec = isResponse ? (rec.responseTimeNsec ?? rec.queryTimeNsec) : (rec.queryTimeNsec ?? rec.responseTimeNsec)
        let time = Self.nanos(sec, nsec)
        // query_address is the client (the initiator) in both directions.
        let client = rec.queryAddress.flatMap { IPAddress(bytes: frame[$0]) }
        let server = rec.responseAddress.flatMap { IPAddress(bytes: frame[$0]) }
        var event: DNSEvent
        do {
            event = try WireEvent.decode(UnsafeRawBufferPointer(rebasing: frame[wire]), timeNanos: time, client: client, clientPort: rec.queryPort, server: server,
                                         serverPort: rec.responsePort, transport: DnstapRecord.transport(rec.socketProtocol), position: position,
                                         sourceAction: rec.decodedPolicy(in: frame)?.summary)
        } catch {
            diagnostics.malformed(WireEvent.reason(error), at: position, excerpt: "\(rec.messageType.name): \(error)")
            return
        }
        // The event moves into the pairer, not copied: a copy retains every field of the event. (The policy is set by
        // the decode: setting a field that needs retaining here makes Swift 6.3 reject the `consume`s below.)
        if isResponse || event.rcode != nil {
            if isResponse, let qs = rec.queryTimeSec, rec.responseTimeSec != nil {
                // The response carries its query's time (Unbound and BIND do): the transaction's time is the
                // query's, and the response time is known without the query.
                let qt = Self.nanos(qs, rec.queryTimeNsec)
                event.responseTimeMicros = max(0, (time - qt) / 1000)
                event.timeNanos = qt
            }
            try pairer.response(consume event, emit: emit)
        } else {
            try pairer.query(consume event, emit: emit)
        }
    }
}

/// Reads a dnstap Frame Streams file (unidirectional: START, data frames, STOP), checking the content type.
public struct DnstapFileReader: EventReader {
    /// Options passed to the event builder.
    public var includeUpstream: Bool
    /// The chunk being read, when the file is read in chunks cut at frame starts (see ``BinaryChunker``): a later
    /// chunk starts after the START frame, a chunk before the last ends before the STOP frame, and pairing across
    /// the cuts is left to ``TransactionPairer/settle(_:emit:)``.
    public var chunk: FileChunk?
    /// What pairing left to settle with the other chunks (after reading a chunk).
    public private(set) var leftovers = PairingLeftovers()
    /// Creates a reader.
    public init(includeUpstream: Bool = false, chunk: FileChunk? = nil) {
        self.includeUpstream = includeUpstream
        self.chunk = chunk
    }

    public mutating func read(_ input: ByteInput, diagnostics: inout ReaderDiagnostics, emit: (DNSEvent) throws -> Void) throws {
        var decoder = FrameStreams.Decoder(offset: input.decompressedOffset)
        var builder = DnstapEventBuilder(includeUpstream: includeUpstream)
        let continuation = (chunk?.index ?? 0) > 0, last = chunk?.isLast ?? true
        builder.pairer.holdsEarlyOrphans = continuation && chunk?.queriesBefore != false
        builder.pairer.keepsPendingAtEnd = !last
        var started = continuation, stopped = false
        var chunk = [UInt8](repeating: 0, count: 1 << 18)
        var emitted = 0
        let count: (DNSEvent) throws -> Void = { e in emitted += 1; try emit(e) }
        readLoop: while true {
            let n = try chunk.withUnsafeMutableBytes { try input.read(into: $0) }
            if n == 0 { break }
            decoder.append(chunk[0..<n])
            while true {
                let frameOffset = decoder.offset
                let frame: FrameStreams.Decoder.FrameInPlace?
                do { frame = try decoder.nextInPlace() } catch {
                    if !started { throw ReaderError(file: input.name, byteOffset: error.offset, "not a dnstap Frame Streams file: \(error.message)") }
                    // A corrupt length loses the framing: nothing after it can be trusted.
                    diagnostics.malformed("Frame Streams: \(error.message)", at: SourcePosition(file: input.name, byteOffset: error.offset))
                    break readLoop
                }
                guard let frame else { break }
                switch frame {
                case .control(let c):
                    switch c.type {
                    case .start:
                        guard c.contentTypes.isEmpty || c.contentTypes.contains(FrameStreams.dnstapContentType) else {
                            throw ReaderError(file: input.name, byteOffset: frameOffset, "Frame Streams content type \(c.contentTypes) is not \(FrameStreams.dnstapContentType)")
                        }
                        started = true
                    case .stop: stopped = true
                    default:
                        diagnostics.malformed("Frame Streams: unexpected \(c.type) control frame in a file", at: SourcePosition(file: input.name, byteOffset: frameOffset))
                    }
                case .data(let d):
                    if !started {
                        throw ReaderError(file: input.name, byteOffset: frameOffset, "not a dnstap Frame Streams file: a data frame before the START control frame")
                    }
                    if stopped { diagnostics.malformed("Frame Streams: data after STOP", at: SourcePosition(file: input.name, byteOffset: frameOffset)); continue }
                    try decoder.withBuffer { b in
                        try builder.handle(frameBytes: UnsafeRawBufferPointer(rebasing: b[d]), position: SourcePosition(file: input.name, byteOffset: frameOffset),
                                           diagnostics: &diagnostics, emit: { e in emitted += 1; try emit(e) })
                    }
                }
            }
        }
        if !started { throw ReaderError(file: input.name, byteOffset: 0, "not a dnstap Frame Streams file: no START control frame") }
        if decoder.pendingByteCount > 0 {
            diagnostics.malformed("Frame Streams: truncated frame at end of file", at: SourcePosition(file: input.name, byteOffset: decoder.offset), excerpt: "\(decoder.pendingByteCount) byte(s)")
        } else if !stopped && last {
            diagnostics.malformed("Frame Streams: no STOP frame (file truncated?)", at: SourcePosition(file: input.name, byteOffset: decoder.offset))
        }
        try builder.pairer.flush(emit: count)
        builder.pairer.record(into: &diagnostics)
        leftovers = builder.pairer.leftovers
        diagnostics.eventsEmitted += emitted
    }
}
