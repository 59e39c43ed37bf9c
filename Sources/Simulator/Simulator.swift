import Foundation

/// What a simulation wrote, and how fast.
public struct SimulationSummary: Codable, Sendable {
    /// One traffic format's output.
    public struct FormatOutput: Codable, Sendable {
        /// The format.
        public var format: OutputFormat
        /// Its files, relative to the output folder.
        public var files: [String]
        /// Bytes written.
        public var bytes: Int
        /// Events (transactions) written.
        public var events: Int
        /// Seconds spent formatting and writing it (not generating).
        public var writeSeconds: Double
        /// Events per second of generating and writing this format alone (generation + its own writing time).
        public var eventsPerSecond: Double
        /// The same per CPU second of the thread doing it (unaffected by other load on the machine).
        public var eventsPerCPUSecond: Double
        /// The `dnsight analyze` options that read it.
        public var analyzeOptions: String
    }

    /// The scenario's name.
    public var scenario: String
    /// The seed used.
    public var seed: UInt64
    /// First and last day.
    public var start: String
    public var end: String
    /// The output folder.
    public var outputFolder: String
    /// Devices and organisations in the world.
    public var devices: Int
    public var organisations: Int
    /// Events generated.
    public var events: Int
    /// Per format.
    public var formats: [FormatOutput]
    /// The inventory, intel files and ground truth, relative to the output folder.
    public var inventory: String
    public var intelFolder: String
    public var intelFiles: [String]
    public var groundTruth: String
    /// Seconds spent generating events (with the ground truth's per-event work), its CPU seconds, the seconds
    /// spent computing the figures at the end, and in all.
    public var generateSeconds: Double
    public var generateCPUSeconds: Double
    public var truthSeconds: Double
    public var totalSeconds: Double
    /// The ground truth's headline figures.
    public var headline: Headline
}

