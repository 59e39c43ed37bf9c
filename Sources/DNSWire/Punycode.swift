/// Punycode (RFC 3492): the encoding that turns a Unicode label into the ASCII body of an IDNA A-label (`xn--…`),
/// which is what DNS carries. Shared by the feed readers (names in intel lists) and the public suffix list (its
/// Unicode rules). Full IDNA 2008 mapping (NFC, disallowed code points) is the caller's business, not done here.
public enum Punycode {
    private static let base: UInt32 = 36, tMin: UInt32 = 1, tMax: UInt32 = 26, skew: UInt32 = 38, damp: UInt32 = 700

    /// The A-label of one label: the label itself when it is pure ASCII, else `xn--` + its Punycode. The caller
    /// lower-cases first. `nil` when the encoding overflows.
    public static func aceLabel(_ label: String) -> String? {
        let scalars = label.unicodeScalars.map(\.value)
        if scalars.allSatisfy({ $0 < 0x80 }) { return label }
        guard let body = encode(scalars) else { return nil }
        return "xn--" + String(decoding: body, as: UTF8.self)
    }

    /// RFC 3492 §6.3 encoding of code points to the basic (ASCII) string, without the `xn--` prefix; `nil` on
    /// overflow.
    public static func encode(_ input: [UInt32]) -> [UInt8]? {
        var output: [UInt8] = input.filter { $0 < 0x80 }.map { UInt8($0) }
        let b = UInt32(output.count)
        var h = b
        if b > 0 { output.append(UInt8(ascii: "-")) }
        var n: UInt32 = 0x80, delta: UInt32 = 0, bias: UInt32 = 72
        while h < UInt32(input.count) {
            guard let m = input.filter({ $0 >= n }).min() else { return nil }
            let (step, o1) = (m - n).multipliedReportingOverflow(by: h + 1)
            guard !o1 else { return nil }
            let (d, o2) = delta.addingReportingOverflow(step)
            guard !o2 else { return nil }
            delta = d
            n = m
            for c in input {
                if c < n {
                    let (d, o) = delta.addingReportingOverflow(1)
                    guard !o else { return nil }
                    delta = d
                }
                if c == n {
                    var q = delta
                    var k = base
                    while true {
                        let t = k <= bias ? tMin : (k >= bias + tMax ? tMax : k - bias)
                        if q < t { break }
                        output.append(digit(t + (q - t) % (base - t)))
                        q = (q - t) / (base - t)
                        k += base
                    }
                    output.append(digit(q))
                    bias = adapt(delta, numPoints: h + 1, first: h == b)
                    delta = 0
                    h += 1
                }
            }
            delta += 1
            n += 1
        }
        return output
    }

    private static func digit(_ d: UInt32) -> UInt8 { d < 26 ? UInt8(d) + UInt8(ascii: "a") : UInt8(d - 26) + UInt8(ascii: "0") }

    private static func adapt(_ d: UInt32, numPoints: UInt32, first: Bool) -> UInt32 {
        var delta = first ? d / damp : d / 2
        delta += delta / numPoints
        var k: UInt32 = 0
        while delta > ((base - tMin) * tMax) / 2 {
            delta /= base - tMin
            k += base
        }
        return k + (base - tMin + 1) * delta / (delta + skew)
    }
}
