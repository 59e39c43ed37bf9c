import Analytics
import ArgumentParser
import DNSightApp
import EventStore
import Foundation
import LogReaders
import Reports
import SQLiteStore
import Simulator

/// `dnsight demo`: the whole system on a simulated year — simulate, analyze into a fresh store, render the report.
struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Simulate a year of enterprise and home DNS traffic, analyse it, and write the threat report.",
        discussion: """
        Runs the built-in scenario (a world shaped like the reference report: enterprises and ISP subscribers in four \
        regions, QSnatch, Emotet/QakBot/IcedID handing over to LockBit/REvil, Pykspa, phishing, tunnelling) through \
        the same path real logs take: the simulator writes dnstap files, an inventory and threat-intel feeds; \
        `analyze` reads them into a fresh embedded store; `report` renders HTML, Markdown and JSON. Everything goes \
        into --out (default ./dnsight-demo).

        Exit codes: 0 the report was written; 1 a step failed (its error is printed); 64 bad usage.
        """
    )

    @Option(name: .long, help: ArgumentHelp("Where to write the traffic, the store and the report.", valueName: "dir"))
    var out: String = "dnsight-demo"

    @Option(name: .long, help: ArgumentHelp("The simulation seed (the same seed gives the same files).", valueName: "n"))
    var seed: UInt64 = 2022

    @Option(name: .long, help: ArgumentHelp("The traffic format the simulator writes and analyze reads.", valueName: "format"))
    var format: String = "dnstap"

    @Option(name: .long, help: ArgumentHelp("Report language: en or ja.", valueName: "lang"))
    var lang: String = "en"

    /// Another scenario than the built-in one (hidden: `dnsight simulate` is the tool for own scenarios; tests use
    /// it to run the demo on a small world).
    @Option(name: .long, help: ArgumentHelp("A scenario YAML file instead of the built-in one.", valueName: "file", visibility: .hidden))
    var scenario: String?

    func validate() throws {
        if OutputFormat(name: format) == nil { throw ValidationError("unknown format '\(format)'; one of: \(OutputFormat.allCases.map(\.rawValue).joined(separator: ", "))") }
        if ReportLanguage(rawValue: lang) == nil { throw ValidationError("--lang is en or ja") }
    }

    func run() throws {
        func step(_ s: String) { FileHandle.standardError.write(Data("dnsight demo: \(s)\n".utf8)) }
        func fail(_ s: String) -> ExitCode {
            FileHandle.standardError.write(Data("dnsight demo: \(s)\n".utf8))
            return ExitCode(1)
        }
        let fm = FileManager.default
        let base = URL(fileURLWithPath: out).standardizedFileURL
        let data = base.appendingPathComponent("data").path
        let storePath = base.appendingPathComponent("store.sqlite").path
        for stale in [storePath, storePath + "-wal", storePath + "-shm"] { try? fm.removeItem(atPath: stale) }
        try? fm.removeItem(atPath: data)

        // 1. Simulate.
        step("simulating the built-in scenario (seed \(seed)) as \(format)…")
        let sim: SimulationSummary
        do {
            let world = try scenario.map { try Scenario(contentsOf: $0) } ?? Scenario.builtInDefault()
            sim = try Simulator.run(scenario: world, outDir: data, formats: [OutputFormat(name: format)!], seed: seed)
        } catch { throw fail("simulation failed: \(error)") }
        step("\(sim.events.formatted()) DNS transactions from \(sim.devices.formatted()) devices in \(sim.organisations.formatted()) organisations, \(sim.start) to \(sim.end)")

        // 2. Analyze into a fresh store.
        step("analysing them into \(storePath)…")
        var c: AnalyzeConfiguration
        do { c = try Self.analyzeConfiguration(sim, data: data, format: OutputFormat(name: format)!) } catch { throw fail("\(error)") }
        c.storePath = storePath
        let summary: AnalyzeSummary
        do { summary = try AnalyzeJob.run(c) } catch { throw fail("analyze failed: \(error)") }
        step("read \(summary.events.formatted()) transactions in \(String(format: "%.1f", summary.seconds)) s; \(summary.detections.formatted()) detections on \(summary.affectedDevices.formatted()) devices")

        if summary.events != sim.events {
            step("note: analyze read \(summary.events.formatted()) of the \(sim.events.formatted()) simulated transactions")
        }

        // 3. Report.
        let language = ReportLanguage(rawValue: lang)!
        let report: ReportData
        do {
            let db = try SQLiteStore.openReadOnly(path: storePath)
            let reader = try db.snapshot()
            report = try ReportBuilder.build(from: reader, options: ReportOptions(periodKind: .quarter, language: language))
        } catch { throw fail("report failed: \(error)") }
        var written = [String]()
        for f in [ReportFormat.html, .md, .json] {
            let path = base.appendingPathComponent("report.\(f.rawValue)").path
            do { try ReportRenderer.write(report, format: f, to: path) } catch { throw fail("writing \(path): \(error)") }
            written.append(path)
        }
        print("Key findings from a simulated year of DNS traffic (\(summary.events.formatted()) transactions, \(summary.devicesSeen.formatted()) devices, \(summary.organisationsSeen.formatted()) organisations):\n")
        for finding in report.findings { print("  • \(finding)") }
        print("\nThe report: \(written[0])")
        print("Also: \(written[1]), \(written[2]); the simulated inputs and their exact ground truth are in \(data).")
    }

    /// How the demo analyses what the simulator wrote: exactly the traffic files of `format` (not the folder, which
    /// also holds `packetbeat.map` for JSON), read as that format — JSON lines through the Packetbeat column mapping,
    /// as `dnsight simulate` tells users to — with the simulated intel and inventory.
    static func analyzeConfiguration(_ sim: SimulationSummary, data: String, format: OutputFormat) throws -> AnalyzeConfiguration {
        let files = sim.formats.first { $0.format == format }?.files ?? []
        let inputs = files.isEmpty ? [(data as NSString).appendingPathComponent("traffic")] : files.map { (data as NSString).appendingPathComponent($0) }
        var c = AnalyzeConfiguration(inputs: inputs, snapshotPath: "/nonexistent")
        c.format = LogFormat(name: format.readerName)
        if format == .json { c.readerOptions.columnMapping = try ColumnMapping(parsing: OutputFormat.packetbeatMapping) }
        c.intelPaths = [(data as NSString).appendingPathComponent(sim.intelFolder)]
        c.inventoryPaths = [(data as NSString).appendingPathComponent(sim.inventory)]
        return c
    }
}
