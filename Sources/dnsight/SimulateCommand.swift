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

        Formats: \(OutputFormat.allCases.map(\.rawValue).joined(separator: ", ")), or all.
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
