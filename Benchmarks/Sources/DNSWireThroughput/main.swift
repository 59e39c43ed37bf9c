// A plain timing loop over the DNSWire benchmark message, printing one machine-readable line per case so that
// compare.sh can set the Swift numbers beside dnspython's from the same run. The allocation counts come from the
// package-benchmark target (DNSWireBenchmarks), which has the malloc counters.
//
// Usage: DNSWireThroughput [--rounds N] [--seconds S] [--hex]
//   --hex      print the message bytes as hex and exit (what compare.sh hands to dnspython_bench.py)
//   --rounds   timed rounds per case (default 300); the best and the median are printed
//   --seconds  target length of one round (default 0.002: short rounds, so that on a shared machine some
//              run between two preemptions; the best round then estimates the uncontended speed)
//   --only NAME:COUNT  run COUNT messages of one case untimed and print nothing (for valgrind --tool=callgrind)
//
// Output: `<case> best=<msgs/s> median=<msgs/s> n=<messages per round>`.

import DNSWire
import DNSWireBenchSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Keeps a value alive and opaque to the optimiser.
@inline(never) @_optimize(none)
func sink<T>(_ value: T) {}

/// Returns its argument through a call the optimiser cannot see into, so that work on it cannot be hoisted out of
/// the timing loop as loop-invariant.
@inline(never) @_optimize(none)
func opaque<T>(_ value: T) -> T { value }

func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

struct Options {
    var rounds = 300
    var seconds = 0.002
    /// Run only this case, a fixed number of messages, and print nothing (for callgrind: `--only decode:100000`).
    var only: (name: String, count: Int)? = nil
}

var options = Options()
var args = CommandLine.arguments.dropFirst()
while let a = args.popFirst() {
    switch a {
    case "--hex": print(TypicalResponse.hex()); exit(0)
    case "--rounds": options.rounds = max(1, Int(args.popFirst() ?? "") ?? options.rounds)
    case "--seconds": options.seconds = Double(args.popFirst() ?? "") ?? options.seconds
    case "--only":
        let parts = (args.popFirst() ?? "").split(separator: ":")
        guard parts.count == 2, let n = Int(parts[1]) else { print("--only NAME:COUNT"); exit(2) }
        options.only = (String(parts[0]), n)
    default: print("unknown argument \(a)"); exit(2)
    }
}

let wire = TypicalResponse.bytes()
let message = TypicalResponse.message()

/// Runs `body(n)` (which handles n messages) for `rounds` rounds of about `seconds` each, after a calibration,
/// and prints the best and median throughput.
func measure(_ name: String, _ options: Options, _ body: (Int) -> Void) {
    if let only = options.only {
        if only.name == name { body(only.count) }
        return
    }
    let seconds = options.seconds
    var n = 1000
    // Calibrate: grow n until one batch takes at least a tenth of the round length.
    while true {
        var dt = Double.infinity
        for _ in 0..<3 {  // the fastest of 3 tries, so that one preempted batch does not set the size
            let t0 = now()
            body(n)
            dt = min(dt, now() - t0)
        }
        if dt >= seconds / 10 { n = max(n, Int(Double(n) * seconds / dt)); break }
        n *= 4
    }
    var rates = [Double]()
    for _ in 0..<options.rounds {
        let t0 = now()
        body(n)
        rates.append(Double(n) / (now() - t0))
    }
    rates.sort()
    print("\(name) best=\(Int(rates.last!)) median=\(Int(rates[rates.count / 2])) n=\(n)")
}

let opts = options
wire.withUnsafeBytes { buf in
    measure("decode", opts) { n in
        for _ in 0..<n { sink(try! DNSMessage(decoding: opaque(buf))) }
    }
    measure("encode", opts) { n in
        for _ in 0..<n { sink(try! opaque(message).encode(compress: true)) }
    }
    measure("fastpath", opts) { n in
        for _ in 0..<n { sink(try! QuestionSummary(message: opaque(buf))) }
    }
    measure("fastpath+name", opts) { n in
        for _ in 0..<n {
            let b = opaque(buf)
            let q = try! QuestionSummary(message: b)
            sink(TypicalResponse.foldedHash(q.nameBytes(in: b)) &+ UInt64(q.type.rawValue))
        }
    }
}
