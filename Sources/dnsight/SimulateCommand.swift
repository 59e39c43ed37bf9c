import ArgumentParser
import Foundation
import Simulator

/// `dnsight simulate`: a world of networks and their DNS traffic, in every input format, with its ground truth.
struct SimulateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Simulate a world's DNS traffic in every input format, with the inventory, intel and exact ground truth.",
        discussion: """
        Writes OUT/traffic/<format>/ (one file per month), OUT/inventory.csv, OUT/intel/ (Maltrail trails, PhishTank \
        and ThreatFox CSV), OUT/ground-truth.json (every metric of the report, exactly, for known-intel detections) \
        and OUT/simulation.json. The same scenario, seed and formats give byte-identical files.

        Formats: \(OutputFormat.allCases.map(\.rawValue).joined(separator: ", ")), all, or none (inventory, intel and ground truth only).
        Exit codes: 0 written; 1 an output could not be written; 2 bad usage or an invalid scenario (the message names \
        the key and line).
        """
    )

    @Option(name: .long, help: ArgumentHelp("The scenario YAML file, or 'default' for the built-in year shaped like the reference report.", valueName: "file|default"))
    var scenario = "default"

    @Option(name: .long, help: ArgumentHelp("The output folder (created if missing).", valueName: "dir"))
    var out: String?

    @Option(name: .long, help: ArgumentHelp("Comma-separated traffic formats, or 'all'.", valueName: "list"))
    var format = "dnstap"

    @Option(name: .long, help: ArgumentHelp("The seed (default: the scenario's, else 1).", valueName: "n"))
    var seed: UInt64?

    @Option(name: .long, help: ArgumentHelp("Drive a resolver live instead of writing files: send the scenario's first --count queries to this IPv4 address and port.", valueName: "host:port"))
    var live: String?

    @Option(name: .long, help: ArgumentHelp("With --live: udp or tcp.", valueName: "transport"))
    var transport = "udp"

    @Option(name: .long, help: ArgumentHelp("With --live: queries per second.", valueName: "n"))
    var rate = 1000.0

    @Option(name: .long, help: ArgumentHelp("With --live: how many queries.", valueName: "n"))
    var count = 10_000

    @Flag(name: .long, help: "Print the scenario JSON Schema and exit.")
    var printSchema = false

    @Flag(name: .long, help: "Print the built-in default scenario (a starting point for your own) and exit.")
    var printDefault = false

    @Flag(name: .long, help: "Only check the scenario and exit.")
    var check = false

    @Flag(name: .long, help: "Print the summary as JSON.")
    var json = false

    @Flag(name: .long, help: "No progress lines on standard error.")
    var quiet = false

    func fail(_ message: String, code: Int32) -> ExitCode {
        FileHandle.standardError.write(Data("dnsight simulate: \(message)\n".utf8))
        return ExitCode(code)
    }

    func run() throws {
        if printSchema { print(Scenario.jsonSchema, terminator: ""); return }
        if printDefault { print(Scenario.defaultYAML, terminator: ""); return }
        let s: Scenario
        let formats: [OutputFormat]
        do {
            s = try Scenario(contentsOf: scenario)
            formats = try OutputFormat.parseList(format)
        } catch {
            throw fail(error.description, code: 2)
        }
        if check { print("\(scenario): valid (\(s.name))"); return }
        if let live {
            guard let colon = live.lastIndex(of: ":"), let port = UInt16(live[live.index(after: colon)...]),
                  let t = LiveDriveOptions.Transport(rawValue: transport) else {
                throw fail("--live wants HOST:PORT and --transport udp or tcp", code: 2)
            }
            let options = LiveDriveOptions(host: String(live[..<colon]), port: port, transport: t, rate: rate, count: count)
            let r: LiveDriveSummary
            do { r = try Simulator.drive(scenario: s, seed: seed ?? s.seed ?? 1, options: options) } catch { throw fail(error.description, code: 1) }
            if json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
                print(String(decoding: try encoder.encode(r), as: UTF8.self))
            } else {
                print(String(format: "Sent %d queries to %@ over %@ at %.0f/s: %d answered, %d unanswered, %d unmatched in %.2f s",
                             r.sent, live, t.rawValue, r.sendRate, r.answered, r.unanswered, r.unmatched, r.seconds))
                print("  rcodes: " + r.rcodes.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
                print("  round trip (µs): median \(r.rttMicros["p50"] ?? 0), p90 \(r.rttMicros["p90"] ?? 0), p99 \(r.rttMicros["p99"] ?? 0), max \(r.rttMicros["max"] ?? 0)")
            }
            return
        }
        guard let out else { throw fail("--out DIR is required", code: 2) }
        let progress: (@Sendable (String) -> Void)? = quiet ? nil : Self.progressLine
        let summary: SimulationSummary
        do {
            summary = try Simulator.run(scenario: s, outDir: out, formats: formats, seed: seed ?? s.seed ?? 1, progress: progress)
        } catch {
            throw fail(error.description, code: 1)
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(summary), as: UTF8.self))
            return
        }
        print(Self.text(summary))
    }

    @Sendable static func progressLine(_ line: String) {
        FileHandle.standardError.write(Data("  \(line)\n".utf8))
    }

    static func text(_ s: SimulationSummary) -> String {
        func bytes(_ n: Int) -> String {
            n >= 1 << 30 ? String(format: "%.2f GiB", Double(n) / Double(1 << 30)) : n >= 1 << 20 ? String(format: "%.1f MiB", Double(n) / Double(1 << 20)) : "\(n) B"
        }
        var lines = ["Simulated \(s.scenario): \(s.start) to \(s.end), seed \(s.seed)",
                     "  \(s.organisations) organisations, \(s.devices) devices, \(s.events) DNS transactions",
                     String(format: "  generated in %.1f s, written in %.1f s in all", s.generateSeconds, s.totalSeconds), "",
                     "Traffic (\(s.outputFolder)/traffic):"]
        for f in s.formats {
            lines.append(String(format: "  %-10@ %3d file(s) %10@  %.2f M events/s (%.2f per CPU second)   dnsight analyze %@ %@/traffic/%@",
                                f.format.rawValue, f.files.count, bytes(f.bytes), f.eventsPerSecond / 1e6, f.eventsPerCPUSecond / 1e6,
                                f.analyzeOptions, s.outputFolder, f.format.rawValue))
        }
        lines += ["", "Inventory: \(s.outputFolder)/\(s.inventory)", "Intel: \(s.outputFolder)/\(s.intelFolder) (\(s.intelFiles.count) files)",
                  "Ground truth: \(s.outputFolder)/\(s.groundTruth)", "", "Ground truth vs the reference report:"]
        for f in s.headline.figures {
            lines.append("  \(f.finding)")
            lines.append("      this world: \(f.value)    reference: \(f.reference)")
        }
        return lines.joined(separator: "\n")
    }
}
