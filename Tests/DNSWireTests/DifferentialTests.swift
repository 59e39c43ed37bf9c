import Foundation
import Testing
@testable import DNSWire

/// The differential test of issue 2: dnspython builds and judges ~12,000 messages (`Differential/make_corpus.py`),
/// DNSWire decodes every one and must agree on validity and on every field; then dnspython reads DNSWire's own
/// encodings back (`Differential/check_encodings.py`) and must see the same message again.
///
/// Both sides describe a message in the same canonical JSON (documented in make_corpus.py): ints and lower-case
/// hex strings only, sorted keys, no spaces, so descriptions are compared as strings; only a mismatch is parsed to
/// find the first differing field. A missing python3 or dnspython is a failure, not a skip.
@Suite struct DifferentialTests {
    static let seed = 1
    static let count = 12_000

    @Test func dnswireAgreesWithDnspython() throws {
        let clock = ContinuousClock()
        let started = clock.now
        let scripts = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Differential")
        let fm = FileManager.default
        // DNSWIRE_DIFFERENTIAL_KEEP=1 keeps the corpus, the encodings and a list of every mismatch (mismatches.txt)
        // in the temporary directory, and prints where.
        let keep = ProcessInfo.processInfo.environment["DNSWIRE_DIFFERENTIAL_KEEP"] != nil
        let work = fm.temporaryDirectory.appendingPathComponent("dnswire-differential-\(UUID().uuidString)")
        try fm.createDirectory(at: work, withIntermediateDirectories: true)
        defer { if !keep { try? fm.removeItem(at: work) } }

        let probe = try Self.run(["python3", "-c", "import dns.version; print(dns.version.version)"], in: work)
        try #require(probe.status == 0, "python3 with dnspython is required (pip install dnspython): \(probe.stderr)")
        let made = try Self.run(["python3", scripts.appendingPathComponent("make_corpus.py").path, "--seed", "\(Self.seed)",
                                 "--count", "\(Self.count)", "--out", work.path], in: work)
        try #require(made.status == 0, "make_corpus.py failed:\n\(made.stderr)")
        let corpusMade = clock.now

        let cases = try Self.lines(of: work.appendingPathComponent("cases.jsonl"))
        let expects = try Self.lines(of: work.appendingPathComponent("expect.jsonl"))
        try #require(cases.count == Self.count && expects.count == Self.count, "corpus has \(cases.count) cases and \(expects.count) expectations")

        var report = MismatchReport(keepAll: keep)
        var validAgreed = 0, invalidAgreed = 0, caseFolded = 0
        var kinds = [String: Int](), relaxations = [String: Int](), notes = [String: Int]()
        var encoded = [UInt8]()
        encoded.reserveCapacity(cases.count * 256)

        for (k, line) in cases.enumerated() {
            guard let meta = try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any],
                  let i = meta["i"] as? Int, i == k, let kind = meta["kind"] as? String, let hex = meta["wire"] as? String,
                  let wire = Self.unhex(hex) else {
                Issue.record("cases.jsonl line \(k) is not a case")
                return
            }
            let expected = expects[k]
            let expectError = Self.same(expected, Self.errorLine)
            let message: DNSMessage
            do {
                message = try DNSMessage(decoding: wire)
            } catch {
                if expectError {
                    invalidAgreed += 1
                } else {
                    report.add(k, kind, "validity", expected: "valid (dnspython accepts)", got: "DNSWire rejects: \(error)")
                }
                continue
            }
            let got = Canonical.describe(message)
            if expectError {
                report.add(k, kind, "validity", expected: "invalid (dnspython rejects)", got: "DNSWire accepts: \(String(decoding: got, as: UTF8.self))")
                continue
            }
            if Self.same(got, expected) {
                validAgreed += 1
            } else {
                report.addDifference(k, kind, "decode", expected: expected, got: got)
            }
            kinds[kind.split(separator: "/").first.map(String.init) ?? kind, default: 0] += 1
            for r in meta["relaxed"] as? [String] ?? [] { relaxations[r, default: 0] += 1 }
            for n in meta["notes"] as? [String] ?? [] { notes[n, default: 0] += 1 }

            // Encode both ways; DNSWire must read its own bytes back to the same description, and dnspython must too
            // (check_encodings.py, below).
            do {
                let compressed = try message.encode()
                let plain = try message.encode(compress: false)
                for (variant, bytes) in [("compressed", compressed), ("uncompressed", plain)] {
                    do {
                        let back = try DNSMessage(decoding: bytes)
                        var again = Canonical.describe(back)
                        var want = got
                        if variant == "compressed" && !Self.same(again, want) {
                            // RFC 4343 §4.1: compression matches names ignoring case, so a compressed name reads back
                            // with the case of the name it points to. Only those names may differ, and only in case.
                            again = Canonical.describe(back, foldingCompressedNames: true)
                            want = Canonical.describe(message, foldingCompressedNames: true)
                            caseFolded += 1
                        }
                        if !Self.same(again, want) { report.addDifference(k, kind, "DNSWire re-decode of encode (\(variant))", expected: want, got: again) }
                    } catch {
                        report.add(k, kind, "DNSWire re-decode of encode (\(variant))", expected: "its own encoding decodes", got: "\(error)")
                    }
                }
                encoded += #"{"i":\#(k),"c":""#.utf8
                encoded += Self.hex(compressed)
                encoded += #"","u":""#.utf8
                encoded += Self.hex(plain)
                encoded += "\"}\n".utf8
            } catch {
                let text = "\(error)".replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
                encoded += Array(#"{"i":\#(k),"error":"\#(text)"}"#.utf8) + [0x0A]
            }
        }
        let decoded = clock.now

        let encodedFile = work.appendingPathComponent("encoded.jsonl")
        try Data(encoded).write(to: encodedFile)
        let checked = try Self.run(["python3", scripts.appendingPathComponent("check_encodings.py").path, "--corpus", work.path,
                                    "--encoded", encodedFile.path], in: work)
        try #require(checked.status == 0, "check_encodings.py failed:\n\(checked.stderr)")
        guard let result = try JSONSerialization.jsonObject(with: Data(checked.stdout.utf8)) as? [String: Any],
              let readBack = result["checked"] as? Int, let count = result["count"] as? Int,
              let list = result["mismatches"] as? [[String: Any]] else {
            Issue.record("check_encodings.py printed no report: \(checked.stdout.prefix(500))")
            return
        }
        for m in list {
            let k = m["i"] as? Int ?? -1
            report.add(k, "", "dnspython reading DNSWire's \(m["variant"] ?? "?") encoding: \(m["field"] ?? "?")",
                       expected: "\(m["expected"] ?? "")", got: "\(m["got"] ?? "")", counted: false)
        }
        report.count += count
        let finished = clock.now

        print("""
            DNSWire differential test against dnspython \(probe.stdout.trimmingCharacters(in: .whitespacesAndNewlines)): \
            \(Self.count) cases (seed \(Self.seed)); \(validAgreed) valid and \(invalidAgreed) invalid agreed; \
            \(readBack) DNSWire encodings read back by dnspython (\(result["case_folded"] as? Int ?? 0) of them, and \(caseFolded) \
            DNSWire re-decodes, equal only with compressed names compared ignoring case); \(report.count) mismatch(es)
              valid cases by kind: \(kinds.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
              relaxations used (see make_corpus.py): \(relaxations.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
              notes: \(notes.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
              time: corpus \(corpusMade - started), decode+encode \(decoded - corpusMade), dnspython read-back \(finished - decoded)
            """)
        if keep {
            try Data(report.all.joined(separator: "\n").utf8).write(to: work.appendingPathComponent("mismatches.txt"))
            print("kept in \(work.path)")
        }
        if report.count > 0 {
            Issue.record("""
                \(report.count) mismatch(es) between DNSWire and dnspython (first \(report.lines.count) shown; \
                reproduce with make_corpus.py --seed \(Self.seed) --count \(Self.count)):
                \(report.lines.joined(separator: "\n"))
                """)
        }
    }

