import Foundation
import Testing
import TestSupport
@testable import LogReaders

/// The dnstap field walk (keys switched on by field number, values read by wire type) against the walk it replaced
/// (a `(number, value)` pair per field matched case by case), kept here as the reference: both must accept the same
/// frames with the same record and reject the others with the same message and offset.
@Suite struct DnstapWalkEquivalenceTests {
    @Test func newWalkAgreesWithTheOldOnMutatedFrames() throws {
        var frames = [[UInt8]]()
        var d = FrameStreams.Decoder()
        d.append(try Data(contentsOf: URL(fileURLWithPath: Shared.capture("unbound-resolver-rpz.dnstap"))))
        while let f = try d.next() { if case .data(let b) = f { frames.append(b) } }
        var rec = DnstapRecord(messageType: .clientResponse)
        rec.policy = .init(type: "rpz", rule: Array("bad.example.rpz.".utf8), match: 1, action: 1, value: [1, 2])
        rec.responseMessage = [0]
        frames.append(rec.encoded)
        #expect(frames.count > 300)

        var rng = SeededRandom(seed: 0x5EED_D575)
        var accepted = 0, rejected = 0
        for round in 0..<40 {
            for base in frames {
                var f = base
                switch round % 4 {
                case 0: f[Int(rng.next() % UInt64(f.count))] = UInt8(truncatingIfNeeded: rng.next())
                case 1:
                    // Keys and lengths: one byte changed to a likely key (any field number 0–16, any wire type).
                    f[Int(rng.next() % UInt64(f.count))] = UInt8(rng.next() % 136)
                case 2: f.removeLast(Int(rng.next() % UInt64(min(f.count, 40))))
                default:
                    for _ in 0..<3 { f[Int(rng.next() % UInt64(f.count))] ^= UInt8(1 << (rng.next() % 8)) }
                }
                let new = Result { () throws(DnstapRecord.Malformed) in try DnstapRecord(decoding: f) }
                let old = Result { () throws(DnstapRecord.Malformed) in try OldWalk.record(f) }
                #expect(new == old, "frame \(f)")
                if case .success = new { accepted += 1 } else { rejected += 1 }
            }
        }
        // Both outcomes are exercised.
        #expect(accepted > 1000 && rejected > 1000)
    }
}


/// The walk as it was before the key switch (commit ebf54e3), decoding straight into a record.
private enum OldWalk {
    typealias Malformed = DnstapRecord.Malformed
    enum Value { case int(UInt64), bytes(Range<Int>) }

    static func field(_ r: inout ProtobufReader) throws(ProtobufReader.Malformed) -> (Int, Value) {
        let at = r.p
        let key = try r.varint()
        let number = Int(key >> 3)
        guard number > 0 else { throw ProtobufReader.Malformed(message: "field number 0", offset: at) }
        switch key & 7 {
        case 0: return (number, .int(try r.varint()))
        case 1:
            guard r.p + 8 <= r.end else { throw ProtobufReader.Malformed(message: "truncated fixed64", offset: r.p) }
            let v = UInt64(littleEndian: r.bytes.loadUnaligned(fromByteOffset: r.p, as: UInt64.self))
            r.p += 8
            return (number, .int(v))
        case 5:
            guard r.p + 4 <= r.end else { throw ProtobufReader.Malformed(message: "truncated fixed32", offset: r.p) }
            let v = UInt64(UInt32(littleEndian: r.bytes.loadUnaligned(fromByteOffset: r.p, as: UInt32.self)))
            r.p += 4
            return (number, .int(v))
        case 2:
            let n = try r.varint()
            guard n <= UInt64(r.end - r.p) else { throw ProtobufReader.Malformed(message: "length \(n) overruns the message", offset: r.p) }
            let range = r.p..<(r.p + Int(n))
            r.p += Int(n)
            return (number, .bytes(range))
        default:
            throw ProtobufReader.Malformed(message: "unsupported wire type \(key & 7)", offset: at)
        }
    }

