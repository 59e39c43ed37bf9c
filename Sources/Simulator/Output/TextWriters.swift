/// Zeek's `dns.log` in its tab-separated form with the standard header, one record per transaction as Zeek logs it
/// when the transaction completes.
final class ZeekTSVWriter: TrafficWriter {
    override func header(firstDay: Int) throws(SimulatorError) {
        sink!.append { out in
            out.ascii("#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n#path\tdns\n#open\t")
            out.string(Self.stamp(firstDay)); out.byte(0x0A)
            out.ascii("#fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\ttrans_id\trtt\tquery\tqclass\tqclass_name\tqtype\tqtype_name\trcode\trcode_name\tAA\tTC\tRD\tRA\tZ\tanswers\tTTLs\trejected\n")
            out.ascii("#types\ttime\tstring\taddr\tport\taddr\tport\tenum\tcount\tinterval\tstring\tcount\tstring\tcount\tstring\tcount\tstring\tbool\tbool\tbool\tbool\tcount\tvector[string]\tvector[interval]\tbool\n")
        }
    }

    override func trailer(nextDay: Int) throws(SimulatorError) {
        sink!.append { out in
            out.ascii("#close\t"); out.string(Self.stamp(nextDay)); out.byte(0x0A)
        }
    }

    static func stamp(_ day: Int) -> String { SimCalendar.isoDate(day) + "-00-00-00" }

    override func writeDay(_ batch: DayBatch, _ s: WriteContext, _ out: inout OutBuffer) throws(SimulatorError) {
        for i in batch.responseOrder {
            let e = batch.events[Int(i)]
            let dev = s.devices[Int(e.device)]
            out.epochMicros(e.time); out.byte(9)
            EventText.zeekUID(EventText.hash(e, batch.day), &out); out.byte(9)
            out.client(e.device, s); out.byte(9); out.decimal(UInt64(e.port)); out.byte(9)
            out.server(dev, s); out.ascii("\t53\tudp\t")
            out.decimal(UInt64(e.txid)); out.byte(9)
            out.fixed(Int64(e.rttMicros), digits: 6); out.byte(9)
            out.name(e.name, s); out.ascii("\t1\tC_INTERNET\t")
            out.decimal(UInt64(e.qtype)); out.byte(9); out.ascii(QType.mnemonic(e.qtype)); out.byte(9)
            out.decimal(UInt64(e.rcode)); out.byte(9); out.ascii(RCode.mnemonic(e.rcode))
            out.ascii("\tF\tF\tT\tT\t0\t")
            if e.answer >= 0 && s.answers.count(e.answer) > 0 {
                var first = true
                for k in s.answers.range(e.answer) {
                let r = s.answers.records[k]
                    if !first { out.byte(0x2C) }
                    first = false
                    EventText.answerData(r, s, &out, txtPrefix: true)
                }
                out.byte(9)
                first = true
                for k in s.answers.range(e.answer) {
                let r = s.answers.records[k]
                    if !first { out.byte(0x2C) }
                    first = false
                    out.decimal(UInt64(r.ttl)); out.ascii(".000000")
                }
            } else {
                out.ascii("-\t-")
            }
            out.ascii("\tF\n")
        }
    }
}

/// Zeek's `dns.log` as JSON lines (`LogAscii::use_json=T`): epoch `ts`, unset fields left out.
final class ZeekJSONWriter: TrafficWriter {
    override func writeDay(_ batch: DayBatch, _ s: WriteContext, _ out: inout OutBuffer) throws(SimulatorError) {
        for i in batch.responseOrder {
            let e = batch.events[Int(i)]
            let dev = s.devices[Int(e.device)]
            out.ascii("{\"ts\":"); out.epochMicros(e.time)
            out.ascii(",\"uid\":\""); EventText.zeekUID(EventText.hash(e, batch.day), &out)
            out.ascii("\",\"id.orig_h\":\""); out.client(e.device, s)
            out.ascii("\",\"id.orig_p\":"); out.decimal(UInt64(e.port))
            out.ascii(",\"id.resp_h\":\""); out.server(dev, s)
            out.ascii("\",\"id.resp_p\":53,\"proto\":\"udp\",\"trans_id\":"); out.decimal(UInt64(e.txid))
            out.ascii(",\"rtt\":"); out.fixed(Int64(e.rttMicros), digits: 6)
            out.ascii(",\"query\":"); out.jsonName(e.name, s)
            out.ascii(",\"qclass\":1,\"qclass_name\":\"C_INTERNET\",\"qtype\":"); out.decimal(UInt64(e.qtype))
            out.ascii(",\"qtype_name\":\""); out.ascii(QType.mnemonic(e.qtype))
            out.ascii("\",\"rcode\":"); out.decimal(UInt64(e.rcode))
            out.ascii(",\"rcode_name\":\""); out.ascii(RCode.mnemonic(e.rcode))
            out.ascii("\",\"AA\":false,\"TC\":false,\"RD\":true,\"RA\":true,\"Z\":0")
            if e.answer >= 0 && s.answers.count(e.answer) > 0 {
                out.ascii(",\"answers\":[")
                var first = true
                for k in s.answers.range(e.answer) {
                let r = s.answers.records[k]
                    if !first { out.byte(0x2C) }
                    first = false
                    out.byte(0x22); EventText.answerData(r, s, &out, txtPrefix: true); out.byte(0x22)
                }
                out.ascii("],\"TTLs\":[")
                first = true
                for k in s.answers.range(e.answer) {
                let r = s.answers.records[k]
                    if !first { out.byte(0x2C) }
                    first = false
                    out.decimal(UInt64(r.ttl)); out.ascii(".0")
                }
                out.byte(0x5D)
            }
            out.ascii(",\"rejected\":false}\n")
        }
    }
}

