import ArgumentParser
import DNSightApp
import DNSightCore
import Detectors
import EventStore
import Foundation
import LogReaders
import SQLiteStore

/// `dnsight analyze FILES…`: read DNS logs and captures, attribute and classify every query, and summarise.
struct AnalyzeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analyze",
        abstract: "Read DNS logs and captures, attribute and classify every query, and summarise what was found.",
        discussion: """
        Inputs are files or folders (read recursively), gzip-compressed or not, or - for standard input. Each \
        input's format is detected from its first bytes unless --format names it: dnstap, pcap, pcapng, zeek, \
        zeek-json, bind, unbound, dnsmasq, pihole-db, eve, route53, cloudflare, json, csv (json and csv need --map).

        Malformed records are counted by reason, with the first examples located by file and line or byte \
        offset; they never stop the run.

        After intel, the suspected-tier detectors look at every query (intel's verdict wins): dga (DGA-like and \
        known-family generated names), tunnel (DNS tunnelling per device and parent domain), beacon (periodic \
        queries per device and name), nxdomain (NXDOMAIN bursts per device), nod (newly observed domains that \
        look generated). All run by default; --detectors, --without-detector and --detectors-config change that \
        and their thresholds (keys and defaults: Sources/Detectors/Behaviour/README.md). Per-device state is kept \
        per worker thread; workers take whole files, and large Zeek files in chunks (--chunk-mib): use --threads 1 \
        when one device's queries are spread over several files or one large file and must be watched together. \
        Without --store, a large dnstap, pcap, compressed or standard-input stream is read by one thread that \
        gives each device's queries, in order, to one worker.

        Exit codes: 0 every input was read (malformed records inside them are counted, not fatal); 1 at least one \
        input could not be read at all (the others were still analysed); 2 the intel, the inventory or an output \
        could not be opened, so nothing was analysed; 64 bad usage.
        """
    )

    @Argument(help: ArgumentHelp("Log files, capture files or folders; - for standard input.", valueName: "file|dir"))
    var inputs: [String] = []

    @Flag(name: .long, help: "Print every detector setting in effect (file key, value, help) after --detectors-config and the detector flags, and exit.")
    var listDetectorSettings = false

    @Option(name: .long, help: ArgumentHelp("The input format, instead of detecting it.", valueName: "format"))
    var format: String?

    @OptionGroup var intel: IntelOptions

    @Option(name: .long, help: ArgumentHelp("Inventory file (CSV or YAML: cidr|device_id, organisation, segment, region, country, industry, device_type, site); repeatable.", valueName: "file"))
    var inventory: [String] = []

    @Option(name: .long, help: ArgumentHelp("MaxMind-format database for country/ASN when the inventory is silent; repeatable.", valueName: "file"))
    var mmdb: [String] = []

    @Flag(name: .long, help: "Anonymise client addresses with Crypto-PAn before anything else sees them; the key (64 hex digits) comes from $DNSIGHT_ANONYMISE_KEY so that it never appears in a process list or shell history.")
    var anonymise = false

    @Flag(name: .long, help: "The inventory's CIDRs are written in the anonymised address space (with --anonymise).")
    var inventoryAnonymised = false

    @Option(name: .long, help: ArgumentHelp("Write every detection with its evidence as JSON lines to this file (- for standard output).", valueName: "file"))
    var detections: String?

    @Option(name: .long, help: ArgumentHelp("The store that detections and roll-ups go into, for `dnsight report` (default: $XDG_DATA_HOME/dnsight/store.sqlite). Inputs already stored are skipped; one stopped part-way resumes where it stopped.", valueName: "path"))
    var store: String?

    @Flag(name: .long, help: "Do not write a store (summary and --detections only).")
    var noStore = false

    @Option(name: .long, help: ArgumentHelp("After the ingest, remove the store's data of days older than this age (Nd, Nw or Ny before today, UTC), as `dnsight store prune --older-than` does.", valueName: "age"))
    var retain: String?

    /// Observations per store transaction. Hidden: for tests (small batches make a kill land mid-file) and tuning.
    @Option(name: .long, help: ArgumentHelp("Observations per store transaction and checkpoint (default 16000000; a batch is stored earlier when it holds 1000000 rows).", valueName: "n", visibility: .hidden))
    var storeBatchSize: Int64?

    @Option(name: .long, help: ArgumentHelp("Ports that carry DNS in packet captures.", valueName: "port,port…"))
    var dnsPorts: String = "53"

    @Option(name: .long, help: ArgumentHelp("Column mapping for json/csv input, e.g. time=ts,client=src,qname=query,qtype=type,rcode=rcode, or @FILE for a file of field=column lines.", valueName: "field=column,…|@file"))
    var map: String?

    @Option(name: .long, help: ArgumentHelp("The year of syslog timestamps, which carry none (dnsmasq, Pi-hole, Unbound log-time-ascii); default: this year.", valueName: "year"))
    var year: Int?

    @Option(name: .long, help: ArgumentHelp("The zone of log timestamps written without one (BIND, syslog, zone-less ISO 8601), e.g. +09:00; default UTC.", valueName: "±hh:mm"))
    var tz: String?

    @Option(name: .long, help: ArgumentHelp("Worker threads (default: the number of cores).", valueName: "n"))
    var threads: Int?

    @Option(name: .customLong("chunk-mib"), help: ArgumentHelp("Split plain Zeek TSV/JSON files larger than this many MiB into chunks that all worker threads read (default 32; 0 reads each file on one thread); without --store, dnstap and classic pcap files too (cut at record starts; pcap with DNS over TCP or IP fragments is read whole). Keep the same value when rerunning into the same --store: it resumes chunk by chunk.", valueName: "MiB"))
    var chunkMiB: Int?

    @Option(name: .long, help: ArgumentHelp("Detectors to run: all, none, or a list of \(DetectorSettings.detectorNames.joined(separator: ",")) (default: all, or as --detectors-config says).", valueName: "list"))
    var detectors: String?

    @Option(name: .customLong("without-detector"), help: ArgumentHelp("Turn one detector off; repeatable.", valueName: "name"))
    var withoutDetector: [String] = []

    @Option(name: .long, help: ArgumentHelp("Detector settings (YAML or JSON): on/off, thresholds, windows, state caps.", valueName: "file"))
    var detectorsConfig: String?

    @Option(name: .long, help: ArgumentHelp("Newly-observed-domain seen-set: loaded if it exists, saved at the end (overrides nod.state_file).", valueName: "file"))
    var nodState: String?

    @Option(name: .long, help: ArgumentHelp("A popular-domain list whose registrable domains count as long known to the newly-observed detector; repeatable.", valueName: "file"))
    var nodSeed: [String] = []

    @Flag(name: .long, help: "Print the summary as JSON.")
    var json = false

    @Flag(name: .long, help: "No progress display.")
    var quiet = false

    func validate() throws {
        if inputs.isEmpty && !listDetectorSettings { throw ValidationError("give at least one input file or folder (- for standard input)") }
        if let format, LogFormat(name: format) == nil {
            throw ValidationError("unknown format '\(format)'; one of: \(LogFormat.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        if portSet == nil { throw ValidationError("--dns-ports takes comma-separated port numbers, e.g. 53,5353") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
        if let chunkMiB, chunkMiB < 0 || chunkMiB > 1 << 20 { throw ValidationError("--chunk-mib must be between 0 and 1048576") }
        let known = Set(DetectorSettings.detectorNames)
        if let detectors, !["all", "none"].contains(detectors) {
            for d in detectors.split(separator: ",") where !known.contains(String(d)) {
                throw ValidationError("--detectors: unknown detector '\(d)'; one of: all, none, \(DetectorSettings.detectorNames.joined(separator: ", "))")
            }
        }
        for d in withoutDetector where !known.contains(d) {
            throw ValidationError("--without-detector: unknown detector '\(d)'; one of: \(DetectorSettings.detectorNames.joined(separator: ", "))")
        }
        if let year, !(1970...2200).contains(year) { throw ValidationError("--year must be between 1970 and 2200") }
        if let tz, ReaderOptions.zoneOffset(tz) == nil { throw ValidationError("--tz takes an offset such as +09:00, -0500 or Z") }
        if let storeBatchSize, storeBatchSize < 1 { throw ValidationError("--store-batch-size must be at least 1") }
        if let retain {
            if StorePruneCommand.days(retain) == nil { throw ValidationError("--retain takes an age such as 400d, 8w or 2y, not '\(retain)'") }
            if noStore { throw ValidationError("--retain prunes the store; it does not go with --no-store") }
        }
        if noStore && store != nil { throw ValidationError("--store and --no-store contradict each other") }
        if anonymise && ProcessInfo.processInfo.environment["DNSIGHT_ANONYMISE_KEY"] == nil {
            throw ValidationError("--anonymise needs the key in $DNSIGHT_ANONYMISE_KEY (64 hex digits)")
        }
    }

    /// The detector settings: the config file's (or the defaults), then --detectors, --without-detector, --nod-state.
    func detectorSettings() throws -> DetectorSettings {
        var s = try detectorsConfig.map { try DetectorConfigFile.load($0) } ?? DetectorSettings()
        if let detectors {
            let on: Set<String> = detectors == "all" ? Set(DetectorSettings.detectorNames)
                : detectors == "none" ? [] : Set(detectors.split(separator: ",").map(String.init))
            for d in DetectorSettings.detectorNames { s.setEnabled(d, on.contains(d)) }
        }
        for d in withoutDetector { s.setEnabled(d, false) }
        if let nodState { s.newDomain.stateFile = nodState }
        s.newDomain.seedFiles += nodSeed
        return s
    }

    var portSet: Set<UInt16>? {
        var s = Set<UInt16>()
        for p in dnsPorts.split(separator: ",") {
            guard let v = UInt16(p.trimmingCharacters(in: .whitespaces)), v > 0 else { return nil }
            s.insert(v)
        }
        return s.isEmpty ? nil : s
    }

    func run() throws {
        if listDetectorSettings {
            let s: DetectorSettings
            do { s = try detectorSettings() } catch {
                FileHandle.standardError.write(Data("dnsight analyze: \(error)\n".utf8))
                throw ExitCode(2)
            }
            for e in DetectorSettings.entries { print("\(e.key)\t\(e.value(in: s))\t\(e.help)") }
            return
        }
        var c = AnalyzeConfiguration(inputs: inputs, snapshotPath: intel.snapshotPath)
        c.format = format.flatMap { LogFormat(name: $0) }
        c.intelPaths = intel.intel
        c.inventoryPaths = inventory
        c.mmdbPaths = mmdb
        c.anonymiseKey = anonymise ? ProcessInfo.processInfo.environment["DNSIGHT_ANONYMISE_KEY"] : nil
        c.inventoryIsAnonymised = inventoryAnonymised
        c.detectionsPath = detections
        c.storePath = noStore ? nil : (store ?? SQLiteStore.defaultPath)
        c.readerOptions.dnsPorts = portSet ?? [53]
        if let map {
            do {
                c.readerOptions.columnMapping = map.hasPrefix("@") ? try ColumnMapping(contentsOfFile: String(map.dropFirst())) : try ColumnMapping(parsing: map)
            } catch {
                throw ValidationError("--map: \(error)")
            }
        }
        c.readerOptions.year = year
        if let tz { c.readerOptions.timeZoneOffsetSeconds = ReaderOptions.zoneOffset(tz) ?? 0 }
        if let threads { c.threads = threads }
        if let storeBatchSize { c.storeBatchSize = storeBatchSize }
        c.retainDays = retain.flatMap(StorePruneCommand.days)
        if let chunkMiB { c.chunkBytes = chunkMiB << 20 }
        do { c.detectors = try detectorSettings() } catch {
            FileHandle.standardError.write(Data("dnsight analyze: \(error)\n".utf8))
            throw ExitCode(2)
        }
        let showProgress = !quiet && !json && isatty(STDERR_FILENO) == 1
        let summary: AnalyzeSummary
        do {
            let draw: @Sendable (Int, Int, Int) -> Void = { ProgressLine.draw(bytes: $0, total: $1, events: $2) }
            summary = try AnalyzeJob.run(c, progress: showProgress ? draw : nil)
        } catch {
            if showProgress { ProgressLine.clear() }
            FileHandle.standardError.write(Data("dnsight analyze: \(error)\n".utf8))
            throw ExitCode(2)
        }
        if showProgress { ProgressLine.clear() }
        if json {
            let e = JSONEncoder()
            e.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try e.encode(summary), as: UTF8.self))
        } else {
            print(SummaryText.render(summary), terminator: "")
        }
        if summary.failedInputs > 0 { throw ExitCode(1) }
    }
}

