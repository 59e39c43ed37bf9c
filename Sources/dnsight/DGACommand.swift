import ArgumentParser
import Detectors
import Foundation

/// `dnsight dga …`: the DGA detector from the command line.
struct DGACommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dga",
        abstract: "Score names for DGA-likeness and attribute them to known generators (QSnatch, Pykspa).",
        subcommands: [Score.self, Bench.self]
    )

    struct Bench: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Measure DGA scoring speed on one thread (names/s), without I/O.",
            discussion: """
            Reads the names of the given files (one per line) into memory, then scores them with the bundled \
            model and suffix list over and over on the calling thread until --count names have been scored, and \
            prints names/s for the whole name (PSL split + model) and for the model alone on pre-split labels, per \
            second of the thread's CPU time (robust on a shared machine) and per wall-clock second. \
            Build with -c release for meaningful figures. Exit codes: 0 done; 2 no names could be read; 3 the \
            model could not be loaded.
            """
        )

        @Option(name: .long, help: "How many names to score in each measurement.")
        var count: Int = 5_000_000

        @Flag(name: .long, help: "Measure whole names only (skip the model-only run), e.g. under valgrind.")
        var wholeOnly = false

        @Argument(help: "Files of names, one per line (for example ../shared/data/dga/benign/*.txt).")
        var files: [String]

        func run() throws {
            var names: [[UInt8]] = []
            for f in files {
                guard let data = FileManager.default.contents(atPath: f) else {
                    FileHandle.standardError.write(Data("dnsight: cannot read \(f)\n".utf8))
                    throw ExitCode(2)
                }
                for line in data.split(separator: 0x0A) where !line.isEmpty { names.append(Array(line)) }
            }
            guard !names.isEmpty else { throw ExitCode(2) }
            let scorer: DGAScorer
            do { scorer = try DGAScorer.bundled() } catch {
                FileHandle.standardError.write(Data("dnsight: \(error)\n".utf8))
                throw ExitCode(3)
            }
            // Flatten so that the loop touches one contiguous buffer.
            var flat: [UInt8] = []
            var bounds: [Range<Int>] = []
            for n in names {
                bounds.append(flat.count..<(flat.count + n.count))
                flat += n
            }
            var labels: [Range<Int>] = []
            flat.withUnsafeBufferPointer { buf in
                for r in bounds {
                    if let l = scorer.registrableLabelRange(UnsafeBufferPointer(rebasing: buf[r])) {
                        labels.append((r.lowerBound + l.lowerBound)..<(r.lowerBound + l.upperBound))
                    }
                }
            }
            func measure(_ ranges: [Range<Int>], _ body: (UnsafeBufferPointer<UInt8>) -> Double) -> (Double, Double, Double) {
                var sum = 0.0
                let start = DispatchTime.now().uptimeNanoseconds
                let cpuStart = threadCPUNanoseconds()
                flat.withUnsafeBufferPointer { buf in
                    var done = 0
                    while done < count {
                        for r in ranges where done < count {
                            sum += body(UnsafeBufferPointer(rebasing: buf[r]))
                            done += 1
                        }
                    }
                }
                let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
                let cpu = Double(threadCPUNanoseconds() - cpuStart) / 1e9
                return (Double(count) / cpu, Double(count) / seconds, sum)
            }
            let (wholeCPU, wholeWall, s1) = measure(bounds) { scorer.score(utf8: $0) ?? 0 }
            print("names read: \(names.count) (\(labels.count) with a registrable label); scored per run: \(count)")
            print("whole names (PSL split + model): \(Int(wholeCPU)) names/s of thread CPU time (\(Int(wholeWall)) per wall-clock second)")
            var s2 = 0.0
            if !wholeOnly {
                let model = scorer.model
                let (modelCPU, modelWall, s) = measure(labels) { model.score(label: $0) }
                s2 = s
                print("registrable labels (model only): \(Int(modelCPU)) names/s of thread CPU time (\(Int(modelWall)) per wall-clock second)")
            }
            print("checksum: \(s1 + s2)")
        }
    }

    struct Score: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Score names given as arguments, or one per line on standard input.",
            discussion: """
            Prints one line per name: name<TAB>score<TAB>family. The score, in [0, 1] with six decimals, is the \
            bundled model's probability that the name's registrable label (the label left of the public suffix) \
            was generated by an algorithm. family is the known family (qsnatch, pykspa) whose generator produces \
            the name on a day within --margin days of --date, or '-' (QSnatch-A's short names collide with real \
            domains: see --ignore-weak). A name that is itself a public suffix \
            scores 0. Standard input is streamed: memory stays flat however many names are piped through; blank \
            lines are skipped.

            Exit codes: 0 every name was scored; 1 at least one name was malformed (empty label or longer than \
            255 bytes; printed with score 0 and counted on standard error); 3 the bundled model or public suffix \
            list could not be loaded; 64 bad usage (such as an invalid --date).
            """
        )

        @Option(name: .long, help: "The day (YYYY-MM-DD, UTC) for known-family attribution. Default: today.")
        var date: String?

        @Option(name: .long, help: "Days either side of --date for known-family attribution (0–30).")
        var margin: Int = 1

        @Flag(name: .long, help: "Skip known-family attribution (family is always '-').")
        var noFamilies = false

        @Flag(name: .long, help: "Do not attribute names that only QSnatch-A produces: its 3–6-character labels collide with real domains, so one such hit is weak evidence.")
        var ignoreWeak = false

        @Argument(help: "Names to score. Without names, reads names from standard input, one per line.")
        var names: [String] = []

        func validate() throws {
            if let date, UTCDay(date) == nil { throw ValidationError("--date must be YYYY-MM-DD, got '\(date)'") }
            if !(0...30).contains(margin) { throw ValidationError("--margin must be 0…30") }
        }

        func run() throws {
            let day = date.flatMap(UTCDay.init) ?? UTCDay(containing: Int64(Date().timeIntervalSince1970))
            let runner: DGAScoreRunner
            do {
                runner = try DGAScoreRunner(day: day, margin: margin, families: !noFamilies, ignoreWeak: ignoreWeak)
            } catch {
                FileHandle.standardError.write(Data("dnsight: \(error)\n".utf8))
                throw ExitCode(3)
            }
            var out = OutputBuffer(fd: 1)
            var stats = DGAScoreRunner.Stats()
            if names.isEmpty {
                var reader = LineReader(fd: 0)
                while reader.next(body: { runner.scoreLine($0, into: &out, stats: &stats) }) != nil {}
            } else {
                for name in names {
                    var n = name
                    n.withUTF8 { runner.scoreLine($0, into: &out, stats: &stats) }
                }
            }
            out.flush()
            if stats.malformed > 0 {
                FileHandle.standardError.write(Data("dnsight dga score: \(stats.malformed) malformed name(s) of \(stats.lines)\n".utf8))
                throw ExitCode(1)
            }
        }
    }
}

