import DNSWire
import Foundation

/// Just enough pcap and dnstap reading to pull DNS messages out of the shared captures for codec tests.
/// The real, hardened readers belong to the LogReaders module; this stays minimal on purpose.
enum CaptureExtraction {
    /// The repository's `../shared` folder, found from this file's path.
    static var sharedDirectory: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("shared")
    }

    static func be16(_ b: [UInt8], _ i: Int) -> Int { Int(b[i]) << 8 | Int(b[i + 1]) }
    static func be32(_ b: [UInt8], _ i: Int) -> Int { be16(b, i) << 16 | be16(b, i + 2) }
    static func le32(_ b: [UInt8], _ i: Int) -> Int { Int(b[i]) | Int(b[i + 1]) << 8 | Int(b[i + 2]) << 16 | Int(b[i + 3]) << 24 }

    /// DNS payloads of a classic little-endian Ethernet pcap: every UDP payload, and every 2-byte-framed message of
    /// every TCP stream with a payload (segments appended in capture order, which loopback keeps).
    static func pcapMessages(_ file: URL) throws -> (udp: [[UInt8]], tcp: [[UInt8]]) {
        let b = [UInt8](try Data(contentsOf: file))
        precondition(le32(b, 0) == 0xA1B2_C3D4 && le32(b, 20) == 1, "expected a little-endian Ethernet pcap")
        var udp = [[UInt8]](), streams = [String: TCPFraming.Deframer](), order = [String]()
        var p = 24
        while p + 16 <= b.count {
            let incl = le32(b, p + 8)
            let frame = Array(b[(p + 16)..<(p + 16 + incl)])
            p += 16 + incl
            var e = 12
            var etherType = be16(frame, e)
            while etherType == 0x8100 { e += 4; etherType = be16(frame, e) }
            var ip = e + 2
            let proto: UInt8, src: String, dst: String, end: Int
            if etherType == 0x0800 {
                proto = frame[ip + 9]
                src = frame[(ip + 12)..<(ip + 16)].map(String.init).joined(separator: ".")
                dst = frame[(ip + 16)..<(ip + 20)].map(String.init).joined(separator: ".")
                end = ip + be16(frame, ip + 2)
                ip += Int(frame[ip] & 0x0F) * 4
            } else if etherType == 0x86DD {
                proto = frame[ip + 6]
                src = TextEncodings.hex(frame[(ip + 8)..<(ip + 24)]); dst = TextEncodings.hex(frame[(ip + 24)..<(ip + 40)])
                end = ip + 40 + be16(frame, ip + 4)
                ip += 40
            } else { continue }
            if proto == 17 {
                udp.append(Array(frame[(ip + 8)..<end]))
            } else if proto == 6 {
                let dataStart = ip + Int(frame[ip + 12] >> 4) * 4
                guard dataStart < end else { continue }
                let key = "\(src):\(be16(frame, ip))>\(dst):\(be16(frame, ip + 2))"
                if streams[key] == nil { order.append(key); streams[key] = TCPFraming.Deframer() }
                streams[key]!.append(frame[dataStart..<end])
            }
        }
        var tcp = [[UInt8]]()
        for key in order { while let m = streams[key]!.next() { tcp.append(m) } }
        return (udp, tcp)
    }

    /// The wire messages (query_message, field 10; response_message, field 14) inside each dnstap Message of a
    /// unidirectional Frame Streams file.
    static func dnstapMessages(_ file: URL) throws -> [[UInt8]] {
        let b = [UInt8](try Data(contentsOf: file))
        var out = [[UInt8]]()
        var p = 0
        while p + 4 <= b.count {
            let len = be32(b, p)
            p += 4
            if len == 0 {  // control frame: its own length, then the control payload
                let clen = be32(b, p)
                p += 4 + clen
                continue
            }
            let frame = Array(b[p..<(p + len)])
            p += len
            for (field, value) in protobufFields(frame) where field == 14 {
                for (inner, v) in protobufFields(value) where inner == 10 || inner == 14 { out.append(v) }
            }
        }
        return out
    }

    /// The length-delimited fields of a protobuf message (other wire types are skipped).
    static func protobufFields(_ b: [UInt8]) -> [(Int, [UInt8])] {
        var out = [(Int, [UInt8])]()
        var p = 0
        func varint() -> Int {
            var v = 0, shift = 0
            while true {
                let byte = b[p]; p += 1
                v |= Int(byte & 0x7F) << shift
                if byte & 0x80 == 0 { return v }
                shift += 7
            }
        }
        while p < b.count {
            let key = varint()
            switch key & 7 {
            case 0: _ = varint()
            case 1: p += 8
            case 5: p += 4
            case 2:
                let n = varint()
                out.append((key >> 3, Array(b[p..<(p + n)])))
                p += n
            default: return out
            }
        }
        return out
    }
}