/// The one-line progress display on a terminal: bytes read, events, rate and time left.
enum ProgressLine {
    nonisolated(unsafe) static var started = Date()
    static func draw(bytes: Int, total: Int, events: Int) {
        let elapsed = max(Date().timeIntervalSince(started), 0.001)
        var line = "  \(SummaryText.bytes(bytes))"
        if total > 0 { line += " / \(SummaryText.bytes(total)) (\(Int(Double(bytes) * 100 / Double(max(total, 1))))%)" }
        line += "  \(SummaryText.count(events)) events  \(SummaryText.count(Int(Double(events) / elapsed)))/s"
        if total > 0, bytes > 0, bytes < total {
            line += "  ETA \(Int(elapsed * Double(total - bytes) / Double(bytes)))s"
        }
        FileHandle.standardError.write(Data(("\r" + line + "\u{1B}[K").utf8))
    }
    static func clear() { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
}

/// The human-readable summary of an analyze run.
enum SummaryText {
    static func count(_ n: Int) -> String {
        let s = String(n)
        var out = ""
        for (i, ch) in s.reversed().enumerated() {
            if i > 0 && i % 3 == 0 { out.append(",") }
            out.append(ch)
        }
        return String(out.reversed())
    }

    static func bytes(_ n: Int) -> String {
        let units = ["B", "KB", "MB", "GB", "TB"]
        var v = Double(n), u = 0
        while v >= 1000 && u < units.count - 1 { v /= 1000; u += 1 }
        return u == 0 ? "\(n) B" : String(format: "%.1f %@", v, units[u])
    }

