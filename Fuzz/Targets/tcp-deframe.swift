// libFuzzer target `tcp-deframe`: `TCPFraming.Deframer` over a byte stream that arrives in chunks.
// Built by Fuzz/build.sh together with the DNSWire sources; uses only the public API.
//
// The first input byte picks the chunk sizes (a simple generator seeded by it); the rest is the stream.
// Properties (each broken one is a crash):
//  1. Feeding the stream in chunks, taking messages after every chunk, gives exactly the messages (and the
//     pending byte count) of feeding it all at once.
//  2. Re-framing the messages with `TCPFraming.frame` reproduces the stream's first `consumed` bytes, and
//     consumed + pending equals the stream length.

@_cdecl("LLVMFuzzerTestOneInput")
public func tcpDeframeFuzzEntry(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size))
    checkDeframe(bytes)
    return 0
}

func fail(_ what: String, _ bytes: [UInt8]) -> Never {
    fatalError("tcp-deframe property broken: \(what) (input \(bytes.count) bytes)")
}

func checkDeframe(_ input: [UInt8]) {
    guard let seed = input.first else { return }
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
    if pieces != all || chunked.pendingByteCount != whole.pendingByteCount {
        fail("chunked feeding gives \(pieces.count) messages / \(chunked.pendingByteCount) pending, whole gives \(all.count) / \(whole.pendingByteCount)", input)
    }

    var reframed = [UInt8]()
    for m in all {
        do { reframed += try TCPFraming.frame(m) } catch { fail("frame() threw \(error) for a deframed message", input) }
    }
    if reframed.count + whole.pendingByteCount != stream.count || reframed[...] != stream[..<reframed.count] {
        fail("re-framed messages do not reproduce the stream", input)
    }
}
