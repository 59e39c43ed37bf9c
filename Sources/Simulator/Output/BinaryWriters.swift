/// dnstap: a Frame Streams file (START with the dnstap content type, one data frame per message, STOP) holding a
/// CLIENT_QUERY when each query arrives and a CLIENT_RESPONSE (with the query's time, as Unbound and BIND send it)
/// when its response leaves.
final class DnstapWriter: TrafficWriter {
    var wire = WireEncoder()
    var labels: [Int] = []
    static let identity = Array("resolver.dnsight-sim".utf8)
    static let version = Array("dnsight-simulator 1".utf8)

    override func header(firstDay: Int) throws(SimulatorError) {
        let ct = Array("protobuf:dnstap.Dnstap".utf8)
        sink!.append { out in
            out.be32(0); out.be32(UInt32(4 + 8 + ct.count)); out.be32(2); out.be32(1); out.be32(UInt32(ct.count)); out.append(ct)
        }
    }

    override func trailer(nextDay: Int) throws(SimulatorError) {
        sink!.append { out in
            out.be32(0); out.be32(4); out.be32(3)
        }
    }

    override func writeDay(_ batch: DayBatch, _ s: WriteContext, _ out: inout OutBuffer) throws(SimulatorError) {
        batch.events.withUnsafeBufferPointer { ev in
            var qi = 0, ri = 0
            let n = ev.count
            while qi < n || ri < n {
                let takeQuery = ri >= n || (qi < n && ev[qi].time <= ev[Int(batch.responseOrder[ri])].responseTime)
                if takeQuery {
                    frame(ev[qi], s, &out, response: false); qi += 1
                } else {
                    frame(ev[Int(batch.responseOrder[ri])], s, &out, response: true); ri += 1
                }
            }
        }
    }

    @inline(__always) func frame(_ e: SimEvent, _ s: WriteContext, _ out: inout OutBuffer, response: Bool) {
        if response { wire.response(e, s, &labels) } else { wire.query(e, s, &labels) }
        let dev = s.devices[Int(e.device)]
        let server = s.resolver(dev)
        let qsec = UInt64(e.time / 1_000_000_000), qnsec = UInt32(e.time % 1_000_000_000)
        let rt = e.responseTime
        let rsec = UInt64(rt / 1_000_000_000), rnsec = UInt32(rt % 1_000_000_000)
        let msgLen = wire.buf.count
        // Message fields: type, family, protocol, addresses, ports, times, message.
        var m = 2 + 2 + 2 + 6 + 6 + 1 + varintSize(UInt64(dev.port(e))) + 2 + 1 + varintSize(qsec) + 5
        if response { m += 1 + varintSize(rsec) + 5 }
        m += 1 + varintSize(UInt64(msgLen)) + msgLen
        let d = 1 + varintSize(UInt64(Self.identity.count)) + Self.identity.count + 1 + varintSize(UInt64(Self.version.count)) + Self.version.count
            + 1 + varintSize(UInt64(m)) + m + 2
        out.be32(UInt32(d))
        out.byte(0x0A); out.varint(UInt64(Self.identity.count)); out.append(Self.identity)
        out.byte(0x12); out.varint(UInt64(Self.version.count)); out.append(Self.version)
        out.byte(0x72); out.varint(UInt64(m))
        out.byte(0x08); out.byte(response ? 6 : 5)                         // type CLIENT_QUERY / CLIENT_RESPONSE
        out.byte(0x10); out.byte(1)                                         // socket_family INET
        out.byte(0x18); out.byte(1)                                         // socket_protocol UDP
        out.byte(0x22); out.byte(4); out.be32(dev.address)                  // query_address
        out.byte(0x2A); out.byte(4); out.be32(server)                       // response_address
        out.byte(0x30); out.varint(UInt64(dev.port(e)))                     // query_port
        out.byte(0x38); out.byte(53)                                        // response_port
        out.byte(0x40); out.varint(qsec)                                    // query_time_sec
        out.byte(0x4D); out.le32(qnsec)                                     // query_time_nsec (fixed32)
        if response {
            out.byte(0x60); out.varint(rsec)                                // response_time_sec
            out.byte(0x6D); out.le32(rnsec)                                 // response_time_nsec
            out.byte(0x72); out.varint(UInt64(msgLen))                      // response_message
        } else {
            out.byte(0x52); out.varint(UInt64(msgLen))                      // query_message
        }
        out.append(wire.buf)
        out.byte(0x78); out.byte(1)                                         // Dnstap.type MESSAGE
    }
}

