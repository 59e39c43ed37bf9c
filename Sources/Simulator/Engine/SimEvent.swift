/// One simulated DNS transaction: a query and its response.
struct SimEvent: Sendable {
    /// When the query was sent, nanoseconds since 1970 UTC.
    var time: Int64
    /// The device (index into the world's devices).
    var device: Int32
    /// The query name (name id).
    var name: Int32
    /// The answer set (-1: no answer records).
    var answer: Int32
    /// Microseconds from query to response.
    var rttMicros: Int32
    /// Generation order within the day (ties in time keep it).
    var seq: Int32
    /// Query type.
    var qtype: UInt16
    /// DNS transaction id.
    var txid: UInt16
    /// Client source port.
    var port: UInt16
    /// Response code (0 NOERROR, 3 NXDOMAIN).
    var rcode: UInt8

    /// The response time.
    @inline(__always) var responseTime: Int64 { time + Int64(rttMicros) * 1000 }
}

/// One day of simulated traffic, in query order, with the order in which the responses were sent.
struct DayBatch: Sendable {
    /// The day number.
    var day: Int
    /// Events in query-time order.
    var events: [SimEvent] = []
    /// Event indices in response-time order.
    var responseOrder: [Int32] = []
}

/// Query types the simulator asks.
enum QType {
    static let a: UInt16 = 1
    static let txt: UInt16 = 16
    static let aaaa: UInt16 = 28
    static let https: UInt16 = 65

    static func mnemonic(_ t: UInt16) -> StaticString {
        switch t {
        case 1: "A"
        case 16: "TXT"
        case 28: "AAAA"
        case 65: "HTTPS"
        default: "A"
        }
    }
}

/// Response codes.
enum RCode {
    static func mnemonic(_ r: UInt8) -> StaticString {
        switch r {
        case 0: "NOERROR"
        case 2: "SERVFAIL"
        case 3: "NXDOMAIN"
        case 5: "REFUSED"
        default: "NOERROR"
        }
    }
}
