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
    /// Seconds spent generating events (and computing the ground truth), and in all.
    public var generateSeconds: Double
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
                           dga: any DGANameSource = StandInDGA(), progress: (@Sendable (String) -> Void)? = nil) throws(SimulatorError) -> SimulationSummary {
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
        var generateSeconds = 0.0
        var batch = DayBatch(day: state.period.first)
        var month = ""
        progress?("generating \(state.period.count) days for \(state.world.devices.count) devices in \(state.world.organisations.count) organisations")
        for day in state.period.first...state.period.last {
            let t0 = clock.now
            generator.generate(day: day, into: &batch)
            truth.add(batch)
            generateSeconds += clock.now - t0
            let c = SimCalendar.civil(day)
            let m = "\(c.year)-\(c.month < 10 ? "0" : "")\(c.month)"
            for (i, w) in writers.enumerated() {
                let t1 = clock.now
                if m != month {
                    try w.end(nextDay: day)
                    try w.begin(month: m, firstDay: day)
                }
                try w.write(batch, state)
                writeSeconds[i] += clock.now - t1
            }
            if m != month { progress?("writing \(m)") }
            month = m
        }
        for (i, w) in writers.enumerated() {
            let t1 = clock.now
            try w.end(nextDay: state.period.last + 1)
            writeSeconds[i] += clock.now - t1
        }
        let t2 = clock.now
        let groundTruth = truth.finish(dgaName: dga.name)
        generateSeconds += clock.now - t2

        progress?("writing the inventory, intel and ground truth")
        try SideFiles.writeInventory(state, to: outDir + "/inventory.csv")
        let intelFiles = try SideFiles.writeIntel(state, to: outDir + "/intel")
        try writeJSON(groundTruth, to: outDir + "/ground-truth.json")
        try writeText(OutputFormat.packetbeatMapping.replacingOccurrences(of: ",", with: "\n") + "\n", to: outDir + "/traffic/packetbeat.map")

        func relative(_ p: String) -> String { p.hasPrefix(outDir + "/") ? String(p.dropFirst(outDir.count + 1)) : p }
        var outputs: [SimulationSummary.FormatOutput] = []
        for (i, w) in writers.enumerated() {
            let rate = Double(w.events) / max(generateSeconds + writeSeconds[i], 1e-9)
            let options = w.format == .json ? "--format json --map \(outDir)/traffic/packetbeat.map" : "--format \(w.format.readerName)"
            outputs.append(.init(format: w.format, files: w.files.map(relative), bytes: w.bytes, events: w.events, writeSeconds: writeSeconds[i],
                                 eventsPerSecond: rate, analyzeOptions: options))
        }
        var summary = SimulationSummary(scenario: scenario.name, seed: seed, start: SimCalendar.isoDate(state.period.first),
                                        end: SimCalendar.isoDate(state.period.last), outputFolder: outDir, devices: state.world.devices.count,
                                        organisations: state.world.organisations.count, events: groundTruth.totals.events, formats: outputs,
                                        inventory: "inventory.csv", intelFolder: "intel", intelFiles: intelFiles.map(relative),
                                        groundTruth: "ground-truth.json", generateSeconds: generateSeconds, totalSeconds: 0,
                                        headline: groundTruth.headline)
        // The file copy leaves out what changes from run to run (timings, the folder's own path).
        var stable = summary
        stable.outputFolder = "."
        stable.generateSeconds = 0
        stable.formats = stable.formats.map { var f = $0; f.writeSeconds = 0; f.eventsPerSecond = 0; f.analyzeOptions = f.analyzeOptions.replacingOccurrences(of: outDir + "/", with: ""); return f }
        try writeJSON(stable, to: outDir + "/simulation.json")
        summary.totalSeconds = clock.now - 0
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

/// Monotonic seconds since creation.
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
}
