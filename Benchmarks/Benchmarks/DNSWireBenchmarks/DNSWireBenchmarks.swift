import Benchmark
import DNSWire
import DNSWireBenchSupport

// Each benchmark runs its body 1000 times per iteration (scalingFactor .kilo); the counts the tool reports are
// per message (the malloc counters are divided by the scaling factor), and throughput is in messages/s when shown
// with `--scale`. Inputs pass through `identity()` (opaque to the optimiser) on every message, so that nothing is
// hoisted out of the loop as loop-invariant: without it the inlinable fast path is computed once per 1000.

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal, .freeCountTotal],
        warmupIterations: 10,
        scalingFactor: .kilo,
        maxDuration: .seconds(2),
        maxIterations: 10_000
    )

    // The framework's own cost per iteration (the setup state cast and the measurement bracket), which every
    // benchmark below also carries: its malloc count is the baseline to subtract when reading counts per message.
    Benchmark(
        "Baseline (empty loop)",
        closure: { benchmark, wire in
            wire.withUnsafeBytes { buf in
                for _ in benchmark.scaledIterations {
                    blackHole(identity(buf))
                }
            }
        },
        setup: { TypicalResponse.bytes() }
    )

    // Full decode of the typical 3-answer response: header, question, CNAME + 2 A (compressed names), EDNS OPT.
    Benchmark(
        "Decode typical response",
        closure: { benchmark, wire in
            wire.withUnsafeBytes { buf in
                for _ in benchmark.scaledIterations {
                    blackHole(try! DNSMessage(decoding: identity(buf)))
                }
            }
        },
        setup: { TypicalResponse.bytes() }
    )

    // The same decode through the public `[UInt8]` entry point (what callers holding an array use).
    Benchmark(
        "Decode typical response ([UInt8] entry)",
        closure: { benchmark, wire in
            for _ in benchmark.scaledIterations {
                blackHole(try! DNSMessage(decoding: identity(wire)))
            }
        },
        setup: { TypicalResponse.bytes() }
    )

    // Encode of the same message, with name compression.
    Benchmark(
        "Encode typical response (compressed)",
        closure: { benchmark, message in
            for _ in benchmark.scaledIterations {
                blackHole(try! identity(message).encode(compress: true))
            }
        },
        setup: { TypicalResponse.message() }
    )

    // The classifier's fast path: header and first question only, no allocation.
    Benchmark(
        "QuestionSummary fast path",
        closure: { benchmark, wire in
            wire.withUnsafeBytes { buf in
                for _ in benchmark.scaledIterations {
                    blackHole(try! QuestionSummary(message: identity(buf)))
                }
            }
        },
        setup: { TypicalResponse.bytes() }
    )

    // The fast path plus reading the question name's bytes in place (a case-folded hash over them), which is the
    // least a classifier does with the name.
    Benchmark(
        "QuestionSummary fast path + name bytes",
        closure: { benchmark, wire in
            wire.withUnsafeBytes { buf in
                for _ in benchmark.scaledIterations {
                    let b = identity(buf)
                    let q = try! QuestionSummary(message: b)
                    blackHole(TypicalResponse.foldedHash(q.nameBytes(in: b)) &+ UInt64(q.type.rawValue))
                }
            }
        },
        setup: { TypicalResponse.bytes() }
    )
}