    static func percent(_ a: Int, _ b: Int) -> String { b == 0 ? "-" : String(format: "%.1f%%", Double(a) * 100 / Double(b)) }

    /// The detectors' part of the summary.
    static func detectorLines(_ s: AnalyzeSummary) -> String {
        guard !s.detectors.isEmpty else { return "\nDetectors: none enabled\n" }
        var o = "\nDetectors (suspected tier): \(count(s.suspectedDetections)) queries flagged where intel had no verdict\n"
        for d in s.detectors {
            guard d.enabled else {
                o += "  \(d.name.padding(toLength: 9, withPad: " ", startingAt: 0)) off\n"
                continue
            }
            o += "  \(d.name.padding(toLength: 9, withPad: " ", startingAt: 0)) \(count(d.alerts)) fired, \(count(d.devices)) devices, \(count(d.queries)) queries"
            if d.alsoKnown > 0 { o += " (\(count(d.alsoKnown)) also listed by intel)" }
            if d.name != "dga" { o += "; state \(count(d.tracked)) held, \(count(d.evictions)) evicted at the cap, \(count(d.expirations)) expired" }
            o += "\n"
        }
        if let n = s.newlyObservedDomains {
            o += "  newly observed domains: \(count(n)), of which malicious \(count(s.maliciousNewlyObservedDomains ?? 0)) (\(percent(s.maliciousNewlyObservedDomains ?? 0, n)))"
            if let days = s.seenSetHistoryDays { o += "; seen-set history \(String(format: "%.1f", days)) days" }
            if let p = s.seenSetSaved { o += "; saved to \(p)" }
            o += "\n"
        }
        if let scope = s.detectorStateScope { o += "  per-device state: \(scope)\n" }
        if let fast = s.detectorFastPath { o += "  fast path (names of no interest to any detector): \(percent(fast, s.events)) of queries\n" }
        return o
    }

