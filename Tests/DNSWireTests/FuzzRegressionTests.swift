import Foundation
import Testing
@testable import DNSWire

/// Replays every input kept under `Fuzz/FailCases/<target>/` through the properties its libFuzzer target checks
/// (Fuzz/Targets/<target>.swift), asserted with `#expect` instead of trapping, and checks the exact outcome stated
/// for each named case below: the `DNSWireError.Kind` and offset a hostile input must be rejected with, or that a
/// boundary input is accepted.
@Suite struct FuzzRegressionTests {
    static let failCases = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fuzz/FailCases")

    /// The file names under `Fuzz/FailCases/<target>/`, sorted (empty when the folder is missing).
    static func cases(_ target: String) -> [String] {
        let dir = failCases.appendingPathComponent(target).path
        return ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
    }

    static func load(_ target: String, _ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: failCases.appendingPathComponent(target).appendingPathComponent(name)))
    }

    /// What decoding an input must give.
    enum Outcome: Equatable {
        /// Decodes without error.
        case accepted
        /// Throws exactly this error.
        case rejected(DNSWireError.Kind, at: Int)
    }

    // MARK: decode-message

    /// `DNSMessage(decoding:)` on each named file. Files found by the fuzzer are listed too; every other file in the
    /// folder is still replayed through the properties.
    static let messageOutcomes: [String: Outcome] = [
        "pointer-to-itself": .rejected(.badPointer(target: 12), at: 12),
        "pointer-forward": .rejected(.badPointer(target: 17), at: 12),
        // The answer's owner points back to offset 0, where the id bytes point forward to the owner again.
        "pointer-loop-through-header": .rejected(.badPointer(target: 17), at: 0),
        "label-64": .rejected(.badLabel(length: 64), at: 12),
        "label-type-0x80": .rejected(.badLabel(length: 0x80), at: 12),
        "name-256-bytes": .rejected(.nameTooLong, at: 12),
        "name-255-bytes-accepted": .accepted,
        "qdcount-65535-in-12-bytes": .rejected(.countTooLarge(section: "question", count: 65535), at: 4),
        "ancount-65535-in-12-bytes": .rejected(.countTooLarge(section: "record", count: 65535), at: 4),
        "rdata-length-beyond-end": .rejected(.truncated(needed: 252), at: 28),
        "rdata-length-longer-than-fields": .rejected(.rdataLength(type: 1, declared: 5, consumed: 4), at: 28),
        "opt-twice": .rejected(.badOPT("more than one OPT record"), at: 28),
        "opt-in-answer-section": .rejected(.badOPT("OPT record outside the additional section"), at: 17),
        "trailing-byte": .rejected(.trailingBytes(count: 1), at: 17),
        "truncated-counts": .rejected(.truncated(needed: 1), at: 4),
        // Found by the fuzzer: the question's third label (length 7 at offset 26) runs 1 byte past the end.
        "summary-truncated-label-offset-past-end": .rejected(.truncated(needed: 1), at: 26),
        // Found by the fuzzer: names with a repeated label made the compressing encoder read past its buffer. The
        // original input has 4 trailing bytes; the lenient decode the properties encode accepts it.
        "encode-repeated-label-overread": .rejected(.trailingBytes(count: 4), at: 191),
        "encode-repeated-label-overread-min": .accepted,
    ]

    /// `QuestionSummary(message:)` on the files where the fast path itself was at fault.
    static let summaryOutcomes: [String: Outcome] = [
        // Was `.truncated(needed: 1)` at 34, past the end of the 33-byte input.
        "summary-truncated-label-offset-past-end": .rejected(.truncated(needed: 1), at: 26),
        "name-256-bytes": .rejected(.nameTooLong, at: 12),
        "name-255-bytes-accepted": .accepted,
    ]

    @Test(arguments: cases("decode-message"))
    func decodeMessage(_ name: String) throws {
        let bytes = try Self.load("decode-message", name)
        DecodeMessageProperties.check(bytes)
        if let expected = Self.messageOutcomes[name] {
            #expect(outcome { () throws(DNSWireError) in _ = try DNSMessage(decoding: bytes) } == expected, "\(name)")
        }
        if let expected = Self.summaryOutcomes[name] {
            #expect(outcome { () throws(DNSWireError) in _ = try QuestionSummary(message: bytes) } == expected, "\(name)")
        }
    }

    @Test func boundaryNameIsKeptWhole() throws {
        let m = try DNSMessage(decoding: try Self.load("decode-message", "name-255-bytes-accepted"))
        #expect(m.questions.first?.name.wire.count == 255)
        #expect(m.questions.first?.name.labelCount == 4)
    }

    @Test func repeatedLabelEncodesWithoutPointingIntoItself() throws {
        // The name `\000.\000.`: its second label equals the first, but the first is not a complete name yet, so
        // nothing may be compressed; the compressed encoding is the input itself.
        let bytes = try Self.load("decode-message", "encode-repeated-label-overread-min")
        let m = try DNSMessage(decoding: bytes)
        #expect(m.questions.first?.name.wire == [1, 0, 1, 0, 0])
        #expect(try m.encode() == bytes)
    }

    // MARK: parse-name

    /// `WireReader.readName` at offset 0 (`wire`) and `DNSName(parsing:)` of the same bytes as UTF-8 (`text`).
    static let nameOutcomes: [String: (wire: Outcome, text: Outcome)] = [
        "wire-pointer-at-offset-0": (.rejected(.badPointer(target: 0), at: 0), .accepted),
        "wire-label-64": (.rejected(.badLabel(length: 64), at: 0), .rejected(.badText("label longer than 63 bytes"), at: 66)),
        "wire-name-256-bytes": (.rejected(.nameTooLong, at: 0), .rejected(.badText("label longer than 63 bytes"), at: 256)),
        "wire-name-255-bytes-accepted": (.accepted, .rejected(.badText("label longer than 63 bytes"), at: 255)),
        "text-label-64": (.rejected(.badLabel(length: 0x61), at: 0), .rejected(.badText("label longer than 63 bytes"), at: 64)),
        "text-name-256-bytes": (.rejected(.badLabel(length: 0x61), at: 0), .rejected(.badText("name longer than 255 bytes"), at: 0)),
        "text-empty-label": (.rejected(.badLabel(length: 0x61), at: 0), .rejected(.badText("empty label"), at: 2)),
        "text-ddd-above-255": (.rejected(.badLabel(length: 0x61), at: 0), .rejected(.badText("\\DDD escape above 255"), at: 1)),
        "text-backslash-at-end": (.rejected(.badLabel(length: 0x61), at: 0), .rejected(.badText("backslash at end of name"), at: 3)),
        "text-escapes-round-trip": (.rejected(.badLabel(length: 0x61), at: 0), .accepted),
    ]

    @Test(arguments: cases("parse-name"))
    func parseName(_ name: String) throws {
        let bytes = try Self.load("parse-name", name)
        ParseNameProperties.checkWire(bytes)
        let text = String(decoding: bytes, as: UTF8.self)
        ParseNameProperties.checkText(text)
        if let expected = Self.nameOutcomes[name] {
            let wire = outcome { () throws(DNSWireError) in _ = try ParseNameProperties.readNameAtZero(bytes).get() }
            #expect(wire == expected.wire, "\(name) as wire bytes")
            #expect(outcome { () throws(DNSWireError) in _ = try DNSName(parsing: text) } == expected.text, "\(name) as text")
        }
    }

    @Test func escapedTextPrintsBackTheSame() throws {
        let text = String(decoding: try Self.load("parse-name", "text-escapes-round-trip"), as: UTF8.self)
        let n = try DNSName(parsing: text)
        #expect(n.labels == [Array("a.b".utf8), [0, 255, UInt8(ascii: "@")], [UInt8(ascii: "X")]])
        #expect(n.presentation == text)
    }

    // MARK: tcp-deframe

    @Test(arguments: cases("tcp-deframe"))
    func tcpDeframe(_ name: String) throws {
        let input = try Self.load("tcp-deframe", name)
        let (messages, pending) = DeframeProperties.check(input)
        if name == "empty-message-then-partial-frame" {
            #expect(messages == [[], Array("abc".utf8)])
            #expect(pending == 4)
        }
    }

    // MARK: bookkeeping

    @Test func everyStatedOutcomeHasItsFile() {
        for (target, names) in [("decode-message", Array(Self.messageOutcomes.keys) + Array(Self.summaryOutcomes.keys)),
                                ("parse-name", Array(Self.nameOutcomes.keys))] {
            let present = Set(Self.cases(target))
            for n in names { #expect(present.contains(n), "Fuzz/FailCases/\(target)/\(n) is missing") }
        }
        #expect(Self.cases("tcp-deframe").contains("empty-message-then-partial-frame"))
    }
}