/// BIND's query log (`category queries`), one line per query as `named` prints it, with the server's address.
final class BINDWriter: TrafficWriter {
    static let months: [StaticString] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    override func writeDay(_ batch: DayBatch, _ s: WriteContext, _ out: inout OutBuffer) throws(SimulatorError) {
        let c = SimCalendar.civil(batch.day)
        for e in batch.events {
            let dev = s.devices[Int(e.device)]
            let sod = Int(e.time / 1_000_000_000 % 86_400)
            out.padded(c.day, 2); out.byte(0x2D); out.ascii(Self.months[c.month - 1]); out.byte(0x2D); out.padded(c.year, 4); out.byte(0x20)
            out.padded(sod / 3600, 2); out.byte(0x3A); out.padded(sod / 60 % 60, 2); out.byte(0x3A); out.padded(sod % 60, 2)
            out.byte(0x2E); out.padded(Int(e.time % 1_000_000_000 / 1_000_000), 3)
            out.ascii(" queries: info: client @0x7f")
            let obj = SimRandom.mix(UInt64(UInt32(bitPattern: e.device)) ^ 0x4249_4E44)
            for k in 0..<5 { out.hexByte(UInt8(truncatingIfNeeded: obj >> (8 * UInt64(k)))) }
            out.byte(0x20); out.client(e.device, s); out.byte(0x23); out.decimal(UInt64(e.port))
            out.ascii(" ("); out.name(e.name, s); out.ascii("): query: "); out.name(e.name, s)
            out.ascii(" IN "); out.ascii(QType.mnemonic(e.qtype)); out.ascii(" +E(0)K (")
            out.server(dev, s); out.ascii(")\n")
        }
    }
}

/// Suricata EVE `dns` records, version 2: a `query` record when the query passes and an `answer` record (detailed
/// `answers` and `grouped`) when the response does, tied by `flow_id`.
final class EVEWriter: TrafficWriter {
    override func writeDay(_ batch: DayBatch, _ s: WriteContext, _ out: inout OutBuffer) throws(SimulatorError) {
        batch.events.withUnsafeBufferPointer { ev in
            var qi = 0, ri = 0
            let n = ev.count
            while qi < n || ri < n {
                let takeQuery = ri >= n || (qi < n && ev[qi].time <= ev[Int(batch.responseOrder[ri])].responseTime)
                if takeQuery {
                    record(ev[qi], batch.day, s, &out, response: false); qi += 1
                } else {
                    record(ev[Int(batch.responseOrder[ri])], batch.day, s, &out, response: true); ri += 1
                }
            }
        }
    }