/// The simulator: a world of networks and their DNS traffic, written in every input format dnsight reads, with the
/// inventory, the intel files and the exact ground truth of every metric.
public enum Simulator {
    /// Runs a scenario and writes everything into `outDir`:
    ///
    /// ```
    /// OUT/traffic/<format>/…     traffic, one file per month per format
    /// OUT/traffic/packetbeat.map the column mapping for the json format
    /// OUT/inventory.csv          who is who
    /// OUT/intel/…                Maltrail trails, PhishTank CSV, ThreatFox CSV
    /// OUT/ground-truth.json      every metric, exactly
    /// OUT/simulation.json        what was written (this summary without timings)
    /// ```
    ///
    /// The same scenario, seed and formats give byte-identical files.
    public static func run(scenario: Scenario, outDir: String, formats: [OutputFormat], seed: UInt64,
                           dga: any DGANameSource = DetectorsDGA(), progress: (@Sendable (String) -> Void)? = nil) throws(SimulatorError) -> SimulationSummary {
        let clock = Clock()
        let fm = FileManager.default
        func mkdir(_ p: String) throws(SimulatorError) {
            do { try fm.createDirectory(atPath: p, withIntermediateDirectories: true) } catch {
                throw SimulatorError(.output("cannot create the folder: \(error.localizedDescription)"), file: p)
            }
        }
        try mkdir(outDir)
        progress?("building the world")
        let state = try SimState(scenario: scenario, seed: seed, dga: dga)
        let planner = Planner(scenario: scenario, world: state.world, seed: seed, period: state.period, dga: dga)
        var truth = TruthCollector(state: state, quarters: planner.quarters.map(\.span))
        var generator = TrafficGenerator(state: state)
        var writers: [TrafficWriter] = []
        for f in formats {
            let folder = outDir + "/traffic/" + f.folder
            try mkdir(folder)
            writers.append(TrafficWriter.make(f, folder: folder))
        }
        var writeSeconds = [Double](repeating: 0, count: writers.count)
        var writeCPU = [Double](repeating: 0, count: writers.count)
        var generateSeconds = 0.0, generateCPU = 0.0
        var batch = DayBatch(day: state.period.first)
        var month = ""
        progress?("generating \(state.period.count) days for \(state.world.devices.count) devices in \(state.world.organisations.count) organisations")
        for day in state.period.first...state.period.last {
            let t0 = clock.now, c0 = Clock.threadCPU
            generator.generate(day: day, into: &batch)
            truth.add(batch)
            generateSeconds += clock.now - t0
            generateCPU += Clock.threadCPU - c0
            let c = SimCalendar.civil(day)
            let m = "\(c.year)-\(c.month < 10 ? "0" : "")\(c.month)"
            let context = WriteContext(state)
            let newMonth = m != month
            if writers.count == 1 {
                let t1 = clock.now, c1 = Clock.threadCPU
                if newMonth {
                    try writers[0].end(nextDay: day)
                    try writers[0].begin(month: m, firstDay: day)
                }
                try writers[0].write(batch, context)
                writeSeconds[0] += clock.now - t1
                writeCPU[0] += Clock.threadCPU - c1
            } else if !writers.isEmpty {
                // Several formats: each writer on its own thread over the same day (they only read it).
                let job = ParallelDay(writers: writers, batch: batch, context: context, month: newMonth ? m : nil, day: day)
                DispatchQueue.concurrentPerform(iterations: writers.count) { job.run($0) }
                for i in writers.indices {
                    if let e = job.errors[i] { throw e }
                    writeSeconds[i] += job.seconds[i]
                    writeCPU[i] += job.cpu[i]
                }
            }
            if m != month { progress?("writing \(m)") }
            month = m
        }
        for (i, w) in writers.enumerated() {
            let t1 = clock.now, c1 = Clock.threadCPU
            try w.end(nextDay: state.period.last + 1)
            writeSeconds[i] += clock.now - t1
            writeCPU[i] += Clock.threadCPU - c1
        }
        let t2 = clock.now
        let groundTruth = truth.finish(dgaName: dga.name)
        let truthSeconds = clock.now - t2

        progress?("writing the inventory, intel and ground truth")
        try SideFiles.writeInventory(state, to: outDir + "/inventory.csv")
        let intelFiles = try SideFiles.writeIntel(state, to: outDir + "/intel")
        try writeJSON(groundTruth, to: outDir + "/ground-truth.json")
        if formats.contains(.json) {
            try writeText(OutputFormat.packetbeatMapping.replacingOccurrences(of: ",", with: "\n") + "\n", to: outDir + "/traffic/packetbeat.map")
        }

        func relative(_ p: String) -> String { p.hasPrefix(outDir + "/") ? String(p.dropFirst(outDir.count + 1)) : p }
        var outputs: [SimulationSummary.FormatOutput] = []
        for (i, w) in writers.enumerated() {
            let rate = Double(w.events) / max(generateSeconds + writeSeconds[i], 1e-9)
            let cpuRate = Double(w.events) / max(generateCPU + writeCPU[i], 1e-9)
            let options = w.format == .json ? "--format json --map '\(OutputFormat.packetbeatMapping)'" : "--format \(w.format.readerName)"
            outputs.append(.init(format: w.format, files: w.files.map(relative), bytes: w.bytes, events: w.events, writeSeconds: writeSeconds[i],
                                 eventsPerSecond: rate, eventsPerCPUSecond: cpuRate, analyzeOptions: options))
        }
        var summary = SimulationSummary(scenario: scenario.name, seed: seed, start: SimCalendar.isoDate(state.period.first),
                                        end: SimCalendar.isoDate(state.period.last), outputFolder: outDir, devices: state.world.devices.count,
                                        organisations: state.world.organisations.count, events: groundTruth.totals.events, formats: outputs,
                                        inventory: "inventory.csv", intelFolder: "intel", intelFiles: intelFiles.map(relative),
                                        groundTruth: "ground-truth.json", generateSeconds: generateSeconds, generateCPUSeconds: generateCPU,
                                        truthSeconds: truthSeconds, totalSeconds: 0,
                                        headline: groundTruth.headline)
        // The file copy leaves out what changes from run to run (timings, the folder's own path).
        var stable = summary
        stable.outputFolder = "."
        stable.generateSeconds = 0
        stable.generateCPUSeconds = 0
        stable.truthSeconds = 0
        stable.formats = stable.formats.map { var f = $0; f.writeSeconds = 0; f.eventsPerSecond = 0; f.eventsPerCPUSecond = 0; return f }
        try writeJSON(stable, to: outDir + "/simulation.json")
        summary.totalSeconds = clock.now
        return summary
    }

    /// Encodes with sorted keys (deterministic bytes).
    static func writeJSON<T: Encodable>(_ value: T, to path: String) throws(SimulatorError) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        do {
            var data = try encoder.encode(value)
            data.append(0x0A)
            try data.write(to: URL(fileURLWithPath: path))
        } catch {
            throw SimulatorError(.output("cannot write JSON: \(error.localizedDescription)"), file: path)
        }
    }

    static func writeText(_ text: String, to path: String) throws(SimulatorError) {
        do { try text.write(toFile: path, atomically: true, encoding: .utf8) } catch {
            throw SimulatorError(.output("cannot write: \(error.localizedDescription)"), file: path)
        }
    }

    /// Reads a ground-truth file.
    public static func loadGroundTruth(_ path: String) throws(SimulatorError) -> GroundTruth {
        guard let data = FileManager.default.contents(atPath: path) else { throw SimulatorError(.argument("cannot read the ground truth"), file: path) }
        do { return try JSONDecoder().decode(GroundTruth.self, from: data) } catch {
            throw SimulatorError(.argument("not a ground-truth file: \(error)"), file: path)
        }
    }
}

