import DNSWire

/// The transport a DNS transaction used.
public enum DNSTransport: String, Hashable, Sendable, Codable, CaseIterable {
    case udp, tcp, dot, doh, doq, unknown
}

/// Where a record came from, so that every detection can point back to its evidence.
public struct SourcePosition: Hashable, Sendable, CustomStringConvertible {
    /// The file (or `-` for standard input, or a socket description for live sources).
    public var file: String
    /// The 1-based line, for text formats; 0 when not applicable.
    public var line: Int
    /// The byte offset of the record's start in the (decompressed) input.
    public var byteOffset: Int

    /// Creates a position.
    public init(file: String, line: Int = 0, byteOffset: Int) {
        self.file = file
        self.line = line
        self.byteOffset = byteOffset
    }

    public var description: String { line > 0 ? "\(file):\(line)" : "\(file)@\(byteOffset)" }
}

/// One answer record of a transaction, reduced to what classification and evidence need.
public struct DNSAnswer: Hashable, Sendable {
    /// The owner name, lower-cased.
    public var name: DNSName
    /// The record type.
    public var type: RecordType
    /// The TTL, when the source has it.
    public var ttl: UInt32?
    /// The address of an A/AAAA answer.
    public var address: IPAddress?
    /// The target of a CNAME/DNAME/NS/PTR/MX/SRV/SVCB answer, lower-cased.
    public var target: DNSName?
    /// Any other answer data, as presentation text.
    public var text: String?

    /// Creates an answer.
    public init(name: DNSName, type: RecordType, ttl: UInt32? = nil, address: IPAddress? = nil, target: DNSName? = nil, text: String? = nil) {
        self.name = name
        self.type = type
        self.ttl = ttl
        self.address = address
        self.target = target
        self.text = text
    }

    /// Reduces a decoded record to an answer.
    public init(_ rr: DNSRecord) {
        name = rr.name.lowercased
        type = rr.type
        ttl = rr.ttl
        switch rr.rdata {
        case .a(let a): address = .v4(a)
        case .aaaa(let a): address = .v6(a)
        default: address = nil
        }
        target = rr.rdata.targetName?.lowercased
        text = (address == nil && target == nil) ? rr.rdata.presentation : nil
    }
}

/// One DNS transaction — a query and, where the source has it, its response — normalised from any source.
///
/// Every reader (dnstap, pcap, Zeek, BIND, EVE, …) and the resolver produce these; everything downstream
/// (attribution, classification, storage, metrics) consumes only these.
public struct DNSEvent: Hashable, Sendable {
    /// When the query was sent (or, failing that, seen), in nanoseconds since 1970 UTC.
    public var timeNanos: Int64
    /// The client that asked.
    public var clientAddress: IPAddress?
    /// The client's source port.
    public var clientPort: UInt16?
    /// The server that was asked.
    public var serverAddress: IPAddress?
    /// The server's port.
    public var serverPort: UInt16?
    /// The transport.
    public var transport: DNSTransport
    /// The query name, lower-cased (the normal form for matching and counting).
    public var queryName: DNSName
    /// The query type and class.
    public var queryType: RecordType
    public var queryClass: RecordClass
    /// The transaction id, where the source has it.
    public var id: UInt16?
    /// The response's header flags (or the query's when there is no response), where the source has them.
    public var flags: UInt16?
    /// The response code; nil when no response was seen.
    public var rcode: ResponseCode?
    /// The answer section, where the source has it.
    public var answers: [DNSAnswer]
    /// How long the response took, in microseconds, where known.
    public var responseTimeMicros: Int64?
    /// The source's own policy action, e.g. a dnstap RPZ policy, a Route 53 firewall action, a Pi-hole status.
    public var sourceAction: String?
    /// An explicit device identifier, where the source has one (a Pi-hole client name, a Cloudflare device id…).
    public var deviceID: String?
    /// Where the record came from.
    public var position: SourcePosition

    /// Creates an event. Inlinable, so that readers build the event in place rather than copying it out of a call.
    @inlinable
    public init(timeNanos: Int64, clientAddress: IPAddress? = nil, clientPort: UInt16? = nil, serverAddress: IPAddress? = nil,
                serverPort: UInt16? = nil, transport: DNSTransport = .unknown, queryName: DNSName, queryType: RecordType,
                queryClass: RecordClass = .internet, id: UInt16? = nil, flags: UInt16? = nil, rcode: ResponseCode? = nil,
                answers: [DNSAnswer] = [], responseTimeMicros: Int64? = nil, sourceAction: String? = nil, deviceID: String? = nil,
                position: SourcePosition) {
        self.timeNanos = timeNanos
        self.clientAddress = clientAddress
        self.clientPort = clientPort
        self.serverAddress = serverAddress
        self.serverPort = serverPort
        self.transport = transport
        // Readers mostly hand over names already in lower case: those are kept as they are, with no copy.
        self.queryName = queryName.wire.contains(where: { $0 &- 0x41 < 26 }) ? queryName.lowercased : queryName
        self.queryType = queryType
        self.queryClass = queryClass
        self.id = id
        self.flags = flags
        self.rcode = rcode
        self.answers = answers
        self.responseTimeMicros = responseTimeMicros
        self.sourceAction = sourceAction
        self.deviceID = deviceID
        self.position = position
    }

    /// The device identity inside its organisation, as mission.md defines it: the explicit device id where the
    /// source has one, else the client address.
    public var deviceKey: String? { deviceID ?? clientAddress?.description }
}