    @inline(__always) func record(_ e: SimEvent, _ day: Int, _ s: WriteContext, _ out: inout OutBuffer, response: Bool) {
        let dev = s.devices[Int(e.device)]
        out.ascii("{\"timestamp\":\""); out.isoTime(response ? e.responseTime : e.time, digits: 6, zone: "+0000")
        out.ascii("\",\"flow_id\":"); out.decimal(EventText.hash(e, day) & 0x000F_FFFF_FFFF_FFFF)
        out.ascii(",\"in_iface\":\"eth0\",\"event_type\":\"dns\",\"src_ip\":\""); out.client(e.device, s)
        out.ascii("\",\"src_port\":"); out.decimal(UInt64(e.port))
        out.ascii(",\"dest_ip\":\""); out.server(dev, s)
        out.ascii("\",\"dest_port\":53,\"proto\":\"UDP\",\"dns\":{")
        if !response {
            out.ascii("\"type\":\"query\",\"id\":"); out.decimal(UInt64(e.txid))
            out.ascii(",\"rrname\":"); out.jsonName(e.name, s)
            out.ascii(",\"rrtype\":\""); out.ascii(QType.mnemonic(e.qtype)); out.ascii("\",\"tx_id\":0,\"opcode\":0}}\n")
            return
        }
        out.ascii("\"version\":2,\"type\":\"answer\",\"id\":"); out.decimal(UInt64(e.txid))
        out.ascii(",\"flags\":\"818"); out.byte(UInt8(ascii: "0") + e.rcode)
        out.ascii("\",\"qr\":true,\"rd\":true,\"ra\":true,\"opcode\":0,\"rrname\":"); out.jsonName(e.name, s)
        out.ascii(",\"rrtype\":\""); out.ascii(QType.mnemonic(e.qtype))
        out.ascii("\",\"rcode\":\""); out.ascii(RCode.mnemonic(e.rcode)); out.byte(0x22)
        if e.answer >= 0 && s.answers.count(e.answer) > 0 {
            out.ascii(",\"answers\":[")
            var owner = e.name
            var first = true
            for k in s.answers.range(e.answer) {
                let r = s.answers.records[k]
                if !first { out.byte(0x2C) }
                first = false
                out.ascii("{\"rrname\":"); out.jsonName(owner, s)
                out.ascii(",\"rrtype\":\""); out.ascii(EventText.typeName(r.kind)); out.ascii("\",\"ttl\":"); out.decimal(UInt64(r.ttl))
                out.ascii(",\"rdata\":\""); EventText.answerData(r, s, &out, txtPrefix: false); out.ascii("\"}")
                if r.kind == .cname { owner = Int32(r.data) }
            }
            out.ascii("],\"grouped\":{")
            var firstGroup = true
            for kind in [SimRecord.Kind.cname, .a, .aaaa, .txt] {
                var any = false
                for k in s.answers.range(e.answer) where s.answers.records[k].kind == kind {
                    let r = s.answers.records[k]
                    if !any {
                        if !firstGroup { out.byte(0x2C) }
                        firstGroup = false
                        out.byte(0x22); out.ascii(EventText.typeName(kind)); out.ascii("\":[")
                    } else {
                        out.byte(0x2C)
                    }
                    any = true
                    out.byte(0x22); EventText.answerData(r, s, &out, txtPrefix: false); out.byte(0x22)
                }
                if any { out.byte(0x5D) }
            }
            out.byte(0x7D)
        }
        out.ascii("}}\n")
    }
}

/// AWS Route 53 Resolver query logs (version 1.1), one JSON object per transaction as delivered to S3 or CloudWatch
/// Logs; on-premises clients come in through an inbound endpoint.
final class Route53Writer: TrafficWriter {
    static func awsRegion(_ region: String) -> StaticString {
        switch region {
        case "APAC": "ap-northeast-1"
        case "EMEA": "eu-central-1"
        case "LATAM": "sa-east-1"
        default: "us-east-1"
        }
    }

    override func writeDay(_ batch: DayBatch, _ s: WriteContext, _ out: inout OutBuffer) throws(SimulatorError) {
        let aws = s.regions.map { Self.awsRegion($0.name) }
        for e in batch.events {
            let dev = s.devices[Int(e.device)]
            let h = SimRandom.mix(UInt64(UInt32(bitPattern: dev.organisation)) ^ 0x5235_3320)
            out.ascii("{\"version\":\"1.100000\",\"account_id\":\""); out.padded(Int(h % 1_000_000_000_000), 12)
            out.ascii("\",\"region\":\""); out.ascii(aws[s.orgRegion[Int(dev.organisation)]])
            out.ascii("\",\"vpc_id\":\"vpc-"); for k in 0..<8 { out.hexByte(UInt8(truncatingIfNeeded: h >> (8 * UInt64(k)))) }
            out.ascii("\",\"query_timestamp\":\""); out.isoTime(e.time, digits: 0)
            out.ascii("\",\"query_name\":\""); out.name(e.name, s)
            out.ascii(".\",\"query_type\":\""); out.ascii(QType.mnemonic(e.qtype))
            out.ascii("\",\"query_class\":\"IN\",\"rcode\":\""); out.ascii(RCode.mnemonic(e.rcode))
            out.ascii("\",\"answers\":[")
            if e.answer >= 0 {
                var first = true
                for k in s.answers.range(e.answer) {
                let r = s.answers.records[k]
                    if !first { out.byte(0x2C) }
                    first = false
                    out.ascii("{\"Rdata\":\"")
                    if r.kind == .txt {
                        out.ascii("\\\""); EventText.answerData(r, s, &out, txtPrefix: false); out.ascii("\\\"")
                    } else {
                        EventText.answerData(r, s, &out, txtPrefix: false)
                        if r.kind == .cname { out.byte(0x2E) }
                    }
                    out.ascii("\",\"Type\":\""); out.ascii(EventText.typeName(r.kind)); out.ascii("\",\"Class\":\"IN\"}")
                }
            }
            out.ascii("],\"srcaddr\":\""); out.client(e.device, s)
            out.ascii("\",\"srcport\":\""); out.decimal(UInt64(e.port))
            out.ascii("\",\"transport\":\"UDP\",\"srcids\":{\"resolver_endpoint\":\"rslvr-in-")
            for k in 0..<8 { out.hexByte(UInt8(truncatingIfNeeded: (h >> 3) >> (8 * UInt64(k)))) }
            out.ascii("\"}}\n")
        }
    }
}

