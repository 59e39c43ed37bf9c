import DNSWire
import DNSightCore

/// Reads DNS transactions from pcap and pcapng captures: UDP and TCP on the configured DNS ports, IPv4 and IPv6,
/// fragments reassembled, TCP streams reassembled, queries paired with responses.
public struct PcapReader: EventReader {
    /// Ports that carry DNS (either side of the flow).
    public var dnsPorts: Set<UInt16>
    /// The chunk being read, when a classic pcap file is read in chunks cut at record starts (see
    /// ``BinaryChunker``, which cuts only captures without TCP DNS or IP fragments): a later chunk gets the file
    /// header from `chunk.header`, and pairing across the cuts is left to ``TransactionPairer/settle(_:emit:)``.
    public var chunk: FileChunk?
    /// What pairing left to settle with the other chunks (after reading a chunk).
    public private(set) var leftovers = PairingLeftovers()
    /// Creates a reader.
    public init(dnsPorts: Set<UInt16> = [53], chunk: FileChunk? = nil) {
        self.dnsPorts = dnsPorts
        self.chunk = chunk
    }

    public mutating func read(_ input: ByteInput, diagnostics: inout ReaderDiagnostics, emit: (DNSEvent) throws -> Void) throws {
        let continuation = (chunk?.index ?? 0) > 0
        var source = try PacketSource(input, fileHeader: continuation ? chunk?.header.first : nil)
        var decoder = PacketDecoder()
        var tcp = TCPReassembler()
        var pairer = TransactionPairer()
        pairer.holdsEarlyOrphans = continuation
        pairer.keepsPendingAtEnd = !(chunk?.isLast ?? true)
        var emitted = 0
        let count: (DNSEvent) throws -> Void = { e in emitted += 1; try emit(e) }
        while let packet = try source.next(diagnostics: &diagnostics) {
            diagnostics.recordsRead += 1
            let position = SourcePosition(file: input.name, byteOffset: packet.offset)
            // The packet is decoded where it lies in the read buffer.
            try source.withBytes(of: packet) { bytes in
                let t: TransportPayload
                switch decoder.decode(packet, bytes) {
                case .skip(let why): diagnostics.skipped(why); return
                case .malformed(let why): diagnostics.malformed(why, at: position); return
                case .payload(let p): t = p
                }
                let toServer = dnsPorts.contains(t.destinationPort), fromServer = dnsPorts.contains(t.sourcePort)
                guard toServer || fromServer else { diagnostics.skipped("not on a DNS port"); return }
                if t.isTCP {
                    for m in tcp.segment(t, payload: t.withPayload(in: bytes) { ArraySlice($0) }) {
                        try m.withUnsafeBytes { try Self.message($0, t, toServer, fromServer, packet.timeNanos, position, &pairer, &diagnostics, &emitted, emit) }
                    }
                } else {
                    // A UDP payload is one message, decoded where it lies in the packet.
                    try t.withPayload(in: bytes) { try Self.message($0, t, toServer, fromServer, packet.timeNanos, position, &pairer, &diagnostics, &emitted, emit) }
                }
            }
        }
        try pairer.flush(emit: count)
        pairer.record(into: &diagnostics)
        leftovers = pairer.leftovers
        if decoder.reassembled > 0 { diagnostics.skipped("IP datagrams reassembled from fragments", count: decoder.reassembled) }
        if decoder.fragmentsDropped + decoder.pendingFragments > 0 {
            diagnostics.malformed["IP fragments never completed", default: 0] += decoder.fragmentsDropped + decoder.pendingFragments
        }
        if tcp.gaps > 0 { diagnostics.malformed["TCP stream gap (bytes lost; resynchronised)", default: 0] += tcp.gaps }
        if tcp.evicted > 0 { diagnostics.skipped("TCP streams evicted from the full stream table", count: tcp.evicted) }
        diagnostics.eventsEmitted += emitted
    }

    /// Decodes one DNS message of a transport payload and hands it to the pairer.
    private static func message(_ bytes: UnsafeRawBufferPointer, _ t: TransportPayload, _ toServer: Bool, _ fromServer: Bool, _ time: Int64,
                                _ position: SourcePosition, _ pairer: inout TransactionPairer, _ diagnostics: inout ReaderDiagnostics,
                                _ emitted: inout Int, _ emit: (DNSEvent) throws -> Void) throws {
        let count: (DNSEvent) throws -> Void = { e in emitted += 1; try emit(e) }
        // Direction from the ports; when both ends use a DNS port, from the QR bit.
        var isQuery = toServer && !fromServer
        if toServer == fromServer { isQuery = bytes.count > 2 && bytes[2] & 0x80 == 0 }
        let client = isQuery ? t.source : t.destination, server = isQuery ? t.destination : t.source
        let cport = isQuery ? t.sourcePort : t.destinationPort, sport = isQuery ? t.destinationPort : t.sourcePort
        let event: DNSEvent
        do {
            event = try WireEvent.decode(bytes, timeNanos: time, client: client, clientPort: cport, server: server, serverPort: sport,
                                         transport: t.isTCP ? .tcp : .udp, position: position)
        } catch {
            diagnostics.malformed(WireEvent.reason(error), at: position, excerpt: "\(error)")
            return
        }
        // Moved, not copied, into the pairer: a copy retains every field of the event.
        if event.rcode != nil { try pairer.response(consume event, emit: count) } else { try pairer.query(consume event, emit: count) }
    }
}