    // MARK: - Helpers

    /// Runs a command through /usr/bin/env with stdout and stderr in files (no pipe can fill up and block).
    static func run(_ arguments: [String], in dir: URL) throws -> (status: Int32, stdout: String, stderr: String) {
        let outURL = dir.appendingPathComponent("stdout-\(UUID().uuidString)")
        let errURL = dir.appendingPathComponent("stderr-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let out = try FileHandle(forWritingTo: outURL), err = try FileHandle(forWritingTo: errURL)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        process.standardOutput = out
        process.standardError = err
        do {
            try process.run()
        } catch {
            return (-1, "", "could not start \(arguments.first ?? ""): \(error)")
        }
        process.waitUntilExit()
        try out.close()
        try err.close()
        let stdout = (try? String(contentsOf: outURL, encoding: .utf8)) ?? ""
        let stderr = (try? String(contentsOf: errURL, encoding: .utf8)) ?? ""
        return (process.terminationStatus, stdout, stderr)
    }

    /// The lines of a file as byte arrays (without the newlines; a final empty line is dropped).
    static func lines(of url: URL) throws -> [[UInt8]] {
        let data = try Data(contentsOf: url)
        var out = [[UInt8]]()
        data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            guard let base = raw.baseAddress else { return }
            var start = 0
            while start < raw.count {
                let found = memchr(base + start, 0x0A, raw.count - start)
                let end = found.map { UnsafeRawPointer($0) - base } ?? raw.count
                out.append([UInt8](UnsafeRawBufferPointer(rebasing: raw[start..<end])))
                start = end + 1
            }
        }
        return out
    }