/// Packetbeat's DNS transactions (Elastic Common Schema), one JSON object per line as Filebeat/Packetbeat write
/// them to a file output. Read with ``OutputFormat/packetbeatMapping``.
final class PacketbeatWriter: TrafficWriter {
    override func writeDay(_ batch: DayBatch, _ s: WriteContext, _ out: inout OutBuffer) throws(SimulatorError) {
        for e in batch.events {
            let dev = s.devices[Int(e.device)]
            out.ascii("{\"@timestamp\":\""); out.isoTime(e.time, digits: 3)
            out.ascii("\",\"type\":\"dns\",\"event\":{\"kind\":\"event\",\"category\":[\"network\"],\"type\":[\"connection\",\"protocol\"],\"dataset\":\"dns\",\"duration\":")
            out.decimal(UInt64(e.rttMicros) * 1000)
            out.ascii("},\"network\":{\"type\":\"ipv4\",\"transport\":\"udp\",\"protocol\":\"dns\",\"direction\":\"egress\"},\"client\":{\"ip\":\"")
            out.client(e.device, s); out.ascii("\",\"port\":"); out.decimal(UInt64(e.port))
            out.ascii("},\"server\":{\"ip\":\""); out.server(dev, s)
            out.ascii("\",\"port\":53},\"dns\":{\"id\":"); out.decimal(UInt64(e.txid))
            out.ascii(",\"op_code\":\"QUERY\",\"type\":\"answer\",\"flags\":{\"recursion_desired\":true,\"recursion_available\":true,\"authoritative\":false},\"question\":{\"name\":")
            out.jsonName(e.name, s)
            out.ascii(",\"type\":\""); out.ascii(QType.mnemonic(e.qtype)); out.ascii("\",\"class\":\"IN\"},\"response_code\":\"")
            out.ascii(RCode.mnemonic(e.rcode)); out.byte(0x22)
            let count = e.answer >= 0 ? s.answers.count(e.answer) : 0
            out.ascii(",\"answers_count\":"); out.decimal(UInt64(count))
            if count > 0 {
                out.ascii(",\"answers\":[")
                var owner = e.name
                var first = true
                for k in s.answers.range(e.answer) {
                let r = s.answers.records[k]
                    if !first { out.byte(0x2C) }
                    first = false
                    out.ascii("{\"name\":"); out.jsonName(owner, s)
                    out.ascii(",\"type\":\""); out.ascii(EventText.typeName(r.kind)); out.ascii("\",\"class\":\"IN\",\"ttl\":\""); out.decimal(UInt64(r.ttl))
                    out.ascii("\",\"data\":\""); EventText.answerData(r, s, &out, txtPrefix: false); out.ascii("\"}")
                    if r.kind == .cname { owner = Int32(r.data) }
                }
                out.byte(0x5D)
                var firstIP = true
                for k in s.answers.range(e.answer) where s.answers.records[k].kind == .a || s.answers.records[k].kind == .aaaa {
                    let r = s.answers.records[k]
                    out.ascii(firstIP ? ",\"resolved_ip\":[\"" : ",\"")
                    firstIP = false
                    EventText.answerData(r, s, &out, txtPrefix: false); out.byte(0x22)
                }
                if !firstIP { out.byte(0x5D) }
            }
            out.ascii("}}\n")
        }
    }
}