/// The per-line work of `dnsight dga score`, separate from I/O so that tests can drive it.
struct DGAScoreRunner: Sendable {
    /// Counts over one run.
    struct Stats {
        var lines = 0
        var malformed = 0
    }

    let scorer: DGAScorer
    let index: KnownDGAIndex?
    let ignoreWeak: Bool

    init(day: UTCDay, margin: Int, families: Bool, ignoreWeak: Bool = false) throws {
        scorer = try DGAScorer.bundled()
        index = families ? try KnownDGAIndex(around: day, margin: margin) : nil
        self.ignoreWeak = ignoreWeak
    }

    /// The family a known generator attributes `name` to in the window, or `nil`. With `ignoreWeak`, names that
    /// only QSnatch-A produces (3–6-character labels that collide with real domains) are not attributed.
    func family(of name: UnsafeBufferPointer<UInt8>) -> String? {
        guard let index, name.count >= 4 else { return nil }
        var end = name.count
        if name[end - 1] == UInt8(ascii: ".") { end -= 1 }
        let key = String(unsafeUninitializedCapacity: end) { buf in
            for i in 0..<end {
                let b = name[i]
                buf[i] = b &- 65 < 26 ? b | 0x20 : b
            }
            return end
        }
        let matches = index.matches(normalizedName: key)
        if matches.isEmpty { return nil }
        let usable = ignoreWeak ? matches.filter { !$0.variant.isWeakEvidence } : matches
        return usable.map(\.family).min()
    }