    static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)
    static let errorLine: [UInt8] = Array(#"{"error":true}"#.utf8)

    /// Byte-wise equality without going through generic code (debug builds are slow at that).
    static func same(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        a.count == b.count && a.withUnsafeBytes { x in b.withUnsafeBytes { y in x.count == 0 || memcmp(x.baseAddress!, y.baseAddress!, x.count) == 0 } }
    }

    /// Lower-case hex (plain loops over buffers: this runs on every byte of the corpus, in debug builds).
    static func hex(_ bytes: [UInt8]) -> [UInt8] {
        let n = bytes.count
        return [UInt8](unsafeUninitializedCapacity: 2 * n) { out, count in
            bytes.withUnsafeBufferPointer { src in
                hexDigits.withUnsafeBufferPointer { digits in
                    var i = 0
                    while i < n {
                        let b = Int(src[i])
                        out[2 * i] = digits[b >> 4]
                        out[2 * i + 1] = digits[b & 0x0F]
                        i += 1
                    }
                }
            }
            count = 2 * n
        }
    }

    static func unhex(_ text: String) -> [UInt8]? {
        var text = text
        return text.withUTF8 { u -> [UInt8]? in
            guard u.count % 2 == 0 else { return nil }
            var out = [UInt8](repeating: 0, count: u.count / 2)
            var ok = true
            out.withUnsafeMutableBufferPointer { dst in
                var i = 0
                while i < dst.count {
                    let hi = u[2 * i], lo = u[2 * i + 1]
                    let h: UInt8 = hi >= 0x61 ? hi &- 0x57 : hi &- 0x30
                    let l: UInt8 = lo >= 0x61 ? lo &- 0x57 : lo &- 0x30
                    if h > 15 || l > 15 { ok = false; return }
                    dst[i] = h << 4 | l
                    i += 1
                }
            }
            return ok ? out : nil
        }
    }
}

/// Collects mismatches: all are counted, the first 20 are kept for the failure message.
struct MismatchReport {
    var keepAll = false
    var count = 0
    var lines = [String]()
    var all = [String]()

    mutating func add(_ index: Int, _ kind: String, _ field: String, expected: String, got: String, counted: Bool = true) {
        if counted { count += 1 }
        guard lines.count < 20 || keepAll else { return }
        let kindText = kind.isEmpty ? "" : " (\(kind))"
        let line = "case \(index)\(kindText): \(field)\n    dnspython: \(Self.clip(expected))\n    DNSWire:   \(Self.clip(got))"
        if lines.count < 20 { lines.append(line) }
        if keepAll { all.append(line) }
    }

    /// Finds the first field where two canonical descriptions differ.
    mutating func addDifference(_ index: Int, _ kind: String, _ stage: String, expected: [UInt8], got: [UInt8]) {
        let a = try? JSONSerialization.jsonObject(with: Data(expected))
        let b = try? JSONSerialization.jsonObject(with: Data(got))
        if let a, let b, let (path, x, y) = Self.firstDifference(a, b, path: "") {
            add(index, kind, "\(stage): \(path)", expected: x, got: y)
        } else {
            add(index, kind, stage, expected: String(decoding: expected, as: UTF8.self), got: String(decoding: got, as: UTF8.self))
        }
    }

    static func clip(_ s: String) -> String { s.count <= 400 ? s : String(s.prefix(400)) + "…" }

    static func text(_ v: Any) -> String {
        if let s = v as? String { return "\"\(s)\"" }
        if JSONSerialization.isValidJSONObject(v), let d = try? JSONSerialization.data(withJSONObject: v, options: [.sortedKeys]) {
            return String(decoding: d, as: UTF8.self)
        }
        return "\(v)"
    }