/// The result of running `body`: accepted, or rejected with the error's kind and offset.
private func outcome(_ body: () throws(DNSWireError) -> Void) -> FuzzRegressionTests.Outcome {
    do { try body(); return .accepted } catch { return .rejected(error.kind, at: error.offset) }
}

/// The properties of Fuzz/Targets/decode-message.swift, as expectations.
enum DecodeMessageProperties {
    static func decode(_ bytes: [UInt8], lenient: Bool) -> Result<DNSMessage, DNSWireError> {
        do { return .success(try DNSMessage(decoding: bytes, allowTrailingBytes: lenient)) } catch { return .failure(error) }
    }

    static func check(_ bytes: [UInt8]) {
        let strict = decode(bytes, lenient: false), lenient = decode(bytes, lenient: true)
        switch (strict, lenient) {
        case (.success(let a), .success(let b)):
            #expect(a == b, "strict and lenient decodes agree")
        case (.failure(let e), .success):
            #expect(e.offset >= 0 && e.offset <= bytes.count)
            if case .trailingBytes(let n) = e.kind { #expect(e.offset + n == bytes.count) } else {
                Issue.record("strict decode failed with \(e) but lenient decode succeeded")
            }
        case (.success, .failure(let e)):
            Issue.record("strict decode succeeded but lenient failed with \(e)")
        case (.failure(let e1), .failure(let e2)):
            #expect(e1.offset >= 0 && e1.offset <= bytes.count, "error offset within the input: \(e1)")
            #expect(e1 == e2)
            _ = e1.description
        }

        let summary: Result<QuestionSummary, DNSWireError>
        do { summary = .success(try QuestionSummary(message: bytes)) } catch { summary = .failure(error) }
        if case .failure(let e) = summary {
            #expect(e.offset >= 0 && e.offset <= bytes.count, "QuestionSummary error offset within the input: \(e)")
        }

        guard case .success(let m) = lenient else { return }
        for compress in [true, false] {
            let encoded: [UInt8]
            do { encoded = try m.encode(compress: compress) } catch {
                if case .tooLarge = error.kind { continue }
                Issue.record("encode(compress: \(compress)) threw \(error)")
                continue
            }
            let again: DNSMessage
            do { again = try DNSMessage(decoding: encoded) } catch {
                Issue.record("encode(compress: \(compress)) output does not decode: \(error)")
                continue
            }
            #expect(again == m, "decode(encode(compress: \(compress))) equals the first decode")
            #expect((try? again.encode(compress: compress)) == encoded, "encode(compress: \(compress)) is stable")
        }

        if let first = m.questions.first {
            let w = first.name.wire
            switch summary {
            case .success(let s):
                #expect(s.id == m.header.id && s.flags == m.header.flags)
                #expect(Int(s.questionCount) == m.questions.count && Int(s.answerCount) == m.answers.count)
                #expect(Int(s.authorityCount) == m.authority.count)
                #expect(Int(s.additionalCount) == m.additional.count + (m.edns == nil ? 0 : 1))
                #expect(s.name(in: bytes).wire == w && s.type == first.type && s.recordClass == first.recordClass)
            case .failure(let e):
                let storedPlain = bytes.count >= 12 + w.count && Array(bytes[12..<(12 + w.count)]) == w
                #expect(!storedPlain, "QuestionSummary failed (\(e)) on a plain first question the full decoder read")
            }
        }
        _ = m.digText
    }
}

