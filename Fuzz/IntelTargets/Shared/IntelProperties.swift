// The properties every threat-intel fuzz target checks (compiled into each target by Fuzz/build-intel.sh):
//   1. Parsing never traps or hangs, whatever the bytes.
//   2. An error names the file it was given and, when it has a line or offset, they lie within the input.
//   3. Every diagnostic's line and offset lie within the input, and its line is the line holding its offset.
//   4. kept equals the number of indicators; every name indicator's wire form is a valid name of at most 255 bytes
//      and already lower-case; every indicator's location names the file and a line within the input.
//   5. Parsing the same bytes twice gives the same indicators (no hidden state).
import DNSWire
import DNSightCore
import IntelFeeds

func checkIntelProperties(_ data: UnsafePointer<UInt8>?, _ size: Int, formats: [FeedFormat?]) -> CInt {
    let bytes = size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size))
    var lineStarts = [0]
    for (i, b) in bytes.enumerated() where b == 0x0A { lineStarts.append(i + 1) }
    func lineOf(_ offset: Int) -> Int {
        var n = 0
        while n + 1 < lineStarts.count, lineStarts[n + 1] <= offset { n += 1 }
        return n + 1
    }
    for format in formats {
        let context = FeedContext(file: "fuzz/malware/input.txt")
        let first: FeedParseResult
        do {
            first = try FeedParser.parse(bytes, format: format, context: context)
        } catch {
            _ = error.description
            if error.file != context.file { fatalError("error names \(error.file)") }
            if let l = error.line, l < 1 || l > lineStarts.count { fatalError("error line \(l) outside the input: \(error)") }
            if let o = error.offset, o < 0 || o > bytes.count { fatalError("error offset \(o) outside the input: \(error)") }
            continue
        }
        for d in first.diagnostics {
            _ = d.description
            if d.offset < 0 || d.offset > bytes.count { fatalError("diagnostic offset outside the input: \(d)") }
            if d.line < 1 || d.line > lineStarts.count { fatalError("diagnostic line outside the input: \(d)") }
            if d.offset < bytes.count, lineOf(d.offset) != d.line { fatalError("diagnostic line \(d.line) is not the line of offset \(d.offset)") }
        }
        if first.kept != first.indicators.count { fatalError("kept disagrees with the indicators") }
        for i in first.indicators {
            _ = i.description
            if let n = i.name {
                if n.wire.count > 255 { fatalError("name longer than 255 bytes") }
                if (try? DNSName(wire: n.wire)) == nil { fatalError("invalid name \(n)") }
                if n.lowercased.wire != n.wire { fatalError("name not lower-case: \(n)") }
            }
            if let loc = i.location, loc.file != context.file || loc.line < 1 || loc.line > lineStarts.count {
                fatalError("location \(loc) outside the input")
            }
        }
        guard let again = try? FeedParser.parse(bytes, format: format, context: context), again.indicators == first.indicators else {
            fatalError("a second parse gave other indicators")
        }
    }
    return 0
}