extension Device {
    /// The client port of an event (the event carries it; a device-independent accessor keeps writers uniform).
    @inline(__always) func port(_ e: SimEvent) -> UInt16 { e.port }
}

/// A classic pcap file (microsecond timestamps, Ethernet) as `tcpdump -i eth0 port 53` on the resolver writes it:
/// each query and each response a UDP datagram, responses at their send time.
final class PcapWriter: TrafficWriter {
    var wire = WireEncoder()
    var labels: [Int] = []
    var ipID: UInt16 = 0

    override func header(firstDay: Int) throws(SimulatorError) {
        sink!.append { out in
            out.le32(0xA1B2_C3D4); out.le16(2); out.le16(4); out.le32(0); out.le32(0); out.le32(65535); out.le32(1)
        }
    }

    override func writeDay(_ batch: DayBatch, _ s: WriteContext, _ out: inout OutBuffer) throws(SimulatorError) {
        batch.events.withUnsafeBufferPointer { ev in
            var qi = 0, ri = 0
            let n = ev.count
            while qi < n || ri < n {
                let takeQuery = ri >= n || (qi < n && ev[qi].time <= ev[Int(batch.responseOrder[ri])].responseTime)
                if takeQuery {
                    packet(ev[qi], s, &out, response: false); qi += 1
                } else {
                    packet(ev[Int(batch.responseOrder[ri])], s, &out, response: true); ri += 1
                }
            }
        }
    }

    @inline(__always) func packet(_ e: SimEvent, _ s: WriteContext, _ out: inout OutBuffer, response: Bool) {
        if response { wire.response(e, s, &labels) } else { wire.query(e, s, &labels) }
        let dev = s.devices[Int(e.device)]
        let server = s.resolver(dev)
        let t = response ? e.responseTime : e.time
        let dns = wire.buf.count
        let udpLen = 8 + dns, ipLen = 20 + udpLen, frameLen = 14 + ipLen
        out.le32(UInt32(t / 1_000_000_000)); out.le32(UInt32(t % 1_000_000_000 / 1000)); out.le32(UInt32(frameLen)); out.le32(UInt32(frameLen))
        let src = response ? server : dev.address, dst = response ? dev.address : server
        let sport: UInt16 = response ? 53 : e.port, dport: UInt16 = response ? e.port : 53
        // Ethernet: locally administered MACs derived from the addresses.
        mac(dst, &out); mac(src, &out); out.be16(0x0800)
        // IPv4.
        ipID &+= 1
        let ipStart = out.mark
        out.byte(0x45); out.byte(0); out.be16(UInt16(ipLen)); out.be16(ipID); out.be16(0x4000); out.byte(64); out.byte(17); out.be16(0)
        out.be32(src); out.be32(dst)
        var sum: UInt32 = 0
        for i in stride(from: ipStart, to: ipStart + 20, by: 2) { sum += UInt32(out[i]) << 8 | UInt32(out[i + 1]) }
        while sum > 0xFFFF { sum = (sum & 0xFFFF) + (sum >> 16) }
        out.patchBE16(at: ipStart + 10, ~UInt16(sum))
        // UDP with its checksum over the pseudo-header.
        let udpStart = out.mark
        out.be16(sport); out.be16(dport); out.be16(UInt16(udpLen)); out.be16(0)
        out.append(wire.buf)
        var u: UInt32 = (src >> 16) + (src & 0xFFFF) + (dst >> 16) + (dst & 0xFFFF) + 17 + UInt32(udpLen)
        let b = out.base
        var i = udpStart
        let end = udpStart + udpLen
        while i + 1 < end { u &+= UInt32(b[i]) << 8 | UInt32(b[i + 1]); i += 2 }
        if i < end { u &+= UInt32(b[i]) << 8 }
        while u > 0xFFFF { u = (u & 0xFFFF) + (u >> 16) }
        var c = ~UInt16(u)
        if c == 0 { c = 0xFFFF }
        out.patchBE16(at: udpStart + 6, c)
    }

    @inline(__always) func mac(_ a: UInt32, _ out: inout OutBuffer) {
        out.byte(0x02); out.byte(0x42); out.be32(a)
    }
}