/// The properties of Fuzz/Targets/parse-name.swift, as expectations.
enum ParseNameProperties {
    static func checkRoundTrip(_ name: DNSName) {
        let text = name.presentation
        guard let parsed = try? DNSName(parsing: text) else {
            Issue.record("presentation \(text) does not parse")
            return
        }
        #expect(parsed == name && parsed.wire == name.wire, "\(text) parses back to the same wire bytes")
        #expect(parsed.presentation == text)
    }

    /// `WireReader.readName` at offset 0: the name and the offset after it.
    static func readNameAtZero(_ bytes: [UInt8]) -> Result<(DNSName, Int), DNSWireError> {
        bytes.withUnsafeBytes { buf in
            var r = WireReader(buf)
            do throws(DNSWireError) { return .success((try r.readName(), r.offset)) } catch { return .failure(error) }
        }
    }

    static func checkWire(_ bytes: [UInt8]) {
        switch readNameAtZero(bytes) {
        case .failure(let e):
            #expect(e.offset >= 0 && e.offset <= bytes.count, "wire error offset within the input: \(e)")
        case .success(let (name, end)):
            let w = name.wire
            #expect(end == w.count && w.count <= 255 && Array(bytes.prefix(w.count)) == w)
            #expect((try? DNSName(wire: w))?.wire == w)
            #expect((try? DNSName(labels: name.labels))?.wire == w)
            #expect(name.labelCount == name.labels.count)
            checkRoundTrip(name)
            #expect(name.lowercased == name && name.lowercased.hashValue == name.hashValue)
            #expect(name.isSubdomain(of: name.parent) && name.isSubdomain(of: .root))
        }
    }

