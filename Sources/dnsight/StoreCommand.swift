import ArgumentParser
import EventStore
import Foundation
import SQLiteStore

/// `dnsight store info|prune`: look inside the embedded store, and remove old data from it.
struct StoreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store",
        abstract: "Inspect the dnsight store, or remove data older than a cut-off (retention).",
        subcommands: [StoreInfoCommand.self, StorePruneCommand.self]
    )
}

/// Prints a value as pretty, key-sorted JSON on standard output.
private func printJSON(_ value: some Encodable) throws {
    let e = JSONEncoder()
    e.outputFormatting = [.prettyPrinted, .sortedKeys]
    print(String(decoding: try e.encode(value), as: UTF8.self))
}

/// Prints a message on standard error and returns the exit code to throw.
private func storeFailure(_ command: String, _ message: String, _ code: Int32) -> ExitCode {
    FileHandle.standardError.write(Data("dnsight store \(command): \(message)\n".utf8))
    return ExitCode(code)
}

/// `dnsight store info`.
struct StoreInfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "info",
        abstract: "What a store holds: date range, devices, queries, detections, sizes, rows per table, ingest runs and inputs.",
        discussion: """
        Opens the store read-only, so it can run while `dnsight analyze` writes. An input (checkpoint) is complete \
        when analyze read it to its end; a partial one resumes where it stopped on the next run. A run still marked \
        running was interrupted (or is in progress): its record counts what it stored.

        Exit codes: 0 printed; 2 the store cannot be opened or read (missing, not a dnsight store, newer schema).
        """
    )

    @Option(help: ArgumentHelp("The store (default: $XDG_DATA_HOME/dnsight/store.sqlite).", valueName: "path"))
    var store: String = SQLiteStore.defaultPath

    @Flag(help: "Print as JSON.")
    var json = false

    @Option(name: .long, help: ArgumentHelp("List at most this many inputs (0: counts only).", valueName: "n"))
    var inputs: Int = 20

    func validate() throws {
        if inputs < 0 { throw ValidationError("--inputs must be 0 or more") }
    }

    struct Info: Codable {
        struct Run: Codable {
            var started: String
            var finished: String?
            var tool: String
            var sources: Int
            var queries: Int64
            var detections: Int64
            var detectors: [String]
        }
        struct Input: Codable {
            var path: String
            var records: Int64
            var byteOffset: Int64
            var size: Int64
            var complete: Bool
            var updated: String
        }
        var store: String
        var schema: String
        var databaseBytes: Int64
        var walBytes: Int64
        var firstDay: String?
        var lastDay: String?
        var devices: Int64
        var queries: Int64
        var detections: Int64
        var domains: Int64
        var tables: [String: Int64]
        var runs: [Run]
        var inputsTotal: Int
        var inputsComplete: Int
        var inputs: [Input]
    }

    static func time(_ nanos: Int64) -> String {
        let f = ISO8601DateFormatter()
        return f.string(from: Date(timeIntervalSince1970: Double(nanos) / 1e9))
    }

    func run() throws {
        let info: Info
        do {
            let db = try SQLiteStore.openReadOnly(path: store)
            let snap = try db.snapshot()
            let s = try snap.summary()
            let (tables, schema) = try db.tableRowCounts()
            let runs = try snap.ingestRuns()
            let cps = try snap.allCheckpoints()
            let sizes = db.fileSizes()
            info = Info(
                store: store, schema: schema, databaseBytes: sizes.database, walBytes: sizes.wal,
                firstDay: s.firstDay?.description, lastDay: s.lastDay?.description, devices: s.devices, queries: s.queries,
                detections: s.detections, domains: s.domains,
                tables: Dictionary(uniqueKeysWithValues: tables.map { ($0.name, $0.rows) }),
                runs: runs.map { r in
                    Info.Run(started: Self.time(r.startedNanos), finished: r.finishedNanos == 0 ? nil : Self.time(r.finishedNanos), tool: r.tool,
                             sources: r.sources.count, queries: r.queries, detections: r.detections, detectors: r.detectors.map(\.name))
                },
                inputsTotal: cps.count, inputsComplete: cps.filter(\.complete).count,
                inputs: cps.sorted { $0.updatedNanos > $1.updatedNanos }.prefix(inputs).map { c in
                    Info.Input(path: c.stream.path, records: c.records, byteOffset: c.byteOffset, size: c.stream.size, complete: c.complete,
                               updated: Self.time(c.updatedNanos))
                })
        } catch {
            throw storeFailure("info", "\(error)", 2)
        }
        if json { return try printJSON(info) }
        let n = SummaryText.count
        var o = "Store \(info.store) (schema \(info.schema))\n"
        o += "  size: \(SummaryText.bytes(Int(info.databaseBytes))) database + \(SummaryText.bytes(Int(info.walBytes))) write-ahead log\n"
        if let f = info.firstDay, let l = info.lastDay { o += "  traffic from \(f) to \(l) (UTC days)\n" } else { o += "  no traffic stored\n" }
        o += "  \(n(Int(info.queries))) queries from \(n(Int(info.devices))) devices; \(n(Int(info.detections))) detections with evidence; \(n(Int(info.domains))) domains tracked\n"
        o += "\nRows per table\n"
        for (t, c) in info.tables.sorted(by: { $0.key < $1.key }) { o += "  \(t.padding(toLength: 18, withPad: " ", startingAt: 0)) \(n(Int(c)))\n" }
        let interrupted = info.runs.filter { $0.finished == nil }.count
        o += "\nIngest runs: \(info.runs.count)\(interrupted > 0 ? " (\(interrupted) interrupted or still running)" : "")\n"
        for r in info.runs.suffix(10) {
            o += "  \(r.started) → \(r.finished ?? "interrupted")  \(n(Int(r.queries))) queries, \(n(Int(r.detections))) detections, \(r.sources) inputs"
            o += r.detectors.isEmpty ? ", no detectors\n" : ", detectors \(r.detectors.joined(separator: ","))\n"
        }
        if info.runs.count > 10 { o += "  (the last 10 of \(info.runs.count))\n" }
        o += "\nInputs: \(info.inputsTotal) (\(info.inputsComplete) complete, \(info.inputsTotal - info.inputsComplete) partial)\n"
        for i in info.inputs {
            o += "  \(i.complete ? "complete" : "partial ") \(i.path)  \(n(Int(i.records))) records"
            if !i.complete { o += ", \(n(Int(i.byteOffset))) of \(n(Int(i.size))) bytes" }
            o += "\n"
        }
        if info.inputsTotal > info.inputs.count { o += "  (the \(info.inputs.count) most recently updated of \(info.inputsTotal); --inputs N for more)\n" }
        print(o, terminator: "")
    }
}