/// One day's writing spread over threads, a writer per iteration; each iteration touches only its own slots.
final class ParallelDay: @unchecked Sendable {
    let writers: [TrafficWriter]
    let batch: DayBatch
    let context: WriteContext
    let month: String?
    let day: Int
    let errors: UnsafeMutableBufferPointer<SimulatorError?>
    let seconds: UnsafeMutableBufferPointer<Double>
    let cpu: UnsafeMutableBufferPointer<Double>

    init(writers: [TrafficWriter], batch: DayBatch, context: WriteContext, month: String?, day: Int) {
        self.writers = writers
        self.batch = batch
        self.context = context
        self.month = month
        self.day = day
        errors = .allocate(capacity: writers.count)
        errors.initialize(repeating: nil)
        seconds = .allocate(capacity: writers.count)
        seconds.initialize(repeating: 0)
        cpu = .allocate(capacity: writers.count)
        cpu.initialize(repeating: 0)
    }

    deinit {
        errors.deinitialize().deallocate()
        seconds.deallocate()
        cpu.deallocate()
    }

    func run(_ i: Int) {
        let clock = Clock(), c0 = Clock.threadCPU
        var failure: SimulatorError? = nil
        do {
            if let month {
                try writers[i].end(nextDay: day)
                try writers[i].begin(month: month, firstDay: day)
            }
            try writers[i].write(batch, context)
        } catch {
            failure = error
        }
        let s = clock.now, c = Clock.threadCPU - c0
        errors[i] = failure
        seconds[i] = s
        cpu[i] = c
    }
}

/// Monotonic seconds since creation, and the calling thread's CPU seconds.
struct Clock {
    let start: timespec
    init() {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        start = t
    }
    var now: Double {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return Double(t.tv_sec - start.tv_sec) + Double(t.tv_nsec - start.tv_nsec) / 1e9
    }
    /// CPU time of the calling thread (what the machine's other load does not inflate).
    static var threadCPU: Double {
        var t = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }
}

/// One generated transaction in plain values (for tests and tools that check what the writers wrote).
struct ExpectedEvent: Hashable, Sendable {
    var timeNanos: Int64
    var responseTimeNanos: Int64
    var client: UInt32
    var clientPort: UInt16
    var server: UInt32
    var name: String
    var qtype: UInt16
    var rcode: UInt8
    var id: UInt16
    /// Answer records: (type, data as text) in order.
    var answers: [SimAnswerText]
    var device: Int32
}

/// An answer as text.
struct SimAnswerText: Hashable, Sendable {
    var type: UInt16
    var ttl: UInt32
    var data: String
}

extension Simulator {
    /// Generates a scenario's events (no files) and returns them in query order, with the run's state.
    static func generate(scenario: Scenario, seed: UInt64, dga: any DGANameSource = DetectorsDGA()) throws(SimulatorError) -> (events: [ExpectedEvent], state: SimState) {
        let state = try SimState(scenario: scenario, seed: seed, dga: dga)
        var generator = TrafficGenerator(state: state)
        var batch = DayBatch(day: state.period.first)
        var out: [ExpectedEvent] = []
        for day in state.period.first...state.period.last {
            generator.generate(day: day, into: &batch)
            let c = WriteContext(state)
            for e in batch.events {
                let dev = c.devices[Int(e.device)]
                var answers: [SimAnswerText] = []
                if e.answer >= 0 {
                    for r in c.answers.set(e.answer) {
                        var b = OutBuffer(capacity: 64)
                        EventText.answerData(r, c, &b, txtPrefix: false)
                        let text = String(decoding: b.view, as: UTF8.self)
                        b.deallocate()
                        let type: UInt16 = switch r.kind { case .a: 1; case .aaaa: 28; case .cname: 5; case .txt: 16 }
                        answers.append(SimAnswerText(type: type, ttl: r.ttl, data: text))
                    }
                }
                out.append(ExpectedEvent(timeNanos: e.time, responseTimeNanos: e.responseTime, client: dev.address, clientPort: e.port,
                                         server: c.organisations[Int(dev.organisation)].resolver, name: c.names.string(e.name),
                                         qtype: e.qtype, rcode: e.rcode, id: e.txid, answers: answers, device: e.device))
            }
        }
        return (out, state)
    }
}