    static func parseBytes(_ utf8: [UInt8], lowercasing: Bool) -> Result<DNSName, DNSWireError> {
        utf8.withUnsafeBytes { buf in
            do throws(DNSWireError) { return .success(try DNSName(presentationBytes: buf, lowercasing: lowercasing)) } catch { return .failure(error) }
        }
    }

    static func checkText(_ text: String) {
        let utf8 = Array(text.utf8)
        let viaBytes = parseBytes(utf8, lowercasing: false)
        let name: DNSName
        do { name = try DNSName(parsing: text) } catch {
            #expect(error.offset >= 0 && error.offset <= utf8.count, "text error offset within the input: \(error)")
            switch viaBytes {
            case .success: #expect(text == "@", "presentationBytes accepts what parsing rejects (\(error))")
            case .failure(let e): #expect(e.offset >= 0 && e.offset <= utf8.count, "presentationBytes error offset: \(e)")
            }
            return
        }
        #expect((try? DNSName(wire: name.wire))?.wire == name.wire, "parsed wire bytes are a valid name")
        checkRoundTrip(name)
        if text != "@" {
            #expect((try? viaBytes.get())?.wire == name.wire, "presentationBytes agrees with parsing")
            #expect((try? parseBytes(utf8, lowercasing: true).get())?.wire == name.lowercased.wire)
        }
    }
}

/// The properties of Fuzz/Targets/tcp-deframe.swift, as expectations; returns the messages and pending byte count.
enum DeframeProperties {
    static func check(_ input: [UInt8]) -> ([[UInt8]], Int) {
        guard let seed = input.first else { return ([], 0) }
        let stream = Array(input.dropFirst())
        var whole = TCPFraming.Deframer()
        whole.append(stream)
        var all = [[UInt8]]()
        while let m = whole.next() { all.append(m) }

        var chunked = TCPFraming.Deframer()
        var pieces = [[UInt8]]()
        var state = UInt32(seed) | 1
        var i = 0
        while i < stream.count {
            state = state &* 1_103_515_245 &+ 12345
            let n = min(stream.count - i, Int(state >> 16) % 97 + 1)
            chunked.append(stream[i..<(i + n)])
            i += n
            while let m = chunked.next() { pieces.append(m) }
        }
        #expect(pieces == all && chunked.pendingByteCount == whole.pendingByteCount)
        let reframed = all.reduce(into: [UInt8]()) { out, m in out += (try? TCPFraming.frame(m)) ?? [] }
        #expect(reframed.count + whole.pendingByteCount == stream.count)
        #expect(reframed[...] == stream.prefix(reframed.count))
        return (all, whole.pendingByteCount)
    }
}
