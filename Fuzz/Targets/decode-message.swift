// libFuzzer target `decode-message`: DNSMessage decoding, the round trip through the encoder, the fast path and the
// dig text. Built by Fuzz/build.sh together with the DNSWire sources; uses only DNSWire's public API.
//
// Properties (each broken one is a crash, which libFuzzer reports and saves):
//  1. Decoding never traps; a thrown error's offset lies within the input, and its description can be printed.
//  2. Strict and lenient (`allowTrailingBytes: true`) decoding agree: equal when strict succeeds; when strict fails
//     with `.trailingBytes(count: n)` at offset o, lenient succeeds and o + n is the input length.
//  3. For the decoded message m and both `encode()` and `encode(compress: false)`: encoding succeeds or throws only
//     `.tooLarge`; the encoding decodes strictly to a message equal to m; encoding that message again gives the same
//     bytes (uncompressed: names keep their case exactly; compressed: the encoder is idempotent).
//  4. `QuestionSummary(message:)` agrees with m (id, flags, all four counts, first question's name bytes, type,
//     class) whenever both succeed, and must succeed when m's first question name is stored uncompressed at
//     offset 12. Its errors' offsets lie within the input too.
//  5. `digText` does not trap.

@_cdecl("LLVMFuzzerTestOneInput")
public func decodeMessageFuzzEntry(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size))
    checkDecodeMessage(bytes)
    return 0
}

func fail(_ what: String, _ bytes: [UInt8]) -> Never {
    fatalError("decode-message property broken: \(what) (input \(bytes.count) bytes)")
}

func decodeResult(_ bytes: [UInt8], lenient: Bool) -> Result<DNSMessage, DNSWireError> {
    do { return .success(try DNSMessage(decoding: bytes, allowTrailingBytes: lenient)) } catch { return .failure(error) }
}

func checkErrorOffset(_ e: DNSWireError, _ bytes: [UInt8], _ context: String) {
    _ = e.description
    if e.offset < 0 || e.offset > bytes.count { fail("\(context) error offset outside the input: \(e)", bytes) }
}

func checkDecodeMessage(_ bytes: [UInt8]) {
    let strict = decodeResult(bytes, lenient: false)
    let lenient = decodeResult(bytes, lenient: true)
    switch (strict, lenient) {
    case (.success(let a), .success(let b)):
        if a != b { fail("strict and lenient decodes differ", bytes) }
    case (.failure(let e), .success):
        checkErrorOffset(e, bytes, "strict")
        guard case .trailingBytes(let n) = e.kind, e.offset + n == bytes.count else {
            fail("strict decode failed with \(e) but lenient decode succeeded", bytes)
        }
    case (.success, .failure(let e)):
        fail("strict decode succeeded but lenient failed with \(e)", bytes)
    case (.failure(let e1), .failure(let e2)):
        checkErrorOffset(e1, bytes, "strict")
        if e1 != e2 { fail("strict and lenient decodes fail differently: \(e1) / \(e2)", bytes) }
    }

    let summary: Result<QuestionSummary, DNSWireError>
    do { summary = .success(try QuestionSummary(message: bytes)) } catch { summary = .failure(error) }
    if case .failure(let e) = summary { checkErrorOffset(e, bytes, "QuestionSummary") }

    guard case .success(let m) = lenient else { return }

    for compress in [true, false] {
        let encoded: [UInt8]
        do { encoded = try m.encode(compress: compress) } catch {
            if case .tooLarge = error.kind { continue }
            fail("encode(compress: \(compress)) threw \(error)", bytes)
        }
        let again: DNSMessage
        do { again = try DNSMessage(decoding: encoded) } catch {
            fail("encode(compress: \(compress)) output does not decode: \(error)", bytes)
        }
        if again != m { fail("decode(encode(compress: \(compress))) differs from the first decode", bytes) }
        let reencoded: [UInt8]
        do { reencoded = try again.encode(compress: compress) } catch {
            fail("second encode(compress: \(compress)) threw \(error)", bytes)
        }
        if reencoded != encoded { fail("encode(compress: \(compress)) is not stable across a round trip", bytes) }
    }

    if let first = m.questions.first {
        let w = first.name.wire
        let storedPlain = bytes.count >= 12 + w.count && Array(bytes[12..<(12 + w.count)]) == w
        switch summary {
        case .success(let s):
            let arCount = m.additional.count + (m.edns == nil ? 0 : 1)
            guard s.id == m.header.id, s.flags == m.header.flags,
                  Int(s.questionCount) == m.questions.count, Int(s.answerCount) == m.answers.count,
                  Int(s.authorityCount) == m.authority.count, Int(s.additionalCount) == arCount,
                  s.name(in: bytes).wire == w, s.type == first.type, s.recordClass == first.recordClass
            else { fail("QuestionSummary disagrees with the full decode", bytes) }
        case .failure(let e):
            if storedPlain { fail("QuestionSummary failed (\(e)) on a plain first question the full decoder read", bytes) }
        }
    }

    _ = m.digText
}
