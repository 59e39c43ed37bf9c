import DNSWire
import DNSightCore
import Testing
@testable import LogReaders

/// Responses find their query whether or not the table is empty when they arrive: a response that comes while no
/// query waits is reported alone at once (without building its key), the others as before.
@Suite struct TransactionPairerTests {
    static func event(_ name: String, id: UInt16, at ms: Int64, response: Bool) -> DNSEvent {
        DNSEvent(timeNanos: ms * 1_000_000, clientAddress: .v4(IPv4Address(bytes: [192, 0, 2, 1])), clientPort: 5353,
                 serverAddress: .v4(IPv4Address(bytes: [192, 0, 2, 53])), serverPort: 53, transport: .udp,
                 queryName: try! DNSName(parsing: name), queryType: .a, id: id, rcode: response ? .noError : nil,
                 position: SourcePosition(file: "t", byteOffset: Int(ms)))
    }

    @Test func responsesPairTheSameWithAnEmptyOrAFullTable() throws {
        var p = TransactionPairer()
        var out = [DNSEvent]()
        p.response(Self.event("a.example.", id: 1, at: 1, response: true)) { out.append($0) }  // empty table
        p.query(Self.event("b.example.", id: 2, at: 2, response: false)) { out.append($0) }
        p.response(Self.event("c.example.", id: 3, at: 3, response: true)) { out.append($0) }  // a query waits, not its own
        p.response(Self.event("B.Example.", id: 2, at: 5, response: true)) { out.append($0) }  // its query: paired
        p.response(Self.event("b.example.", id: 2, at: 6, response: true)) { out.append($0) }  // empty again
        p.flush { out.append($0) }
        #expect(out.map(\.queryName.presentation) == ["a.example.", "c.example.", "b.example.", "b.example."])
        #expect(out.map(\.responseTimeMicros) == [nil, nil, 3000, nil])
        #expect(out.allSatisfy { $0.rcode == .noError })
        #expect(p.paired == 1 && p.orphanResponses == 3 && p.unanswered == 0 && p.evicted == 0)
    }
}
