// libFuzzer target `parse-name`: domain names in wire form (`WireReader.readName`) and in presentation form
// (`DNSName(parsing:)`). Built by Fuzz/build.sh together with the DNSWire sources; uses only the public API.
//
// Properties (each broken one is a crash):
//  Wire: the input is read as a name at offset 0.
//   1. readName never traps; an error's offset lies within the input.
//   2. On success: no pointer can be followed at offset 0, so the reader consumed exactly the name's wire bytes,
//      which are a prefix of the input, at most 255 bytes; `DNSName(wire:)` accepts them and gives the same bytes;
//      so does `DNSName(labels:)` of the labels, and labelCount is the number of labels.
//   3. presentation → `DNSName(parsing:)` succeeds, equals the name and has identical wire bytes (case preserved),
//      and printing the parsed name gives the same text.
//   4. `lowercased` equals the name and hashes alike; the name is a subdomain of its parent and of the root.
//  Text: the input is read as UTF-8 (invalid sequences replaced) and parsed as a presentation name.
//   5. Parsing never traps; an error's offset lies within the text's UTF-8 bytes.
//   6. On success the wire bytes are a valid name (`DNSName(wire:)` accepts them), and presentation → parse gives
//      identical wire bytes.
//   7. `DNSName(presentationBytes:)` (the log readers' parser, which takes every name as absolute) agrees with
//      `DNSName(parsing:)` on every text but `@`: both accept it with identical wire bytes, or both reject it (its
//      error offset within the input too); with `lowercasing: true` it gives the lower-cased name's bytes.

@_cdecl("LLVMFuzzerTestOneInput")
public func parseNameFuzzEntry(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size))
    checkWireName(bytes)
    checkTextName(String(decoding: bytes, as: UTF8.self))
    return 0
}

func fail(_ what: String, _ input: String) -> Never {
    fatalError("parse-name property broken: \(what) (input \(input))")
}

func readNameAtZero(_ bytes: [UInt8]) -> Result<(name: DNSName, end: Int), DNSWireError> {
    bytes.withUnsafeBytes { buf in
        var r = WireReader(buf)
        do throws(DNSWireError) { return .success((try r.readName(), r.offset)) } catch { return .failure(error) }
    }
}

func checkRoundTrip(_ name: DNSName, _ input: String) {
    let text = name.presentation
    let parsed: DNSName
    do { parsed = try DNSName(parsing: text) } catch { fail("presentation \(text) does not parse: \(error)", input) }
    if parsed != name || parsed.wire != name.wire { fail("presentation \(text) parses to different wire bytes", input) }
    if parsed.presentation != text { fail("presentation \(text) prints back as \(parsed.presentation)", input) }
}

func checkWireName(_ bytes: [UInt8]) {
    let input = "wire \(bytes)"
    switch readNameAtZero(bytes) {
    case .failure(let e):
        _ = e.description
        if e.offset < 0 || e.offset > bytes.count { fail("wire error offset outside the input: \(e)", input) }
    case .success(let (name, end)):
        let w = name.wire
        guard end == w.count, w.count <= 255, Array(bytes.prefix(w.count)) == w else {
            fail("readName consumed \(end) bytes for a \(w.count)-byte name", input)
        }
        do {
            let again = try DNSName(wire: w)
            if again.wire != w { fail("DNSName(wire:) changed the bytes", input) }
            let fromLabels = try DNSName(labels: name.labels)
            if fromLabels.wire != w { fail("DNSName(labels:) changed the bytes", input) }
        } catch {
            fail("a name readName accepted is rejected: \(error)", input)
        }
        if name.labelCount != name.labels.count { fail("labelCount disagrees with labels", input) }
        checkRoundTrip(name, input)
        let lower = name.lowercased
        if lower != name || lower.hashValue != name.hashValue { fail("lowercased name differs or hashes differently", input) }
        if !name.isSubdomain(of: name.parent) || !name.isSubdomain(of: .root) { fail("not a subdomain of its parent", input) }
    }
}

func parseBytes(_ utf8: [UInt8], lowercasing: Bool) -> Result<DNSName, DNSWireError> {
    utf8.withUnsafeBytes { buf in
        do throws(DNSWireError) { return .success(try DNSName(presentationBytes: buf, lowercasing: lowercasing)) } catch { return .failure(error) }
    }
}

func checkTextName(_ text: String) {
    let utf8 = Array(text.utf8)
    let input = "text \(utf8)"
    let viaBytes = parseBytes(utf8, lowercasing: false)
    let name: DNSName
    do { name = try DNSName(parsing: text) } catch {
        _ = error.description
        if error.offset < 0 || error.offset > utf8.count { fail("text error offset outside the input: \(error)", input) }
        if case .success = viaBytes, text != "@" { fail("presentationBytes accepts what parsing rejects (\(error))", input) }
        if case .failure(let e) = viaBytes, e.offset < 0 || e.offset > utf8.count { fail("presentationBytes error offset outside the input: \(e)", input) }
        return
    }
    do {
        if try DNSName(wire: name.wire).wire != name.wire { fail("DNSName(wire:) changed parsed bytes", input) }
    } catch {
        fail("DNSName(parsing:) produced invalid wire bytes: \(error)", input)
    }
    checkRoundTrip(name, input)
    if text != "@" {
        switch viaBytes {
        case .success(let b):
            if b.wire != name.wire { fail("presentationBytes and parsing give different bytes", input) }
            guard case .success(let lower) = parseBytes(utf8, lowercasing: true), lower.wire == name.lowercased.wire else {
                fail("presentationBytes(lowercasing: true) differs from lowercased", input)
            }
        case .failure(let e):
            fail("presentationBytes rejects what parsing accepts: \(e)", input)
        }
    }
}