    static func firstDifference(_ a: Any, _ b: Any, path: String) -> (String, String, String)? {
        switch (a, b) {
        case let (x as [String: Any], y as [String: Any]):
            for key in Set(x.keys).union(y.keys).sorted() {
                guard let xv = x[key], let yv = y[key] else {
                    return ("\(path)/\(key)", x[key].map(text) ?? "<absent>", y[key].map(text) ?? "<absent>")
                }
                if let d = firstDifference(xv, yv, path: "\(path)/\(key)") { return d }
            }
            return nil
        case let (x as [Any], y as [Any]):
            for k in 0..<min(x.count, y.count) {
                if let d = firstDifference(x[k], y[k], path: "\(path)[\(k)]") { return d }
            }
            return x.count == y.count ? nil : ("\(path) (length)", "\(x.count)", "\(y.count)")
        default:
            let x = text(a), y = text(b)
            return x == y ? nil : (path.isEmpty ? "/" : path, x, y)
        }
    }
}

/// The canonical description of a DNSWire message: the same JSON make_corpus.py writes from dnspython
/// (`json.dumps(sort_keys=True, separators=(",", ":"))`). Object fields are listed here already in sorted key order
/// and written as listed; a misordered key shows up as a mismatch on every case.
enum Canonical {
    /// A JSON value made of ints, strings, arrays and objects (fields in sorted key order).
    indirect enum Value {
        case int(Int)
        case string([UInt8])
        case array([Value])
        case object([(String, Value)])
    }