    static func policy(_ frame: UnsafeRawBufferPointer, _ range: Range<Int>) throws(ProtobufReader.Malformed) -> DnstapRecord.Policy {
        var r = ProtobufReader(frame, start: range.lowerBound, end: range.upperBound)
        var p = DnstapRecord.Policy()
        while !r.atEnd {
            let (n, v) = try field(&r)
            switch (n, v) {
            case (1, .bytes(let b)): p.type = String(decoding: UnsafeRawBufferPointer(rebasing: frame[b]), as: UTF8.self)
            case (2, .bytes(let b)): p.rule = Array(frame[b])
            case (3, .int(let x)): p.match = Int(clamping: x)
            case (4, .int(let x)): p.action = Int(clamping: x)
            case (5, .bytes(let b)): p.value = Array(frame[b])
            default: break
            }
        }
        return p
    }

    static func record(_ bytes: [UInt8]) throws(Malformed) -> DnstapRecord {
        let result: Result<DnstapRecord, Malformed> = bytes.withUnsafeBytes { frame in
            Result { () throws(Malformed) in try record(frame) }
        }
        return try result.get()
    }

    static func record(_ frame: UnsafeRawBufferPointer) throws(Malformed) -> DnstapRecord {
        func bytes(_ r: Range<Int>) -> [UInt8] { Array(frame[r]) }
        var r = ProtobufReader(frame)
        var type: Int?
        var message: Range<Int>?
        var identity: Range<Int>?, version: Range<Int>?
        do {
            while !r.atEnd {
                let (n, v) = try field(&r)
                switch (n, v) {
                case (1, .bytes(let b)): identity = b
                case (2, .bytes(let b)): version = b
                case (15, .int(let t)): type = Int(clamping: t)
                case (14, .bytes(let b)): message = b
                default: break
                }
            }
        } catch { throw Malformed(message: "protobuf: \(error.message)", offset: error.offset) }
        guard type == 1 else { throw Malformed(message: type == nil ? "Dnstap.type missing" : "Dnstap.type \(type!) is not MESSAGE", offset: 0) }
        guard let message else { throw Malformed(message: "Dnstap.message missing", offset: 0) }
        var m = ProtobufReader(frame, start: message.lowerBound, end: message.upperBound)
        var mtype: DnstapRecord.MessageType?
        var rec = DnstapRecord(messageType: .clientQuery)
        rec.identity = identity.map(bytes)
        rec.version = version.map(bytes)
        do {
            while !m.atEnd {
                let (n, v) = try field(&m)
                switch (n, v) {
                case (1, .int(let t)):
                    guard let mt = DnstapRecord.MessageType(rawValue: Int(clamping: t)) else { throw Malformed(message: "unknown Message.type \(t)", offset: m.p) }
                    mtype = mt
                case (2, .int(let x)): rec.socketFamily = Int(clamping: x)
                case (3, .int(let x)): rec.socketProtocol = Int(clamping: x)
                case (4, .bytes(let b)): rec.queryAddress = bytes(b)
                case (5, .bytes(let b)): rec.responseAddress = bytes(b)
                case (6, .int(let x)): rec.queryPort = UInt16(truncatingIfNeeded: x)
                case (7, .int(let x)): rec.responsePort = UInt16(truncatingIfNeeded: x)
                case (8, .int(let x)): rec.queryTimeSec = x
                case (9, .int(let x)): rec.queryTimeNsec = UInt32(truncatingIfNeeded: x)
                case (10, .bytes(let b)): rec.queryMessage = bytes(b)
                case (11, .bytes(let b)): rec.queryZone = bytes(b)
                case (12, .int(let x)): rec.responseTimeSec = x
                case (13, .int(let x)): rec.responseTimeNsec = UInt32(truncatingIfNeeded: x)
                case (14, .bytes(let b)): rec.responseMessage = bytes(b)
                case (15, .bytes(let b)): rec.policy = try policy(frame, b)
                default: break
                }
            }
        } catch let e as ProtobufReader.Malformed {
            throw Malformed(message: "protobuf: \(e.message)", offset: e.offset)
        } catch let e as Malformed { throw e } catch { throw Malformed(message: "\(error)", offset: 0) }
        guard let mtype else { throw Malformed(message: "Message.type missing", offset: message.lowerBound) }
        rec.messageType = mtype
        return rec
    }
}
