import DNSWire
import DNSightCore

/// One dnstap record (the `Dnstap` protobuf message with its `Message`), as BIND, Unbound, Knot, PowerDNS and
/// dnsdist write it.
public struct DnstapRecord: Equatable, Sendable {
    /// Message types (dnstap.proto `Message.Type`).
    public enum MessageType: Int, Sendable, CaseIterable {
        case authQuery = 1, authResponse, resolverQuery, resolverResponse, clientQuery, clientResponse
        case forwarderQuery, forwarderResponse, stubQuery, stubResponse, toolQuery, toolResponse, updateQuery, updateResponse

        /// The name dnstap tools print.
        public var name: String {
            ["AUTH_QUERY", "AUTH_RESPONSE", "RESOLVER_QUERY", "RESOLVER_RESPONSE", "CLIENT_QUERY", "CLIENT_RESPONSE",
             "FORWARDER_QUERY", "FORWARDER_RESPONSE", "STUB_QUERY", "STUB_RESPONSE", "TOOL_QUERY", "TOOL_RESPONSE",
             "UPDATE_QUERY", "UPDATE_RESPONSE"][rawValue - 1]
        }
        /// Whether the message is a response.
        public var isResponse: Bool { rawValue % 2 == 0 }
        /// Whether the message is between a client and this server (rather than this server and an upstream).
        public var isClientSide: Bool { self == .clientQuery || self == .clientResponse || self == .authQuery || self == .authResponse || self == .updateQuery || self == .updateResponse }
    }

    /// The RPZ (or other) policy that acted on the message (dnstap.proto `Policy`).
    public struct Policy: Equatable, Sendable {
        public var type: String?
        public var rule: [UInt8]?
        public var match: Int?
        public var action: Int?
        public var value: [UInt8]?

        static let matchNames = [1: "QNAME", 2: "CLIENT_IP", 3: "RESPONSE_IP", 4: "NS_NAME", 5: "NS_IP"]
        static let actionNames = [1: "NXDOMAIN", 2: "NODATA", 3: "PASS", 4: "DROP", 5: "TRUNCATE", 6: "LOCAL_DATA"]

        /// A one-line description for `DNSEvent.sourceAction`, e.g. `rpz NXDOMAIN match=QNAME rule=bad.example`.
        public var summary: String {
            var parts = [type ?? "policy"]
            if let action { parts.append(Self.actionNames[action] ?? "action\(action)") }
            if let match { parts.append("match=" + (Self.matchNames[match] ?? "\(match)")) }
            if let rule { parts.append("rule=" + String(decoding: rule, as: UTF8.self)) }
            return parts.joined(separator: " ")
        }
    }

    public var identity: [UInt8]?
    public var version: [UInt8]?
    public var messageType: MessageType
    /// 1 = INET, 2 = INET6.
    public var socketFamily: Int?
    /// 1 UDP, 2 TCP, 3 DOT, 4 DOH, 5/6 DNSCrypt, 7 DOQ.
    public var socketProtocol: Int?
    public var queryAddress: [UInt8]?
    public var responseAddress: [UInt8]?
    public var queryPort: UInt16?
    public var responsePort: UInt16?
    public var queryTimeSec: UInt64?
    public var queryTimeNsec: UInt32?
    public var queryMessage: [UInt8]?
    public var queryZone: [UInt8]?
    public var responseTimeSec: UInt64?
    public var responseTimeNsec: UInt32?
    public var responseMessage: [UInt8]?
    public var policy: Policy?

    /// Creates a record.
    public init(messageType: MessageType) { self.messageType = messageType }

    /// The transport from `socket_protocol`.
    public var transport: DNSTransport { Self.transport(socketProtocol) }

    static func transport(_ socketProtocol: Int?) -> DNSTransport {
        switch socketProtocol {
        case 1, 5: return .udp
        case 2, 6: return .tcp
        case 3: return .dot
        case 4: return .doh
        case 7: return .doq
        default: return .unknown
        }
    }

    /// Why a frame is not a dnstap record.
    public struct Malformed: Error, Equatable, Sendable {
        /// What was wrong.
        public var message: String
        /// The offset inside the frame.
        public var offset: Int
    }

