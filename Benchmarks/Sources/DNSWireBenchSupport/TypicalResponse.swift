import DNSWire

/// The message the DNSWire benchmarks measure: what a recursive resolver typically answers for a web name.
///
///     ;; id 0x2b1d, flags qr rd ra, NOERROR
///     ;; QUESTION   www.example.com.      IN A
///     ;; ANSWER     www.example.com.  300 IN CNAME cdn.example.com.
///     ;;            cdn.example.com.   60 IN A     192.0.2.10
///     ;;            cdn.example.com.   60 IN A     192.0.2.11
///     ;; OPT        udp 1232, version 0, no options
///
/// Encoded with compression it is 94 bytes. The same bytes are handed to dnspython by `compare.sh`.
public enum TypicalResponse {
    /// The message as a value.
    public static func message() -> DNSMessage {
        do {
            let www = try DNSName(parsing: "www.example.com.")
            let cdn = try DNSName(parsing: "cdn.example.com.")
            var header = DNSHeader(id: 0x2B1D)
            header.isResponse = true
            header.recursionDesired = true
            header.recursionAvailable = true
            return DNSMessage(
                header: header,
                questions: [DNSQuestion(name: www, type: .a)],
                answers: [
                    DNSRecord(name: www, ttl: 300, rdata: .cname(NameRecord(cdn))),
                    DNSRecord(name: cdn, ttl: 60, rdata: .a(IPv4Address(rawValue: 0xC000_020A))),
                    DNSRecord(name: cdn, ttl: 60, rdata: .a(IPv4Address(rawValue: 0xC000_020B))),
                ],
                edns: EDNS(udpPayloadSize: 1232)
            )
        } catch {
            fatalError("building the benchmark message failed: \(error)")
        }
    }

    /// The compressed wire bytes of ``message()``.
    public static func bytes() -> [UInt8] {
        do {
            let wire = try message().encode(compress: true)
            // A benchmark of the wrong message is worse than none: check the bytes round-trip before using them.
            let back = try DNSMessage(decoding: wire)
            precondition(back == message(), "benchmark message does not round-trip")
            let summary = try QuestionSummary(message: wire)
            precondition(summary.nameLength == 17 && wire.count == 94, "unexpected benchmark message layout")
            return wire
        } catch {
            fatalError("encoding the benchmark message failed: \(error)")
        }
    }

    /// Lower-case hex of ``bytes()``, as handed to the Python side.
    public static func hex() -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        for b in bytes() { out.append(digits[Int(b >> 4)]); out.append(digits[Int(b & 0x0F)]) }
        return String(decoding: out, as: UTF8.self)
    }

    /// What the classifier does with a question name on its fast path: an ASCII-case-folded FNV-1a hash of the
    /// name's wire bytes, read in place. Shared by the benchmarks so both measure the same work.
    @inlinable
    public static func foldedHash(_ name: UnsafeRawBufferPointer) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for b in name {
            let folded = b &- 0x41 < 26 ? b | 0x20 : b
            h = (h ^ UInt64(folded)) &* 0x0000_0100_0000_01B3
        }
        return h
    }
}
