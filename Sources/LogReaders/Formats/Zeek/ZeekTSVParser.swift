import DNSWire
import DNSightCore

/// Zeek's `dns.log` in its native tab-separated form, driven by the file's own header.
///
/// The header (`#separator`, `#set_separator`, `#empty_field`, `#unset_field`, `#path`, `#fields`, `#types`) says
/// which column holds what; a file may contain several logs one after another, each with its header. Unset fields
/// (`-`) and empty vectors (`(empty)`) are absent values; `answers` and `TTLs` are vectors split on the set separator
/// and paired by position; `\xHH` escapes are decoded. Without any `#fields` header the default Zeek column order is
/// assumed. Fields are parsed from the line's bytes; no String is made per field.
public struct ZeekTSVParser: LineEventParser {
    public static let formatName = "Zeek dns.log"

    var separator: UInt8 = 0x09
    var setSeparator: UInt8 = UInt8(ascii: ",")
    var emptyField: [UInt8] = Array("(empty)".utf8)
    var unsetField: [UInt8] = Array("-".utf8)
    /// The role of each column (nil: not read).
    var columns: [ZeekField?] = []
    var path: String? = nil
    var sawFields = false

    /// Creates a parser.
    public init() {}

    mutating func header(_ b: UnsafeRawBufferPointer) throws(LineError) {
        // "#separator \x09" uses a space; the others use the separator itself.
        if FieldParse.hasPrefix(b, "#separator ") {
            let v = b.slice(from: 11).trimmed
            if v.count == 4, v[0] == UInt8(ascii: "\\"), v[1] == UInt8(ascii: "x"),
               let x = TextEncodings.fromHex(String(decoding: v.slice(2..<4), as: UTF8.self)), x.count == 1 {
                separator = x[0]
            } else if v.count == 1 {
                separator = v[0]
            } else {
                throw LineError("bad #separator header")
            }
            return
        }
        guard let sep = FieldParse.index(of: separator, in: b) else { return }
        let key = b.slice(0..<sep)
        let value = b.slice(from: sep + 1)
        if FieldParse.equals(key, "#set_separator") {
            guard let c = Self.unescape(value).first else { throw LineError("bad #set_separator header") }
            setSeparator = c
        } else if FieldParse.equals(key, "#empty_field") {
            emptyField = Self.unescape(value)
        } else if FieldParse.equals(key, "#unset_field") {
            unsetField = Self.unescape(value)
        } else if FieldParse.equals(key, "#path") {
            path = String(decoding: value, as: UTF8.self)
        } else if FieldParse.equals(key, "#fields") {
            var cols = [ZeekField?]()
            var start = 0
            while start <= value.count {
                let end = FieldParse.index(of: separator, in: value, from: start) ?? value.count
                cols.append(ZeekField.table.index(of: value.slice(start..<end)).flatMap { ZeekField(rawValue: $0) })
                start = end + 1
            }
            columns = cols
            sawFields = true
        }
    }