    /// Decodes one data frame.
    public init(decoding frame: [UInt8]) throws(Malformed) {
        let v = try DnstapView.decode(frame)
        func bytes(_ r: Range<Int>?) -> [UInt8]? { r.map { Array(frame[$0]) } }
        self.init(messageType: v.messageType)
        identity = bytes(v.identity)
        version = bytes(v.version)
        socketFamily = v.socketFamily
        socketProtocol = v.socketProtocol
        queryAddress = bytes(v.queryAddress)
        responseAddress = bytes(v.responseAddress)
        queryPort = v.queryPort
        responsePort = v.responsePort
        queryTimeSec = v.queryTimeSec
        queryTimeNsec = v.queryTimeNsec
        queryMessage = bytes(v.queryMessage)
        queryZone = bytes(v.queryZone)
        responseTimeSec = v.responseTimeSec
        responseTimeNsec = v.responseTimeNsec
        responseMessage = bytes(v.responseMessage)
        policy = frame.withUnsafeBytes { v.decodedPolicy(in: $0) }
    }

    static func policy(_ frame: UnsafeRawBufferPointer, _ range: Range<Int>) throws(ProtobufReader.Malformed) -> Policy {
        var r = ProtobufReader(frame, start: range.lowerBound, end: range.upperBound)
        var p = Policy()
        while !r.atEnd {
            let at = r.p
            let key = try r.key()
            if key & 7 == 2 {
                let b = try r.lengthDelimited()
                switch key >> 3 {
                case 1: p.type = String(decoding: UnsafeRawBufferPointer(rebasing: frame[b]), as: UTF8.self)
                case 2: p.rule = Array(frame[b])
                case 5: p.value = Array(frame[b])
                default: break
                }
            } else {
                let x = try r.integer(key: key, at: at)
                switch key >> 3 {
                case 3: p.match = Int(clamping: x)
                case 4: p.action = Int(clamping: x)
                default: break
                }
            }
        }
        return p
    }

    /// Encodes the record as a dnstap protobuf (the payload of one data frame).
    public var encoded: [UInt8] {
        var m = ProtobufWriter()
        m.int(1, UInt64(messageType.rawValue))
        if let socketFamily { m.int(2, UInt64(socketFamily)) }
        if let socketProtocol { m.int(3, UInt64(socketProtocol)) }
        if let queryAddress { m.bytes(4, queryAddress) }
        if let responseAddress { m.bytes(5, responseAddress) }
        if let queryPort { m.int(6, UInt64(queryPort)) }
        if let responsePort { m.int(7, UInt64(responsePort)) }
        if let queryTimeSec { m.int(8, queryTimeSec) }
        if let queryTimeNsec { m.fixed32(9, queryTimeNsec) }
        if let queryMessage { m.bytes(10, queryMessage) }
        if let queryZone { m.bytes(11, queryZone) }
        if let responseTimeSec { m.int(12, responseTimeSec) }
        if let responseTimeNsec { m.fixed32(13, responseTimeNsec) }
        if let responseMessage { m.bytes(14, responseMessage) }
        if let policy {
            var p = ProtobufWriter()
            if let t = policy.type { p.bytes(1, Array(t.utf8)) }
            if let r = policy.rule { p.bytes(2, r) }
            if let x = policy.match { p.int(3, UInt64(x)) }
            if let x = policy.action { p.int(4, UInt64(x)) }
            if let v = policy.value { p.bytes(5, v) }
            m.bytes(15, p.bytes)
        }
        var d = ProtobufWriter()
        if let identity { d.bytes(1, identity) }
        if let version { d.bytes(2, version) }
        d.bytes(14, m.bytes)
        d.int(15, 1)
        return d.bytes
    }
}

/// One dnstap data frame decoded in place: the byte fields are ranges of the frame, so the event builder copies
/// nothing it does not keep (a ``DnstapRecord`` allocates an array per field, a tenth of a profile). The one decoder
/// of the format: ``DnstapRecord/init(decoding:)`` is built on it.
struct DnstapView {
    var identity: Range<Int>?
    var version: Range<Int>?
    var messageType: DnstapRecord.MessageType
    var socketFamily: Int?
    var socketProtocol: Int?
    var queryAddress: Range<Int>?
    var responseAddress: Range<Int>?
    var queryPort: UInt16?
    var responsePort: UInt16?
    var queryTimeSec: UInt64?
    var queryTimeNsec: UInt32?
    var queryMessage: Range<Int>?
    var queryZone: Range<Int>?
    var responseTimeSec: UInt64?
    var responseTimeNsec: UInt32?
    var responseMessage: Range<Int>?
    /// The `Policy` message, checked by the decode and decoded by ``decodedPolicy(in:)`` when wanted: a decoded
    /// policy (strings and arrays) in the view made every copy of it retain, and the walk carry it from field to field.
    var policy: Range<Int>?