    /// Scores one line (bytes without the newline; a trailing CR and surrounding blanks are ignored) and appends
    /// `name<TAB>score<TAB>family<LF>` to `out`. Blank lines produce nothing.
    func scoreLine(_ raw: UnsafeBufferPointer<UInt8>, into out: inout OutputBuffer, stats: inout Stats) {
        var lo = 0, hi = raw.count
        while lo < hi && (raw[lo] == 0x20 || raw[lo] == 0x09) { lo += 1 }
        while hi > lo && (raw[hi - 1] == 0x20 || raw[hi - 1] == 0x09 || raw[hi - 1] == 0x0D) { hi -= 1 }
        if lo == hi { return }
        let line = UnsafeBufferPointer(rebasing: raw[lo..<hi])
        stats.lines += 1
        var score: Double = 0
        if line.count > 255, line.count != 256 || line[255] != UInt8(ascii: ".") {
            stats.malformed += 1
        } else if let s = scorer.score(utf8: line) {
            score = s
        } else {
            stats.malformed += 1
        }
        out.append(line)
        out.append(0x09)
        out.appendScore(score)
        out.append(0x09)
        if let family = family(of: line) {
            out.append(family)
        } else {
            out.append(UInt8(ascii: "-"))
        }
        out.append(0x0A)
    }
}

/// A write buffer over a file descriptor (flushes every 64 KiB).
struct OutputBuffer {
    let fd: Int32
    var bytes: [UInt8] = []
    /// When set, output is collected here instead of being written (tests).
    var capture: Bool

    init(fd: Int32) {
        self.fd = fd
        capture = false
        bytes.reserveCapacity(1 << 16)
    }

    init(capturing: ()) {
        fd = -1
        capture = true
    }

    mutating func append(_ b: UInt8) {
        bytes.append(b)
    }

    mutating func append(_ b: UnsafeBufferPointer<UInt8>) {
        bytes.append(contentsOf: b)
        if !capture && bytes.count >= 1 << 16 { flush() }
    }

    mutating func append(_ s: String) {
        bytes.append(contentsOf: s.utf8)
    }

    /// Appends `score` (in [0, 1]) with six decimals.
    mutating func appendScore(_ score: Double) {
        let micro = Int((min(max(score, 0), 1) * 1_000_000).rounded())
        bytes.append(UInt8(ascii: "0") + UInt8(micro / 1_000_000))
        bytes.append(UInt8(ascii: "."))
        var frac = micro % 1_000_000
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &digits) { d in
            for i in (0..<6).reversed() {
                d[i] = UInt8(ascii: "0") + UInt8(frac % 10)
                frac /= 10
            }
            bytes.append(contentsOf: d)
        }
    }

    mutating func flush() {
        if capture || bytes.isEmpty { return }
        bytes.withUnsafeBytes { buf in
            var off = 0
            while off < buf.count {
                let n = write(fd, buf.baseAddress! + off, buf.count - off)
                if n <= 0 { break }
                off += n
            }
        }
        bytes.removeAll(keepingCapacity: true)
    }
}

/// Reads lines from a file descriptor in 64 KiB chunks without keeping more than one partial line.
struct LineReader {
    static let maxCarry = 1_024
    let fd: Int32
    private var buffer = [UInt8](repeating: 0, count: 1 << 16)
    private var start = 0
    private var end = 0
    private var eof = false
    private var carry: [UInt8] = []

    init(fd: Int32) {
        self.fd = fd
    }

    /// Calls `body` with the next line (without its LF); returns `nil` at the end of input.
    mutating func next(body: (UnsafeBufferPointer<UInt8>) -> Void) -> Void? {
        while true {
            if start < end {
                let found: Int? = buffer.withUnsafeBufferPointer { b in
                    var i = start
                    while i < end {
                        if b[i] == 0x0A { return i }
                        i += 1
                    }
                    return nil
                }
                if let nl = found {
                    if carry.isEmpty {
                        buffer.withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[start..<nl])) }
                    } else {
                        carry.append(contentsOf: buffer[start..<min(nl, start + max(0, Self.maxCarry - carry.count))])
                        carry.withUnsafeBufferPointer { body($0) }
                        carry.removeAll(keepingCapacity: true)
                    }
                    start = nl + 1
                    return ()
                }
                // Keep at most 1 KiB of an unterminated line: longer lines are malformed names anyway.
                let room = max(0, Self.maxCarry - carry.count)
                carry.append(contentsOf: buffer[start..<min(end, start + room)])
                start = end
            }
            if eof {
                if carry.isEmpty { return nil }
                carry.withUnsafeBufferPointer { body($0) }
                carry.removeAll()
                return ()
            }
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
            if n <= 0 {
                eof = true
            } else {
                start = 0
                end = n
            }
        }
    }
}

/// CPU time consumed by the calling thread, in nanoseconds.
func threadCPUNanoseconds() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
    return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
}