    static func render(_ s: AnalyzeSummary) -> String {
        var o = ""
        let rate = s.seconds > 0 ? Int(Double(s.events) / s.seconds) : 0
        o += "Read \(count(s.events)) DNS transactions from \(s.inputs.count) input(s) in \(String(format: "%.1f", s.seconds)) s (\(count(rate)) per second).\n\n"
        o += "Inputs\n"
        let skipped = s.inputs.filter { $0.skipped != nil }
        for i in s.inputs where i.skipped == nil {
            o += "  \(i.path)  [\(i.format ?? "?")]  \(count(i.records)) records, \(count(i.events)) events"
            if i.malformed > 0 { o += ", \(count(i.malformed)) malformed" }
            if let e = i.error { o += "\n    NOT READ: \(e)" }
            o += "\n"
        }
        for (reason, group) in Dictionary(grouping: skipped, by: { $0.skipped! }).sorted(by: { $0.key < $1.key }) {
            o += "  (skipped \(group.count) file(s), \(reason): \(group.prefix(3).map(\.path).joined(separator: ", "))\(group.count > 3 ? ", …" : ""))\n"
        }
        if !s.malformed.isEmpty {
            o += "\nMalformed records, by reason (skipped; the good records around them were kept)\n"
            for (k, v) in s.malformed.sorted(by: { ($0.value, $1.key) > ($1.value, $0.key) }) { o += "  \(count(v))  \(k)\n" }
            if !s.malformedExamples.isEmpty {
                o += "  first examples:\n"
                for e in s.malformedExamples.prefix(8) { o += "    \(e)\n" }
            }
        }
        o += "\nDetections: \(count(s.detections)) queries (\(percent(s.detections, s.events)) of all) against \(count(s.intelEntries)) intel entries"
        if s.allowlisted > 0 { o += "; \(count(s.allowlisted)) allowlisted" }
        o += "\n"
        for c in s.categories {
            o += "  \(c.category.padding(toLength: 12, withPad: " ", startingAt: 0)) \(count(c.queries)) queries, \(count(c.devices)) devices, \(count(c.organisations)) organisations\n"
        }
        o += "\nAffected: \(count(s.affectedDevices)) of \(count(s.devicesSeen)) devices seen (\(percent(s.affectedDevices, s.devicesSeen))), "
        o += "\(count(s.affectedOrganisations)) of \(count(s.organisationsSeen)) organisations (\(percent(s.affectedOrganisations, s.organisationsSeen)))\n"
        if !s.families.isEmpty {
            o += "\nTop families (by affected devices)\n"
            for f in s.families.prefix(10) { o += "  \(f.family.padding(toLength: 16, withPad: " ", startingAt: 0)) \(count(f.devices)) devices, \(count(f.queries)) queries\n" }
        }
        let a = s.attribution
        o += "\nAttribution: inventory by device id \(count(a["device"] ?? 0)), by CIDR \(count(a["cidr"] ?? 0)), MMDB \(count(a["mmdb"] ?? 0)), unknown \(count(a["unknown"] ?? 0))"
        if (a["anonymised"] ?? 0) > 0 { o += "; \(count(a["anonymised"]!)) client addresses anonymised" }
        o += "\n"
        o += detectorLines(s)
        if s.detectionsWritten > 0 { o += "Wrote \(count(s.detectionsWritten)) detections with evidence.\n" }
        if let store = s.store { o += "Stored in \(store) (render the report with: dnsight report --store \(store)).\n" }
        if let p = s.pruned, let from = s.retainedFrom {
            o += "Retention: removed the data of the days before \(from): \(count(Int(p.rollupRows))) roll-up rows, \(count(Int(p.detections))) detections, \(count(Int(p.domains))) domains.\n"
        }
        return o
    }
}
