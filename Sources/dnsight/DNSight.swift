import ArgumentParser
import DNSightCore

@main
struct DNSight: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dnsight",
        abstract: "DNS threat intelligence: see DNS, classify it, attribute it, report on it.",
        version: DNSightVersion.current,
        subcommands: [DemoCommand.self, AnalyzeCommand.self, ReportCommand.self, StoreCommand.self, SimulateCommand.self, IntelCommand.self, DGACommand.self, WireCommand.self]
    )
}