/// `dnsight store prune`.
struct StorePruneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prune",
        abstract: "Remove roll-ups, detections and domain sightings older than a cut-off (retention by age).",
        discussion: """
        Give the cut-off as --before YYYY-MM-DD (UTC; that day is kept) or --older-than AGE (Nd, Nw or Ny; days \
        before today UTC minus AGE go). Everything of the earlier days goes in one transaction: the daily roll-ups, \
        the detections with their evidence, and the domains last seen before the cut-off; monthly activity is cut \
        at the day. Input checkpoints stay, so a later analyze over the same files does not bring the data back. \
        --dry-run counts what would go and changes nothing; --vacuum then shrinks the file.

        Exit codes: 0 done (or nothing to remove); 2 the store cannot be opened or written (missing, not a dnsight \
        store, locked by a writer for over a minute); 64 bad usage.
        """
    )

    @Option(help: ArgumentHelp("The store (default: $XDG_DATA_HOME/dnsight/store.sqlite).", valueName: "path"))
    var store: String = SQLiteStore.defaultPath

    @Option(name: .customLong("older-than"), help: ArgumentHelp("Remove days older than this age: Nd, Nw or Ny (a year is 365 days).", valueName: "age"))
    var olderThan: String?

    @Option(help: ArgumentHelp("Remove the days before this one (UTC, YYYY-MM-DD).", valueName: "date"))
    var before: String?

    @Flag(name: .customLong("dry-run"), help: "Count what would be removed; change nothing.")
    var dryRun = false

    @Flag(help: "Rebuild the file afterwards so that it shrinks (takes a while on a large store).")
    var vacuum = false

    @Flag(help: "Print the result as JSON.")
    var json = false

    /// Days in an age such as `400d`, `8w`, `2y`.
    static func days(_ age: String) -> Int? {
        guard let unit = age.last, let n = Int(age.dropLast()), n >= 0 else { return nil }
        switch unit {
        case "d": return n
        case "w": return n * 7
        case "y": return n * 365
        default: return nil
        }
    }

    func validate() throws {
        switch (olderThan, before) {
        case (nil, nil): throw ValidationError("give the cut-off: --older-than AGE (e.g. 400d) or --before YYYY-MM-DD")
        case (.some, .some): throw ValidationError("--older-than and --before are two ways to give the cut-off; use one")
        case (let age?, nil): if Self.days(age) == nil { throw ValidationError("--older-than takes an age such as 400d, 8w or 2y, not '\(age)'") }
        case (nil, let d?): if Day(iso: d) == nil { throw ValidationError("--before is not a YYYY-MM-DD date: \(d)") }
        }
        if dryRun && vacuum { throw ValidationError("--dry-run changes nothing, so --vacuum has nothing to do") }
    }

    /// The first day kept.
    var cut: Day {
        if let before { return Day(iso: before)! }
        let today = Day(timeNanos: Int64(Date().timeIntervalSince1970 * 1e9))
        return today.advanced(by: -Self.days(olderThan!)!)
    }

    struct Result: Codable {
        var store: String
        var before: String
        var dryRun: Bool
        var rollupRows: Int64
        var detections: Int64
        var domains: Int64
        var firstDay: String?
        var lastDay: String?
        var databaseBytes: Int64
    }

    func run() throws {
        guard FileManager.default.fileExists(atPath: store) else { throw storeFailure("prune", "\(store): no such store", 2) }
        let result: Result
        do {
            // Check that it is a store before opening it for writing (which would create the schema in any SQLite file).
            _ = try SQLiteStore.openReadOnly(path: store)
            let db = try SQLiteStore.open(path: store)
            let r = try db.removeData(before: cut, dryRun: dryRun)
            if vacuum { try db.vacuum() }
            let s = try db.summary()
            result = Result(store: store, before: cut.description, dryRun: dryRun, rollupRows: r.rollupRows, detections: r.detections,
                            domains: r.domains, firstDay: s.firstDay?.description, lastDay: s.lastDay?.description,
                            databaseBytes: db.fileSizes().database)
        } catch {
            throw storeFailure("prune", "\(error)", 2)
        }
        if json { return try printJSON(result) }
        let n = SummaryText.count
        print("\(dryRun ? "Would remove" : "Removed") the data of the days before \(result.before): \(n(Int(result.rollupRows))) roll-up rows, \(n(Int(result.detections))) detections, \(n(Int(result.domains))) domains.")
        if let f = result.firstDay, let l = result.lastDay {
            print("The store \(dryRun ? "holds" : "now holds") traffic from \(f) to \(l).")
        } else {
            print("The store \(dryRun ? "holds" : "now holds") no traffic.")
        }
    }
}