    /// Decodes Zeek's `\xHH` escapes.
    static func unescape(_ b: UnsafeRawBufferPointer) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(b.count)
        var i = 0
        while i < b.count {
            if b[i] == UInt8(ascii: "\\"), i + 3 < b.count, b[i + 1] == UInt8(ascii: "x"),
               let x = TextEncodings.fromHex(String(decoding: b.slice((i + 2)..<(i + 4)), as: UTF8.self)) {
                out.append(x[0])
                i += 4
            } else {
                out.append(b[i])
                i += 1
            }
        }
        return out
    }

    @inline(__always) func isUnset(_ f: UnsafeRawBufferPointer) -> Bool {
        guard f.count == unsetField.count else { return false }
        if f.count == 1 { return f[0] == unsetField[0] }
        return Self.same(f, unsetField)
    }

    @inline(__always) func isEmptyVector(_ f: UnsafeRawBufferPointer) -> Bool {
        f.count == emptyField.count && Self.same(f, emptyField)
    }

    static func same(_ f: UnsafeRawBufferPointer, _ a: [UInt8]) -> Bool {
        for i in 0..<f.count where f[i] != a[i] { return false }
        return true
    }

    /// The end of the field that starts at `start` (the next separator, or the end of the line). Eight bytes at a
    /// time (a SWAR zero-byte test): the separator scan is most of the work of a TSV line, and a call to memchr per
    /// short field costs more than it saves.
    @inline(__always) func fieldEnd(_ b: UnsafeRawBufferPointer, from start: Int) -> Int {
        var i = start
        let n = b.count
        guard let base = b.baseAddress else { return start }
        #if _endian(little)
        let pattern = UInt64(separator) &* 0x0101_0101_0101_0101
        while i + 8 <= n {
            let w = base.loadUnaligned(fromByteOffset: i, as: UInt64.self) ^ pattern
            let t = (w &- 0x0101_0101_0101_0101) & ~w & 0x8080_8080_8080_8080
            if t != 0 { return i + (t.trailingZeroBitCount >> 3) }
            i += 8
        }
        #endif
        while i < n && base.load(fromByteOffset: i, as: UInt8.self) != separator { i += 1 }
        return i
    }

    static func name(_ f: UnsafeRawBufferPointer) -> DNSName? {
        if f.contains(UInt8(ascii: "\\")) && FieldParse.find("\\x", in: f) != nil {
            // Zeek escaped a byte; decode, then re-escape for the presentation parser.
            let raw = unescape(f)
            let labels = raw.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: true).map(Array.init)
            return (try? DNSName(labels: labels))?.lowercased
        }
        return FieldParse.name(f)
    }

    public mutating func parse(_ line: TextLine, file: String) throws(LineError) -> LineOutcome {
        let b = line.bytes
        if b.isEmpty { return .skip(reason: nil) }
        if b[0] == UInt8(ascii: "#") {
            try header(b)
            return .skip(reason: nil)
        }
        if let path, path != "dns" { throw LineError("the log's #path is \(path), not dns") }
        if !sawFields {
            columns = ZeekField.defaultColumns.map { ZeekField.table.index(of: $0).flatMap { ZeekField(rawValue: $0) } }
            sawFields = true
        }
        var r = ZeekRecord()
        var answersField: UnsafeRawBufferPointer? = nil
        var ttlsField: UnsafeRawBufferPointer? = nil
        var col = 0, start = 0
        let n = b.count
        while start <= n {
            let end = fieldEnd(b, from: start)
            defer { start = end + 1; col += 1 }
            guard col < columns.count else { throw LineError("more columns than #fields names (\(columns.count))") }
            guard let role = columns[col] else { continue }
            let f = b.slice(start..<end)
            if isUnset(f) { continue }
            switch role {
            case .ts:
                guard let t = FieldParse.scaledDecimal(f, scale: 9) else { throw LineError("bad ts") }
                r.time = t
            case .origH:
                guard let a = FieldParse.ipAddress(f) else { throw LineError("bad id.orig_h") }
                r.client = a
            case .origP:
                guard let p = FieldParse.port(f) else { throw LineError("bad id.orig_p") }
                r.clientPort = p
            case .respH:
                guard let a = FieldParse.ipAddress(f) else { throw LineError("bad id.resp_h") }
                r.server = a
            case .respP:
                guard let p = FieldParse.port(f) else { throw LineError("bad id.resp_p") }
                r.serverPort = p
            case .proto:
                r.transport = ZeekRecord.transport(f)
            case .transID:
                guard let v = FieldParse.unsigned(f, max: 65535) else { throw LineError("bad trans_id") }
                r.id = UInt16(v)
            case .rtt:
                guard let v = FieldParse.scaledDecimal(f, scale: 6) else { throw LineError("bad rtt") }
                r.rttMicros = v
            case .query:
                guard let nm = Self.name(f) else { throw LineError("bad query name") }
                r.name = nm
            case .qclass:
                guard let v = FieldParse.unsigned(f, max: 65535) else { throw LineError("bad qclass") }
                r.qclass = RecordClass(UInt16(v))
            case .qclassName:
                if r.qclass == nil { r.qclass = FieldParse.recordClass(f) }
            case .qtype:
                guard let v = FieldParse.unsigned(f, max: 65535) else { throw LineError("bad qtype") }
                r.qtype = RecordType(UInt16(v))
            case .qtypeName:
                if r.qtype == nil { r.qtype = FieldParse.recordType(f) }
            case .rcode:
                guard let v = FieldParse.unsigned(f, max: 4095) else { throw LineError("bad rcode") }
                r.rcode = ResponseCode(UInt16(v))
            case .rcodeName:
                if r.rcode == nil { r.rcode = FieldParse.responseCode(f) }
            case .aa, .tc, .rd, .ra, .rejected:
                guard f.count == 1, f[0] == UInt8(ascii: "T") || f[0] == UInt8(ascii: "F") else { throw LineError("bad \(role.name) (expected T or F)") }
                if role == .rejected { r.rejected = f[0] == UInt8(ascii: "T") } else { r.setFlag(role, f[0] == UInt8(ascii: "T")) }
            case .z:
                guard let v = FieldParse.unsigned(f, max: 7) else { throw LineError("bad Z") }
                r.z = UInt16(v)
            case .opcode:
                guard let v = FieldParse.unsigned(f, max: 15) else { throw LineError("bad opcode") }
                r.opcode = UInt8(v)
            case .opcodeName:
                break
            case .answers:
                if !isEmptyVector(f) { answersField = f }
            case .ttls:
                if !isEmptyVector(f) { ttlsField = f }
            }
        }
        if col < columns.count { throw LineError("expected \(columns.count) columns, got \(col)") }
        if let af = answersField, let name = r.name {
            r.answers = try answers(af, ttlsField, owner: name, queryType: r.qtype ?? .a)
        }
        return try r.event(position: SourcePosition(file: file, line: line.number, byteOffset: line.byteOffset))
    }

    func answers(_ af: UnsafeRawBufferPointer, _ tf: UnsafeRawBufferPointer?, owner: DNSName, queryType: RecordType) throws(LineError) -> [DNSAnswer] {
        var out = [DNSAnswer]()
        var a = 0, t = 0
        while a <= af.count {
            let ae = FieldParse.index(of: setSeparator, in: af, from: a) ?? af.count
            var ttl: UInt32? = nil
            if let tf, t <= tf.count {
                let te = FieldParse.index(of: setSeparator, in: tf, from: t) ?? tf.count
                if let v = FieldParse.scaledDecimal(tf.slice(t..<te), scale: 0), v >= 0, v <= Int64(UInt32.max) { ttl = UInt32(v) }
                else { throw LineError("bad TTLs") }
                t = te + 1
            }
            let rdata = af.slice(a..<ae)
            if rdata.contains(UInt8(ascii: "\\")) {
                let raw = Self.unescape(rdata)
                out.append(raw.withUnsafeBytes { AnswerText.untyped(owner: owner, queryType: queryType, ttl: ttl, rdata: $0) })
            } else {
                out.append(AnswerText.untyped(owner: owner, queryType: queryType, ttl: ttl, rdata: rdata))
            }
            a = ae + 1
        }
        return out
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