    typealias Malformed = DnstapRecord.Malformed

    /// Decodes a frame held in an array.
    static func decode(_ frame: [UInt8]) throws(Malformed) -> DnstapView {
        // (`withUnsafeBytes` does not keep a typed error: the error is passed out beside the view.)
        var failure: Malformed?
        let view: DnstapView? = frame.withUnsafeBytes { b in
            do throws(Malformed) { return try DnstapView(decoding: b) } catch {
                failure = error
                return nil
            }
        }
        guard let view else { throw failure! }
        return view
    }

    /// The policy, decoded from the frame the view was decoded from (which checked it: this cannot fail).
    func decodedPolicy(in frame: UnsafeRawBufferPointer) -> DnstapRecord.Policy? {
        policy.flatMap { try? DnstapRecord.policy(frame, $0) }
    }

    /// Decodes a frame in place; the ranges it returns index `frame`. The fields are set on `self` as they are read,
    /// not on a local view copied out at the end (a copy of the whole view per frame).
    init(decoding frame: UnsafeRawBufferPointer) throws(Malformed) {
        messageType = .clientQuery  // replaced by Message.type, which must be present
        var r = ProtobufReader(frame)
        var type: Int?
        var message: Range<Int>?
        do {
            while !r.atEnd {
                let at = r.p
                let key = try r.key()
                if key & 7 == 2 {
                    let b = try r.lengthDelimited()
                    switch key >> 3 {
                    case 1: identity = b
                    case 2: version = b
                    case 14: message = b
                    default: break
                    }
                } else {
                    let x = try r.integer(key: key, at: at)
                    if key >> 3 == 15 { type = Int(clamping: x) }
                }
            }
        } catch { throw Malformed(message: "protobuf: \(error.message)", offset: error.offset) }
        guard type == 1 else { throw Malformed(message: type == nil ? "Dnstap.type missing" : "Dnstap.type \(type!) is not MESSAGE", offset: 0) }
        guard let message else { throw Malformed(message: "Dnstap.message missing", offset: 0) }
        var m = ProtobufReader(frame, start: message.lowerBound, end: message.upperBound)
        var mtype: DnstapRecord.MessageType?
        // An unknown Message.type ends the walk: it is the frame's error, whatever follows it.
        var unknownType: (value: UInt64, offset: Int)?
        do {
            walk: while !m.atEnd {
                let at = m.p
                let key = try m.key()
                if key & 7 == 2 {
                    let b = try m.lengthDelimited()
                    switch key >> 3 {
                    case 4: queryAddress = b
                    case 5: responseAddress = b
                    case 10: queryMessage = b
                    case 11: queryZone = b
                    case 14: responseMessage = b
                    case 15:
                        // Decoded here only to fail where the walk would; kept as its range.
                        _ = try DnstapRecord.policy(frame, b)
                        policy = b
                    default: break
                    }
                } else {
                    let x = try m.integer(key: key, at: at)
                    switch key >> 3 {
                    case 1:
                        guard let mt = DnstapRecord.MessageType(rawValue: Int(clamping: x)) else {
                            unknownType = (x, m.p)
                            break walk
                        }
                        mtype = mt
                    case 2: socketFamily = Int(clamping: x)
                    case 3: socketProtocol = Int(clamping: x)
                    case 6: queryPort = UInt16(truncatingIfNeeded: x)
                    case 7: responsePort = UInt16(truncatingIfNeeded: x)
                    case 8: queryTimeSec = x
                    case 9: queryTimeNsec = UInt32(truncatingIfNeeded: x)
                    case 12: responseTimeSec = x
                    case 13: responseTimeNsec = UInt32(truncatingIfNeeded: x)
                    default: break
                    }
                }
            }
        } catch { throw Malformed(message: "protobuf: \(error.message)", offset: error.offset) }
        if let unknownType { throw Malformed(message: "unknown Message.type \(unknownType.value)", offset: unknownType.offset) }
        guard let mtype else { throw Malformed(message: "Message.type missing", offset: message.lowerBound) }
        messageType = mtype
    }
}