    /// The description; with `foldingCompressedNames`, the names DNSWire's encoder may compress (question and owner
    /// names, NS/CNAME/PTR targets, MX exchanges, SOA names) are lower-cased.
    static func describe(_ m: DNSMessage, foldingCompressedNames fold: Bool = false) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(1024)
        write(value(m, fold: fold), to: &out)
        return out
    }

    static func write(_ v: Value, to out: inout [UInt8]) {
        switch v {
        case .int(let n): out += String(n).utf8
        case .string(let s): out.append(0x22); out += s; out.append(0x22)
        case .array(let items):
            out.append(0x5B)
            var first = true
            for item in items {
                if !first { out.append(0x2C) }
                first = false
                write(item, to: &out)
            }
            out.append(0x5D)
        case .object(let fields):
            out.append(0x7B)
            var first = true
            for (key, value) in fields {
                if !first { out.append(0x2C) }
                first = false
                out.append(0x22); out += key.utf8; out.append(0x22); out.append(0x3A)
                write(value, to: &out)
            }
            out.append(0x7D)
        }
    }

    static func hex(_ bytes: [UInt8]) -> Value { .string(DifferentialTests.hex(bytes)) }
    static func int<I: BinaryInteger>(_ n: I) -> Value { .int(Int(n)) }
    static func name(_ n: DNSName, fold: Bool = false) -> Value { hex(fold ? n.lowercased.wire : n.wire) }
    static func bit(_ flags: UInt16, _ n: UInt16) -> Value { .int(Int(flags >> n & 1)) }

    static func value(_ m: DNSMessage, fold: Bool) -> Value {
        let f = m.header.flags
        let record = { (r: DNSRecord) in Self.record(r, fold: fold) }
        var fields: [(String, Value)] = [
            ("aa", bit(f, 10)), ("ad", bit(f, 5)), ("an", .array(m.answers.map(record))), ("ar", .array(m.additional.map(record))),
            ("cd", bit(f, 4)),
        ]
        if let e = m.edns {
            fields.append(("edns", .object([
                ("do", .int(e.dnssecOK ? 1 : 0)), ("ext_rcode", int(e.extendedRCode)), ("flags", int(e.flags)),
                ("options", .array(e.options.map(option))), ("payload", int(e.udpPayloadSize)), ("version", int(e.version)),
            ])))
        }
        fields += [
            ("flags", int(f)), ("id", int(m.header.id)), ("ns", .array(m.authority.map(record))),
            ("opcode", int(m.header.opcode.rawValue)),
            ("qd", .array(m.questions.map { q in
                .object([("class", int(q.recordClass.rawValue)), ("name", name(q.name, fold: fold)), ("type", int(q.type.rawValue))])
            })),
            ("qr", bit(f, 15)), ("ra", bit(f, 7)), ("rcode", int(m.rcode.rawValue)), ("rd", bit(f, 8)), ("tc", bit(f, 9)),
            ("z", bit(f, 6)),
        ]
        return .object(fields)
    }

    static func record(_ r: DNSRecord, fold: Bool) -> Value {
        .object([("class", int(r.recordClass.rawValue)), ("name", name(r.name, fold: fold)), ("rdata", rdata(r.rdata, fold: fold)),
                 ("ttl", int(r.ttl)), ("type", int(r.type.rawValue))])
    }

    static func types(_ ts: [RecordType]) -> Value { .array(ts.map { int($0.rawValue) }) }

    static func rdata(_ d: RData, fold: Bool) -> Value {
        switch d {
        case .a(let v): return .object([("addr", hex(v.bytes))])
        case .aaaa(let v): return .object([("addr", hex(v.bytes))])
        case .ns(let v), .cname(let v), .ptr(let v): return .object([("target", name(v.target, fold: fold))])
        case .dname(let v): return .object([("target", name(v.target))])
        case .mx(let v): return .object([("exchange", name(v.exchange, fold: fold)), ("preference", int(v.preference))])
        case .txt(let v): return .object([("strings", .array(v.strings.map(hex)))])
        case .soa(let v):
            return .object([("expire", int(v.expire)), ("minimum", int(v.minimum)), ("mname", name(v.mname, fold: fold)),
                            ("refresh", int(v.refresh)), ("retry", int(v.retry)), ("rname", name(v.rname, fold: fold)),
                            ("serial", int(v.serial))])
        case .srv(let v):
            return .object([("port", int(v.port)), ("priority", int(v.priority)), ("target", name(v.target)),
                            ("weight", int(v.weight))])
        case .naptr(let v):
            return .object([("flags", hex(v.flags)), ("order", int(v.order)), ("preference", int(v.preference)),
                            ("regexp", hex(v.regexp)), ("replacement", name(v.replacement)), ("services", hex(v.services))])
        case .caa(let v): return .object([("flags", int(v.flags)), ("tag", hex(v.tag)), ("value", hex(v.value))])
        case .svcb(let v), .https(let v):
            return .object([("params", .array(v.params.map { .array([int($0.key), hex($0.value)]) })),
                            ("priority", int(v.priority)), ("target", name(v.target))])
        case .ds(let v):
            return .object([("algorithm", int(v.algorithm)), ("digest", hex(v.digest)), ("digest_type", int(v.digestType)),
                            ("key_tag", int(v.keyTag))])
        case .dnskey(let v):
            return .object([("algorithm", int(v.algorithm)), ("flags", int(v.flags)), ("key", hex(v.publicKey)),
                            ("protocol", int(v.protocolNumber))])
        case .rrsig(let v):
            return .object([("algorithm", int(v.algorithm)), ("expiration", int(v.expiration)), ("inception", int(v.inception)),
                            ("key_tag", int(v.keyTag)), ("labels", int(v.labels)), ("original_ttl", int(v.originalTTL)),
                            ("signature", hex(v.signature)), ("signer", name(v.signerName)),
                            ("type_covered", int(v.typeCovered.rawValue))])
        case .nsec(let v): return .object([("next", name(v.nextDomain)), ("types", types(v.types))])
        case .nsec3(let v):
            return .object([("flags", int(v.flags)), ("hash_algorithm", int(v.hashAlgorithm)), ("iterations", int(v.iterations)),
                            ("next_hashed", hex(v.nextHashedOwner)), ("salt", hex(v.salt)), ("types", types(v.types))])
        case .tlsa(let v):
            return .object([("data", hex(v.data)), ("matching_type", int(v.matchingType)), ("selector", int(v.selector)),
                            ("usage", int(v.usage))])
        case .null(let bytes): return .object([("data", hex(bytes))])
        case .unknown(_, let bytes): return .object([("data", hex(bytes))])
        }
    }

    static func option(_ o: EDNSOption) -> Value {
        switch o {
        case .clientSubnet(let s):
            return .object([("addr", hex(s.address)), ("code", .int(8)), ("family", int(s.family)),
                            ("scope", int(s.scopePrefixLength)), ("source", int(s.sourcePrefixLength))])
        case .cookie(let client, let server):
            return .object([("client", hex(client)), ("code", .int(10)), ("server", hex(server))])
        case .extendedError(let info, let text):
            var fields: [(String, Value)] = [("code", .int(15)), ("info", int(info))]
            if !text.isEmpty {
                // RFC 8914 §2: the text may be null-terminated; the terminator is not part of it (as in dnspython).
                fields.append(("text", hex(text.last == 0 ? Array(text.dropLast()) : text)))
            }
            return .object(fields)
        case .padding(let bytes): return .object([("code", .int(12)), ("data", hex(bytes))])
        case .unknown(let code, let bytes): return .object([("code", int(code)), ("data", hex(bytes))])
        }
    }
}
